// Package glue is the AWS Glue Data Catalog wire skin: the catalog subset
// of the Glue 2017-03-31 API (botocore's glue/service-2.json), AWS JSON
// 1.1 with X-Amz-Target "AWSGlue.<Operation>" and SigV4 signing name
// "glue". It checks each request against the model's constraints with
// AWS's error codes and wording, translates it to calls on the catalog
// engine and shapes the engine's answers and errors as Glue does. It owns
// no data; durable state lives in package catalog.
//
// Served: databases (CreateDatabase, GetDatabase, GetDatabases,
// UpdateDatabase, DeleteDatabase), tables (CreateTable, GetTable,
// GetTables, UpdateTable, DeleteTable, BatchDeleteTable, GetTableVersions
// with the current version only), partitions (CreatePartition,
// BatchCreatePartition, GetPartition, GetPartitions, BatchGetPartition,
// UpdatePartition, DeletePartition, BatchDeletePartition) and
// GetCatalogImportStatus. Every other Glue operation answers
// UnknownOperationException.
//
// Deliberately not: Lake Formation (permissions, transactions,
// QueryAsOfTime, governed-table semantics), federated and resource-link
// databases and tables (TargetDatabase, TargetTable, FederatedDatabase),
// Iceberg (OpenTableFormatInput), multi-dialect views (ViewDefinition),
// partition indexes, column statistics, schema registry references and
// tags: those members are accepted and ignored. CatalogId, when given,
// must be the account's own (there is one catalog).
//
// One file per action (create_table.go, get_partitions.go, …); the error
// mapping lives in errors.go, the constraint checks in validate.go, the
// shapes shared by several actions in shapes.go.
package glue

import (
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

// TargetPrefix is the X-Amz-Target prefix of AWS Glue.
const TargetPrefix = "AWSGlue"

// SigningName is Glue's SigV4 service name (the credential scope's
// service).
const SigningName = "glue"

// maxBodyBytes bounds a Glue request body. The model allows large
// members (views of 400 KB, parameters of 500 KB each, batches of 100
// partitions); 16 MiB admits any realistic batch and still bounds memory.
const maxBodyBytes = 16 << 20

// service holds what every handler needs. Handlers are methods so that the
// operation table in New is the one list of what is served.
type service struct {
	c         *catalog.Catalog
	accountID string
}

// New returns the Glue service over catalog c; accountID is the CatalogId
// answers carry and requests may name.
func New(c *catalog.Catalog, accountID string) *protocol.Service {
	if accountID == "" {
		accountID = "000000000000"
	}
	s := &service{c: c, accountID: accountID}
	return &protocol.Service{
		TargetPrefix: TargetPrefix,
		MaxBodyBytes: maxBodyBytes,
		Ops: map[string]protocol.Handler{
			"BatchCreatePartition":   s.batchCreatePartition,
			"BatchDeletePartition":   s.batchDeletePartition,
			"BatchDeleteTable":       s.batchDeleteTable,
			"BatchGetPartition":      s.batchGetPartition,
			"CreateDatabase":         s.createDatabase,
			"CreatePartition":        s.createPartition,
			"CreateTable":            s.createTable,
			"DeleteDatabase":         s.deleteDatabase,
			"DeletePartition":        s.deletePartition,
			"DeleteTable":            s.deleteTable,
			"GetCatalogImportStatus": s.getCatalogImportStatus,
			"GetDatabase":            s.getDatabase,
			"GetDatabases":           s.getDatabases,
			"GetPartition":           s.getPartition,
			"GetPartitions":          s.getPartitions,
			"GetTable":               s.getTable,
			"GetTableVersions":       s.getTableVersions,
			"GetTables":              s.getTables,
			"UpdateDatabase":         s.updateDatabase,
			"UpdatePartition":        s.updatePartition,
			"UpdateTable":            s.updateTable,
		},
	}
}

// empty is the answer of operations whose output has no members; it
// encodes as {} as Glue answers them.
type empty struct{}
