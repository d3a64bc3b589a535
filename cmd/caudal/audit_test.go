package main

import (
	"strings"
	"testing"
	"time"
)

func TestAuditSQL(t *testing.T) {
	now := time.Date(2026, 11, 26, 3, 30, 0, 0, time.UTC)
	sql, err := auditSQL(&auditOptions{since: 2 * time.Hour, user: "o'brien", service: "S3", errors: true, limit: 5}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"timestamp >= '2026/11/26'", "eventtime >= '2026-11-26T01:30:00Z'",
		"useridentity.username = 'o''brien'", "eventsource = 's3.amazonaws.com'",
		"errorcode IS NOT NULL", "ORDER BY eventtime DESC LIMIT 5",
	} {
		if !strings.Contains(sql, want) {
			t.Errorf("SQL lacks %q:\n%s", want, sql)
		}
	}
	sql, _ = auditSQL(&auditOptions{since: 48 * time.Hour, user: "arn:aws:iam::000000000000:root", limit: 1}, now)
	if !strings.Contains(sql, "timestamp >= '2026/11/24'") || !strings.Contains(sql, "useridentity.arn = 'arn:aws:iam::000000000000:root'") ||
		strings.Contains(sql, "errorcode") && strings.Contains(sql, "IS NOT NULL") {
		t.Errorf("SQL = %s", sql)
	}
	for _, bad := range []*auditOptions{{since: 0, limit: 1}, {since: time.Hour, limit: 0}} {
		if _, err := auditSQL(bad, now); err == nil {
			t.Errorf("auditSQL(%+v) accepted", bad)
		}
	}
}
