// Package athena is the Amazon Athena wire skin: the query-execution,
// work-group and catalog-metadata subset of the Athena 2017-05-18 API
// (botocore's athena/service-2.json), AWS JSON 1.1 with X-Amz-Target
// "AmazonAthena.<Operation>" and SigV4 signing name "athena". It checks
// each request against the model's constraints with Athena's error codes
// and wording, translates it to calls on the execution engine (package
// execution: queries, results, work groups) and the catalog (package
// catalog: databases and tables), and shapes their answers as Athena
// does. It owns no data.
//
// Served: StartQueryExecution, GetQueryExecution, GetQueryResults,
// StopQueryExecution, ListQueryExecutions, BatchGetQueryExecution,
// CreateWorkGroup, GetWorkGroup, ListWorkGroups, UpdateWorkGroup,
// DeleteWorkGroup, ListDataCatalogs, GetDataCatalog, ListDatabases,
// GetDatabase, ListTableMetadata, GetTableMetadata. Every other Athena
// operation (named queries, prepared statements, Spark sessions, capacity
// reservations, tags) answers UnknownOperationException.
//
// Athena's quirks kept on purpose: the first row of the first page of a
// SELECT's results is the header (column names), DDL and utility results
// have none; a NULL value is a Datum without VarCharValue; model
// constraint violations are InvalidRequestException with the Coral "1
// validation error detected" wording; refusals carry AthenaErrorCode.
//
// One file per action (start_query_execution.go, get_query_results.go,
// …); the error mapping lives in errors.go, the constraint checks in
// validate.go, shapes shared by several actions in shapes.go.
package athena

import (
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

// TargetPrefix is the X-Amz-Target prefix of Amazon Athena.
const TargetPrefix = "AmazonAthena"

// SigningName is Athena's SigV4 service name (the credential scope's
// service).
const SigningName = "athena"

// maxBodyBytes bounds an Athena request body: a query string is at most
// 262,144 characters (up to 1 MiB of UTF-8, more once JSON-escaped).
const maxBodyBytes = 8 << 20

// DataCatalog is the one data catalog: the Glue catalog of the account.
const DataCatalog = "AwsDataCatalog"

// service holds what every handler needs. Handlers are methods so that the
// operation table in New is the one list of what is served.
type service struct {
	m         *execution.Manager
	cat       *catalog.Catalog // nil: the metadata operations answer as for an empty catalog
	accountID string
}

// New returns the Athena service over the execution manager m and the
// catalog cat; accountID names the catalog in GetDataCatalog.
func New(m *execution.Manager, cat *catalog.Catalog, accountID string) *protocol.Service {
	if accountID == "" {
		accountID = "000000000000"
	}
	s := &service{m: m, cat: cat, accountID: accountID}
	return &protocol.Service{
		TargetPrefix: TargetPrefix,
		MaxBodyBytes: maxBodyBytes,
		Ops: map[string]protocol.Handler{
			"BatchGetQueryExecution": s.batchGetQueryExecution,
			"CreateWorkGroup":        s.createWorkGroup,
			"DeleteWorkGroup":        s.deleteWorkGroup,
			"GetDataCatalog":         s.getDataCatalog,
			"GetDatabase":            s.getDatabase,
			"GetQueryExecution":      s.getQueryExecution,
			"GetQueryResults":        s.getQueryResults,
			"GetTableMetadata":       s.getTableMetadata,
			"GetWorkGroup":           s.getWorkGroup,
			"ListDataCatalogs":       s.listDataCatalogs,
			"ListDatabases":          s.listDatabases,
			"ListQueryExecutions":    s.listQueryExecutions,
			"ListTableMetadata":      s.listTableMetadata,
			"ListWorkGroups":         s.listWorkGroups,
			"StartQueryExecution":    s.startQueryExecution,
			"StopQueryExecution":     s.stopQueryExecution,
			"UpdateWorkGroup":        s.updateWorkGroup,
		},
	}
}

// empty is the answer of operations whose output has no members; it
// encodes as {} as Athena answers them.
type empty struct{}
