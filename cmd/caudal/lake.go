package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/spf13/cobra"
)

// The lake commands are an S3 client of the server, shaped after
// `aws s3`: ls, mb, rb, cp and rm on s3://bucket/key URLs.

func newLakeCmd(e *env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lake",
		Short: "List, copy and delete objects in the lake (S3) — like `aws s3`",
		Long: `Work with the lake through caudal's S3 API, the way ` + "`aws s3`" + ` does: buckets and
objects are named by s3://BUCKET/KEY URLs.

  caudal lake mb s3://photos                       create a bucket
  caudal lake cp holiday.jpg s3://photos/2026/     upload (key 2026/holiday.jpg)
  caudal lake cp -r ./pictures s3://photos/all     upload a directory
  caudal lake ls                                   list buckets
  caudal lake ls s3://photos/                      list a "directory"
  caudal lake cp -r s3://photos/all ./restored     download a prefix
  caudal lake rm -r s3://photos/all                delete a prefix
  caudal lake rb --force s3://photos               delete a bucket and its objects`,
	}
	cmd.AddCommand(newLakeLsCmd(e, g), newLakeMbCmd(e, g), newLakeRbCmd(e, g), newLakeCpCmd(e, g), newLakeRmCmd(e, g))
	return cmd
}

// s3Location is a parsed s3://bucket/key URL. Key is taken as written,
// without URL-decoding, as the AWS CLI does: keys may hold any character.
type s3Location struct {
	Bucket string
	Key    string // "" for the bucket itself
}

const s3Scheme = "s3://"

func isS3URL(s string) bool { return strings.HasPrefix(s, s3Scheme) }

// parseS3URL parses s3://bucket[/key]. The bucket part is checked only
// for what would make the request ambiguous; the server judges names.
func parseS3URL(s string) (s3Location, error) {
	rest, ok := strings.CutPrefix(s, s3Scheme)
	if !ok {
		return s3Location{}, fmt.Errorf("%q is not an s3:// URL (want s3://BUCKET or s3://BUCKET/KEY)", s)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return s3Location{}, fmt.Errorf("%q names no bucket (want s3://BUCKET or s3://BUCKET/KEY)", s)
	}
	if strings.ContainsAny(bucket, " \t\n?#\\") {
		return s3Location{}, fmt.Errorf("%q: bucket name %q holds characters bucket names cannot have", s, bucket)
	}
	return s3Location{Bucket: bucket, Key: key}, nil
}

func (l s3Location) String() string {
	if l.Key == "" {
		return s3Scheme + l.Bucket + "/"
	}
	return s3Scheme + l.Bucket + "/" + l.Key
}

// dirPrefix turns a key into the prefix of a "directory": "" stays ""
// (the whole bucket), anything else ends in '/'. Recursive commands use
// it, as `aws s3` does, so that `rm -r s3://b/logs` never touches
// "logs-old/…".
func dirPrefix(key string) string {
	if key == "" || strings.HasSuffix(key, "/") {
		return key
	}
	return key + "/"
}

// parseS3Arg parses a command-line s3:// argument, as a usage error.
func parseS3Arg(s string) (s3Location, error) {
	l, err := parseS3URL(s)
	if err != nil {
		return l, usageError{err}
	}
	return l, nil
}

// exactArgs is cobra.ExactArgs with a usage error (exit status 2).
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("want %s, got %d argument(s)", what, len(args))}
		}
		return nil
	}
}

