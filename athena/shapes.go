package athena

import (
	"strings"
	"time"

	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

// Output shapes shared by several actions, with the model's member names.
// Optional members are omitted when absent, as Athena omits them.

// Engine versions as Athena reports them: work groups select AUTO, which
// is engine version 3 (Trino), the dialect the SQL engine speaks.
const (
	selectedEngineVersion  = "AUTO"
	effectiveEngineVersion = "Athena engine version 3"
)

type engineVersion struct {
	SelectedEngineVersion  string `json:"SelectedEngineVersion,omitempty"`
	EffectiveEngineVersion string `json:"EffectiveEngineVersion,omitempty"`
}

type resultConfiguration struct {
	OutputLocation *string `json:"OutputLocation,omitempty"`
}

type queryExecutionContext struct {
	Database *string `json:"Database,omitempty"`
	Catalog  *string `json:"Catalog,omitempty"`
}

type athenaError struct {
	ErrorCategory int    `json:"ErrorCategory"`
	ErrorType     int    `json:"ErrorType"`
	Retryable     bool   `json:"Retryable"`
	ErrorMessage  string `json:"ErrorMessage,omitempty"`
}

type queryExecutionStatus struct {
	State              string              `json:"State"`
	StateChangeReason  string              `json:"StateChangeReason,omitempty"`
	SubmissionDateTime *protocol.Timestamp `json:"SubmissionDateTime,omitempty"`
	CompletionDateTime *protocol.Timestamp `json:"CompletionDateTime,omitempty"`
	AthenaError        *athenaError        `json:"AthenaError,omitempty"`
}

type resultReuseInformation struct {
	ReusedPreviousResult bool `json:"ReusedPreviousResult"`
}

type queryExecutionStatistics struct {
	EngineExecutionTimeInMillis      int64                   `json:"EngineExecutionTimeInMillis"`
	DataScannedInBytes               int64                   `json:"DataScannedInBytes"`
	TotalExecutionTimeInMillis       int64                   `json:"TotalExecutionTimeInMillis"`
	QueryQueueTimeInMillis           int64                   `json:"QueryQueueTimeInMillis"`
	ServicePreProcessingTimeInMillis int64                   `json:"ServicePreProcessingTimeInMillis"`
	QueryPlanningTimeInMillis        int64                   `json:"QueryPlanningTimeInMillis"`
	ServiceProcessingTimeInMillis    int64                   `json:"ServiceProcessingTimeInMillis"`
	ResultReuseInformation           *resultReuseInformation `json:"ResultReuseInformation,omitempty"`
}

type resultReuseByAge struct {
	Enabled bool `json:"Enabled"`
}

type resultReuseConfiguration struct {
	ResultReuseByAgeConfiguration resultReuseByAge `json:"ResultReuseByAgeConfiguration"`
}

type queryExecutionOut struct {
	QueryExecutionId         string                    `json:"QueryExecutionId"`
	Query                    string                    `json:"Query"`
	StatementType            string                    `json:"StatementType,omitempty"`
	ResultConfiguration      resultConfiguration       `json:"ResultConfiguration"`
	ResultReuseConfiguration resultReuseConfiguration  `json:"ResultReuseConfiguration"`
	QueryExecutionContext    queryExecutionContext     `json:"QueryExecutionContext"`
	Status                   queryExecutionStatus      `json:"Status"`
	Statistics               *queryExecutionStatistics `json:"Statistics,omitempty"`
	WorkGroup                string                    `json:"WorkGroup"`
	EngineVersion            engineVersion             `json:"EngineVersion"`
	SubstatementType         string                    `json:"SubstatementType,omitempty"`
}

func ts(t time.Time) *protocol.Timestamp {
	if t.IsZero() {
		return nil
	}
	p := protocol.Timestamp(t)
	return &p
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toQueryExecution shapes e as Athena's QueryExecution.
func toQueryExecution(e *execution.Execution) queryExecutionOut {
	out := queryExecutionOut{
		QueryExecutionId:      e.ID,
		Query:                 e.Query,
		StatementType:         e.StatementType,
		ResultConfiguration:   resultConfiguration{OutputLocation: strPtr(e.OutputLocation)},
		QueryExecutionContext: queryExecutionContext{Database: strPtr(e.Database), Catalog: strPtr(e.Catalog)},
		Status: queryExecutionStatus{
			State:              string(e.State),
			StateChangeReason:  e.StateChangeReason,
			SubmissionDateTime: ts(e.Submitted),
			CompletionDateTime: ts(e.Completed),
		},
		WorkGroup:        e.WorkGroup,
		EngineVersion:    engineVersion{SelectedEngineVersion: selectedEngineVersion, EffectiveEngineVersion: effectiveEngineVersion},
		SubstatementType: substatementType(e.Query),
	}
	if out.QueryExecutionContext.Catalog == nil {
		cat := strings.ToLower(DataCatalog)
		out.QueryExecutionContext.Catalog = &cat
	}
	if ae := e.Error; ae != nil {
		out.Status.AthenaError = &athenaError{ErrorCategory: ae.Category, ErrorType: ae.Type, Retryable: ae.Retryable, ErrorMessage: ae.Message}
	}
	st := e.Stats
	out.Statistics = &queryExecutionStatistics{
		EngineExecutionTimeInMillis:   st.EngineExecutionMillis,
		DataScannedInBytes:            st.DataScannedBytes,
		TotalExecutionTimeInMillis:    st.TotalExecutionMillis,
		QueryQueueTimeInMillis:        st.QueueMillis,
		QueryPlanningTimeInMillis:     st.PlanningMillis,
		ServiceProcessingTimeInMillis: st.ServiceProcessingMillis,
		ResultReuseInformation:        &resultReuseInformation{},
	}
	return out
}

// substatementType is Athena's finer statement kind: the statement's
// leading keywords, upper-case and joined by "_" ("SELECT",
// "CREATE_TABLE", "SHOW_TABLES").
func substatementType(sql string) string {
	var words []string
	rest := sql
	for len(words) < 3 {
		rest = strings.TrimLeft(rest, " \t\r\n(")
		end := strings.IndexFunc(rest, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		})
		if end < 0 {
			end = len(rest)
		}
		if end == 0 {
			break
		}
		words = append(words, strings.ToUpper(rest[:end]))
		rest = rest[end:]
	}
	if len(words) == 0 {
		return ""
	}
	switch words[0] {
	case "SELECT", "WITH", "VALUES", "INSERT", "MSCK", "DESCRIBE", "EXPLAIN":
		return words[0]
	case "CREATE", "DROP", "ALTER", "SHOW":
		if len(words) > 1 {
			if words[1] == "EXTERNAL" && len(words) > 2 {
				return words[0] + "_" + words[2]
			}
			return words[0] + "_" + words[1]
		}
	}
	return words[0]
}
