package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EAuthzReadmeExample runs the README's security example (the
// python block using boto3.client("iam")) as written with each boto3
// generation, after loading the root credentials the README's way: a user
// whose policy allows reading one stream describes it and is refused a
// put. Twice, as a reader re-running it would.
func TestE2EAuthzReadmeExample(t *testing.T) {
	var example string
	for _, b := range readmeBlocks(t, "python", "py", "python3") {
		if strings.Contains(b, `boto3.client("iam"`) {
			example = b
		}
	}
	if example == "" {
		t.Fatalf(`README.md has no python block using boto3.client("iam")`)
	}
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		code := localizeExample(example, s)
		if code == example {
			t.Fatalf("README security example does not use the default endpoint http://127.0.0.1:4566")
		}
		dir, env, load := readmeShell(t, s)
		if err := os.WriteFile(filepath.Join(dir, "security_example.py"), []byte(code), 0o644); err != nil {
			t.Fatalf("write example: %v", err)
		}
		for run := 1; run <= 2; run++ {
			out := runReadmeScript(t, dir, env, load, g.python+" security_example.py")
			if want := "ACTIVE\nAccessDeniedException\n"; !strings.HasSuffix(out, want) {
				t.Errorf("run %d printed:\n%s\nwant it to end with:\n%s", run, out, want)
			}
		}
	})
}
