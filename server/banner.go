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
func vhostURL(scheme, addr, url string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return url
	}
	return scheme + "://<bucket>.localhost:" + port
}

// showSecret reports whether the banner prints the root secret. It does
// when this start generated the key (the user has no other way to have
// seen it yet, and it is their own terminal) or when asked to
// (--show-secret); otherwise the banner points at where it is stored, so
// that the secret does not land in service logs (journald, docker logs)
// on every restart. Requests are never logged with their credentials.
func (s *Server) showSecret() bool { return s.created || s.cfg.ShowSecret }

// PrintBanner writes the start-up banner to Config.Log. Its first line,
// "caudal listening on <url>", is stable: scripts and tests parse it.
func (s *Server) PrintBanner() {
	url := s.URL()
	id, secret := s.key.AccessKeyID, s.key.SecretAccessKey
	quotas := "on (AWS per-shard limits; --quotas off lifts them)"
	if s.cfg.QuotasOff {
		quotas = "off"
	}
	// Examples carry the secret only when the banner shows it; otherwise
	// they read it from the environment that `caudal env` prepares.
	secretArg, envPrefix := secret, fmt.Sprintf("AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s ", id, secret)
	if !s.showSecret() {
		secretArg, envPrefix = "<secret key>", ""
	}
	caBundle, botoVerify := "", ""
	if cert := s.CertFile(); cert != "" {
		caBundle = " --ca-bundle " + cert
		botoVerify = fmt.Sprintf(", verify=%q", cert)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "caudal listening on %s\n", url)
	if bound := s.Addr(); bound != strings.TrimPrefix(url, s.scheme()+"://") {
		fmt.Fprintf(&b, "  bound to:      %s\n", bound)
	}
	fmt.Fprintf(&b, "  data:          %s\n", s.cfg.DataDir)
	fmt.Fprintf(&b, "  access key:    %s\n", id)
	if s.showSecret() {
		fmt.Fprintf(&b, "  secret key:    %s\n", secret)
	} else {
		fmt.Fprintf(&b, "  secret key:    not shown (eval \"$(caudal env --data %s --endpoint %s)\" exports it; --show-secret prints it here)\n", s.cfg.DataDir, url)
	}
	fmt.Fprintf(&b, "  credentials:   %s\n", s.keyNote)
	if s.tls != nil {
		fmt.Fprintf(&b, "  TLS:           %s; HTTP/2 and HTTP/1.1, plain HTTP refused\n", s.tls.note)
	}
	fmt.Fprintf(&b, "  fsync:         %s\n", s.cfg.Fsync)
	fmt.Fprintf(&b, "  quotas:        %s\n", quotas)
	fmt.Fprintf(&b, "  health:        %s/_caudal/health\n", url)
	fmt.Fprintf(&b, "  S3:            %s/<bucket>/<key> (path-style) or %s (virtual-host style)\n", url, vhostURL(s.scheme(), s.Addr(), url))
	if cert := s.CertFile(); cert != "" {
		fmt.Fprintf(&b, "\nTrust the certificate (clients refuse it otherwise):\n")
		fmt.Fprintf(&b, "  AWS CLI:   --ca-bundle %s, or export AWS_CA_BUNDLE=%s (also read by boto3)\n", cert, cert)
		fmt.Fprintf(&b, "  boto3:     boto3.client(..., verify=%q)\n", cert)
		fmt.Fprintf(&b, "  Go SDK:    x509.CertPool with %s in tls.Config.RootCAs of the HTTPClient's transport\n", cert)
		fmt.Fprintf(&b, "  curl:      curl --cacert %s %s/_caudal/health\n", cert, url)
	}
	fmt.Fprintf(&b, "\nAWS CLI:\n")
	fmt.Fprintf(&b, "  %saws --endpoint-url %s%s --region us-east-1 kinesis list-streams\n", envPrefix, url, caBundle)
	fmt.Fprintf(&b, "  %saws --endpoint-url %s%s --region us-east-1 s3 ls\n", envPrefix, url, caBundle)
	fmt.Fprintf(&b, "\nboto3:\n")
	fmt.Fprintf(&b, "  import boto3\n")
	fmt.Fprintf(&b, "  kinesis = boto3.client(\"kinesis\", endpoint_url=%q, region_name=\"us-east-1\", aws_access_key_id=%q, aws_secret_access_key=%q%s)\n", url, id, secretArg, botoVerify)
	fmt.Fprintf(&b, "  print(kinesis.list_streams())\n")
	fmt.Fprintf(&b, "  s3 = boto3.client(\"s3\", endpoint_url=%q, region_name=\"us-east-1\", aws_access_key_id=%q, aws_secret_access_key=%q%s)\n", url, id, secretArg, botoVerify)
	fmt.Fprintf(&b, "  print(s3.list_buckets())\n")
	if s.tls == nil { // the caudal CLI does not take a CA bundle yet
		fmt.Fprintf(&b, "\ncaudal CLI (reads the key from %s):\n", s.cfg.DataDir)
		fmt.Fprintf(&b, "  caudal streams create demo --shards 2 --endpoint %s --data %s\n", url, s.cfg.DataDir)
	}
	fmt.Fprintf(&b, "\nStop with Ctrl-C: in-flight requests finish, logs are flushed.\n")
	fmt.Fprint(s.cfg.Log, b.String())
}
