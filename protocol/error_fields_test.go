package protocol

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// TestWriteErrorFields: an error shape's extra members (Athena's
// AthenaErrorCode) are written beside __type and message.
func TestWriteErrorFields(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, JSON, "rid", &Error{Code: "InvalidRequestException", Status: 400, Message: "bad",
		Fields: map[string]string{"AthenaErrorCode": "INVALID_INPUT"}})
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 400 || len(body) != 3 || body["__type"] != "InvalidRequestException" || body["message"] != "bad" ||
		body["AthenaErrorCode"] != "INVALID_INPUT" {
		t.Fatalf("%d %v", rec.Code, body)
	}
}
