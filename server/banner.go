package server

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
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
	if scheme == "https" {
		// What the certificate names in a way every client accepts
		// (certHosts).
		return scheme + "://<bucket>.s3.localhost:" + port
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

// selfCommand is how to run this binary again from a shell: its name when
// PATH finds this very file, else its absolute path.
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "caudal"
	}
	if found, err := exec.LookPath(filepath.Base(exe)); err == nil {
		a, err1 := filepath.EvalSymlinks(found)
		b, err2 := filepath.EvalSymlinks(exe)
		if err1 == nil && err2 == nil && a == b {
			return filepath.Base(exe)
		}
	}
	return exe
}

// shellWord quotes s for a POSIX shell unless it is plain.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+@,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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
	// Examples carry the secret only when the banner shows it; otherwise
	// they read it from the data directory, and still run as printed.
	cliPrefix := fmt.Sprintf("AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s ", id, secret)
	botoKey := fmt.Sprintf("aws_access_key_id=%q, aws_secret_access_key=%q", id, secret)
	botoImport := "import boto3"
	if !s.showSecret() {
		cliPrefix = fmt.Sprintf(`eval "$(%s env --data %s --endpoint %s)" && `, shellWord(selfCommand()), shellWord(s.cfg.DataDir), url)
		botoImport = fmt.Sprintf("import boto3, json\n  key = json.load(open(%q))  # the root key", CredentialsFile(s.cfg.DataDir))
		botoKey = `aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]`
	}
	caBundle, botoVerify := "", ""
	if cert := s.CertFile(); cert != "" {
		caBundle = " --ca-bundle " + shellWord(cert)
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
		fmt.Fprintf(&b, "  secret key:    not shown (in %s; `caudal env` exports it; --show-secret prints it here)\n", CredentialsFile(s.cfg.DataDir))
	}
	fmt.Fprintf(&b, "  credentials:   %s\n", s.keyNote)
	if s.tls != nil {
		fmt.Fprintf(&b, "  TLS:           %s; HTTP/2 and HTTP/1.1, plain HTTP refused\n", s.tls.note)
	}
	fmt.Fprintf(&b, "  master key:    %s\n", s.keys.MasterKeyPath())
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
	fmt.Fprintf(&b, "  %saws --endpoint-url %s%s --region us-east-1 kinesis list-streams\n", cliPrefix, url, caBundle)
	fmt.Fprintf(&b, "  %saws --endpoint-url %s%s --region us-east-1 s3 ls\n", cliPrefix, url, caBundle)
	fmt.Fprintf(&b, "\nboto3:\n")
	fmt.Fprintf(&b, "  %s\n", botoImport)
	fmt.Fprintf(&b, "  kinesis = boto3.client(\"kinesis\", endpoint_url=%q, region_name=\"us-east-1\", %s%s)\n", url, botoKey, botoVerify)
	fmt.Fprintf(&b, "  print(kinesis.list_streams())\n")
	fmt.Fprintf(&b, "  s3 = boto3.client(\"s3\", endpoint_url=%q, region_name=\"us-east-1\", %s%s)\n", url, botoKey, botoVerify)
	fmt.Fprintf(&b, "  print(s3.list_buckets())\n")
	if s.tls == nil { // the caudal CLI does not take a CA bundle yet
		fmt.Fprintf(&b, "\ncaudal CLI (reads the key from %s):\n", s.cfg.DataDir)
		fmt.Fprintf(&b, "  caudal streams create demo --shards 2 --endpoint %s --data %s\n", url, s.cfg.DataDir)
	}
	fmt.Fprintf(&b, "\nStop with Ctrl-C: in-flight requests finish, logs are flushed.\n")
	fmt.Fprint(s.cfg.Log, b.String())
}