func newLakeLsCmd(e *env, g *globals) *cobra.Command {
	var recursive, human, summarize bool
	cmd := &cobra.Command{
		Use:   "ls [s3://BUCKET[/PREFIX]]",
		Short: "List buckets, or the objects and prefixes under s3://BUCKET/PREFIX",
		Long: `Without an argument, list the buckets. With s3://BUCKET/PREFIX, list what is under
PREFIX the way ` + "`aws s3 ls`" + ` does: "directories" (common prefixes up to the next '/') as
"PRE name/", then objects with their last-modified time, size and name relative to
PREFIX's last '/'. With --recursive, list every object under PREFIX with its full key.
--summarize ends with the number of objects listed and their total size.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("want at most one s3://BUCKET[/PREFIX], got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var loc s3Location
			if len(args) == 1 {
				var err error
				if loc, err = parseS3Arg(args[0]); err != nil {
					return err
				}
			} else if recursive {
				return usageError{fmt.Errorf("--recursive needs an s3://BUCKET[/PREFIX] to list")}
			}
			ctx := cmd.Context()
			c, err := newLakeClient(ctx, e, g)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return c.listBuckets(ctx, e.stdout)
			}
			return c.listObjects(ctx, e.stdout, loc, listOptions{recursive, human, summarize})
		},
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "list every object under the prefix, with full keys")
	cmd.Flags().BoolVar(&human, "human", false, "sizes in KiB, MiB, GiB instead of bytes")
	cmd.Flags().BoolVar(&summarize, "summarize", false, "end with the number of objects and their total size")
	return cmd
}

func (c *lakeClient) listBuckets(ctx context.Context, w io.Writer) error {
	var buckets []types.Bucket
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{}, func(o *s3.ListBucketsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return c.explain(err, "")
		}
		buckets = append(buckets, page.Buckets...)
	}
	if len(buckets) == 0 {
		fmt.Fprintln(w, "no buckets (create one with: caudal lake mb s3://NAME)")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED")
	for _, b := range buckets {
		fmt.Fprintf(tw, "%s\t%s\n", aws.ToString(b.Name), formatTime(b.CreationDate))
	}
	return tw.Flush()
}

// listOptions are ls's flags for an object listing.
type listOptions struct {
	recursive, human, summarize bool
}

// listObjects prints a listing in `aws s3 ls` columns, page by page, so
// that a listing of millions of keys starts at once and holds one page.
func (c *lakeClient) listObjects(ctx context.Context, w io.Writer, loc s3Location, o listOptions) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(loc.Key)}
	// Names are shown relative to the prefix's last '/', as aws s3 ls does:
	// `ls s3://b/logs` shows "PRE logs/", `ls s3://b/logs/` what is in it.
	base := loc.Key[:strings.LastIndex(loc.Key, "/")+1]
	if !o.recursive {
		in.Delimiter = aws.String("/")
	} else {
		base = ""
	}
	out := bufio.NewWriter(w)
	var objects, bytes int64
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			out.Flush()
			return c.explain(err, loc.Bucket)
		}
		for _, cp := range page.CommonPrefixes {
			fmt.Fprintf(out, "%30s %s\n", "PRE", strings.TrimPrefix(aws.ToString(cp.Prefix), base))
		}
		for _, obj := range page.Contents {
			fmt.Fprintln(out, formatObjectLine(obj, base, o.human))
			objects++
			bytes += aws.ToInt64(obj.Size)
		}
	}
	if o.summarize {
		size := fmt.Sprint(bytes)
		if o.human {
			size = humanSize(bytes)
		}
		fmt.Fprintf(out, "\nTotal Objects: %d\n   Total Size: %s\n", objects, size)
	}
	return out.Flush()
}

// formatObjectLine is one object in `aws s3 ls` columns: local time,
// size right-aligned in 10 columns, name relative to base.
func formatObjectLine(o types.Object, base string, human bool) string {
	size := fmt.Sprint(aws.ToInt64(o.Size))
	if human {
		size = humanSize(aws.ToInt64(o.Size))
	}
	modified := ""
	if o.LastModified != nil {
		modified = o.LastModified.Local().Format(time.DateTime)
	}
	return fmt.Sprintf("%19s %10s %s", modified, size, strings.TrimPrefix(aws.ToString(o.Key), base))
}

func newLakeMbCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "mb s3://BUCKET",
		Short: "Make a bucket",
		Args:  exactArgs(1, "one s3://BUCKET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			loc, err := parseS3Arg(args[0])
			if err != nil {
				return err
			}
			if loc.Key != "" {
				return usageError{fmt.Errorf("%s names an object; mb takes s3://BUCKET", args[0])}
			}
			ctx := cmd.Context()
			c, err := newLakeClient(ctx, e, g)
			if err != nil {
				return err
			}
			in := &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)}
			// us-east-1 is the one region whose buckets take no location
			// constraint; AWS refuses an explicit "us-east-1".
			if g.region != "us-east-1" {
				in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(g.region)}
			}
			if _, err := c.CreateBucket(ctx, in); err != nil && !isCode(err, "BucketAlreadyOwnedByYou") {
				return c.explain(err, loc.Bucket)
			}
			fmt.Fprintf(e.stdout, "made bucket s3://%s\n", loc.Bucket)
			return nil
		},
	}
}

func newLakeRbCmd(e *env, g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rb s3://BUCKET [--force]",
		Short: "Remove a bucket (with --force, its objects first)",
		Args:  exactArgs(1, "one s3://BUCKET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			loc, err := parseS3Arg(args[0])
			if err != nil {
				return err
			}
			if loc.Key != "" {
				return usageError{fmt.Errorf("%s names an object; rb takes s3://BUCKET", args[0])}
			}
			ctx := cmd.Context()
			c, err := newLakeClient(ctx, e, g)
			if err != nil {
				return err
			}
			if force {
				n, err := c.deletePrefix(ctx, loc.Bucket, "")
				if err != nil {
					return err
				}
				if err := c.abortUploads(ctx, loc.Bucket); err != nil {
					return err
				}
				if n > 0 {
					fmt.Fprintf(e.stdout, "deleted %d object%s from s3://%s\n", n, plural(n), loc.Bucket)
				}
			}
			if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(loc.Bucket)}); err != nil {
				return c.explain(err, loc.Bucket)
			}
			fmt.Fprintf(e.stdout, "removed bucket s3://%s\n", loc.Bucket)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "delete every object (and unfinished multipart upload) in the bucket first")
	return cmd
}

