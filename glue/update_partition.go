package glue

// UpdatePartition: replaces the partition PartitionValueList names with
// PartitionInput (members left out are cleared); when PartitionInput
// carries other Values the partition moves to them (AlreadyExistsException
// if they are taken). CreationTime stays.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type updatePartitionInput struct {
	CatalogId          *string         `json:"CatalogId,omitempty"`
	DatabaseName       *string         `json:"DatabaseName,omitempty"`
	TableName          *string         `json:"TableName,omitempty"`
	PartitionValueList []string        `json:"PartitionValueList,omitempty"`
	PartitionInput     *partitionInput `json:"PartitionInput,omitempty"`
}

func (s *service) updatePartition(ctx context.Context, c *protocol.Call) (any, error) {
	var in updatePartitionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	if v.required("partitionValueList", in.PartitionValueList != nil) {
		v.listLen("partitionValueList", len(in.PartitionValueList), 0, 100)
		v.values("partitionValueList", in.PartitionValueList)
	}
	v.partitionInput("partitionInput", in.PartitionInput)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, *in.TableName); err != nil {
		return nil, err
	}
	p := in.PartitionInput.toCatalog()
	if len(p.Values) == 0 {
		p.Values = nil // keep the partition's values
	}
	if err := s.c.UpdatePartition(*in.DatabaseName, *in.TableName, in.PartitionValueList, p); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
