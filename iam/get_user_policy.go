package iam

import (
	"net/url"
	"strings"
)

// GetUserPolicy returns an inline policy's document, URL-encoded as IAM
// returns it (RFC 3986: spaces are %20; botocore decodes it, other SDKs
// leave it to the caller).
func getUserPolicy(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", true, 128)
	policyName := c.policyName()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := c.check(h.userARN(name)); err != nil {
		return nil, err
	}
	user, doc, err := h.cfg.Store.GetUserPolicy(name, policyName)
	if err != nil {
		return nil, err
	}
	return struct {
		UserName       string
		PolicyName     string
		PolicyDocument string
	}{user, policyName, encodeDocument(doc)}, nil
}

func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
