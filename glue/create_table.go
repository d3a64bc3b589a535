package glue

// CreateTable: a table (or view) with its StorageDescriptor (columns,
// location, input/output formats, SerDe, bucket and sort columns),
// partition keys, table type and parameters (classification, partition
// projection, storage.location.template…), stored lower-case in a
// database that must exist (EntityNotFoundException "Database x not
// found."). A taken name is AlreadyExistsException "Table already
// exists.".
//
// Deliberately not: PartitionIndexes, TransactionId, OpenTableFormatInput
// (Iceberg), TargetTable and ViewDefinition are accepted and ignored. A
// request without TableInput is InvalidInputException: only Iceberg
// tables may omit it in Glue, and those are not served.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type createTableInput struct {
	CatalogId    *string     `json:"CatalogId,omitempty"`
	DatabaseName *string     `json:"DatabaseName,omitempty"`
	Name         *string     `json:"Name,omitempty"`
	TableInput   *tableInput `json:"TableInput,omitempty"`
}

func (s *service) createTable(ctx context.Context, c *protocol.Call) (any, error) {
	var in createTableInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.str("name", in.Name, specName)
	if in.TableInput != nil {
		v.tableInput(tableInputPath, in.TableInput)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if in.TableInput == nil {
		return nil, invalidInput("TableInput is required.")
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, deref(in.TableInput.Name)); err != nil {
		return nil, err
	}
	if err := s.c.CreateTable(*in.DatabaseName, in.TableInput.toCatalog()); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
