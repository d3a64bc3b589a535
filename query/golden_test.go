package query

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata goldens with the current output")

// goldenCase is one block of a golden file:
//
//	<directive>
//	<input lines>
//	----
//	<expected lines>
//	<blank line>
type goldenCase struct {
	directive string
	input     string
	expected  string
	line      int
}

func readGolden(t *testing.T, path string) (header string, cases []goldenCase) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var head []string
	i := 0
	for i < len(lines) && (strings.HasPrefix(lines[i], "#") || lines[i] == "") {
		head = append(head, lines[i])
		i++
	}
	for i < len(lines) {
		if lines[i] == "" {
			i++
			continue
		}
		c := goldenCase{directive: strings.TrimSpace(lines[i]), line: i + 1}
		i++
		var in []string
		for i < len(lines) && lines[i] != "----" {
			in = append(in, lines[i])
			i++
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: no ---- after the input", path, c.line)
		}
		i++
		var exp []string
		for i < len(lines) && lines[i] != "" {
			exp = append(exp, lines[i])
			i++
		}
		c.input = strings.Join(in, "\n")
		c.expected = strings.Join(exp, "\n")
		cases = append(cases, c)
	}
	return strings.Join(head, "\n"), cases
}

func writeGolden(t *testing.T, path, header string, cases []goldenCase) {
	t.Helper()
	var b strings.Builder
	if header != "" {
		b.WriteString(strings.TrimRight(header, "\n"))
		b.WriteString("\n\n")
	}
	for _, c := range cases {
		fmt.Fprintf(&b, "%s\n%s\n----\n%s\n\n", c.directive, c.input, c.expected)
	}
	if err := os.WriteFile(path, []byte(strings.TrimRight(b.String(), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runGoldens runs every testdata/<dir>/*.txt file through do, comparing
// (or with -update rewriting) the expected output.
func runGoldens(t *testing.T, dir string, do func(t *testing.T, c goldenCase) string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in testdata/%s (%v)", dir, err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			header, cases := readGolden(t, path)
			for i := range cases {
				c := &cases[i]
				got := strings.TrimRight(do(t, *c), "\n")
				if *update {
					c.expected = got
					continue
				}
				if got != c.expected {
					t.Errorf("%s:%d: %s\n%s\n got:\n%s\nwant:\n%s", path, c.line, c.directive, c.input, got, c.expected)
				}
			}
			if *update {
				writeGolden(t, path, header, cases)
			}
		})
	}
}

// TestTranslateGolden checks the Trino → DuckDB translation of every
// "translate" case, and that translating the output again changes nothing.
func TestTranslateGolden(t *testing.T) {
	runGoldens(t, "translate", func(t *testing.T, c goldenCase) string {
		if c.directive != "translate" {
			t.Fatalf("line %d: unknown directive %q", c.line, c.directive)
		}
		out, err := Translate(c.input)
		if err != nil {
			return "error: " + err.Error()
		}
		again, err := Translate(out)
		if err != nil {
			t.Errorf("line %d: translating the output again: %v\n%s", c.line, err, out)
		} else if again != out && !strings.Contains(c.input, "-- unstable") {
			t.Errorf("line %d: translation is not stable:\n%s\n%s", c.line, out, again)
		}
		return out
	})
}
