package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestE2EFirehoseReadmeExample runs the README's Firehose example (the
// python block that makes a firehose client) as written with new boto3,
// twice (it must be re-runnable), then the README's SQL block over what it
// delivered, statement by statement through `caudal query`. Old boto3
// refuses the example's one-second interval client-side, as the README
// says.
func TestE2EFirehoseReadmeExample(t *testing.T) {
	var example string
	for _, b := range readmeBlocks(t, "python", "py", "python3") {
		if strings.Contains(b, `boto3.client("firehose"`) {
			example = b
		}
	}
	sqlBlocks := readmeBlocks(t, "sql")
	if example == "" || len(sqlBlocks) == 0 {
		t.Fatalf("README.md lacks the Firehose example: a python block using boto3.client(\"firehose\") and a sql block")
	}
	var statements []string
	for _, st := range strings.Split(sqlBlocks[0], ";") {
		if st = strings.TrimSpace(st); st != "" {
			statements = append(statements, st)
		}
	}
	key := regexp.MustCompile(`(?m)^raw/\d{4}/\d{2}/\d{2}/\d{2}/clicks-to-lake-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$`)
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		code := localizeExample(example, s)
		if code == example {
			t.Fatalf("README Firehose example does not use the default endpoint http://127.0.0.1:4566")
		}
		dir, env, load := readmeShell(t, s)
		if err := os.WriteFile(filepath.Join(dir, "firehose_example.py"), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(caudalBinary, filepath.Join(dir, "caudal")); err != nil {
			t.Fatal(err)
		}
		if g.name == "old" {
			// As the README says: old botocore refuses the one-second
			// interval itself, before sending anything.
			cmd := exec.Command("bash", "-c", load+" && "+g.python+" firehose_example.py")
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "IntervalInSeconds, value: 1, valid min value: 60") {
				t.Fatalf("old boto3 ran the example (%v):\n%s\nwant the client-side refusal the README describes", err, out)
			}
			return
		}
		for run := 1; run <= 2; run++ {
			out := runReadmeScript(t, dir, env, load, g.python+" firehose_example.py")
			if !strings.Contains(out, "failed records: 0\n") || len(key.FindAllString(out, -1)) != run {
				t.Fatalf("run %d printed:\n%s\nwant \"failed records: 0\" and %d object keys like raw/YYYY/MM/dd/HH/clicks-to-lake-1-…-<uuid>.gz", run, out, run)
			}
		}
		var out string
		for _, st := range statements {
			out = runReadmeScript(t, dir, env, load, "./caudal query --format csv "+shellQuote(st))
		}
		// Two runs delivered the three clicks twice.
		if want := "user,views\nana,4\nluis,2\n"; !strings.HasPrefix(out, want) {
			t.Errorf("the README's SELECT printed:\n%s\nwant it to start with:\n%s", out, want)
		}
	})
}
