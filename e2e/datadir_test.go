package e2e

// One data directory, one server: a second process on the same directory
// would interleave appends into the same segment files and corrupt them.

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func TestE2EDataDirInUse(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)
	createStream(t, c, "owned", 1)
	if _, err := c.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String("owned"), PartitionKey: aws.String("k"), Data: []byte("first")}); err != nil {
		t.Fatal(err)
	}

	// A second server on the same directory must refuse to start: exit
	// non-zero, never answer health.
	addr := freeAddr(t)
	var out syncBuffer
	second := exec.Command(caudalBinary, "server", "--listen", addr, "--data", s.Dir)
	second.Env = append(filteredEnviron("CAUDAL_", "AWS_"), "CAUDAL_ACCESS_KEY_ID="+testAccessKeyID, "CAUDAL_SECRET_ACCESS_KEY="+testSecretAccessKey)
	second.Stdout, second.Stderr = &out, &out
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- second.Wait() }()
	t.Cleanup(func() {
		_ = second.Process.Kill()
		<-exited
	})
	deadline := time.After(readyTimeout)
	client := &http.Client{Timeout: time.Second}
	for refused := false; !refused; {
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			if err == nil {
				t.Fatalf("a second caudal server on a data directory in use exited 0; output:\n%s", out.String())
			}
			t.Logf("second server refused as it should (%v):\n%s", err, out.String())
			refused = true
		case <-deadline:
			t.Fatalf("a second caudal server on the data directory of a running one neither exited nor answered within %v; output:\n%s", readyTimeout, out.String())
		case <-time.After(50 * time.Millisecond):
			if resp, err := client.Get("http://" + addr + "/_caudal/health"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					t.Errorf("a second caudal server started on the data directory of a running one and answers health on %s: two processes now append to the same shard logs", addr)
					refused = true
				}
			}
		}
	}

	// The first server is unharmed.
	r := readShard(t, c, "owned", "shardId-000000000000")
	if len(r.Records) != 1 || string(r.Records[0].Data) != "first" {
		t.Errorf("first server's data after the refused second start: %d records", len(r.Records))
	}
}

// TestE2EServerFromEnvironment: CAUDAL_LISTEN and CAUDAL_DATA configure the
// server as --listen and --data do, and the banner's first line names the
// endpoint.
func TestE2EServerFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	var out syncBuffer
	cmd := exec.Command(caudalBinary, "server")
	cmd.Env = append(filteredEnviron("CAUDAL_", "AWS_"), "CAUDAL_LISTEN="+addr, "CAUDAL_DATA="+dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	client := &http.Client{Timeout: time.Second}
	eventually(t, readyTimeout, func() bool {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("server exited early (%v):\n%s", err, out.String())
		default:
		}
		resp, err := client.Get("http://" + addr + "/_caudal/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, "server configured by CAUDAL_LISTEN=%s did not answer health; output:\n%s", addr, &out)
	if first := strings.SplitN(out.String(), "\n", 2)[0]; first != "caudal listening on http://"+addr {
		t.Errorf("first line %q, want %q", first, "caudal listening on http://"+addr)
	}
	if fi, err := os.Stat(filepath.Join(dir, "credentials.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("CAUDAL_DATA=%s: credentials.json %v (mode %v)", dir, err, fi)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(stopTimeout):
		t.Errorf("no exit within %v of SIGTERM", stopTimeout)
	}
}
