package glue

// BatchDeletePartition: deletes up to 25 partitions in one transaction;
// ones that do not exist are reported in Errors (EntityNotFoundException
// "Cannot find partition.") and the others are deleted.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type batchDeletePartitionInput struct {
	CatalogId          *string              `json:"CatalogId,omitempty"`
	DatabaseName       *string              `json:"DatabaseName,omitempty"`
	TableName          *string              `json:"TableName,omitempty"`
	PartitionsToDelete []partitionValueList `json:"PartitionsToDelete,omitempty"`
}

func (s *service) batchDeletePartition(ctx context.Context, c *protocol.Call) (any, error) {
	var in batchDeletePartitionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	v.valueLists("partitionsToDelete", in.PartitionsToDelete, in.PartitionsToDelete != nil, 25)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, *in.TableName); err != nil {
		return nil, err
	}
	lists := make([][]string, len(in.PartitionsToDelete))
	for i, l := range in.PartitionsToDelete {
		lists[i] = l.Values
	}
	errs, err := s.c.DeletePartitions(*in.DatabaseName, *in.TableName, lists)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &batchPartitionOutput{Errors: s.partitionErrors(c, errs, func(i int) []string { return lists[i] })}, nil
}
