package glue

// GetPartition: one partition by its values. A missing one is
// EntityNotFoundException "Cannot find partition.".

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getPartitionInput struct {
	CatalogId       *string  `json:"CatalogId,omitempty"`
	DatabaseName    *string  `json:"DatabaseName,omitempty"`
	TableName       *string  `json:"TableName,omitempty"`
	PartitionValues []string `json:"PartitionValues,omitempty"`
}

type getPartitionOutput struct {
	Partition partition `json:"Partition"`
}

func (s *service) getPartition(ctx context.Context, c *protocol.Call) (any, error) {
	var in getPartitionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	if v.required("partitionValues", in.PartitionValues != nil) {
		v.values("partitionValues", in.PartitionValues)
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
	p, err := s.c.GetPartition(*in.DatabaseName, *in.TableName, in.PartitionValues)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getPartitionOutput{Partition: s.partition(&p)}, nil
}
