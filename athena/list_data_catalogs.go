package athena

// ListDataCatalogs: the one catalog, AwsDataCatalog (type GLUE), the
// account's Glue catalog.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type listDataCatalogsInput struct {
	NextToken  *string `json:"NextToken,omitempty"`
	MaxResults *int64  `json:"MaxResults,omitempty"`
	WorkGroup  *string `json:"WorkGroup,omitempty"`
}

type dataCatalogSummary struct {
	CatalogName string `json:"CatalogName"`
	Type        string `json:"Type"`
	Status      string `json:"Status,omitempty"`
}

type listDataCatalogsOutput struct {
	DataCatalogsSummary []dataCatalogSummary `json:"DataCatalogsSummary"`
}

func (s *service) listDataCatalogs(ctx context.Context, c *protocol.Call) (any, error) {
	var in listDataCatalogsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("nextToken", in.NextToken, specNextToken)
	v.intRange("maxResults", in.MaxResults, 2, 50)
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	if in.NextToken != nil {
		return nil, invalidToken()
	}
	return &listDataCatalogsOutput{DataCatalogsSummary: []dataCatalogSummary{{CatalogName: DataCatalog, Type: "GLUE"}}}, nil
}
