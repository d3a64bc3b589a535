package prefix

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the golden file names IANA zones
)

// unsupported are patterns the JDK formats but this package rejects on
// purpose: week-based fields depend on a locale's week rules, zone names
// on the zone's identity, and day periods on CLDR data.
var unsupported = map[string]bool{
	"Y": true, "YYYY": true, "w": true, "W": true, "e": true, "c": true, "F": true,
	"z": true, "VV": true, "v": true, "B": true,
}

// TestJavaDateGolden compares timestamp expressions with the JDK's
// DateTimeFormatter output (testdata/JavaDateGolden.java regenerates it).
func TestJavaDateGolden(t *testing.T) {
	f, err := os.Open("testdata/javadate_golden.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 4 {
			t.Fatalf("bad golden line %q", sc.Text())
		}
		pattern, instant, zone, want := parts[0], parts[1], parts[2], parts[3]
		n++
		at, err := time.Parse(time.RFC3339Nano, instant)
		if err != nil {
			t.Fatal(err)
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		at = at.In(loc)
		tmpl, err := Parse("!{timestamp:"+pattern+"}", false)
		switch {
		case unsupported[pattern]:
			if err == nil {
				t.Errorf("%q: accepted; this package rejects it on purpose", pattern)
			}
			if want == "!ERROR" {
				t.Errorf("%q: the JDK rejects it too; drop it from unsupported", pattern)
			}
		case want == "!ERROR":
			if err == nil {
				got, _ := tmpl.Render(Values{Time: at})
				t.Errorf("%q: the JDK rejects it, we format %q", pattern, got)
			}
		case err != nil:
			t.Errorf("%q: %v; the JDK formats %q", pattern, err, want)
		default:
			got, err := tmpl.Render(Values{Time: at})
			if err != nil || got != want {
				t.Errorf("%q at %s in %s: got %q, %v; the JDK formats %q", pattern, instant, zone, got, err, want)
			}
		}
	}
	if n < 2800 {
		t.Fatalf("only %d golden lines", n)
	}
}