// abortUploads aborts the bucket's unfinished multipart uploads, whose
// parts would otherwise keep it from being deleted.
func (c *lakeClient) abortUploads(ctx context.Context, bucket string) error {
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)}
	for {
		out, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			return c.explain(err, bucket)
		}
		for _, u := range out.Uploads {
			_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
			if err != nil && !isCode(err, "NoSuchUpload") {
				return c.explain(err, bucket)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

func newLakeRmCmd(e *env, g *globals) *cobra.Command {
	var recursive bool
	cmd := &cobra.Command{
		Use:   "rm s3://BUCKET/KEY | rm --recursive s3://BUCKET[/PREFIX]",
		Short: "Delete an object, or with --recursive every object under a prefix",
		Long: `Delete one object, or with --recursive every object under PREFIX taken as a
directory (s3://b/logs deletes logs/… but not logs-old/…), in batches of 1,000.
Deleting a key that does not exist is an error for a single object.`,
		Args: exactArgs(1, "one s3://BUCKET/KEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			loc, err := parseS3Arg(args[0])
			if err != nil {
				return err
			}
			if !recursive && (loc.Key == "" || strings.HasSuffix(loc.Key, "/")) {
				return usageError{fmt.Errorf("%s names a prefix, not an object: add --recursive to delete everything under it", args[0])}
			}
			ctx := cmd.Context()
			c, err := newLakeClient(ctx, e, g)
			if err != nil {
				return err
			}
			if recursive {
				prefix := dirPrefix(loc.Key)
				n, err := c.deletePrefix(ctx, loc.Bucket, prefix)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "deleted %d object%s under %s\n", n, plural(n), s3Location{loc.Bucket, prefix})
				return nil
			}
			// DeleteObject succeeds on a missing key; say so instead of
			// pretending something was deleted.
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key)}); err != nil {
				return c.explainMissing(ctx, err, loc)
			}
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key)}); err != nil {
				return c.explain(err, loc.Bucket)
			}
			fmt.Fprintf(e.stdout, "deleted %s\n", loc)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "delete every object under the prefix")
	return cmd
}

// explainMissing explains a failed HEAD of an object: a 404 carries no
// body, so one more call tells a missing bucket from a missing key.
func (c *lakeClient) explainMissing(ctx context.Context, err error, loc s3Location) error {
	if !isNotFound(err) {
		return c.explain(err, loc.Bucket)
	}
	if _, berr := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(loc.Bucket)}); isNotFound(berr) {
		return c.explain(&types.NoSuchBucket{}, loc.Bucket)
	}
	prefix := dirPrefix(loc.Key)
	if out, lerr := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(1)}); lerr == nil && len(out.Contents) > 0 {
		return usageError{fmt.Errorf("%s is a prefix, not an object: add --recursive for everything under %s", loc, s3Location{loc.Bucket, prefix})}
	}
	dir := loc.Key[:strings.LastIndex(loc.Key, "/")+1]
	return fmt.Errorf("%s does not exist (see: caudal lake ls %s)", loc, s3Location{loc.Bucket, dir})
}

// maxDeleteBatch is the most keys one DeleteObjects call takes.
const maxDeleteBatch = 1000

// deletePrefix deletes every object whose key starts with prefix, a page
// of the listing (at most 1,000 keys) per DeleteObjects call, and returns
// how many it deleted.
func (c *lakeClient) deletePrefix(ctx context.Context, bucket, prefix string) (int, error) {
	deleted := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(maxDeleteBatch),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return deleted, c.explain(err, bucket)
		}
		for batch := page.Contents; len(batch) > 0; {
			n := min(len(batch), maxDeleteBatch)
			ids := make([]types.ObjectIdentifier, n)
			for i, o := range batch[:n] {
				ids[i] = types.ObjectIdentifier{Key: o.Key}
			}
			batch = batch[n:]
			out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
				Bucket: aws.String(bucket),
				Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
			})
			if err != nil {
				return deleted, c.explain(err, bucket)
			}
			deleted += n - len(out.Errors)
			if len(out.Errors) > 0 {
				first := out.Errors[0]
				return deleted, fmt.Errorf("%d of %d objects were not deleted; first: %s: %s: %s", len(out.Errors), n,
					s3Location{bucket, aws.ToString(first.Key)}, aws.ToString(first.Code), aws.ToString(first.Message))
			}
		}
	}
	return deleted, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
