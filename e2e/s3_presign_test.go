package e2e

// Presigned URLs as the clients make them by default. Against a custom
// endpoint, boto3 (both generations) and AWS CLI v1 presign S3 URLs with
// SigV2 unless signature_version is configured; CLI v2 uses SigV4. A user
// who only changes endpoint_url gets these URLs, so they must work. (The
// SigV4 presigned forms, expiry and tampering are in scripts/s3_api.py.)

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestE2ES3PresignedByDefault(t *testing.T) {
	t.Run("boto3", func(t *testing.T) {
		forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
			res := runScript(t, g.python, s, "s3_presign_default.py")
			checkVersion(t, g, res)
			style := resStr(t, res, "style")
			if res["get_status"] != float64(200) || res["get_ok"] != true {
				t.Errorf("GET through a default boto3 %s presigned URL: %v %v, want 200 and the object", style, res["get_status"], res["get_answer"])
			}
			if res["put_status"] != float64(200) || res["put_ok"] != true {
				t.Errorf("PUT through a default boto3 %s presigned URL: %v %v, want 200 and the object stored", style, res["put_status"], res["put_answer"])
			}
			if res["expired_status"] != float64(403) || !strings.Contains(resStr(t, res, "expired_answer"), "<Code>AccessDenied</Code>") {
				t.Errorf("expired default boto3 %s presigned URL: %v %v, want 403 AccessDenied", style, res["expired_status"], res["expired_answer"])
			}
		})
	})
	t.Run("cli", func(t *testing.T) {
		for _, g := range cliGens(t) {
			t.Run(g.name, func(t *testing.T) {
				s := startServer(t)
				c := s.S3Client(t)
				mustCreateBucket(t, c, "presign-cli")
				data := randomBytes(95, 5000)
				mustPut(t, c, "presign-cli", "dir/obj.bin", data)
				url := strings.TrimSpace(g.ok3(t, s, "s3", "presign", "s3://presign-cli/dir/obj.bin", "--expires-in", "300"))
				resp, err := http.Get(url)
				if err != nil {
					t.Fatalf("GET %s: %v", url, err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !bytes.Equal(got, data) {
					t.Errorf("GET through `aws s3 presign` URL %s: %d %.300s; want 200 and the object", url, resp.StatusCode, got)
				}
				if _, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("presign-cli"), Key: aws.String("dir/obj.bin")}); err != nil {
					t.Errorf("HeadObject: %v", err)
				}
			})
		}
	})
}
