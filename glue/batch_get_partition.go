package glue

// BatchGetPartition: up to 1,000 partitions by their values, read from one
// snapshot. Partitions that do not exist are left out of Partitions, as
// Glue leaves them out; UnprocessedKeys is always empty (nothing is
// throttled).
//
// Deliberately not: AuditContext and QuerySessionContext are accepted and
// ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type batchGetPartitionInput struct {
	CatalogId       *string              `json:"CatalogId,omitempty"`
	DatabaseName    *string              `json:"DatabaseName,omitempty"`
	TableName       *string              `json:"TableName,omitempty"`
	PartitionsToGet []partitionValueList `json:"PartitionsToGet,omitempty"`
}

type batchGetPartitionOutput struct {
	Partitions      []partition          `json:"Partitions"`
	UnprocessedKeys []partitionValueList `json:"UnprocessedKeys"`
}

func (s *service) batchGetPartition(ctx context.Context, c *protocol.Call) (any, error) {
	var in batchGetPartitionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	v.valueLists("partitionsToGet", in.PartitionsToGet, in.PartitionsToGet != nil, 1000)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, *in.TableName); err != nil {
		return nil, err
	}
	lists := make([][]string, len(in.PartitionsToGet))
	for i, l := range in.PartitionsToGet {
		lists[i] = l.Values
	}
	ps, err := s.c.BatchGetPartitions(*in.DatabaseName, *in.TableName, lists)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &batchGetPartitionOutput{Partitions: s.partitions(ps), UnprocessedKeys: []partitionValueList{}}, nil
}
