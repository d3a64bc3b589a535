package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestE2EAuditReadmeExample runs the README's `./caudal audit` block as
// written after a refused call: the call must be in what it prints.
func TestE2EAuditReadmeExample(t *testing.T) {
	var block string
	for _, b := range readmeBlocks(t, "bash", "sh", "shell", "console", "") {
		if strings.Contains(b, "./caudal audit") {
			block = b
		}
	}
	if block == "" {
		t.Fatal("README.md has no `./caudal audit` example block")
	}
	s := startServer(t)
	_, err := s.KinesisClient(t).DescribeStream(context.Background(), &kinesis.DescribeStreamInput{StreamName: aws.String("no-such-stream")})
	var nf interface{ ErrorCode() string }
	if !errors.As(err, &nf) || nf.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("DescribeStream of a missing stream: %v", err)
	}
	dir, env, load := readmeShell(t, s)
	if err := os.Symlink(caudalBinary, filepath.Join(dir, "caudal")); err != nil {
		t.Fatal(err)
	}
	// The trail reaches the lake every few seconds; the example shows what
	// is there, so ask until the call appears.
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := runReadmeScript(t, dir, env, load, localizeExample(block, s))
		if strings.Contains(out, "DescribeStream") && strings.Contains(out, "ResourceNotFoundException") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the README's caudal audit example never showed the refused DescribeStream:\n%s", out)
		}
		time.Sleep(time.Second)
	}
}
