package glue

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

// errorBody is a JSON 1.1 error answer.
type errorBody struct {
	Type     string `json:"__type"`
	Message  string `json:"message"`
	Message2 string `json:"Message"`
}

func decodeError(t *testing.T, body string) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if e.Message == "" {
		e.Message = e.Message2
	}
	return e
}

func TestMalformedRequests(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("a", 256)
	cases := []struct {
		op, body string
		status   int
		code     string
		msg      string // substring
	}{
		{"GetDatabase", `{"Name":`, 400, "SerializationException", ""},
		{"GetDatabase", `[]`, 400, "SerializationException", ""},
		{"GetDatabase", `{"Name": 5}`, 400, "SerializationException", ""},
		{"GetDatabase", `{}`, 400, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"GetDatabase", `{"Name":"` + long + `"}`, 400, "ValidationException", "at 'name' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"GetDatabase", `{"Name":""}`, 400, "ValidationException", "Member must have length greater than or equal to 1"},
		{"GetDatabase", `{"Name":"a\nb"}`, 400, "ValidationException", "Member must satisfy regular expression pattern: [\\u0020-\\uD7FF"},
		{"CreateDatabase", `{}`, 400, "ValidationException", "Value null at 'databaseInput' failed to satisfy constraint: Member must not be null"},
		{"CreateDatabase", `{"DatabaseInput":{"Description":"x"}}`, 400, "ValidationException", "at 'databaseInput.name'"},
		{"CreateDatabase", `{"DatabaseInput":{"Name":"` + long + `","LocationUri":""}}`, 400, "ValidationException", "2 validation errors detected"},
		{"CreateTable", `{"DatabaseName":"db","TableInput":{"Name":"t","StorageDescriptor":{"Columns":[{"Name":"a"},{"Name":""}]}}}`, 400, "ValidationException",
			"at 'table.storageDescriptor.columns.2.member.name'"},
		{"CreateTable", `{"DatabaseName":"db"}`, 400, "InvalidInputException", "TableInput is required."},
		{"CreateTable", `{"DatabaseName":"db","TableInput":{"Name":"t","Parameters":{"":"v"}}}`, 400, "ValidationException", "Map keys must satisfy constraint"},
		{"CreateTable", `{"DatabaseName":"db","TableInput":{"Name":"t","StorageDescriptor":{"SortColumns":[{"Column":"c","SortOrder":2}]}}}`, 400, "ValidationException",
			"at 'table.storageDescriptor.sortColumns.1.member.sortOrder' failed to satisfy constraint: Member must have value less than or equal to 1"},
		{"GetTables", `{"DatabaseName":"db","MaxResults":0}`, 400, "ValidationException", "Member must have value greater than or equal to 1"},
		{"GetPartitions", `{"DatabaseName":"db","TableName":"t","MaxResults":1001}`, 400, "ValidationException", "Member must have value less than or equal to 1000"},
		{"GetPartitions", `{"DatabaseName":"db","TableName":"t","Segment":{"SegmentNumber":0,"TotalSegments":11}}`, 400, "ValidationException", "segment.totalSegments"},
		{"GetPartitions", `{"DatabaseName":"db","TableName":"t","Segment":{"SegmentNumber":3,"TotalSegments":2}}`, 400, "InvalidInputException", ""},
		{"GetPartition", `{"DatabaseName":"db","TableName":"t","PartitionValues":[""]}`, 400, "ValidationException", "at 'partitionValues.1.member'"},
		{"BatchDeletePartition", `{"DatabaseName":"db","TableName":"t","PartitionsToDelete":[` + strings.TrimSuffix(strings.Repeat(`{"Values":["a"]},`, 26), ",") + `]}`,
			400, "ValidationException", "at 'partitionsToDelete' failed to satisfy constraint: Member must have length less than or equal to 25"},
		{"BatchCreatePartition", `{"DatabaseName":"db","TableName":"t"}`, 400, "ValidationException", "Value null at 'partitionInputList'"},
		{"BatchDeleteTable", `{"DatabaseName":"db","TablesToDelete":[` + strings.TrimSuffix(strings.Repeat(`"t",`, 101), ",") + `]}`, 400, "ValidationException", "less than or equal to 100"},
		{"GetDatabases", `{"ResourceShareType":"MINE"}`, 400, "ValidationException", "Member must satisfy enum value set: [FOREIGN, ALL, FEDERATED]"},
		{"CreateCrawler", `{}`, 400, "UnknownOperationException", ""},
	}
	for _, tc := range cases {
		status, body := h.raw(tc.op, tc.body)
		if status != tc.status {
			t.Errorf("%s %.60s: status %d (%s), want %d", tc.op, tc.body, status, body, tc.status)
			continue
		}
		e := decodeError(t, body)
		if !strings.HasSuffix(e.Type, tc.code) || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s %.60s: %s %q, want %s containing %q", tc.op, tc.body, e.Type, e.Message, tc.code, tc.msg)
		}
	}
	// Nothing was created by any of them.
	if dbs, _, _ := h.cat.ListDatabases(catalog.Page{}); len(dbs) != 0 {
		t.Errorf("refused requests created %v", dbs)
	}
}

