package glue

import (
	"net/http"
	"strings"
	"testing"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/auth/authtest"
	"github.com/caudal/caudal/catalog"
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
// resources it is authorized as: the caller first holds none of the grants
// and must be refused for the first, then for each in turn, until holding
// them all lets the call past authorization.
func TestAuthorizeMapping(t *testing.T) {
	h := newHarness(t)
	if err := h.cat.CreateDatabase(catalog.Database{Name: "db"}); err != nil {
		t.Fatal(err)
	}
	if err := h.cat.CreateTable("db", catalog.Table{Name: "t", PartitionKeys: []catalog.Column{{Name: "k", Type: "string"}}}); err != nil {
		t.Fatal(err)
	}
	const p = "arn:aws:glue:us-east-1:" + testAccount + ":"
	cat, db, tbl := p+"catalog", p+"database/db", p+"table/db/t"
	g := func(op string, resources ...string) []grant {
		var out []grant
		for _, r := range resources {
			out = append(out, grant{"glue:" + op, r})
		}
		return out
	}
	cases := []struct {
		op, body string
		want     []grant
	}{
		{"BatchCreatePartition", `{"DatabaseName":"db","TableName":"t","PartitionInputList":[{"Values":["a"]}]}`, g("BatchCreatePartition", cat, db, tbl)},
		{"BatchDeletePartition", `{"DatabaseName":"db","TableName":"t","PartitionsToDelete":[{"Values":["a"]}]}`, g("BatchDeletePartition", cat, db, tbl)},
		{"BatchDeleteTable", `{"DatabaseName":"DB","TablesToDelete":["T","u"]}`, g("BatchDeleteTable", cat, db, tbl, p+"table/db/u")},
		{"BatchGetPartition", `{"DatabaseName":"db","TableName":"t","PartitionsToGet":[{"Values":["a"]}]}`, g("BatchGetPartition", cat, db, tbl)},
		{"CreateDatabase", `{"DatabaseInput":{"Name":"New"}}`, g("CreateDatabase", cat, p+"database/new")},
		{"CreatePartition", `{"DatabaseName":"db","TableName":"t","PartitionInput":{"Values":["b"]}}`, g("CreatePartition", cat, db, tbl)},
		{"CreateTable", `{"DatabaseName":"db","TableInput":{"Name":"n"}}`, g("CreateTable", cat, db, p+"table/db/n")},
		{"DeleteDatabase", `{"Name":"other"}`, g("DeleteDatabase", cat, p+"database/other", p+"table/other/*")},
		{"DeletePartition", `{"DatabaseName":"db","TableName":"t","PartitionValues":["zz"]}`, g("DeletePartition", cat, db, tbl)},
		{"DeleteTable", `{"DatabaseName":"db","Name":"gone"}`, g("DeleteTable", cat, db, p+"table/db/gone")},
		{"GetCatalogImportStatus", `{}`, g("GetCatalogImportStatus", cat)},
		{"GetDatabase", `{"Name":"db"}`, g("GetDatabase", cat, db)},
		{"GetDatabases", `{}`, g("GetDatabases", cat, p+"database/*")},
		{"GetPartition", `{"DatabaseName":"db","TableName":"t","PartitionValues":["a"]}`, g("GetPartition", cat, db, tbl)},
		{"GetPartitions", `{"DatabaseName":"db","TableName":"t"}`, g("GetPartitions", cat, db, tbl)},
		{"GetTable", `{"DatabaseName":"db","Name":"t"}`, g("GetTable", cat, db, tbl)},
		{"GetTableVersions", `{"DatabaseName":"db","TableName":"t"}`, g("GetTableVersions", cat, db, tbl)},
		{"GetTables", `{"DatabaseName":"db"}`, g("GetTables", cat, db, p+"table/db/*")},
		{"UpdateDatabase", `{"Name":"db","DatabaseInput":{"Name":"db","Description":"d"}}`, g("UpdateDatabase", cat, db)},
		{"UpdatePartition", `{"DatabaseName":"db","TableName":"t","PartitionValueList":["a"],"PartitionInput":{"Values":["a"]}}`, g("UpdatePartition", cat, db, tbl)},
		{"UpdateTable", `{"DatabaseName":"db","TableInput":{"Name":"t","PartitionKeys":[{"Name":"k","Type":"string"}]}}`, g("UpdateTable", cat, db, tbl)},
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
	for op := range New(nil, testAccount).Ops {
		if !covered[op] {
			t.Errorf("%s has no authorization case", op)
		}
	}
}

// TestAuthorizeDeniedChangesNothing: refused writes leave the catalog as
// it was; a Deny on one table beats an Allow on glue:*.
func TestAuthorizeDeniedChangesNothing(t *testing.T) {
	h := newHarness(t)
	if err := h.cat.CreateDatabase(catalog.Database{Name: "db"}); err != nil {
		t.Fatal(err)
	}
	if err := h.cat.CreateTable("db", catalog.Table{Name: "t"}); err != nil {
		t.Fatal(err)
	}
	h.subject.Store(userSubject(t, `{"Statement":[{"Effect":"Allow","Action":"glue:*","Resource":"*"},
		{"Effect":"Deny","Action":"glue:*","Resource":"arn:aws:glue:*:*:table/db/t"},
		{"Effect":"Deny","Action":"glue:CreateDatabase","Resource":"*"}]}`))
	for _, c := range []struct{ op, body string }{
		{"DeleteTable", `{"DatabaseName":"db","Name":"t"}`},
		{"DeleteDatabase", `{"Name":"db"}`},
		{"UpdateTable", `{"DatabaseName":"db","TableInput":{"Name":"t","Description":"changed"}}`},
		{"CreateDatabase", `{"DatabaseInput":{"Name":"x"}}`},
	} {
		status, body := h.raw(c.op, c.body)
		if status != http.StatusBadRequest || !strings.Contains(body, "AccessDeniedException") ||
			!strings.Contains(body, "explicit deny") {
			t.Errorf("%s: %d %s", c.op, status, body)
		}
	}
	tb, err := h.cat.GetTable("db", "t")
	if err != nil || tb.Description != "" {
		t.Errorf("table after refused calls: %+v %v", tb, err)
	}
	if _, err := h.cat.GetDatabase("x"); err == nil {
		t.Error("a refused CreateDatabase created the database")
	}
	// Other tables of the database are still the user's.
	if status, body := h.raw("CreateTable", `{"DatabaseName":"db","TableInput":{"Name":"u"}}`); status != http.StatusOK {
		t.Errorf("CreateTable u: %d %s", status, body)
	}
}
