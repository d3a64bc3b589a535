package glue

// GetTableVersions: the table's current definition as its one version
// (VersionId as GetTable reports it).
//
// Deliberately not: earlier versions. The catalog keeps only the current
// definition (UpdateTable replaces it), so the list has one entry.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getTableVersionsInput struct {
	CatalogId    *string `json:"CatalogId,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	TableName    *string `json:"TableName,omitempty"`
	NextToken    *string `json:"NextToken,omitempty"`
	MaxResults   *int64  `json:"MaxResults,omitempty"`
}

type getTableVersionsOutput struct {
	TableVersions []tableVersion `json:"TableVersions"`
}

type tableVersion struct {
	Table     table  `json:"Table"`
	VersionId string `json:"VersionId"`
}

func (s *service) getTableVersions(ctx context.Context, c *protocol.Call) (any, error) {
	var in getTableVersionsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	v.intRange("maxResults", in.MaxResults, 1, 100)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, *in.TableName); err != nil {
		return nil, err
	}
	t, err := s.c.GetTable(*in.DatabaseName, *in.TableName)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := &getTableVersionsOutput{TableVersions: []tableVersion{}}
	if in.NextToken == nil {
		out.TableVersions = append(out.TableVersions, tableVersion{Table: s.table(&t), VersionId: t.VersionID})
	}
	return out, nil
}
