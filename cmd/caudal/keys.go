package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/spf13/cobra"
)

func newKeysCmd(e *env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create, list, disable, enable and delete users' access keys",
		Long: `Each user has at most two access keys, so a key can be rotated without
downtime: create a second key, move clients to it, disable the old one (it
stops authenticating at once; enable brings it back), then delete it.`,
	}
	cmd.AddCommand(newKeysCreateCmd(e, g), newKeysListCmd(e, g),
		newKeysStatusCmd(e, g, "disable", types.StatusTypeInactive),
		newKeysStatusCmd(e, g, "enable", types.StatusTypeActive),
		newKeysDeleteCmd(e, g))
	return cmd
}

func newKeysCreateCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "create USER",
		Short: "Create an access key for a user and print its secret (shown only this once)",
		Args:  cobra.ExactArgs(1),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(args[0])})
			if err != nil {
				return c.explain(err)
			}
			k := out.AccessKey
			fmt.Fprintf(e.stdout, "created access key for user %s; the secret is shown only now, store it:\n\n", aws.ToString(k.UserName))
			fmt.Fprintf(e.stdout, "  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey))
			return nil
		}),
	}
}

func newKeysListCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "ls USER",
		Aliases: []string{"list"},
		Short:   "List a user's access keys (never their secrets)",
		Args:    cobra.ExactArgs(1),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACCESS KEY ID\tSTATUS\tCREATED\tLAST USED")
			p := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: aws.String(args[0])})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return c.explain(err)
				}
				for _, k := range page.AccessKeyMetadata {
					// The server remembers last use since it started.
					used := "-"
					lu, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
					if err != nil {
						return c.explain(err)
					}
					if u := lu.AccessKeyLastUsed; u != nil && u.LastUsedDate != nil {
						used = fmt.Sprintf("%s (%s, %s)", u.LastUsedDate.Local().Format("2006-01-02 15:04"), aws.ToString(u.ServiceName), aws.ToString(u.Region))
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", aws.ToString(k.AccessKeyId), k.Status, aws.ToTime(k.CreateDate).Local().Format(time.DateTime), used)
				}
			}
			return tw.Flush()
		}),
	}
}

// keyOwner is the user named by --user, or else the key's owner as IAM
// tells it (GetAccessKeyLastUsed).
func keyOwner(cmd *cobra.Command, c *iamClient, user, id string) (string, error) {
	if user != "" {
		return user, nil
	}
	out, err := c.GetAccessKeyLastUsed(cmd.Context(), &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
	if err != nil {
		return "", c.explain(err)
	}
	if aws.ToString(out.UserName) == "" {
		return "", fmt.Errorf("access key %s is the root key; caudal manages it in credentials.json", id)
	}
	return aws.ToString(out.UserName), nil
}

func newKeysStatusCmd(e *env, g *globals, verb string, status types.StatusType) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   verb + " ACCESS_KEY_ID [--user USER]",
		Short: map[string]string{"disable": "Disable an access key (it stops authenticating at once)", "enable": "Enable a disabled access key"}[verb],
		Args:  cobra.ExactArgs(1),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			owner, err := keyOwner(cmd, c, user, args[0])
			if err != nil {
				return err
			}
			if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(owner), AccessKeyId: aws.String(args[0]), Status: status}); err != nil {
				return c.explain(err)
			}
			fmt.Fprintf(e.stdout, "access key %s of user %s is now %s\n", args[0], owner, status)
			return nil
		}),
	}
	cmd.Flags().StringVar(&user, "user", "", "the key's user (default: looked up)")
	return cmd
}

func newKeysDeleteCmd(e *env, g *globals) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:     "rm ACCESS_KEY_ID [--user USER]",
		Aliases: []string{"delete"},
		Short:   "Delete an access key for good",
		Args:    cobra.ExactArgs(1),
		RunE: withIAM(e, g, func(ctx context.Context, cmd *cobra.Command, c *iamClient, args []string) error {
			owner, err := keyOwner(cmd, c, user, args[0])
			if err != nil {
				return err
			}
			if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(owner), AccessKeyId: aws.String(args[0])}); err != nil {
				return c.explain(err)
			}
			fmt.Fprintf(e.stdout, "deleted access key %s of user %s\n", args[0], owner)
			return nil
		}),
	}
	cmd.Flags().StringVar(&user, "user", "", "the key's user (default: looked up)")
	return cmd
}
