package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// goldenFile is one testdata/*.json: policies (documents given to Parse in
// order) and requests with the Result expected of Evaluate.
type goldenFile struct {
	Doc      string            `json:"doc"` // where the example comes from
	Policies []json.RawMessage `json:"policies"`
	Cases    []struct {
		Action   string              `json:"action"`
		Resource string              `json:"resource"`
		Context  map[string][]string `json:"context"`
		Decision string              `json:"decision"`
		Sid      string              `json:"sid"`
		Policy   int                 `json:"policy"`
	} `json:"cases"`
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var g goldenFile
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatal(err)
			}
			var policies []*Policy
			for i, doc := range g.Policies {
				p, err := Parse(doc)
				if err != nil {
					t.Fatalf("policy %d: %v", i, err)
				}
				policies = append(policies, p)
			}
			for i, c := range g.Cases {
				got := Evaluate(policies, Request{Action: c.Action, Resource: c.Resource, Context: c.Context})
				if got.Decision.String() != c.Decision || got.Sid != c.Sid || (c.Sid != "" && got.Policy != c.Policy) {
					t.Errorf("case %d (%s on %s): got %s by policy %d sid %q, want %s by policy %d sid %q",
						i, c.Action, c.Resource, got.Decision, got.Policy, got.Sid, c.Decision, c.Policy, c.Sid)
				}
			}
		})
	}
}
