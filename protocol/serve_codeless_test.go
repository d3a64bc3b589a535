package protocol

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A handler's code-less error is answered as the front end answers an
// oversized body: the bare status, no body, no error type.
func TestCodelessErrorIsBareStatus(t *testing.T) {
	rec := httptest.NewRecorder()
	writeError(rec, JSON, "application/x-amz-json-1.1", &Error{Status: http.StatusRequestEntityTooLarge})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", rec.Code)
	}
	if rec.Body.Len() != 0 {
		t.Fatalf("body %q, want none", rec.Body.String())
	}
	if got := rec.Header().Get("x-amzn-ErrorType"); got != "" {
		t.Fatalf("x-amzn-ErrorType %q, want none", got)
	}
}
