package glue

// UpdateTable: replaces a table's definition (TableInput.Name names the
// table; members left out are cleared, as Glue replaces the whole
// definition). CreateTime stays, UpdateTime moves, VersionId counts up.
//
// Deliberately not: SkipArchive (no versions are archived; see
// get_table_versions.go), TransactionId, VersionId (no optimistic
// concurrency check), ViewUpdateAction, Force and
// UpdateOpenTableFormatInput are accepted and ignored. Renaming is not
// possible: the table to update is the one TableInput names.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type updateTableInput struct {
	CatalogId    *string     `json:"CatalogId,omitempty"`
	DatabaseName *string     `json:"DatabaseName,omitempty"`
	Name         *string     `json:"Name,omitempty"`
	TableInput   *tableInput `json:"TableInput,omitempty"`
}

func (s *service) updateTable(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateTableInput
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
	if err := s.c.UpdateTable(*in.DatabaseName, in.TableInput.toCatalog()); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