func TestWireShapes(t *testing.T) {
	h := newHarness(t)
	status, body := h.raw("CreateDatabase", `{"DatabaseInput":{"Name":"DB"}}`)
	if status != 200 || body != "{}" {
		t.Fatalf("CreateDatabase: %d %s", status, body)
	}
	h.raw("CreateTable", `{"DatabaseName":"db","TableInput":{"Name":"T","PartitionKeys":[{"Name":"k","Type":"string"}]}}`)
	h.raw("CreatePartition", `{"DatabaseName":"db","TableName":"t","PartitionInput":{"Values":["v"]}}`)
	for _, op := range []struct{ name, body string }{
		{"GetDatabase", `{"Name":"db"}`},
		{"GetTable", `{"DatabaseName":"db","Name":"t"}`},
		{"GetPartitions", `{"DatabaseName":"db","TableName":"t"}`},
	} {
		status, body := h.raw(op.name, op.body)
		if status != 200 {
			t.Fatalf("%s: %d %s", op.name, status, body)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		// Timestamps are epoch seconds (JSON numbers), names lower-case.
		switch op.name {
		case "GetDatabase":
			db := m["Database"].(map[string]any)
			if _, ok := db["CreateTime"].(float64); !ok || db["Name"] != "db" || db["CatalogId"] != testAccount {
				t.Errorf("Database %v", db)
			}
		case "GetTable":
			tb := m["Table"].(map[string]any)
			if _, ok := tb["CreateTime"].(float64); !ok || tb["Name"] != "t" || tb["DatabaseName"] != "db" {
				t.Errorf("Table %v", tb)
			}
		case "GetPartitions":
			ps := m["Partitions"].([]any)
			p := ps[0].(map[string]any)
			if _, ok := p["CreationTime"].(float64); !ok || p["TableName"] != "t" {
				t.Errorf("Partition %v", p)
			}
			if _, ok := m["NextToken"]; ok {
				t.Errorf("NextToken on the only page: %s", body)
			}
		}
	}
}

// FuzzRequestBodies: any body sent to any operation is answered with a
// 200 or a client error, never a panic or an internal failure.
func FuzzRequestBodies(f *testing.F) {
	seeds := []string{
		`{"DatabaseInput":{"Name":"db"}}`,
		`{"DatabaseName":"db","TableInput":{"Name":"t","PartitionKeys":[{"Name":"k","Type":"int"}],"StorageDescriptor":{"Columns":[{"Name":"c","Type":"string"}],"SerdeInfo":{"Parameters":{"a":"b"}}}}}`,
		`{"DatabaseName":"db","TableName":"t","PartitionInputList":[{"Values":["1"]},{"Values":["x"]}]}`,
		`{"DatabaseName":"db","TableName":"t","Expression":"k > 1 AND k IN (1,2)","MaxResults":1,"Segment":{"SegmentNumber":0,"TotalSegments":2}}`,
		`{"DatabaseName":"db","TableName":"t","PartitionsToDelete":[{"Values":["1"]}]}`,
		`{"DatabaseName":"db","Expression":"t*|x","NextToken":"YzF0"}`,
		`{"Name":"db","DatabaseInput":{"Name":"db","Parameters":{"k":"v"}}}`,
	}
	ops := []string{"CreateDatabase", "CreateTable", "BatchCreatePartition", "GetPartitions", "BatchDeletePartition", "GetTables", "UpdateDatabase",
		"GetPartition", "UpdatePartition", "BatchGetPartition", "UpdateTable", "DeleteTable", "BatchDeleteTable", "GetDatabases", "DeleteDatabase"}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	cat, err := catalog.Open(catalog.Config{Dir: f.TempDir(), NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { cat.Close() })
	svc := New(cat, testAccount)
	// A table for the partition operations to find.
	cat.CreateDatabase(catalog.Database{Name: "db"})
	cat.CreateTable("db", catalog.Table{Name: "t", PartitionKeys: []catalog.Column{{Name: "k", Type: "int"}}})
	f.Fuzz(func(t *testing.T, opIndex uint8, body string) {
		op := ops[int(opIndex)%len(ops)]
		call := &protocol.Call{Operation: op, Codec: protocol.JSON, Body: []byte(body), RequestID: "fuzz"}
		_, err := svc.Ops[op](auth.WithSubject(context.Background(), rootSubject), call)
		if err == nil {
			return
		}
		var pe *protocol.Error
		if !errors.As(err, &pe) {
			t.Fatalf("%s %q: unclassified error %v", op, body, err)
		}
		if pe.Status != http.StatusBadRequest {
			t.Fatalf("%s %q: status %d %v", op, body, pe.Status, pe)
		}
	})
}
