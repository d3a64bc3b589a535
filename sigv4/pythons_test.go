package sigv4

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The tests that run botocore need both generations: a new one (boto3 >=
// 1.36, which sends aws-chunked bodies with CRC32 trailers by default) and
// an old one (Debian's 1.26, which sends them only when asked). A missing
// one fails the test: CI must not pass by skipping. The lookup order is the
// e2e harness's, so .ci/run's CAUDAL_TEST_PYTHON_* settings apply here too.

// newBotocore returns a python3 whose boto3 is at least 1.36:
// $CAUDAL_TEST_PYTHON_NEW, the pyenv shim, or python3 on PATH.
func newBotocore(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("CAUDAL_TEST_PYTHON_NEW"), "/root/.pyenv/shims/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	for _, c := range cands {
		if c != "" && boto3AtLeast136(c) == 1 {
			return c
		}
	}
	t.Fatalf("a python3 with boto3 >= 1.36 is required (tried %q); set CAUDAL_TEST_PYTHON_NEW or `pip install 'boto3>=1.36'`", cands)
	return ""
}

// oldBotocore returns a python3 whose boto3 is older than 1.36:
// $CAUDAL_TEST_PYTHON_OLD or Debian's /usr/bin/python3.
func oldBotocore(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("CAUDAL_TEST_PYTHON_OLD"), "/usr/bin/python3"}
	for _, c := range cands {
		if c != "" && boto3AtLeast136(c) == 0 {
			return c
		}
	}
	t.Fatalf("a python3 with boto3 < 1.36 is required (tried %q); set CAUDAL_TEST_PYTHON_OLD or `apt-get install python3-boto3`", cands)
	return ""
}

// boto3AtLeast136 reports 1 when python's boto3 is >= 1.36, 0 when older,
// -1 when python or boto3 is missing.
func boto3AtLeast136(python string) int {
	out, err := exec.Command(python, "-c", "import boto3; print(boto3.__version__)").Output()
	if err != nil {
		return -1
	}
	parts := strings.SplitN(strings.TrimSpace(string(out)), ".", 3)
	if len(parts) < 2 {
		return -1
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return -1
	}
	if major > 1 || major == 1 && minor >= 36 {
		return 1
	}
	return 0
}
