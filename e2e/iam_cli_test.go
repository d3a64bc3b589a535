package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// withKey is the CLI environment of s signed with another key.
func withKey(s *Server, id, secret string) []string {
	return append(cliEnv(s), "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret)
}

// runAWS runs `aws --endpoint-url E --output json args…` with env.
func runAWS(t *testing.T, g cliGen, s *Server, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.aws, append([]string{"--endpoint-url", s.Endpoint(), "--output", "json"}, args...)...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("aws %s: timed out", strings.Join(args, " "))
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// TestE2EIAMCLI drives `aws iam` (CLI v1 and v2): a user, a policy from a
// file, a key used against Kinesis and S3, and a rotation that leaves the
// old key refused by both.
func TestE2EIAMCLI(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policy, []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kinesis:*", "s3:*"], "Resource": "*"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			s := startServer(t)
			u := g.ok(t, s, "iam", "create-user", "--user-name", "cli-user", "--path", "/ops/")
			if arn, _ := jsonPath(t, u, "User", "Arn").(string); !strings.HasSuffix(arn, ":user/ops/cli-user") {
				t.Errorf("arn %q", arn)
			}
			g.fails(t, s, "EntityAlreadyExists", "iam", "create-user", "--user-name", "cli-user")
			g.fails(t, s, "NoSuchEntity", "iam", "get-user", "--user-name", "ghost")
			g.ok(t, s, "iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "data", "--policy-document", "file://"+policy)
			got := g.ok(t, s, "iam", "get-user-policy", "--user-name", "cli-user", "--policy-name", "data")
			if eff := jsonPath(t, got, "PolicyDocument", "Statement", 0, "Effect"); eff != "Allow" {
				t.Errorf("get-user-policy document %v", got["PolicyDocument"])
			}
			if n := jsonLen(t, g.ok(t, s, "iam", "list-users"), "Users"); n != 1 {
				t.Errorf("list-users: %d users", n)
			}

			k1 := g.ok(t, s, "iam", "create-access-key", "--user-name", "cli-user")
			id1, _ := jsonPath(t, k1, "AccessKey", "AccessKeyId").(string)
			secret1, _ := jsonPath(t, k1, "AccessKey", "SecretAccessKey").(string)
			env1 := withKey(s, id1, secret1)
			for _, args := range [][]string{{"kinesis", "list-streams"}, {"s3api", "list-buckets"}} {
				if _, errOut, code := runAWS(t, g, s, env1, args...); code != 0 {
					t.Fatalf("%v with the new key: exit %d: %s", args, code, errOut)
				}
			}
			k2 := g.ok(t, s, "iam", "create-access-key", "--user-name", "cli-user")
			id2, _ := jsonPath(t, k2, "AccessKey", "AccessKeyId").(string)
			secret2, _ := jsonPath(t, k2, "AccessKey", "SecretAccessKey").(string)
			g.fails(t, s, "LimitExceeded", "iam", "create-access-key", "--user-name", "cli-user")
			g.ok(t, s, "iam", "update-access-key", "--user-name", "cli-user", "--access-key-id", id1, "--status", "Inactive")
			refused := func(env []string, what string) {
				t.Helper()
				for _, c := range []struct {
					args []string
					code string
				}{
					{[]string{"kinesis", "list-streams"}, "UnrecognizedClientException"},
					{[]string{"s3api", "list-buckets"}, "InvalidAccessKeyId"},
					{[]string{"iam", "list-users"}, "InvalidClientTokenId"},
				} {
					_, errOut, code := runAWS(t, g, s, env, c.args...)
					if code == 0 || !strings.Contains(errOut, "("+c.code+")") {
						t.Errorf("%s key, %v: exit %d, want (%s): %s", what, c.args, code, c.code, errOut)
					}
				}
			}
			refused(env1, "disabled")
			if _, errOut, code := runAWS(t, g, s, withKey(s, id2, secret2), "kinesis", "list-streams"); code != 0 {
				t.Errorf("second key after disabling the first: %s", errOut)
			}
			g.ok(t, s, "iam", "delete-access-key", "--user-name", "cli-user", "--access-key-id", id1)
			refused(env1, "deleted")
			if n := jsonLen(t, g.ok(t, s, "iam", "list-access-keys", "--user-name", "cli-user"), "AccessKeyMetadata"); n != 1 {
				t.Errorf("list-access-keys after rotation: %d keys", n)
			}
			g.fails(t, s, "DeleteConflict", "iam", "delete-user", "--user-name", "cli-user")
			g.ok(t, s, "iam", "delete-access-key", "--user-name", "cli-user", "--access-key-id", id2)
			g.ok(t, s, "iam", "delete-user-policy", "--user-name", "cli-user", "--policy-name", "data")
			g.ok(t, s, "iam", "delete-user", "--user-name", "cli-user")
			g.fails(t, s, "NoSuchEntity", "iam", "get-user", "--user-name", "cli-user")
		})
	}
}

