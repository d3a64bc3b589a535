package glue

// BatchDeleteTable: deletes up to 100 tables (and their partitions) of one
// database; a table that does not exist is reported in Errors
// (EntityNotFoundException "Table x not found.") and the others are
// deleted. A missing database fails the whole call.
//
// Deliberately not: TransactionId is accepted and ignored. Each table is
// deleted in its own transaction, so a crash part-way leaves the tables
// before it deleted, as a series of DeleteTable calls would.

import (
	"context"
	"strconv"

	"github.com/caudal/caudal/protocol"
)

type batchDeleteTableInput struct {
	CatalogId      *string  `json:"CatalogId,omitempty"`
	DatabaseName   *string  `json:"DatabaseName,omitempty"`
	TablesToDelete []string `json:"TablesToDelete,omitempty"`
}

type batchDeleteTableOutput struct {
	Errors []tableError `json:"Errors"`
}

type tableError struct {
	TableName   string       `json:"TableName"`
	ErrorDetail *errorDetail `json:"ErrorDetail"`
}

func (s *service) batchDeleteTable(ctx context.Context, c *protocol.Call) (any, error) {
	var in batchDeleteTableInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	if v.required("tablesToDelete", in.TablesToDelete != nil) {
		v.listLen("tablesToDelete", len(in.TablesToDelete), 0, 100)
		for i, n := range in.TablesToDelete {
			v.strVal("tablesToDelete."+strconv.Itoa(i+1)+".member", n, specName)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	a := s.arns(c)
	resources := []string{a.catalog(), a.database(*in.DatabaseName)}
	for _, t := range in.TablesToDelete {
		resources = append(resources, a.table(*in.DatabaseName, t))
	}
	if err := s.authorize(ctx, c, resources...); err != nil {
		return nil, err
	}
	if _, err := s.c.GetDatabase(*in.DatabaseName); err != nil {
		return nil, s.wireError(c, err)
	}
	out := &batchDeleteTableOutput{Errors: []tableError{}}
	for _, name := range in.TablesToDelete {
		if err := s.c.DeleteTable(*in.DatabaseName, name); err != nil {
			out.Errors = append(out.Errors, tableError{TableName: name, ErrorDetail: s.errorDetail(c, err)})
		}
	}
	return out, nil
}
