package athena

// GetQueryResults: a SUCCEEDED query's rows, MaxResults (1..1,000, the
// default 1,000) per page with an opaque NextToken, typed
// ResultSetMetadata (CatalogName "hive", Name, Label, Type, Precision,
// Scale, Nullable UNKNOWN, CaseSensitive for character types) and
// UpdateCount. As in Athena, the first row of the first page of a SELECT
// is the header (the column names) and counts against MaxResults; DDL and
// utility results have no header; a NULL is a Datum without VarCharValue.
// A query still QUEUED or RUNNING is InvalidRequestException "Query has
// not yet finished. Current state: RUNNING"; a FAILED or CANCELLED one is
// InvalidRequestException with its reason.
//
// Deliberately not: QueryResultType DATA_MANIFEST (there is no manifest;
// it answers the rows as DATA_ROWS does).

import (
	"context"
	"strconv"
	"strings"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/query"
)

type getQueryResultsInput struct {
	QueryExecutionId *string `json:"QueryExecutionId,omitempty"`
	NextToken        *string `json:"NextToken,omitempty"`
	MaxResults       *int64  `json:"MaxResults,omitempty"`
	QueryResultType  *string `json:"QueryResultType,omitempty"`
}

type datum struct {
	VarCharValue *string `json:"VarCharValue,omitempty"`
}

type row struct {
	Data []datum `json:"Data"`
}

type columnInfo struct {
	CatalogName   string `json:"CatalogName"`
	SchemaName    string `json:"SchemaName"`
	TableName     string `json:"TableName"`
	Name          string `json:"Name"`
	Label         string `json:"Label"`
	Type          string `json:"Type"`
	Precision     int    `json:"Precision"`
	Scale         int    `json:"Scale"`
	Nullable      string `json:"Nullable"`
	CaseSensitive bool   `json:"CaseSensitive"`
}

type resultSetMetadata struct {
	ColumnInfo []columnInfo `json:"ColumnInfo"`
}

type resultSet struct {
	Rows              []row             `json:"Rows"`
	ResultSetMetadata resultSetMetadata `json:"ResultSetMetadata"`
}

type getQueryResultsOutput struct {
	UpdateCount int64     `json:"UpdateCount"`
	ResultSet   resultSet `json:"ResultSet"`
	NextToken   string    `json:"NextToken,omitempty"`
}

const (
	tokenResults      = "QR"
	defaultMaxResults = 1000
)

func (s *service) getQueryResults(ctx context.Context, c *protocol.Call) (any, error) {
	var in getQueryResultsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("queryExecutionId", in.QueryExecutionId, specExecutionID)
	v.str("nextToken", in.NextToken, specNextToken)
	v.intRange("maxResults", in.MaxResults, 1, 1000)
	v.enum("queryResultType", in.QueryResultType, "DATA_MANIFEST", "DATA_ROWS")
	if err := v.err(); err != nil {
		return nil, err
	}
	id := *in.QueryExecutionId
	offset := 0
	if in.NextToken != nil {
		f, err := decodeToken(*in.NextToken, tokenResults, 2)
		if err != nil {
			return nil, err
		}
		n, perr := strconv.Atoi(f[1])
		if f[0] != id || perr != nil || n <= 0 {
			return nil, invalidToken()
		}
		offset = n
	}
	limit := defaultMaxResults
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	ex, err := s.onExecution(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if ex.OutputLocation != "" {
		if err := accessDenied(auth.Check(ctx, "s3:GetObject", s3ObjectARN(ex.OutputLocation), nil)); err != nil {
			return nil, err
		}
	}
	e, rs, err := s.m.Results(ctx, id)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return resultsPage(&e, rs, offset, limit), nil
}

// resultsPage shapes rows [offset, offset+limit) of the virtual row list
// that starts with the header row when rs has one.
func resultsPage(e *execution.Execution, rs *execution.ResultSet, offset, limit int) *getQueryResultsOutput {
	header := 0
	if rs.Header {
		header = 1
	}
	total := header + len(rs.Rows)
	end := min(offset+limit, total)
	out := &getQueryResultsOutput{
		UpdateCount: e.UpdateCount,
		ResultSet: resultSet{
			Rows:              make([]row, 0, max(end-offset, 0)),
			ResultSetMetadata: resultSetMetadata{ColumnInfo: columnInfos(rs.Columns)},
		},
	}
	for i := offset; i < end; i++ {
		if i < header {
			r := row{Data: make([]datum, len(rs.Columns))}
			for j := range rs.Columns {
				r.Data[j].VarCharValue = &rs.Columns[j].Name
			}
			out.ResultSet.Rows = append(out.ResultSet.Rows, r)
			continue
		}
		src := rs.Rows[i-header]
		r := row{Data: make([]datum, len(src))}
		for j := range src {
			if !src[j].Null {
				r.Data[j].VarCharValue = &src[j].Value
			}
		}
		out.ResultSet.Rows = append(out.ResultSet.Rows, r)
	}
	if end < total {
		out.NextToken = encodeToken(tokenResults, e.ID, strconv.Itoa(end))
	}
	return out
}

func columnInfos(cols []query.Column) []columnInfo {
	out := make([]columnInfo, len(cols))
	for i, c := range cols {
		nullable := c.Nullable
		if nullable == "" {
			nullable = "UNKNOWN"
		}
		out[i] = columnInfo{
			CatalogName:   "hive",
			Name:          c.Name,
			Label:         c.Name,
			Type:          c.Type,
			Precision:     c.Precision,
			Scale:         c.Scale,
			Nullable:      nullable,
			CaseSensitive: caseSensitive(c.Type),
		}
	}
	return out
}

// caseSensitive is Athena's CaseSensitive: true for character types.
func caseSensitive(typ string) bool {
	return typ == "varchar" || typ == "char" || typ == "string" || strings.HasPrefix(typ, "varchar(") || strings.HasPrefix(typ, "char(")
}
