package prefix

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

type prefixCase struct {
	Name                string            `json:"name"`
	Prefix              string            `json:"prefix"`
	ErrorOutputPrefix   string            `json:"errorOutputPrefix"`
	DynamicPartitioning bool              `json:"dynamicPartitioning"`
	Time                string            `json:"time"`
	PartitionKeys       map[string]string `json:"partitionKeys"`
	LambdaKeys          map[string]string `json:"lambdaKeys"`
	ErrorOutputType     string            `json:"errorOutputType"`
	Random              string            `json:"random"`
	WantPrefix          string            `json:"wantPrefix"`
	WantErrorPrefix     string            `json:"wantErrorPrefix"`
	WantInvalid         string            `json:"wantInvalid"`
}

// TestPrefixGolden runs the developer guide's examples and rules
// (testdata/prefix_golden.json names the source of each case).
func TestPrefixGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/prefix_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []prefixCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			p, e, err := ValidatePair(c.Prefix, c.ErrorOutputPrefix, c.DynamicPartitioning)
			if c.WantInvalid != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.WantInvalid) {
					t.Fatalf("got %v; want ErrInvalid containing %q", err, c.WantInvalid)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			at, err := time.Parse(time.RFC3339, c.Time)
			if err != nil {
				t.Fatal(err)
			}
			v := Values{Time: at, ErrorOutputType: c.ErrorOutputType, PartitionKeys: c.PartitionKeys, LambdaKeys: c.LambdaKeys, Random: c.Random}
			got, err := p.ObjectPrefix(v, c.DynamicPartitioning)
			if err != nil || got != c.WantPrefix {
				t.Fatalf("prefix: got %q, %v; want %q", got, err, c.WantPrefix)
			}
			gotErr, err := ErrorObjectPrefix(p, e, v)
			if err != nil || gotErr != c.WantErrorPrefix {
				t.Fatalf("error prefix: got %q, %v; want %q", gotErr, err, c.WantErrorPrefix)
			}
		})
	}
}

func TestExactAWSMessage(t *testing.T) {
	_, _, err := ValidatePair("!{timestamp:yyyy}/", "", false)
	const want = "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("got %v", err)
	}
}

func TestRandomString(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{2}$`)
	tmpl, err := Parse("!{firehose:random-string}/!{firehose:random-string}", false)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		s, err := tmpl.Render(Values{})
		if err != nil {
			t.Fatal(err)
		}
		a, b, _ := strings.Cut(s, "/")
		if !shape.MatchString(a) || !shape.MatchString(b) {
			t.Fatalf("random strings %q, %q are not 11 characters shaped like %q", a, b, "046b6c7f-0b")
		}
		if a == b {
			t.Fatalf("two instances in one prefix evaluated to the same %q", a)
		}
		seen[a] = true
	}
	if len(seen) < 99 {
		t.Fatalf("only %d distinct random strings in 100", len(seen))
	}
}

func TestObjectName(t *testing.T) {
	at := time.Date(2019, 8, 9, 23, 55, 9, 0, time.UTC)
	name := ObjectName("my-delivery-stream", 3, at)
	re := regexp.MustCompile(`^my-delivery-stream-3-2019-08-09-23-55-09-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !re.MatchString(name) {
		t.Fatalf("ObjectName = %q", name)
	}
	if ObjectName("s", 1, at) == ObjectName("s", 1, at) {
		t.Fatal("two object names at the same second collide")
	}
}

func TestDefaultTimePrefix(t *testing.T) {
	at := time.Date(2018, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := DefaultTimePrefix(at); got != "2018/01/02/03/" {
		t.Fatalf("got %q", got)
	}
	// A CustomTimeZone is the caller's: the time is formatted where it is.
	tokyo := at.In(time.FixedZone("JST", 9*3600))
	if got := DefaultTimePrefix(tokyo); got != "2018/01/02/12/" {
		t.Fatalf("in JST: got %q", got)
	}
}

func TestRenderErrors(t *testing.T) {
	p, err := Parse("a/!{partitionKeyFromQuery:id}/!{partitionKeyFromLambda:l}/", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Render(Values{PartitionKeys: map[string]string{"id": "1"}}); !errors.Is(err, ErrRender) {
		t.Fatalf("missing lambda key: %v", err)
	}
	if got := p.QueryKeys(); len(got) != 1 || got[0] != "id" {
		t.Fatalf("QueryKeys = %v", got)
	}
	if _, err := p.Render(Values{PartitionKeys: map[string]string{"id": strings.Repeat("x", 600)}, LambdaKeys: map[string]string{"l": "1"}}); !errors.Is(err, ErrRender) {
		t.Fatalf("over-long evaluation: %v", err)
	}
	// Within 512 after evaluation but not with the default time appended.
	lit, _ := Parse(strings.Repeat("y", 505), false)
	if _, err := lit.ObjectPrefix(Values{Time: time.Now()}, false); !errors.Is(err, ErrRender) {
		t.Fatalf("default time past 512: %v", err)
	}
	var nilT *Template
	if _, err := nilT.Render(Values{}); !errors.Is(err, ErrRender) {
		t.Fatal("nil template rendered")
	}
	if _, err := ErrorObjectPrefix(p, nil, Values{}); !errors.Is(err, ErrRender) {
		t.Fatal("missing error prefix for an expression prefix")
	}
}

// FuzzParse: Parse never panics; a template remembers its source; a prefix
// without expressions renders to itself; rendering fails only with
// ErrRender.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "logs/", "!{timestamp:yyyy/MM/dd/HH}/", "!{firehose:random-string}", "!{firehose:error-output-type}",
		"!{partitionKeyFromQuery:a}/!{partitionKeyFromLambda:b}", "!{timestamp:'x''y'[yyyy]}", "!{", "!{}", "!{:}",
		"!{timestamp:SSSSSSSSS QQQQ EEEE a hh KK kk uuuuu GGGG XXXXX xxxxx ZZZZ OOOO n N A}",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	at := time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC)
	f.Fuzz(func(t *testing.T, s string, forErrors bool) {
		tmpl, err := Parse(s, forErrors)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error not ErrInvalid: %v", err)
			}
			return
		}
		if tmpl.String() != s {
			t.Fatalf("String() = %q, want %q", tmpl.String(), s)
		}
		keys := map[string]string{}
		for _, k := range tmpl.QueryKeys() {
			keys[k] = "v"
		}
		lkeys := map[string]string{}
		for _, k := range tmpl.LambdaKeys() {
			lkeys[k] = "w"
		}
		out, err := tmpl.Render(Values{Time: at, ErrorOutputType: "processing-failed", PartitionKeys: keys, LambdaKeys: lkeys})
		if err != nil {
			if !errors.Is(err, ErrRender) {
				t.Fatalf("Render error not ErrRender: %v", err)
			}
			return
		}
		if !tmpl.HasExpressions() && out != s {
			t.Fatalf("literal prefix %q rendered as %q", s, out)
		}
		for _, seg := range tmpl.segs {
			if seg.kind == kindLiteral && strings.Contains(seg.text, "!{") {
				t.Fatalf("literal segment %q holds an unparsed expression", seg.text)
			}
		}
	})
}

func BenchmarkRender(b *testing.B) {
	p, err := Parse("customer_id=!{partitionKeyFromQuery:customer_id}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/", false)
	if err != nil {
		b.Fatal(err)
	}
	v := Values{Time: time.Now(), PartitionKeys: map[string]string{"customer_id": "1234567890"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.ObjectPrefix(v, true); err != nil {
			b.Fatal(err)
		}
	}
}
