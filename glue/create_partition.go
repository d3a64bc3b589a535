package glue

// CreatePartition: one partition of a table, its Values in the order of
// the table's partition keys. A values list of the wrong length is
// InvalidInputException, a taken one AlreadyExistsException "Partition
// already exists.", a missing table EntityNotFoundException.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type createPartitionInput struct {
	CatalogId      *string         `json:"CatalogId,omitempty"`
	DatabaseName   *string         `json:"DatabaseName,omitempty"`
	TableName      *string         `json:"TableName,omitempty"`
	PartitionInput *partitionInput `json:"PartitionInput,omitempty"`
}

func (s *service) createPartition(ctx context.Context, c *protocol.Call) (any, error) {
	var in createPartitionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
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
	if err := s.c.CreatePartition(*in.DatabaseName, *in.TableName, in.PartitionInput.toCatalog()); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
