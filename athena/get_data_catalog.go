package athena

// GetDataCatalog: AwsDataCatalog, type GLUE, with the account as its
// catalog-id; any other name is InvalidRequestException.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getDataCatalogInput struct {
	Name      *string `json:"Name,omitempty"`
	WorkGroup *string `json:"WorkGroup,omitempty"`
}

type dataCatalogOut struct {
	Name        string            `json:"Name"`
	Description string            `json:"Description,omitempty"`
	Type        string            `json:"Type"`
	Parameters  map[string]string `json:"Parameters,omitempty"`
}

type getDataCatalogOutput struct {
	DataCatalog dataCatalogOut `json:"DataCatalog"`
}

func (s *service) getDataCatalog(ctx context.Context, c *protocol.Call) (any, error) {
	var in getDataCatalogInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("name", in.Name, specCatalog)
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.dataCatalogARN(c, *in.Name)); err != nil {
		return nil, err
	}
	if err := checkCatalogName(*in.Name); err != nil {
		return nil, invalidRequest("DataCatalog %s was not found", *in.Name)
	}
	return &getDataCatalogOutput{DataCatalog: dataCatalogOut{
		Name: DataCatalog, Type: "GLUE", Description: "AWS Glue Data Catalog",
		Parameters: map[string]string{"catalog-id": s.accountID},
	}}, nil
}
