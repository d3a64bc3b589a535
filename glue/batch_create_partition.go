package glue

// BatchCreatePartition: up to 100 partitions in one transaction. Entries
// that cannot be created (already there, values that do not fit the keys)
// are reported in Errors with their values; the others are created. A
// missing table fails the whole call with nothing created.

import (
	"context"
	"strconv"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

type batchCreatePartitionInput struct {
	CatalogId          *string          `json:"CatalogId,omitempty"`
	DatabaseName       *string          `json:"DatabaseName,omitempty"`
	TableName          *string          `json:"TableName,omitempty"`
	PartitionInputList []partitionInput `json:"PartitionInputList,omitempty"`
}

type batchPartitionOutput struct {
	Errors []partitionError `json:"Errors"`
}

func (s *service) batchCreatePartition(ctx context.Context, c *protocol.Call) (any, error) {
	var in batchCreatePartitionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	if v.required("partitionInputList", in.PartitionInputList != nil) {
		v.listLen("partitionInputList", len(in.PartitionInputList), 0, 100)
		for i := range in.PartitionInputList {
			v.partitionInput("partitionInputList."+strconv.Itoa(i+1)+".member", &in.PartitionInputList[i])
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, *in.TableName); err != nil {
		return nil, err
	}
	parts := make([]catalog.Partition, len(in.PartitionInputList))
	for i := range in.PartitionInputList {
		parts[i] = in.PartitionInputList[i].toCatalog()
	}
	errs, err := s.c.CreatePartitions(*in.DatabaseName, *in.TableName, parts)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &batchPartitionOutput{Errors: s.partitionErrors(c, errs, func(i int) []string { return parts[i].Values })}, nil
}

// partitionErrors lists the failed entries of a batch.
func (s *service) partitionErrors(c *protocol.Call, errs []error, values func(i int) []string) []partitionError {
	out := []partitionError{}
	for i, err := range errs {
		if err != nil {
			vals := values(i)
			if vals == nil {
				vals = []string{}
			}
			out = append(out, partitionError{PartitionValues: vals, ErrorDetail: s.errorDetail(c, err)})
		}
	}
	return out
}
