package athena

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/auth/authtest"
)

// rootSubject is the root principal every harness request is signed by
// unless a test says otherwise: the root may do everything.
var rootSubject = authtest.Root(testAccount, testKeyID)

var aliceARN = authtest.UserARN(testAccount, "alice")

// userSubject is the IAM user alice holding policy documents docs.
func userSubject(t testing.TB, docs ...string) *auth.Subject {
	t.Helper()
	return authtest.User(t, testAccount, "alice", docs...)
}

// grant is one action on one resource, written positionally in the tables
// below (authtest.Grant's fields are exported, which vet wants keyed).
type grant struct{ action, resource string }

func (g grant) authtest() authtest.Grant {
	return authtest.Grant{Action: g.action, Resource: g.resource}
}

// allowing is a policy allowing exactly grants.
func allowing(grants []grant) string {
	gs := make([]authtest.Grant, len(grants))
	for i, g := range grants {
		gs[i] = g.authtest()
	}
	return authtest.Allowing(gs)
}

// deniedMessage is auth's wording of an implicit deny of g to alice.
func deniedMessage(g grant) string { return authtest.DeniedMessage(aliceARN, g.authtest()) }

// TestAuthorizeMapping pins, for every operation, the actions and
// resources it is authorized as, Glue and S3 ones included: the caller
// first holds none of the grants and must be refused for the first, then
// for each in turn, until holding them all lets the call past
// authorization.
func TestAuthorizeMapping(t *testing.T) {
	h := newHarness(t, nil)
	h.numbersTable(3)
	id := h.start("SELECT x FROM numbers")
	if st := h.poll(id); st.Status.State != "SUCCEEDED" {
		t.Fatalf("query: %+v", st.Status)
	}
	const a = "arn:aws:athena:us-east-1:" + testAccount + ":"
	const g = "arn:aws:glue:us-east-1:" + testAccount + ":"
	primary, dc := a+"workgroup/primary", a+"datacatalog/AwsDataCatalog"
	result := "arn:aws:s3:::results/athena/" + id + ".csv"
	at := func(op, r string) grant { return grant{"athena:" + op, r} }
	cases := []struct {
		op, body string
		want     []grant
	}{
		{"BatchGetQueryExecution", `{"QueryExecutionIds":["` + id + `"]}`, []grant{at("BatchGetQueryExecution", primary)}},
		{"CreateWorkGroup", `{"Name":"wg"}`, []grant{at("CreateWorkGroup", a+"workgroup/wg")}},
		{"DeleteWorkGroup", `{"WorkGroup":"nope"}`, []grant{at("DeleteWorkGroup", a+"workgroup/nope")}},
		{"GetDataCatalog", `{"Name":"AwsDataCatalog"}`, []grant{at("GetDataCatalog", dc)}},
		{"GetDatabase", `{"CatalogName":"AwsDataCatalog","DatabaseName":"Default"}`, []grant{at("GetDatabase", dc),
			{"glue:GetDatabase", g + "catalog"}, {"glue:GetDatabase", g + "database/default"}}},
		{"GetQueryExecution", `{"QueryExecutionId":"` + id + `"}`, []grant{at("GetQueryExecution", primary)}},
		{"GetQueryResults", `{"QueryExecutionId":"` + id + `"}`, []grant{at("GetQueryResults", primary), {"s3:GetObject", result}}},
		{"GetTableMetadata", `{"CatalogName":"AwsDataCatalog","DatabaseName":"default","TableName":"numbers"}`, []grant{at("GetTableMetadata", dc),
			{"glue:GetTable", g + "catalog"}, {"glue:GetTable", g + "database/default"}, {"glue:GetTable", g + "table/default/numbers"}}},
		{"GetWorkGroup", `{"WorkGroup":"primary"}`, []grant{at("GetWorkGroup", primary)}},
		{"ListDataCatalogs", `{}`, []grant{at("ListDataCatalogs", "*")}},
		{"ListDatabases", `{"CatalogName":"AwsDataCatalog"}`, []grant{at("ListDatabases", dc),
			{"glue:GetDatabases", g + "catalog"}, {"glue:GetDatabases", g + "database/*"}}},
		{"ListQueryExecutions", `{}`, []grant{at("ListQueryExecutions", primary)}},
		{"ListTableMetadata", `{"CatalogName":"AwsDataCatalog","DatabaseName":"default"}`, []grant{at("ListTableMetadata", dc),
			{"glue:GetTables", g + "catalog"}, {"glue:GetTables", g + "database/default"}, {"glue:GetTables", g + "table/default/*"}}},
		{"ListWorkGroups", `{}`, []grant{at("ListWorkGroups", "*")}},
		{"StopQueryExecution", `{"QueryExecutionId":"` + id + `"}`, []grant{at("StopQueryExecution", primary)}},
		{"UpdateWorkGroup", `{"WorkGroup":"primary","Description":"d"}`, []grant{at("UpdateWorkGroup", primary)}},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.op] = true
		for i := 0; i <= len(tc.want); i++ {
			h.subject.Store(userSubject(t, allowing(tc.want[:i])))
			status, body := h.raw(tc.op, tc.body)
			denied := strings.Contains(body, "AccessDeniedException")
			if i < len(tc.want) {
				want := deniedMessage(tc.want[i])
				if status != http.StatusBadRequest || !denied || !strings.Contains(body, want) {
					t.Errorf("%s %s holding %d grants: %d %s\nwant AccessDeniedException %q", tc.op, tc.body, i, status, body, want)
				}
				continue
			}
			if denied {
				t.Errorf("%s %s holding every grant: %d %s", tc.op, tc.body, status, body)
			}
		}
	}
	h.subject.Store(rootSubject)
	covered["StartQueryExecution"] = true // TestAuthorizeStartQuery
	for op := range New(nil, nil, testAccount).Ops {
		if !covered[op] {
			t.Errorf("%s has no authorization case", op)
		}
	}
}

