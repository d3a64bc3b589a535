// Command caudal is the caudal binary: `caudal server` runs the server,
// and the other subcommands are a client of it. The client talks to the
// server over HTTP with the AWS SDK for Go v2, exactly as a user's program
// would, so every CLI run exercises the public wire API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/caudal/caudal/server"
)

// env is everything a command touches outside itself; tests supply their
// own so that commands run in-process with captured output.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// globals are the flags every client command shares.
type globals struct {
	endpoint string
	region   string
	dataDir  string
}

const defaultEndpoint = "http://127.0.0.1:4566"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore default handling so a second
		// Ctrl-C kills a shutdown that hangs.
		<-ctx.Done()
		stop()
	}()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := newRootCmd(e).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "caudal:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		var es exitStatus
		if errors.As(err, &es) {
			os.Exit(es.code)
		}
		os.Exit(1)
	}
}

// usageError marks errors in how the command was called (exit status 2).
type usageError struct{ error }

func newRootCmd(e *env) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "caudal",
		Short: "caudal speaks AWS APIs (Kinesis Data Streams) and keeps your data",
		Long: `caudal is a single binary that speaks AWS APIs — this release Kinesis Data
Streams — so boto3, the AWS CLI and the AWS SDKs work against it by changing only
the endpoint. Unlike an emulator it keeps real data: what it acknowledges is on disk.

Start a server with "caudal server"; the other commands are a client of it.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)

	endpoint := e.getenv("CAUDAL_ENDPOINT")
	if endpoint == "" {
		endpoint = defaultEndpoint
	}
	dataDir := e.getenv(server.EnvData)
	if dataDir == "" {
		dataDir = server.DefaultDataDir
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.endpoint, "endpoint", endpoint, "caudal endpoint URL (env CAUDAL_ENDPOINT)")
	region := e.getenv("AWS_REGION")
	if region == "" {
		region = e.getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = "us-east-1"
	}
	pf.StringVar(&g.region, "region", region, "AWS region to scope streams to (env AWS_REGION, AWS_DEFAULT_REGION)")
	pf.StringVar(&g.dataDir, "data", dataDir, "data directory (server: where data lives; client: where to read credentials.json) (env CAUDAL_DATA)")

	root.AddCommand(
		newServerCmd(e, g),
		newEnvCmd(e, g),
		newStreamsCmd(e, g),
		newPutCmd(e, g),
		newTailCmd(e, g),
		newBenchCmd(e, g),
		newLakeCmd(e, g),
		newQueryCmd(e, g),
		newAuditCmd(e, g),
		newUsersCmd(e, g),
		newKeysCmd(e, g),
	)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	return root
}
