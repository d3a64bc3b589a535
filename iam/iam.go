// Package iam is the IAM wire skin: the awsquery protocol (form-encoded
// POST or GET, Action=…&Version=2010-05-08, XML answers) over the identity
// store of package auth. It serves users, access keys and inline user
// policies: CreateUser, GetUser, DeleteUser, ListUsers, CreateAccessKey,
// ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed,
// PutUserPolicy, GetUserPolicy, DeleteUserPolicy and ListUserPolicies, one
// file per action.
//
// A request's way through (ServeHTTP): the body is read (bounded by
// maxBody) and parsed as a form; its SigV4 signature (credential scope
// service "iam", any region: IAM is global and signed for us-east-1) is
// verified against the store's active keys; the signer's principal goes
// into the context (auth.WithSubject) and the audit event; the action
// validates its parameters as IAM's model constrains them (ValidationError
// with AWS's wording) and asks auth.Check for "iam:<Action>" on the target
// user's ARN before touching the store. Errors become IAM's
// <ErrorResponse> in one place (errors.go).
//
// Deliberately not served: groups, roles, managed policies, login
// profiles, MFA, tags and permissions boundaries (CreateUser refuses
// PermissionsBoundary and Tags rather than dropping them), and access keys
// for the root user (its key lives in credentials.json or the environment).
package iam

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/sigv4"
)

// Namespace is the XML namespace of IAM's answers.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// APIVersion is the only Version served.
const APIVersion = "2010-05-08"

// SigningName is IAM's SigV4 service name; the router sends requests whose
// credential scope names it here.
const SigningName = "iam"

// maxBody bounds a request body: a PolicyDocument is at most 131,072
// characters, three bytes each once percent-encoded, plus the rest.
const maxBody = 512 << 10

// Config configures a Handler.
type Config struct {
	Store *auth.Store
	Now   func() time.Time // default time.Now
	Log   io.Writer        // default io.Discard; internal errors are logged here
}

// Handler serves the IAM API. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
	// asPrincipal, when set (tests), replaces signature verification.
	asPrincipal *auth.Principal
}

// New returns a Handler over cfg.Store.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	return &Handler{cfg: cfg, verifier: &sigv4.Verifier{
		Secret: cfg.Store.Secret, Now: cfg.Now, MaxSkew: 15 * time.Minute, Service: SigningName,
	}}
}

// call is one authenticated IAM request as the actions see it.
type call struct {
	ctx    context.Context
	action string
	form   url.Values
	caller *auth.Principal
	v      protocol.Violations
}

// action runs one IAM operation; it returns the Result element's content
// (nil for operations without one).
type action func(h *Handler, c *call) (any, error)

var actions = map[string]action{
	"CreateUser":           createUser,
	"GetUser":              getUser,
	"DeleteUser":           deleteUser,
	"ListUsers":            listUsers,
	"CreateAccessKey":      createAccessKey,
	"ListAccessKeys":       listAccessKeys,
	"UpdateAccessKey":      updateAccessKey,
	"DeleteAccessKey":      deleteAccessKey,
	"GetAccessKeyLastUsed": getAccessKeyLastUsed,
	"PutUserPolicy":        putUserPolicy,
	"GetUserPolicy":        getUserPolicy,
	"DeleteUserPolicy":     deleteUserPolicy,
	"ListUserPolicies":     listUserPolicies,
}

// ServeHTTP answers one IAM request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := protocol.NewRequestID()
	w.Header().Set("X-Amzn-Requestid", id)
	act, result, err := h.serve(r)
	if err != nil {
		h.writeError(w, r, id, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<" + act + `Response xmlns="` + Namespace + `">`)
	if result != nil {
		enc := xml.NewEncoder(&buf)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: act + "Result"}}); err != nil {
			h.writeError(w, r, id, fmt.Errorf("encode %s answer: %w", act, err))
			return
		}
	}
	buf.WriteString("<ResponseMetadata><RequestId>" + id + "</RequestId></ResponseMetadata></" + act + "Response>")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

func (h *Handler) serve(r *http.Request) (string, any, error) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return "", nil, &Error{Code: "InvalidHttpRequest", Status: http.StatusMethodNotAllowed,
			Message: "IAM accepts POST (form-encoded) and GET requests only."}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return "", nil, &Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "The request body could not be read."}
	}
	if len(body) > maxBody {
		return "", nil, &Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("Request body must be at most %d bytes.", maxBody)}
	}
	form, err := parseForm(r.Method, r.Header.Get("Content-Type"), r.URL.RawQuery, body)
	if err != nil {
		return "", nil, err
	}
	// Named before authentication so the audit trail says what a refused
	// call asked for.
	name := form.Get("Action")
	if ev, ok := audit.EventFrom(r.Context()); ok && name != "" {
		ev.SetOperation("iam.amazonaws.com", name)
	}
	p, region, err := h.authenticate(r, body)
	if err != nil {
		return "", nil, err
	}
	now := h.cfg.Now()
	ctx := auth.WithSubject(r.Context(), auth.NewSubject(r, p, now))
	auth.RecordCaller(ctx, p, region)
	h.cfg.Store.NoteUse(p.AccessKeyID, SigningName, region, now)

	switch {
	case name == "":
		return "", nil, &Error{Code: "MissingAction", Status: http.StatusBadRequest, Message: "Missing Action"}
	case form.Has("Version") && form.Get("Version") != APIVersion:
		return "", nil, &Error{Code: "InvalidAction", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Could not find operation %s for version %s", name, form.Get("Version"))}
	}
	act, ok := actions[name]
	if !ok {
		return "", nil, &Error{Code: "InvalidAction", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Could not find operation %s for version %s", name, APIVersion)}
	}
	result, err := act(h, &call{ctx: ctx, action: name, form: form, caller: p})
	return name, result, err
}

// parseForm reads the request's parameters: a POST's form-encoded body,
// or a GET's query string.
func parseForm(method, contentType, rawQuery string, body []byte) (url.Values, error) {
	src := rawQuery
	if method == http.MethodPost {
		if mt, _, err := mime.ParseMediaType(contentType); contentType != "" && (err != nil || mt != "application/x-www-form-urlencoded") {
			return nil, &Error{Code: "InvalidHttpRequest", Status: http.StatusBadRequest,
				Message: "Content-Type must be application/x-www-form-urlencoded."}
		}
		src = string(body)
	}
	form, err := url.ParseQuery(src)
	if err != nil {
		return nil, &Error{Code: "MalformedQueryString", Status: http.StatusBadRequest,
			Message: "The request's parameters are not valid form encoding."}
	}
	return form, nil
}

// authenticate verifies the signature and returns the signer.
func (h *Handler) authenticate(r *http.Request, body []byte) (*auth.Principal, string, error) {
	if h.asPrincipal != nil {
		return h.asPrincipal, "us-east-1", nil
	}
	sum := sha256.Sum256(body)
	cred, err := h.verifier.Verify(r, hex.EncodeToString(sum[:]))
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return nil, "", authError(se)
		}
		return nil, "", err
	}
	p, ok := h.cfg.Store.Principal(cred.AccessKeyID)
	if !ok {
		return nil, "", errInvalidClientTokenID
	}
	return p, cred.Region, nil
}

// check authorizes the call's action on resource.
func (c *call) check(resource string) error {
	return auth.Check(c.ctx, "iam:"+c.action, resource, nil)
}