// TestAuthorizeStartQuery: StartQueryExecution needs athena: on the work
// group and s3:PutObject on the result object it would write; a refusal
// records no execution.
func TestAuthorizeStartQuery(t *testing.T) {
	h := newHarness(t, nil)
	const wg = "arn:aws:athena:us-east-1:" + testAccount + ":workgroup/primary"
	body := `{"QueryString":"SELECT 1","ResultConfiguration":{"OutputLocation":"s3://results/q/"}}`
	h.subject.Store(userSubject(t, allowing(nil)))
	if status, out := h.raw("StartQueryExecution", body); status != http.StatusBadRequest ||
		!strings.Contains(out, deniedMessage(grant{"athena:StartQueryExecution", wg})) {
		t.Fatalf("no grants: %d %s", status, out)
	}
	h.subject.Store(userSubject(t, allowing([]grant{{"athena:StartQueryExecution", wg}, {"s3:PutObject", "arn:aws:s3:::results/other/*"}})))
	status, out := h.raw("StartQueryExecution", body)
	if status != http.StatusBadRequest || !strings.Contains(out, "is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::results/q/") {
		t.Fatalf("no s3:PutObject on the result: %d %s", status, out)
	}
	h.subject.Store(rootSubject)
	ids, _, err := h.m.List("primary", 0, 10)
	if err != nil || len(ids) != 0 {
		t.Fatalf("refused starts recorded executions: %v %v", ids, err)
	}
	h.subject.Store(userSubject(t, allowing([]grant{{"athena:StartQueryExecution", wg}, {"s3:PutObject", "arn:aws:s3:::results/q/*"}})))
	if status, out := h.raw("StartQueryExecution", body); status != http.StatusOK {
		t.Fatalf("allowed: %d %s", status, out)
	}
}

