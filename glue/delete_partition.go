package glue

// DeletePartition: deletes one partition by its values (the metadata
// only: the lake's objects stay, as in Glue).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type deletePartitionInput struct {
	CatalogId       *string  `json:"CatalogId,omitempty"`
	DatabaseName    *string  `json:"DatabaseName,omitempty"`
	TableName       *string  `json:"TableName,omitempty"`
	PartitionValues []string `json:"PartitionValues,omitempty"`
}

func (s *service) deletePartition(ctx context.Context, c *protocol.Call) (any, error) {
	var in deletePartitionInput
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
	if err := s.c.DeletePartition(*in.DatabaseName, *in.TableName, in.PartitionValues); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
