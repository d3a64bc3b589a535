package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EAthenaReadmeExample runs the README's Athena example (the python
// block that makes an Athena client) as written, with each boto3
// generation, after loading the credentials the README's way, and checks
// the rows it prints.
func TestE2EAthenaReadmeExample(t *testing.T) {
	var example string
	for _, b := range readmeBlocks(t, "python", "py", "python3") {
		if strings.Contains(b, `boto3.client("athena"`) {
			example = b
		}
	}
	if example == "" {
		t.Fatalf("README.md has no python block using boto3.client(\"athena\")")
	}
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		code := localizeExample(example, s)
		if code == example {
			t.Fatalf("README Athena example does not use the default endpoint http://127.0.0.1:4566")
		}
		dir, env, load := readmeShell(t, s)
		if err := os.WriteFile(filepath.Join(dir, "athena_example.py"), []byte(code), 0o644); err != nil {
			t.Fatalf("write example: %v", err)
		}
		// Twice: the example must be re-runnable (IF NOT EXISTS, buckets
		// that already exist in us-east-1).
		for run := 1; run <= 2; run++ {
			out := runReadmeScript(t, dir, env, load, g.python+" athena_example.py")
			want := "['customer', 'total']\n['ana', '32.5']\n['luis', '7.25']\n"
			if !strings.HasSuffix(out, want) {
				t.Errorf("run %d printed:\n%s\nwant it to end with:\n%s", run, out, want)
			}
		}
	})
}
