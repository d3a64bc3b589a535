package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/spf13/cobra"
)

// waitTimeout bounds how long create and delete wait for the stream to
// reach its next state. caudal gets there at once; AWS takes seconds.
const waitTimeout = 2 * time.Minute

func newStreamsCmd(e *env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "streams",
		Short: "Create, list, describe and delete streams",
	}
	cmd.AddCommand(newStreamsCreateCmd(e, g), newStreamsListCmd(e, g), newStreamsDescribeCmd(e, g), newStreamsDeleteCmd(e, g))
	return cmd
}

func newStreamsCreateCmd(e *env, g *globals) *cobra.Command {
	var shards int
	var onDemand bool
	cmd := &cobra.Command{
		Use:   "create NAME [--shards N | --on-demand]",
		Short: "Create a stream and wait until it is ACTIVE",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if onDemand && cmd.Flags().Changed("shards") {
				return usageError{fmt.Errorf("--shards and --on-demand exclude each other: on-demand streams scale their own shards")}
			}
			if !onDemand && shards < 1 {
				return usageError{fmt.Errorf("--shards must be at least 1")}
			}
			ctx := cmd.Context()
			c, err := newClient(ctx, e, g)
			if err != nil {
				return err
			}
			in := &kinesis.CreateStreamInput{StreamName: aws.String(name)}
			if onDemand {
				in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}
			} else {
				in.ShardCount = aws.Int32(int32(shards))
				in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}
			}
			if _, err := c.CreateStream(ctx, in); err != nil {
				return c.explain(err)
			}
			sum, err := c.waitActive(ctx, name)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "created stream %s: %s, %d open shard(s), %s\n", name,
				sum.StreamModeDetails.StreamMode, aws.ToInt32(sum.OpenShardCount), sum.StreamStatus)
			return nil
		},
	}
	cmd.Flags().IntVar(&shards, "shards", 1, "number of shards (provisioned mode)")
	cmd.Flags().BoolVar(&onDemand, "on-demand", false, "create an ON_DEMAND stream instead of a provisioned one")
	return cmd
}

// waitActive polls until the stream is ACTIVE.
func (c *client) waitActive(ctx context.Context, name string) (*types.StreamDescriptionSummary, error) {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	for delay := 20 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			return nil, c.explain(err)
		}
		sum := out.StreamDescriptionSummary
		if sum.StreamStatus == types.StreamStatusActive {
			return sum, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stream %s is still %s after %s: %w", name, sum.StreamStatus, waitTimeout, ctx.Err())
		case <-time.After(delay):
		}
	}
}

func newStreamsListCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the streams in the region",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := newClient(ctx, e, g)
			if err != nil {
				return err
			}
			var sums []types.StreamSummary
			p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return c.explain(err)
				}
				sums = append(sums, page.StreamSummaries...)
			}
			if len(sums) == 0 {
				fmt.Fprintf(e.stdout, "no streams in %s (create one with `caudal streams create NAME`)\n", g.region)
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSTATUS\tMODE\tOPEN SHARDS\tRETENTION\tCREATED")
			for _, s := range sums {
				shards, retention := "?", "?"
				// The summary lacks shard counts; one call per stream
				// is fine for a human-sized table.
				if d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: s.StreamName}); err == nil {
					shards = fmt.Sprint(aws.ToInt32(d.StreamDescriptionSummary.OpenShardCount))
					retention = fmt.Sprintf("%dh", aws.ToInt32(d.StreamDescriptionSummary.RetentionPeriodHours))
				}
				mode := ""
				if s.StreamModeDetails != nil {
					mode = string(s.StreamModeDetails.StreamMode)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", aws.ToString(s.StreamName), s.StreamStatus, mode, shards, retention,
					formatTime(s.StreamCreationTimestamp))
			}
			return tw.Flush()
		},
	}
}

func newStreamsDescribeCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a stream and its shards (hash-key and sequence-number ranges)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			ctx := cmd.Context()
			c, err := newClient(ctx, e, g)
			if err != nil {
				return err
			}
			out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
			if err != nil {
				return c.explainStream(err, name)
			}
			s := out.StreamDescriptionSummary
			shards, err := c.listShards(ctx, name)
			if err != nil {
				return c.explainStream(err, name)
			}
			mode := ""
			if s.StreamModeDetails != nil {
				mode = string(s.StreamModeDetails.StreamMode)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "stream:\t%s\n", aws.ToString(s.StreamName))
			fmt.Fprintf(tw, "arn:\t%s\n", aws.ToString(s.StreamARN))
			fmt.Fprintf(tw, "status:\t%s\n", s.StreamStatus)
			fmt.Fprintf(tw, "mode:\t%s\n", mode)
			fmt.Fprintf(tw, "open shards:\t%d\n", aws.ToInt32(s.OpenShardCount))
			fmt.Fprintf(tw, "retention:\t%dh\n", aws.ToInt32(s.RetentionPeriodHours))
			fmt.Fprintf(tw, "created:\t%s\n", formatTime(s.StreamCreationTimestamp))
			fmt.Fprintf(tw, "encryption:\t%s\n", s.EncryptionType)
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout)
			tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SHARD\tSTATE\tPARENTS\tHASH KEYS\tSEQUENCE NUMBERS")
			for _, sh := range shards {
				state, end := "open", "…"
				if sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil {
					state, end = "closed", aws.ToString(sh.SequenceNumberRange.EndingSequenceNumber)
				}
				start := ""
				if sh.SequenceNumberRange != nil {
					start = aws.ToString(sh.SequenceNumberRange.StartingSequenceNumber)
				}
				parents := "-"
				if p := aws.ToString(sh.ParentShardId); p != "" {
					parents = p
					if a := aws.ToString(sh.AdjacentParentShardId); a != "" {
						parents += "+" + a
					}
				}
				hk := ""
				if sh.HashKeyRange != nil {
					hk = aws.ToString(sh.HashKeyRange.StartingHashKey) + " – " + aws.ToString(sh.HashKeyRange.EndingHashKey)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s – %s\n", aws.ToString(sh.ShardId), state, parents, hk, start, end)
			}
			return tw.Flush()
		},
	}
}

func newStreamsDeleteCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a stream and all its data",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			ctx := cmd.Context()
			c, err := newClient(ctx, e, g)
			if err != nil {
				return err
			}
			if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
				return c.explainStream(err, name)
			}
			// Wait until it is gone, so that a create right after works.
			wctx, cancel := context.WithTimeout(ctx, waitTimeout)
			defer cancel()
			for delay := 20 * time.Millisecond; ; delay = min(2*delay, time.Second) {
				_, err := c.DescribeStreamSummary(wctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
				if isCode(err, "ResourceNotFoundException") {
					break
				}
				if err != nil && wctx.Err() == nil {
					return c.explain(err)
				}
				select {
				case <-wctx.Done():
					return fmt.Errorf("stream %s still exists after %s", name, waitTimeout)
				case <-time.After(delay):
				}
			}
			fmt.Fprintf(e.stdout, "deleted stream %s\n", name)
			return nil
		},
	}
}

// listShards returns every shard of a stream, open and closed. ListShards
// refuses StreamName together with NextToken, so later pages send only
// the token.
func (c *client) listShards(ctx context.Context, name string) ([]types.Shard, error) {
	var shards []types.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(name)}
	for {
		out, err := c.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil || *out.NextToken == "" {
			return shards, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// explainStream is explain with a hint for a missing stream.
func (c *client) explainStream(err error, name string) error {
	if isCode(err, "ResourceNotFoundException") {
		return fmt.Errorf("stream %s not found in %s at %s (see `caudal streams list`)", name, c.g.region, c.g.endpoint)
	}
	return c.explain(err)
}

func formatTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Local().Format(time.DateTime)
}
