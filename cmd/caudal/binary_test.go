package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EBinaryServerAndCLI builds the real binary and runs it as users
// do: `caudal server` as a process (banner, SIGINT drain, exit 0) and the
// client commands as processes reading the key from the data directory,
// with their exit codes.
func TestE2EBinaryServerAndCLI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "caudal")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	work := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work}

	srv := exec.CommandContext(ctx, bin, "server", "--listen", "127.0.0.1:0")
	srv.Dir, srv.Env = work, env
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("server printed nothing: %v", sc.Err())
	}
	first := sc.Text()
	url, ok := strings.CutPrefix(first, "caudal listening on ")
	if !ok {
		t.Fatalf("banner first line = %q", first)
	}
	drained := make(chan struct{})
	go func() { // keep draining stdout so the server never blocks on it
		defer close(drained)
		for sc.Scan() {
		}
	}()

	run := func(stdin string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, append(args, "--endpoint", url)...)
		cmd.Dir, cmd.Env = work, env // ./caudal-data/credentials.json
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("caudal %v: %v", args, err)
		}
		return string(out), 0
	}
	if out, code := run("", "streams", "create", "bin", "--shards", "2"); code != 0 {
		t.Fatalf("streams create: exit %d\n%s", code, out)
	}
	if out, code := run("one\ntwo\nthree\n", "put", "bin"); code != 0 || !strings.Contains(out, "put 3 records to bin") {
		t.Fatalf("put: exit %d\n%s", code, out)
	}
	out, code := run("", "tail", "bin")
	sameSet(t, "tail", lines(out), []string{"one", "two", "three"})
	if code != 0 {
		t.Fatalf("tail: exit %d", code)
	}
	if out, code := run("", "streams", "describe", "nope"); code != 1 || !strings.Contains(out, "stream nope not found") {
		t.Errorf("describe of a missing stream: exit %d\n%s", code, out)
	}
	if out, code := run("", "streams", "create", "x", "--shards", "nine"); code != 2 {
		t.Errorf("bad flag value: exit %d, want 2\n%s", code, out)
	}

	if err := srv.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-drained // stdout ends when the process exits; Wait must come after the reads
	if err := srv.Wait(); err != nil {
		t.Fatalf("server after SIGINT: %v (want exit 0)", err)
	}
	if _, err := os.Stat(filepath.Join(work, "caudal-data", "credentials.json")); err != nil {
		t.Errorf("default data directory not used: %v", err)
	}
}
