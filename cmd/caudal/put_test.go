package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := &progressBar{w: &b, total: 200}
	p.update(50, 10)
	if got := b.String(); !strings.HasPrefix(got, "\r[=======") || !strings.Contains(got, " 25%  10 records") {
		t.Errorf("progress at 25%% = %q", got)
	}
	p.update(100, 20) // within 100 ms of the last draw: skipped
	if strings.Contains(b.String(), "50%") {
		t.Errorf("progress redrawn within 100 ms: %q", b.String())
	}
	p.last = time.Time{}
	p.update(400, 30) // more than the file size (it grew): capped
	if !strings.Contains(b.String(), "100%  30 records") {
		t.Errorf("progress past the end = %q", b.String())
	}
	p.finish()
	if !strings.HasSuffix(b.String(), "\r\033[K") {
		t.Errorf("finish does not clear the line: %q", b.String())
	}
	if isTerminal(&b) {
		t.Error("a buffer counts as a terminal")
	}
}

func TestPartitionKeyFromField(t *testing.T) {
	var stderr bytes.Buffer
	p := &putter{e: &env{stderr: &stderr}, keyField: "id"}
	for line, want := range map[string]string{
		`{"id":"abc","x":1}`: "abc",
		`{"id":42}`:          "42",
		`{"id":true}`:        "true",
	} {
		if got := p.partitionKey([]byte(line)); got != want {
			t.Errorf("partitionKey(%s) = %q, want %q", line, got, want)
		}
	}
	for _, line := range []string{`{"other":1}`, `not json`, `{"id":null}`, `{"id":""}`} {
		if got := p.partitionKey([]byte(line)); got == "" {
			t.Errorf("partitionKey(%s) is empty, want a random key", line)
		}
	}
	if strings.Count(stderr.String(), "random partition keys") != 1 {
		t.Errorf("want exactly one warning, got %q", stderr.String())
	}
}

func TestPutRefusesOversizedInput(t *testing.T) {
	ts := startServer(t)
	ts.must(t, cliRun{}, "streams", "create", "s", "--shards", "1")
	big := strings.Repeat("x", maxRecordBytes)
	_, _, err := ts.run(t, cliRun{stdin: "ok\n" + big + "\n"}, "put", "s")
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "at most") {
		t.Errorf("oversized line: %v", err)
	}
	long := `{"k":"` + strings.Repeat("é", 257) + `"}`
	_, _, err = ts.run(t, cliRun{stdin: long + "\n"}, "put", "s", "--key-field", "k")
	if err == nil || !strings.Contains(err.Error(), "longer than 256") {
		t.Errorf("257-character key: %v", err)
	}
	// Nothing was put by the refused runs: validation happens before a batch is sent.
	if out := ts.must(t, cliRun{}, "tail", "s"); out != "" {
		t.Errorf("refused puts stored %q", out)
	}
}

// TestPutTrickle feeds put through a pipe that stays open: lines must be
// put after a short linger, not only at 500 lines or the end of input.
func TestPutTrickle(t *testing.T) {
	ts := startServer(t)
	ts.must(t, cliRun{}, "streams", "create", "trickle", "--shards", "1")
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var out string
	go func() {
		var err error
		out, _, err = ts.run(t, cliRun{in: pr}, "put", "trickle")
		done <- err
	}()
	for i, batch := range [][]string{{"a", "b"}, {"c"}} {
		if _, err := io.WriteString(pw, strings.Join(batch, "\n")+"\n"); err != nil {
			t.Fatal(err)
		}
		want := 2 + i
		waitFor(t, fmt.Sprintf("%d records while the input stays open", want), func() bool {
			return len(lines(ts.must(t, cliRun{}, "tail", "trickle"))) == want
		})
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "put 3 records to trickle") {
		t.Errorf("summary = %q", out)
	}
}
