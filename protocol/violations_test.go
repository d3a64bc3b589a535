package protocol

import (
	"strings"
	"testing"
)

func TestViolationsWording(t *testing.T) {
	var v Violations
	if got := v.Message(); got != "" {
		t.Fatalf("no violations: %q, want empty", got)
	}
	v.Fail("'x'", "streamName", "Member must have length greater than or equal to 2")
	want := "1 validation error detected: Value 'x' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 2"
	if got := v.Message(); got != want {
		t.Fatalf("one violation:\n got %q\nwant %q", got, want)
	}
	for i := 0; i < 20; i++ {
		v.Fail("null", "records", "Member must not be null")
	}
	got := v.Message()
	if !strings.HasPrefix(got, "10 validation errors detected: Value 'x'") || strings.Count(got, "; ") != 9 {
		t.Fatalf("21 violations: %q, want the first ten, joined by '; '", got)
	}
}
