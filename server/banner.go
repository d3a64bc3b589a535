package server

import (
	"fmt"
	"net"
	"strings"

	"github.com/caudal/caudal/auth"
)

// Environment variables that pin the root key (read by the auth package).
const (
	EnvAccessKeyID     = auth.EnvAccessKeyID
	EnvSecretAccessKey = auth.EnvSecretAccessKey
)

// CredentialsFile is where the root key lives inside a data directory.
func CredentialsFile(dataDir string) string { return auth.Path(dataDir) }

func keyNote(cfg Config, created bool) string {
	path := CredentialsFile(cfg.DataDir)
	switch {
	case cfg.Getenv(EnvAccessKeyID) != "":
		return fmt.Sprintf("from %s / %s, stored in %s (mode 0600)", EnvAccessKeyID, EnvSecretAccessKey, path)
	case created:
		return fmt.Sprintf("generated on first start, stored in %s (mode 0600)", path)
	default:
		return fmt.Sprintf("loaded from %s", path)
	}
}

// vhostURL is the virtual-host-style S3 address pattern for a server at
// url: http://<bucket>.localhost:<port>. Such names resolve to the
// loopback on most systems (RFC 6761), so it works without DNS set-up.
func vhostURL(addr, url string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return url
	}
	return "http://<bucket>.localhost:" + port
}

// PrintBanner writes the start-up banner to Config.Log. Its first line,
// "caudal listening on <url>", is stable: scripts and tests parse it.
func (s *Server) PrintBanner() {
	url := s.URL()
	id, secret := s.key.AccessKeyID, s.key.SecretAccessKey
	quotas := "on (AWS per-shard limits; --quotas off lifts them)"
	if s.cfg.QuotasOff {
		quotas = "off"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "caudal listening on %s\n", url)
	if bound := s.Addr(); bound != strings.TrimPrefix(url, "http://") {
		fmt.Fprintf(&b, "  bound to:      %s\n", bound)
	}
	fmt.Fprintf(&b, "  data:          %s\n", s.cfg.DataDir)
	fmt.Fprintf(&b, "  access key:    %s\n", id)
	fmt.Fprintf(&b, "  secret key:    %s\n", secret)
	fmt.Fprintf(&b, "  credentials:   %s\n", s.keyNote)
	fmt.Fprintf(&b, "  fsync:         %s\n", s.cfg.Fsync)
	fmt.Fprintf(&b, "  quotas:        %s\n", quotas)
	fmt.Fprintf(&b, "  health:        %s/_caudal/health\n", url)
	fmt.Fprintf(&b, "  S3:            %s/<bucket>/<key> (path-style) or %s (virtual-host style)\n", url, vhostURL(s.Addr(), url))
	fmt.Fprintf(&b, "\nAWS CLI:\n")
	fmt.Fprintf(&b, "  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws --endpoint-url %s --region us-east-1 kinesis list-streams\n", id, secret, url)
	fmt.Fprintf(&b, "  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws --endpoint-url %s --region us-east-1 s3 ls\n", id, secret, url)
	fmt.Fprintf(&b, "\nboto3:\n")
	fmt.Fprintf(&b, "  import boto3\n")
	fmt.Fprintf(&b, "  kinesis = boto3.client(\"kinesis\", endpoint_url=%q, region_name=\"us-east-1\", aws_access_key_id=%q, aws_secret_access_key=%q)\n", url, id, secret)
	fmt.Fprintf(&b, "  print(kinesis.list_streams())\n")
	fmt.Fprintf(&b, "  s3 = boto3.client(\"s3\", endpoint_url=%q, region_name=\"us-east-1\", aws_access_key_id=%q, aws_secret_access_key=%q)\n", url, id, secret)
	fmt.Fprintf(&b, "  print(s3.list_buckets())\n")
	fmt.Fprintf(&b, "\ncaudal CLI (reads the key from %s):\n", s.cfg.DataDir)
	fmt.Fprintf(&b, "  caudal streams create demo --shards 2 --endpoint %s --data %s\n", url, s.cfg.DataDir)
	fmt.Fprintf(&b, "\nStop with Ctrl-C: in-flight requests finish, logs are flushed.\n")
	fmt.Fprint(s.cfg.Log, b.String())
}
