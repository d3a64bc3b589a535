package delivery

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
)

// The kill -9 test runs an engine in a child process (this test binary,
// re-executed with crashChildEnv set) that puts records as fast as it can
// while flushing every second, and prints each record once Put returned.
// The parent kills it with SIGKILL mid-flight, reopens the same
// directories and checks that every acknowledged record reaches the lake
// (at-least-once); it reports the duplicates a crash may cause.

const crashChildEnv = "CAUDAL_DELIVERY_CRASH_CHILD"

func openCrashDirs(t testing.TB, dir string) (*lake.Lake, *catalog.Catalog, *Engine) {
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake")})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(catalog.Config{Dir: filepath.Join(dir, "catalog")})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Open(Config{Dir: filepath.Join(dir, "delivery"), Lake: lk, Catalog: cat, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return lk, cat, e
}

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("helper process for TestKill9DeliversEveryAcknowledgedRecord")
	}
	lk, _, e := openCrashDirs(t, dir)
	if err := lk.CreateBucket("dest", ""); err != nil {
		t.Fatal(err)
	}
	d := dest(1, 1)
	if _, err := e.Create(testRegion, CreateInput{Name: "crash", Extended: true, Destination: d}); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "ready")
	out.Flush()
	for n := 0; ; n += 50 {
		batch := make([][]byte, 50)
		for i := range batch {
			batch[i] = []byte(fmt.Sprintf("rec-%08d\n", n+i))
		}
		if _, err := e.Put(testRegion, "crash", batch); err != nil {
			t.Fatal(err)
		}
		for _, b := range batch {
			out.Write(b) // acknowledged
		}
		out.Flush()
	}
}

func TestKill9DeliversEveryAcknowledgedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// Let it run through at least two flush intervals, then kill it.
	deadline := time.After(2500 * time.Millisecond)
loop:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				break loop
			}
			if strings.HasPrefix(l, "rec-") {
				acked[l] = true
			}
		case <-deadline:
			cmd.Process.Kill()
			deadline = nil
		}
	}
	cmd.Wait()
	if len(acked) == 0 {
		t.Fatal("the child acknowledged no record before the kill")
	}

	lk, cat, e := openCrashDirs(t, dir)
	defer func() { e.Close(); cat.Close(); lk.Close() }()
	wait := time.Now().Add(30 * time.Second)
	for {
		m := e.Metrics()
		if len(m) == 1 && m[0].PendingRecords == 0 {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("not drained after restart: %+v", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
	seen := map[string]int{}
	after := ""
	for {
		res, err := lk.List("dest", lake.ListOptions{StartAfter: after, MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			obj, err := lk.GetObject("dest", o.Key)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(obj.Body)
			obj.Close()
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				seen[l]++
			}
			after = o.Key
		}
		if !res.IsTruncated {
			break
		}
	}
	missing, dups := 0, 0
	for r := range acked {
		if seen[r] == 0 {
			missing++
		}
	}
	for _, n := range seen {
		if n > 1 {
			dups += n - 1
		}
	}
	t.Logf("acknowledged %d records before kill -9; delivered %d distinct, %d duplicates", len(acked), len(seen), dups)
	if missing > 0 {
		t.Fatalf("%d acknowledged records missing from the lake after restart", missing)
	}
}
