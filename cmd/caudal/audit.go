package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// `caudal audit` reads the audit trail: it is `caudal query` with the SQL
// written for you, over caudal_audit.cloudtrail (the table the server
// keeps over the trail's objects in the lake). Nothing here reads the
// lake directly; the query runs through the Athena API like any other.

type auditOptions struct {
	since   time.Duration
	user    string
	service string
	errors  bool
	limit   int
	query   queryOptions
}

func newAuditCmd(e *env, g *globals) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show recent API calls from the audit trail (caudal_audit.cloudtrail)",
		Long: `Show who called which API, on what, from where, and what they got: the newest
calls of the audit trail first. Every API call to the server is recorded,
CloudTrail-shaped, as JSON lines in the reserved bucket caudal-audit-<account>
(readable, never writable, through S3), and the trail is a SQL table,
caudal_audit.cloudtrail, so this is a shortcut for a query you can also write:

  caudal audit --since 1h --errors
  caudal audit --user alice --service s3
  caudal query "SELECT eventname, useridentity.arn, errorcode FROM caudal_audit.cloudtrail ORDER BY eventtime DESC LIMIT 10"

Calls reach the trail within about 5 seconds (the trail's flush interval).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sql, err := auditSQL(o, time.Now())
			if err != nil {
				return usageError{err}
			}
			if o.query.format == "" {
				o.query.format = "csv"
				if isTerminal(e.stdout) {
					o.query.format = "table"
				}
			}
			w, err := newRowWriter(o.query.format, e.stdout)
			if err != nil {
				return usageError{err}
			}
			return runQuery(cmd.Context(), e, g, &o.query, sql, w)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.since, "since", 24*time.Hour, "show calls made within this long before now")
	f.StringVar(&o.user, "user", "", "only calls by this principal: an ARN, or a user name")
	f.StringVar(&o.service, "service", "", "only calls to this service: kinesis, s3, glue, athena, iam, kms, firehose")
	f.BoolVar(&o.errors, "errors", false, "only calls that were refused or failed")
	f.IntVar(&o.limit, "limit", 50, "show at most this many calls")
	f.StringVar(&o.query.format, "format", "", "output format: table, csv or json (default table on a terminal, csv otherwise)")
	f.StringVar(&o.query.outputLocation, "output-location", defaultOutputLocation, "s3:// location the query's result file is written under")
	o.query.database, o.query.workGroup = "caudal_audit", "primary"
	return cmd
}

// auditSQL is the query behind `caudal audit`. User input only ever
// appears inside SQL string literals, quotes doubled.
func auditSQL(o *auditOptions, now time.Time) (string, error) {
	if o.since <= 0 {
		return "", fmt.Errorf("--since %s: want a positive duration such as 30m or 24h", o.since)
	}
	if o.limit <= 0 {
		return "", fmt.Errorf("--limit %d: want 1 or more", o.limit)
	}
	from := now.UTC().Add(-o.since)
	where := []string{
		// The partition key (the objects' date path) prunes whole days;
		// eventtime, RFC 3339 in UTC, compares as text.
		"timestamp >= " + sqlString(from.Format("2006/01/02")),
		"eventtime >= " + sqlString(from.Format(time.RFC3339)),
	}
	if o.user != "" {
		if strings.HasPrefix(o.user, "arn:") {
			where = append(where, "useridentity.arn = "+sqlString(o.user))
		} else {
			where = append(where, "useridentity.username = "+sqlString(o.user))
		}
	}
	if o.service != "" {
		svc := strings.ToLower(strings.TrimSuffix(o.service, ".amazonaws.com"))
		where = append(where, "eventsource = "+sqlString(svc+".amazonaws.com"))
	}
	if o.errors {
		where = append(where, "errorcode IS NOT NULL")
	}
	return "SELECT eventtime, useridentity.arn AS principal, eventsource, eventname, " +
		"errorcode, sourceipaddress, requestid FROM caudal_audit.cloudtrail WHERE " +
		strings.Join(where, " AND ") + " ORDER BY eventtime DESC LIMIT " + strconv.Itoa(o.limit), nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
