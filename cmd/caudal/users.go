package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
)

// iamClient is an IAM client bound to one caudal endpoint. IAM is global:
// requests are signed for us-east-1 whatever --region says.
type iamClient struct {
	*iam.Client
	g       *globals
	credSrc string
}

func newIAMClient(ctx context.Context, e *env, g *globals) (*iamClient, error) {
	creds, src, err := resolveCredentials(ctx, e, g)
	if err != nil {
		return nil, err
	}
	ic := iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(g.endpoint),
		Credentials:  creds,
	})
	return &iamClient{Client: ic, g: g, credSrc: src}, nil
}

// withIAM is a RunE that makes the command's IAM client first.
func withIAM(e *env, g *globals, run func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		c, err := newIAMClient(ctx, e, g)
		if err != nil {
			return err
		}
		return run(ctx, cmd, c, args)
	}
}

// explain turns an IAM error into one that says what to do.
func (c *iamClient) explain(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken":
			return fmt.Errorf("caudal at %s rejected the credentials from %s: %s — use the key the server printed at start-up (or --data pointing at its data directory)",
				c.g.endpoint, c.credSrc, api.ErrorMessage())
		}
		return fmt.Errorf("%s: %s", api.ErrorCode(), api.ErrorMessage())
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return fmt.Errorf("cannot reach caudal at %s — is `caudal server` running? (set --endpoint or CAUDAL_ENDPOINT if it listens elsewhere): %w", c.g.endpoint, err)
	}
	return err
}

func newUsersCmd(e *env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Create, list and delete IAM-style users and their inline policies",
		Long: `Users are principals with their own access keys ("caudal keys") and IAM
policies that say what they may do. The root key (credentials.json) may do
everything; a user may do only what its policies allow.`,
	}
	cmd.AddCommand(newUsersCreateCmd(e, g), newUsersListCmd(e, g), newUsersDeleteCmd(e, g), newUsersPolicyCmd(e, g))
	return cmd
}

func newUsersCreateCmd(e *env, g *globals) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "create NAME [--path /team/]",
		Short: "Create a user",
		Args:  cobra.ExactArgs(1),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			in := &iam.CreateUserInput{UserName: aws.String(args[0])}
			if path != "" {
				in.Path = aws.String(path)
			}
			out, err := c.CreateUser(ctx, in)
			if err != nil {
				return c.explain(err)
			}
			fmt.Fprintf(e.stdout, "created user %s (%s)\n", aws.ToString(out.User.UserName), aws.ToString(out.User.Arn))
			fmt.Fprintf(e.stdout, "next: caudal keys create %s, then caudal users policy put %s NAME --file policy.json\n", args[0], args[0])
			return nil
		}),
	}
	cmd.Flags().StringVar(&path, "path", "", `IAM path, "/" or "/a/b/" (default "/")`)
	return cmd
}

func newUsersListCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List users",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := newIAMClient(ctx, e, g)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tPATH\tUSER ID\tARN\tCREATED")
			p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return c.explain(err)
				}
				for _, u := range page.Users {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(u.UserName), aws.ToString(u.Path), aws.ToString(u.UserId),
						aws.ToString(u.Arn), aws.ToTime(u.CreateDate).Local().Format(time.DateTime))
				}
			}
			return tw.Flush()
		},
	}
}

func newUsersDeleteCmd(e *env, g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm NAME [--force]",
		Aliases: []string{"delete"},
		Short:   "Delete a user (with --force, its access keys and policies first)",
		Args:    cobra.ExactArgs(1),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			name := aws.String(args[0])
			if force {
				keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: name})
				if err != nil {
					return c.explain(err)
				}
				for _, k := range keys.AccessKeyMetadata {
					if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: name, AccessKeyId: k.AccessKeyId}); err != nil {
						return c.explain(err)
					}
					fmt.Fprintf(e.stdout, "deleted access key %s\n", aws.ToString(k.AccessKeyId))
				}
				pols, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: name})
				if err != nil {
					return c.explain(err)
				}
				for _, p := range pols.PolicyNames {
					if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: name, PolicyName: aws.String(p)}); err != nil {
						return c.explain(err)
					}
					fmt.Fprintf(e.stdout, "deleted policy %s\n", p)
				}
			}
			if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: name}); err != nil {
				if isCode(err, "DeleteConflict") {
					return fmt.Errorf("%w (use --force to delete the user's access keys and policies too)", c.explain(err))
				}
				return c.explain(err)
			}
			fmt.Fprintf(e.stdout, "deleted user %s\n", args[0])
			return nil
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "delete the user's access keys and inline policies first")
	return cmd
}

func newUsersPolicyCmd(e *env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Put, get, list and delete a user's inline policies",
	}
	var file string
	put := &cobra.Command{
		Use:   "put USER NAME [--file policy.json]",
		Short: "Create or replace an inline policy (the document from --file, or standard input)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var doc []byte
			var err error
			if file == "" || file == "-" {
				doc, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
			} else {
				doc, err = os.ReadFile(file)
			}
			if err != nil {
				return fmt.Errorf("read policy document: %w", err)
			}
			if len(bytes.TrimSpace(doc)) == 0 {
				return usageError{errors.New("the policy document is empty: give --file policy.json or pipe it in")}
			}
			ctx := cmd.Context()
			c, err := newIAMClient(ctx, e, g)
			if err != nil {
				return err
			}
			if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(args[0]), PolicyName: aws.String(args[1]),
				PolicyDocument: aws.String(string(doc))}); err != nil {
				return c.explain(err)
			}
			fmt.Fprintf(e.stdout, "put policy %s on user %s\n", args[1], args[0])
			return nil
		},
	}
	put.Flags().StringVar(&file, "file", "", "policy document file (- or absent: standard input)")
	get := &cobra.Command{
		Use:   "get USER NAME",
		Short: "Print an inline policy's document",
		Args:  cobra.ExactArgs(2),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			out, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(args[0]), PolicyName: aws.String(args[1])})
			if err != nil {
				return c.explain(err)
			}
			// IAM answers the document URL-encoded (RFC 3986).
			doc, err := url.PathUnescape(aws.ToString(out.PolicyDocument))
			if err != nil {
				doc = aws.ToString(out.PolicyDocument)
			}
			var pretty bytes.Buffer
			if json.Indent(&pretty, []byte(doc), "", "  ") == nil {
				doc = pretty.String()
			}
			fmt.Fprintln(e.stdout, doc)
			return nil
		}),
	}
	ls := &cobra.Command{
		Use:     "ls USER",
		Aliases: []string{"list"},
		Short:   "List a user's inline policies",
		Args:    cobra.ExactArgs(1),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			p := iam.NewListUserPoliciesPaginator(c, &iam.ListUserPoliciesInput{UserName: aws.String(args[0])})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return c.explain(err)
				}
				for _, n := range page.PolicyNames {
					fmt.Fprintln(e.stdout, n)
				}
			}
			return nil
		}),
	}
	rm := &cobra.Command{
		Use:     "rm USER NAME",
		Aliases: []string{"delete"},
		Short:   "Delete an inline policy",
		Args:    cobra.ExactArgs(2),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(args[0]), PolicyName: aws.String(args[1])}); err != nil {
				return c.explain(err)
			}
			fmt.Fprintf(e.stdout, "deleted policy %s of user %s\n", args[1], args[0])
			return nil
		}),
	}
	cmd.AddCommand(put, get, ls, rm)
	return cmd
}
