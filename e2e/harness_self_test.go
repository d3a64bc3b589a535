package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestE2EHarnessLifecycle checks the contract the harness relies on: the
// banner's first line, the health endpoint, a clean exit on SIGTERM and a
// restart on the same port.
func TestE2EHarnessLifecycle(t *testing.T) {
	s := startServer(t)
	first := strings.SplitN(s.Stdout(), "\n", 2)[0]
	if want := "caudal listening on " + s.Endpoint(); !strings.HasPrefix(first, want) {
		t.Errorf("first stdout line = %q, want prefix %q", first, want)
	}
	if code := s.Stop(); code != 0 {
		t.Fatalf("SIGTERM exit code = %d, want 0", code)
	}
	if _, err := http.Get(s.Endpoint() + "/_caudal/health"); err == nil {
		t.Fatalf("health still answers after Stop")
	}
	s.Restart()
	resp, err := http.Get(s.Endpoint() + "/_caudal/health")
	if err != nil {
		t.Fatalf("health after restart: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health after restart: %s", resp.Status)
	}
	s.Kill()
	if s.running() {
		t.Fatalf("process still running after Kill")
	}
}

func TestFindKeyPair(t *testing.T) {
	for _, tc := range []struct{ in any }{
		{map[string]any{"AccessKeyId": "AK", "SecretAccessKey": "SK"}},
		{map[string]any{"access_key_id": "AK", "secret_access_key": "SK", "n": 1.0}},
		{map[string]any{"root": map[string]any{"accessKeyId": "AK", "secretAccessKey": "SK"}}},
		{[]any{map[string]any{"AccessKeyID": "AK", "Secret": "SK"}}},
	} {
		id, secret := findKeyPair(tc.in)
		if id != "AK" || secret != "SK" {
			t.Errorf("findKeyPair(%v) = %q, %q", tc.in, id, secret)
		}
	}
	if id, _ := findKeyPair(map[string]any{"x": "y"}); id != "" {
		t.Errorf("found a key in an object without one")
	}
}

func TestParseVersion(t *testing.T) {
	if v := parseVersion("1.43.11\n"); !versionAtLeast(v, 1, 36) {
		t.Errorf("1.43.11 < 1.36?")
	}
	if v := parseVersion("1.26.27"); versionAtLeast(v, 1, 36) {
		t.Errorf("1.26.27 >= 1.36?")
	}
}

// TestE2EClientsPresent fails (never skips) when a real client the e2e tests
// need is missing from the machine.
func TestE2EClientsPresent(t *testing.T) {
	c := clients(t)
	t.Logf("clients: %+v", c)
}
