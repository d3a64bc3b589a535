package audit

import (
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"time"
)

// Values of fixed CloudTrail fields.
const (
	EventVersion    = "1.08"
	EventTypeAPI    = "AwsApiCall"
	IdentityUnknown = "Unknown" // no valid signature named the caller
)

// NewEvent starts the event of a call that arrived at now: the fields
// known before routing. The caller fills in where it came from.
func NewEvent(now time.Time, account string) *Event {
	return &Event{
		EventVersion:       EventVersion,
		EventTime:          now.UTC().Truncate(time.Second),
		EventID:            newUUID(),
		EventType:          EventTypeAPI,
		RecipientAccountID: account,
	}
}

// Finish records the answer (HTTP status and request id) and derives the
// fields that follow from the operation: readOnly, eventCategory,
// managementEvent, and userIdentity "Unknown" when authentication never
// named the caller. errorCode is the fallback code when no skin recorded
// one (a front-end refusal that only set a header).
func (e *Event) Finish(status int, requestID, errorCode string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.HTTPStatus = status
	if e.RequestID == "" {
		e.RequestID = requestID
	}
	if e.ErrorCode == "" && status >= 400 {
		e.ErrorCode = errorCode
	}
	if e.UserIdentity.Type == "" {
		e.UserIdentity.Type = IdentityUnknown
	}
	e.ReadOnly = e.EventName != "" && ReadOnly(e.EventName)
	e.EventCategory = Category(e.EventSource, e.EventName)
	e.ManagementEvent = e.EventCategory == CategoryManagement
}

// appendJSON appends the event as one JSON line (no trailing newline).
func (e *Event) appendJSON(b []byte) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	line, err := json.Marshal(e)
	if err != nil {
		return b, err
	}
	return append(b, line...), nil
}

// newUUID returns a random (version 4) UUID in lower-case hex.
func newUUID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// DefaultOperation sets the source and name when no skin set them: a
// call refused before its service named it still says what it was for.
func (e *Event) DefaultOperation(source, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.EventSource == "" {
		e.EventSource = source
	}
	if e.EventName == "" {
		e.EventName = name
	}
}
