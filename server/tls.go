package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// TLS: with Config.TLSCert/TLSKey, or Config.TLSSelfSigned, the one port
// speaks HTTPS only (HTTP/2 by ALPN "h2", else HTTP/1.1); plain HTTP gets a
// 400 that says to use https:// (tlsListener). The self-signed
// certificate lives in <data>/tls:
//
//	cert.pem  the certificate, PEM; also what clients trust (--ca-bundle)
//	key.pem   its ECDSA P-256 private key, PKCS #8 PEM, mode 0600
//
// It is generated on the first start with TLS and reused after, so
// clients that trust it keep working across restarts. It is regenerated,
// with a note in the log, when it expires within selfSignedRenewBefore,
// when it does not name the host the server listens on, or when the files
// are unreadable or do not belong together (a crash between the two
// renames). It is a leaf, not a CA: whoever reads key.pem can impersonate
// only the names in it, not every site a machine that trusts it visits.

// TLSDir is where the self-signed certificate lives inside a data dir.
func TLSDir(dataDir string) string { return filepath.Join(dataDir, "tls") }

// SelfSignedCertFile is the self-signed certificate clients must trust.
func SelfSignedCertFile(dataDir string) string { return filepath.Join(TLSDir(dataDir), "cert.pem") }

// SelfSignedKeyFile is the self-signed certificate's private key.
func SelfSignedKeyFile(dataDir string) string { return filepath.Join(TLSDir(dataDir), "key.pem") }

const (
	selfSignedValidity    = 365 * 24 * time.Hour
	selfSignedRenewBefore = 24 * time.Hour
)

// tlsEnabled reports whether the config serves HTTPS.
func (c Config) tlsEnabled() bool { return c.TLSSelfSigned || c.TLSCert != "" }

// serverTLS is what Start needs from the TLS set-up.
type serverTLS struct {
	config *tls.Config
	// certFile is the certificate clients may need to trust, and note
	// says where it came from, for the banner.
	certFile, note string
}

// loadTLS builds the TLS configuration for cfg, generating or reusing the
// self-signed certificate if asked. bound is the listener's address, whose
// IP the certificate must also name. Notes on regeneration go to cfg.Log.
func loadTLS(cfg Config, bound net.Addr) (*serverTLS, error) {
	st := &serverTLS{certFile: cfg.TLSCert}
	var cert tls.Certificate
	if cfg.TLSSelfSigned {
		var err error
		st.certFile = SelfSignedCertFile(cfg.DataDir)
		cert, st.note, err = selfSigned(cfg.DataDir, certHosts(cfg.Listen, bound), time.Now())
		if err != nil {
			return nil, err
		}
	} else {
		var err error
		cert, err = tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate %s and key %s: %w", cfg.TLSCert, cfg.TLSKey, err)
		}
		st.note = "from " + cfg.TLSCert
	}
	st.config = &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12, // HTTP/2 requires 1.2 (RFC 9113 §9.2)
		NextProtos:   []string{"h2", "http/1.1"},
	}
	return st, nil
}

// certHosts lists the names a self-signed certificate must carry: the
// loopback names (and *.localhost and *.s3.localhost, for virtual-host-style
// S3 buckets: Go matches the first, OpenSSL only the second, since its
// wildcards need two labels after them),
// the host of the listen address, the bound IP, and the machine's name
// when listening on every interface.
func certHosts(listen string, bound net.Addr) []string {
	hosts := []string{"localhost", "*.localhost", "*.s3.localhost", "127.0.0.1", "::1"}
	add := func(h string) {
		if h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	host, _, _ := net.SplitHostPort(listen)
	if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
		add(host)
	}
	if tcp, ok := bound.(*net.TCPAddr); ok {
		if tcp.IP.IsUnspecified() {
			if name, err := os.Hostname(); err == nil {
				add(name)
			}
		} else {
			add(tcp.IP.String())
		}
	}
	return hosts
}

// selfSigned returns <data>/tls's certificate if it is usable for hosts at
// now, else a fresh one (written there atomically); note says which.
func selfSigned(dataDir string, hosts []string, now time.Time) (cert tls.Certificate, note string, err error) {
	certFile, keyFile := SelfSignedCertFile(dataDir), SelfSignedKeyFile(dataDir)
	why := "generated on first start"
	cert, err = tls.LoadX509KeyPair(certFile, keyFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		why = fmt.Sprintf("regenerated: the old one was unreadable (%v)", err)
	default:
		leaf := cert.Leaf
		missing := ""
		for _, h := range hosts {
			if leaf.VerifyHostname(h) != nil {
				missing = h
				break
			}
		}
		switch {
		case now.Add(selfSignedRenewBefore).After(leaf.NotAfter):
			why = fmt.Sprintf("regenerated: the old one expired on %s", leaf.NotAfter.UTC().Format(time.DateOnly))
		case now.Before(leaf.NotBefore):
			why = fmt.Sprintf("regenerated: the old one is not valid before %s (clock change?)", leaf.NotBefore.UTC().Format(time.RFC3339))
		case missing != "":
			why = fmt.Sprintf("regenerated: the old one did not name %s", missing)
		default:
			return cert, fmt.Sprintf("self-signed, loaded from %s (expires %s)", certFile, leaf.NotAfter.UTC().Format(time.DateOnly)), nil
		}
	}
	certPEM, keyPEM, err := newSelfSigned(hosts, now)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.MkdirAll(TLSDir(dataDir), 0o700); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("create TLS directory: %w", err)
	}
	// The key first: a crash between the two renames leaves a pair that
	// does not match, which the next start regenerates.
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("load the generated certificate: %w", err)
	}
	return cert, fmt.Sprintf("self-signed, %s into %s (valid until %s)", why, certFile, cert.Leaf.NotAfter.UTC().Format(time.DateOnly)), nil
}

// newSelfSigned makes a self-signed ECDSA P-256 server certificate for
// hosts (names or IPs), valid from an hour before now (clock skew) for
// selfSignedValidity.
func newSelfSigned(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("generate certificate serial: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("encode TLS public key: %w", err)
	}
	// Subject and authority key ids are the same for a self-signed
	// certificate; OpenSSL's strict mode (Python ≥ 3.13) wants both.
	keyID := sha1.Sum(pub)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"caudal"}, CommonName: "caudal self-signed"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID[:],
		AuthorityKeyId:        keyID[:],
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create self-signed certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode TLS private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), nil
}

// writeFileAtomic replaces path with data: a temporary file in the same
// directory, fsynced, renamed over path, and the directory fsynced, so a
// crash leaves the old file or the new one, never a torn one.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// looksLikeHTTP reports whether the first bytes a TLS server read are a
// plain HTTP request instead (as net/http's tlsRecordHeaderLooksLikeHTTP).
func looksLikeHTTP(hdr [5]byte) bool {
	for _, m := range []string{"GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH", "PRI *"} {
		if bytes.HasPrefix(hdr[:], []byte(m)) {
			return true
		}
	}
	return false
}