// caudalCLI runs the caudal binary against s with env (the root key's
// when nil).
func caudalCLI(t *testing.T, s *Server, env []string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if env == nil {
		env = s.Env()
	}
	cmd := exec.CommandContext(ctx, caudalBinary, append([]string{"--endpoint", s.Endpoint()}, args...)...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("caudal %s: timed out", strings.Join(args, " "))
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("caudal %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

func caudalOK(t *testing.T, s *Server, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := caudalCLI(t, s, nil, stdin, args...)
	if code != 0 {
		t.Fatalf("caudal %s: exit %d\nstderr: %s\nstdout: %s", strings.Join(args, " "), code, errOut, out)
	}
	return out
}

var (
	printedKeyID     = regexp.MustCompile(`AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})`)
	printedKeySecret = regexp.MustCompile(`AWS_SECRET_ACCESS_KEY=(\S{40})`)
)

// TestE2EIAMCaudalCLI drives `caudal users` and `caudal keys`: the key
// `keys create` prints works with the AWS CLI, `keys disable` stops it,
// `keys enable` brings it back, `users rm --force` cleans up.
func TestE2EIAMCaudalCLI(t *testing.T) {
	g := cliGens(t)[1]
	s := startServer(t)
	if out := caudalOK(t, s, "", "users", "create", "ana", "--path", "/data/"); !strings.Contains(out, "arn:aws:iam::") || !strings.Contains(out, ":user/data/ana") {
		t.Errorf("users create: %s", out)
	}
	if _, errOut, code := caudalCLI(t, s, nil, "", "users", "create", "ana"); code == 0 || !strings.Contains(errOut, "EntityAlreadyExists") {
		t.Errorf("duplicate users create: exit %d: %s", code, errOut)
	}
	if out := caudalOK(t, s, "", "users", "ls"); !regexp.MustCompile(`(?m)^NAME\s+PATH\s+USER ID\s+ARN\s+CREATED\n^ana\s+/data/\s+AIDA`).MatchString(out) {
		t.Errorf("users ls:\n%s", out)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`
	caudalOK(t, s, doc, "users", "policy", "put", "ana", "streams")
	var pretty map[string]any
	if out := caudalOK(t, s, "", "users", "policy", "get", "ana", "streams"); json.Unmarshal([]byte(out), &pretty) != nil || !strings.Contains(out, "\n  ") {
		t.Errorf("users policy get (want indented JSON):\n%s", out)
	}
	if out := caudalOK(t, s, "", "users", "policy", "ls", "ana"); strings.TrimSpace(out) != "streams" {
		t.Errorf("users policy ls: %q", out)
	}
	if _, errOut, code := caudalCLI(t, s, nil, `{"Statement":`, "users", "policy", "put", "ana", "bad"); code == 0 || !strings.Contains(errOut, "MalformedPolicyDocument") {
		t.Errorf("malformed policy: exit %d: %s", code, errOut)
	}

	out := caudalOK(t, s, "", "keys", "create", "ana")
	idm, secm := printedKeyID.FindStringSubmatch(out), printedKeySecret.FindStringSubmatch(out)
	if idm == nil || secm == nil {
		t.Fatalf("keys create printed no key:\n%s", out)
	}
	id, secret := idm[1], secm[1]
	if ls := caudalOK(t, s, "", "keys", "ls", "ana"); !strings.Contains(ls, id) || !strings.Contains(ls, "Active") || strings.Contains(ls, secret) ||
		!regexp.MustCompile(`(?m)^AKIA\S+\s+Active\s+\S+ \S+\s+-$`).MatchString(ls) {
		t.Errorf("keys ls (must list the key, never its secret, unused):\n%s", ls)
	}
	env := withKey(s, id, secret)
	if _, errOut, code := runAWS(t, g, s, env, "kinesis", "list-streams"); code != 0 {
		t.Fatalf("the printed key does not sign: %s", errOut)
	}
	if ls := caudalOK(t, s, "", "keys", "ls", "ana"); !strings.Contains(ls, "(kinesis, us-east-1)") {
		t.Errorf("keys ls after use:\n%s", ls)
	}
	caudalOK(t, s, "", "keys", "disable", id)
	if ls := caudalOK(t, s, "", "keys", "ls", "ana"); !strings.Contains(ls, "Inactive") {
		t.Errorf("keys ls after disable:\n%s", ls)
	}
	if _, errOut, code := runAWS(t, g, s, env, "kinesis", "list-streams"); code == 0 || !strings.Contains(errOut, "UnrecognizedClientException") {
		t.Errorf("disabled key: exit %d: %s", code, errOut)
	}
	// The caudal CLI itself, signed with the disabled key, explains.
	if _, errOut, code := caudalCLI(t, s, withKey(s, id, secret), "", "users", "ls"); code == 0 || !strings.Contains(errOut, "rejected the credentials") {
		t.Errorf("caudal with a disabled key: exit %d: %s", code, errOut)
	}
	caudalOK(t, s, "", "keys", "enable", id, "--user", "ana")
	if _, errOut, code := runAWS(t, g, s, env, "kinesis", "list-streams"); code != 0 {
		t.Errorf("re-enabled key: %s", errOut)
	}
	if _, errOut, code := caudalCLI(t, s, nil, "", "users", "rm", "ana"); code == 0 || !strings.Contains(errOut, "--force") {
		t.Errorf("users rm with keys: exit %d: %s", code, errOut)
	}
	caudalOK(t, s, "", "keys", "rm", id)
	if _, errOut, code := runAWS(t, g, s, env, "s3api", "list-buckets"); code == 0 || !strings.Contains(errOut, "InvalidAccessKeyId") {
		t.Errorf("deleted key on S3: exit %d: %s", code, errOut)
	}
	caudalOK(t, s, "", "keys", "create", "ana")
	caudalOK(t, s, "", "users", "rm", "ana", "--force")
	if out := caudalOK(t, s, "", "users", "ls"); strings.Contains(out, "ana") {
		t.Errorf("users ls after rm --force:\n%s", out)
	}
}
