package e2e

// boto3 (both generations) against caudal's S3 API through
// scripts/s3_api.py, which makes the detailed checks; the Go side checks
// the key facts the script reports and re-reads what it left behind with
// the Go SDK.

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestE2ES3Boto3(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		front := startTLSFront(t, s)
		res := runScript(t, g.python, s, "s3_api.py", "--tls", front.URL, "--ca", front.CAFile, "--tmp", t.TempDir())
		checkVersion(t, g, res)
		t.Logf("seconds per group of checks: %v", res["timings"])
		if got := resNum(t, res, "keys_listed"); got != 1203 {
			t.Errorf("ListObjectsV2 paginator saw %v keys, want 1203", got)
		}
		if got := resNum(t, res, "common_prefixes"); got != 12 {
			t.Errorf("CommonPrefixes = %v, want 12", got)
		}
		if got := resNum(t, res, "deleted"); got != 101 {
			t.Errorf("DeleteObjects reported %v deleted, want 101", got)
		}
		// Which wire path the bodies took: the point of running over https.
		modes, _ := res["tls_put_modes"].([]any)
		want := "UNSIGNED-PAYLOAD"
		if g.name == "new" {
			want = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
		}
		if len(modes) != 1 || modes[0] != want {
			t.Errorf("PutObject over https used payload modes %v, want [%s]", modes, want)
		}

		// The object the script left: the Go SDK reads the same bytes.
		kept, _ := res["kept"].(map[string]any)
		bucket, _ := kept["bucket"].(string)
		key, _ := kept["key"].(string)
		sum, _ := kept["sha256"].(string)
		if bucket == "" || key == "" || sum == "" {
			t.Fatalf("script reported no kept object: %v", res["kept"])
		}
		got, _, err := getBytes(ctxT(t), s.S3Client(t), bucket, key)
		if err != nil {
			t.Fatalf("Go SDK GetObject %s/%s written by boto3: %v", bucket, key, err)
		}
		if h := sha256.Sum256(got); hex.EncodeToString(h[:]) != sum || float64(len(got)) != kept["size"] {
			t.Errorf("Go SDK read %d bytes of %s/%s that differ from what boto3 uploaded (%v bytes)", len(got), bucket, key, kept["size"])
		}
	})
}
