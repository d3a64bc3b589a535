package shardlog

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKill9 runs a real child process that appends with SyncAlways from
// several goroutines and prints each acknowledged offset, kills it with
// SIGKILL mid-stream, and checks that the reopened log holds every
// acknowledged record.
func TestKill9(t *testing.T) {
	if dir := os.Getenv("SHARDLOG_KILL_CHILD"); dir != "" {
		killChild(dir)
		return
	}
	for round := range 3 {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestKill9$")
		cmd.Env = append(os.Environ(), "SHARDLOG_KILL_CHILD="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[uint64]string{}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 3 || f[0] != "ack" {
				continue
			}
			off, _ := strconv.ParseUint(f[1], 10, 64)
			acked[off] = f[2]
			if len(acked) == 300+100*round {
				cmd.Process.Kill() // SIGKILL
				break
			}
		}
		go func() {
			for sc.Scan() {
			}
		}() // drain, so the child never blocks on a full pipe
		cmd.Wait()
		if len(acked) < 300 {
			t.Fatalf("child acknowledged only %d records before exiting", len(acked))
		}
		l := mustOpen(t, dir, Options{})
		_, next := l.Bounds()
		for off, key := range acked {
			recs, err := l.Read(off, 1, 0, nil)
			if err != nil || len(recs) != 1 || recs[0].PartitionKey != key {
				t.Fatalf("acked record %d (%s) after kill -9: %v, %v (next %d)", off, key, recs, err, next)
			}
			checkCrashRecord(t, recs[0])
		}
		l.Close()
	}
}

// killChild appends until killed, printing "ack <offset> <key>" per record.
func killChild(dir string) {
	l, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	deadline := time.Now().Add(30 * time.Second) // a parent that died leaves no orphan behind for long
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				e := crashEntry(g, i)
				off, _, err := l.Append([]Entry{e})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(w, "ack %d %s\n", off, e.PartitionKey)
				w.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	os.Exit(0)
}
