package iam

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caudal/caudal/auth"
)

// Parameter constraints of botocore's iam/2010-05-08 model.
var (
	namePattern   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern   = regexp.MustCompile(`^((/)|(/[\x21-\x7E]+/))$`)
	prefixPattern = regexp.MustCompile(`^/[\x21-\x7F]*$`)
	keyIDPattern  = regexp.MustCompile(`^[\w]+$`)
	docPattern    = regexp.MustCompile(`^[\x09\x0A\x0D\x20-\x{FF}]+$`)
	markerPattern = regexp.MustCompile(`^[\x20-\x{FF}]+$`)
)

// param checks one string parameter against the model: presence, length
// in characters, pattern. patternText is the model's spelling of the
// pattern, which AWS quotes in its message. It returns the value ("" when
// absent).
func (c *call) param(name string, required bool, min, max int, re *regexp.Regexp, patternText string) string {
	path := strings.ToLower(name[:1]) + name[1:]
	if !c.form.Has(name) {
		if required {
			c.v.Fail("null", path, "Member must not be null")
		}
		return ""
	}
	v := c.form.Get(name)
	n := utf8.RuneCountInString(v)
	switch {
	case n < min:
		c.v.Fail(quote(v), path, "Member must have length greater than or equal to "+strconv.Itoa(min))
	case n > max:
		c.v.Fail(quote(v), path, "Member must have length less than or equal to "+strconv.Itoa(max))
	case re != nil && !re.MatchString(v):
		c.v.Fail(quote(v), path, "Member must satisfy regular expression pattern: "+patternText)
	}
	return v
}

func quote(v string) string {
	if len(v) > 256 {
		v = v[:256] + "..."
	}
	return "'" + v + "'"
}

func (c *call) userName(param string, required bool, max int) string {
	return c.param(param, required, 1, max, namePattern, `[\w+=,.@-]+`)
}

func (c *call) policyName() string {
	return c.param("PolicyName", true, 1, 128, namePattern, `[\w+=,.@-]+`)
}

func (c *call) accessKeyID() string {
	return c.param("AccessKeyId", true, 16, 128, keyIDPattern, `[\w]+`)
}

// page reads Marker and MaxItems (default 100, 1 to 1000).
func (c *call) page() (marker string, max int) {
	marker = c.param("Marker", false, 1, 320, markerPattern, `[\u0020-\u00FF]+`)
	max = 100
	if c.form.Has("MaxItems") {
		s := c.form.Get("MaxItems")
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			c.v.Fail(quote(s), "maxItems", "Member must be a number")
		case n < 1:
			c.v.Fail(quote(s), "maxItems", "Member must have value greater than or equal to 1")
		case n > 1000:
			c.v.Fail(quote(s), "maxItems", "Member must have value less than or equal to 1000")
		default:
			max = n
		}
	}
	return marker, max
}

// valid ends parameter checking: any violation is a ValidationError.
func (c *call) valid() error {
	if msg := c.v.Message(); msg != "" {
		return errValidation(msg)
	}
	return nil
}

// subjectUser is the user an action acts on: UserName if given, else the
// caller (IAM's rule for GetUser and the access key actions). root is
// true when that is the root principal.
func (c *call) subjectUser(name string) (user string, root bool) {
	if name != "" || c.form.Has("UserName") {
		return name, false
	}
	if c.caller.Root {
		return "", true
	}
	return c.caller.UserName, false
}

// errRootKeys refuses key management for the root principal: its key is
// caudal's configuration (credentials.json or the environment), not IAM's.
var errRootKeys = &Error{Code: "InvalidInput", Status: 400,
	Message: "caudal manages the root key in its data directory (credentials.json) or environment; name a user with UserName."}

// userARN is the ARN of user name for authorization: the stored one (with
// its path) when the user exists, else the one it would have under "/".
func (h *Handler) userARN(name string) string {
	if u, err := h.cfg.Store.GetUser(name); err == nil {
		return u.ARN
	}
	return "arn:aws:iam::" + h.cfg.Store.Account() + ":user/" + name
}

// paginate cuts the page starting at marker (an opaque token: the
// base64url of the first key of the page) from items sorted by key.
func paginate[T any](items []T, key func(T) string, marker string, max int) (page []T, next string, truncated bool, err error) {
	start := 0
	if marker != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(marker)
		if derr != nil {
			return nil, "", false, &Error{Code: "InvalidInput", Status: 400, Message: "Invalid Marker."}
		}
		for start < len(items) && key(items[start]) < string(raw) {
			start++
		}
	}
	end := min(start+max, len(items))
	page = items[start:end]
	if end < len(items) {
		return page, base64.RawURLEncoding.EncodeToString([]byte(key(items[end]))), true, nil
	}
	return page, "", false, nil
}

// userXML is IAM's User shape. Path and UserName are omitted only for the
// root user, as IAM answers GetUser for it.
type userXML struct {
	Path       string `xml:",omitempty"`
	UserName   string `xml:",omitempty"`
	UserID     string `xml:"UserId"`
	ARN        string `xml:"Arn"`
	CreateDate time.Time
}

func userOf(u auth.User) userXML {
	return userXML{Path: u.Path, UserName: u.UserName, UserID: u.UserID, ARN: u.ARN, CreateDate: u.CreateDate}
}
