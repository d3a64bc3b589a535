// Package audit owns caudal's audit trail: one CloudTrail-shaped record per
// API call (who, what, on which resource, from where, with what result),
// appended as JSON lines into the lake where SQL can query it. The trail is
// written only by the server, never through the public APIs.
//
// This file is the contract the wire skins and the authorizer share: the
// server puts an *Event into each request's context (WithEvent), the skins
// and auth.Check fill in what only they know (the operation, the resources,
// the error), and the server hands the finished event to the trail.
package audit

import (
	"context"
	"sync"
	"time"
)

// Event is one API call, with CloudTrail's field names ("CloudTrail record
// contents" in the CloudTrail user guide). Fields CloudTrail has and caudal
// does not fill are left out rather than faked.
type Event struct {
	EventVersion       string       `json:"eventVersion"` // "1.08"
	UserIdentity       UserIdentity `json:"userIdentity"`
	EventTime          time.Time    `json:"eventTime"`   // UTC, RFC 3339 with seconds ("2026-11-26T03:50:00Z")
	EventSource        string       `json:"eventSource"` // "kinesis.amazonaws.com"
	EventName          string       `json:"eventName"`   // the operation: "PutRecord"
	AWSRegion          string       `json:"awsRegion"`
	SourceIPAddress    string       `json:"sourceIPAddress"`
	UserAgent          string       `json:"userAgent,omitempty"`
	ErrorCode          string       `json:"errorCode,omitempty"` // the AWS error code the caller got
	ErrorMessage       string       `json:"errorMessage,omitempty"`
	RequestID          string       `json:"requestID"`
	EventID            string       `json:"eventID"` // a UUID
	ReadOnly           bool         `json:"readOnly"`
	Resources          []Resource   `json:"resources,omitempty"`
	EventType          string       `json:"eventType"` // "AwsApiCall"
	ManagementEvent    bool         `json:"managementEvent"`
	RecipientAccountID string       `json:"recipientAccountId"`
	EventCategory      string       `json:"eventCategory"` // "Management" or "Data"
	TLSDetails         *TLSDetails  `json:"tlsDetails,omitempty"`
	HTTPStatus         int          `json:"httpStatus,omitempty"` // caudal's addition: the answer's status code

	mu sync.Mutex // guards Resources and the error fields while handlers run
}

// UserIdentity is CloudTrail's userIdentity element.
type UserIdentity struct {
	Type        string `json:"type"` // "Root", "IAMUser", or "Unknown" (no valid signature)
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// Resource is one element of CloudTrail's resources list.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"` // "AWS::Kinesis::Stream", "AWS::S3::Object", …
}

// TLSDetails is CloudTrail's tlsDetails element.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// AddResource records that the call acted on arn (once per ARN).
func (e *Event) AddResource(arn string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.Resources {
		if r.ARN == arn {
			return
		}
	}
	e.Resources = append(e.Resources, Resource{ARN: arn})
}

// SetError records the AWS error code and message the caller was answered.
func (e *Event) SetError(code, message string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ErrorCode, e.ErrorMessage = code, message
}

// SetOperation records the service and operation of the call, e.g.
// ("kinesis.amazonaws.com", "PutRecord").
func (e *Event) SetOperation(source, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.EventSource, e.EventName = source, name
}

// SetCaller records who signed the call and the region of its credential
// scope; authentication calls it once the signature verified.
func (e *Event) SetCaller(id UserIdentity, region string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.UserIdentity, e.AWSRegion = id, region
}

type eventKey struct{}

// WithEvent returns ctx carrying e.
func WithEvent(ctx context.Context, e *Event) context.Context {
	return context.WithValue(ctx, eventKey{}, e)
}

// EventFrom returns the event stored by WithEvent.
func EventFrom(ctx context.Context) (*Event, bool) {
	e, ok := ctx.Value(eventKey{}).(*Event)
	return e, ok && e != nil
}