// TestAuthorizeQueryTables: a SELECT reads only tables the caller may
// glue:GetTable, and only files it may s3:ListBucket and s3:GetObject;
// otherwise it fails PERMISSION_DENIED naming what is missing.
func TestAuthorizeQueryTables(t *testing.T) {
	h := newHarness(t, nil)
	h.numbersTable(3)
	const g = "arn:aws:glue:us-east-1:" + testAccount + ":"
	base := []grant{
		{"athena:StartQueryExecution", "arn:aws:athena:us-east-1:" + testAccount + ":workgroup/primary"},
		{"athena:GetQueryExecution", "arn:aws:athena:us-east-1:" + testAccount + ":workgroup/primary"},
		{"s3:PutObject", "arn:aws:s3:::results/*"},
		{"glue:GetTable", g + "catalog"}, {"glue:GetTable", g + "database/default"},
	}
	run := func(grants []grant) *types.QueryExecution {
		h.subject.Store(userSubject(t, allowing(grants)))
		defer h.subject.Store(rootSubject)
		id := h.start("SELECT count(*) FROM default.numbers")
		return h.poll(id)
	}
	qe := run(base)
	if qe.Status.State != types.QueryExecutionStateFailed || qe.Status.StateChangeReason == nil ||
		!strings.Contains(*qe.Status.StateChangeReason, "PERMISSION_DENIED: Insufficient permissions to execute the query. "+
			deniedMessage(grant{"glue:GetTable", g + "table/default/numbers"})) {
		t.Fatalf("without glue:GetTable on the table: %s %v", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	// The table's files need the S3 permissions Athena asks for with the
	// caller's credentials: listing the location, then reading each file.
	base = append(base, grant{"glue:GetTable", g + "table/default/numbers"})
	for _, missing := range []grant{
		{"s3:ListBucket", "arn:aws:s3:::data"},
		{"s3:GetObject", "arn:aws:s3:::data/numbers/part-0.csv"},
	} {
		qe = run(base)
		if qe.Status.State != types.QueryExecutionStateFailed ||
			!strings.Contains(aws.ToString(qe.Status.StateChangeReason), "PERMISSION_DENIED: Insufficient permissions to execute the query. "+deniedMessage(missing)) {
			t.Fatalf("without %s: %s %v", missing.action, qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
		}
		base = append(base, missing)
	}
	qe = run(base)
	if qe.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("with glue:GetTable and the S3 reads: %s %v", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
}

// TestAuthorizeQueryDDL: DDL through Athena needs the Glue action it
// performs: without glue:DeleteTable a DROP TABLE fails PERMISSION_DENIED
// and the table stays; with it, it is dropped.
func TestAuthorizeQueryDDL(t *testing.T) {
	h := newHarness(t, nil)
	h.numbersTable(1)
	const g = "arn:aws:glue:us-east-1:" + testAccount + ":"
	base := []grant{
		{"athena:StartQueryExecution", "arn:aws:athena:us-east-1:" + testAccount + ":workgroup/primary"},
		{"athena:GetQueryExecution", "arn:aws:athena:us-east-1:" + testAccount + ":workgroup/primary"},
		{"s3:PutObject", "arn:aws:s3:::results/*"},
	}
	run := func(grants []grant) *types.QueryExecution {
		h.subject.Store(userSubject(t, allowing(grants)))
		defer h.subject.Store(rootSubject)
		return h.poll(h.start("DROP TABLE numbers"))
	}
	qe := run(base)
	if qe.Status.State != types.QueryExecutionStateFailed ||
		!strings.Contains(aws.ToString(qe.Status.StateChangeReason), "PERMISSION_DENIED: Insufficient permissions to execute the query. "+
			deniedMessage(grant{"glue:DeleteTable", g + "catalog"})) {
		t.Fatalf("without glue:DeleteTable: %s %v", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if _, err := h.cat.GetTable("default", "numbers"); err != nil {
		t.Fatalf("a refused DROP TABLE dropped the table: %v", err)
	}
	qe = run(append(base, grant{"glue:DeleteTable", g + "catalog"}))
	if qe.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("with glue:DeleteTable: %s %v", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if _, err := h.cat.GetTable("default", "numbers"); err == nil {
		t.Fatal("the allowed DROP TABLE left the table")
	}
}
