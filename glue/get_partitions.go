package glue

// GetPartitions: a table's partitions, filtered by Expression (SQL WHERE
// syntax over partition keys, compared by the keys' declared types; see
// catalog.ParseExpression), split by Segment, paged by MaxResults
// (1..1000, default 1000) and NextToken. A blank Expression selects every
// partition, as Glue does; one naming a column that is no partition key
// is InvalidInputException "Invalid partition expression!".
//
// Deliberately not: ExcludeColumnSchema (partitions carry the storage
// descriptor they were given, so there is nothing to exclude),
// TransactionId, QueryAsOfTime and AuditContext are accepted and ignored.

import (
	"context"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

type getPartitionsInput struct {
	CatalogId    *string  `json:"CatalogId,omitempty"`
	DatabaseName *string  `json:"DatabaseName,omitempty"`
	TableName    *string  `json:"TableName,omitempty"`
	Expression   *string  `json:"Expression,omitempty"`
	NextToken    *string  `json:"NextToken,omitempty"`
	Segment      *segment `json:"Segment,omitempty"`
	MaxResults   *int64   `json:"MaxResults,omitempty"`
}

type segment struct {
	SegmentNumber *int64 `json:"SegmentNumber,omitempty"`
	TotalSegments *int64 `json:"TotalSegments,omitempty"`
}

type getPartitionsOutput struct {
	Partitions []partition `json:"Partitions"`
	NextToken  string      `json:"NextToken,omitempty"`
}

func (s *service) getPartitions(ctx context.Context, c *protocol.Call) (any, error) {
	var in getPartitionsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	v.str("expression", in.Expression, specPredicate)
	if seg := in.Segment; seg != nil {
		if v.required("segment.segmentNumber", seg.SegmentNumber != nil) {
			v.intRange("segment.segmentNumber", seg.SegmentNumber, 0, -1)
		}
		if v.required("segment.totalSegments", seg.TotalSegments != nil) {
			v.intRange("segment.totalSegments", seg.TotalSegments, 1, 10)
		}
	}
	v.intRange("maxResults", in.MaxResults, 1, 1000)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, *in.TableName); err != nil {
		return nil, err
	}
	q := catalog.PartitionQuery{Expression: deref(in.Expression), Page: page(in.NextToken, in.MaxResults)}
	if seg := in.Segment; seg != nil {
		if *seg.SegmentNumber >= *seg.TotalSegments {
			return nil, invalidInput("SegmentNumber must be less than TotalSegments.")
		}
		q.Segment, q.TotalSegments = int(*seg.SegmentNumber), int(*seg.TotalSegments)
	}
	ps, next, err := s.c.GetPartitions(*in.DatabaseName, *in.TableName, q)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getPartitionsOutput{Partitions: s.partitions(ps), NextToken: next}, nil
}
