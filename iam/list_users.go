package iam

import (
	"strings"

	"github.com/caudal/caudal/auth"
)

// ListUsers lists users whose path starts with PathPrefix, ordered by
// name (case-insensitively, as names are unique), with Marker/MaxItems
// paging.
func listUsers(h *Handler, c *call) (any, error) {
	prefix := c.param("PathPrefix", false, 1, 512, prefixPattern, `\u002F[\u0021-\u007F]*`)
	marker, max := c.page()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = "/"
	}
	if err := c.check("arn:aws:iam::" + h.cfg.Store.Account() + ":user" + prefix); err != nil {
		return nil, err
	}
	users, err := h.cfg.Store.ListUsers(prefix)
	if err != nil {
		return nil, err
	}
	page, next, truncated, err := paginate(users, func(u auth.User) string { return strings.ToLower(u.UserName) }, marker, max)
	if err != nil {
		return nil, err
	}
	out := listUsersResult{IsTruncated: truncated, Marker: next}
	out.Users.Member = make([]userXML, 0, len(page))
	for _, u := range page {
		out.Users.Member = append(out.Users.Member, userOf(u))
	}
	return out, nil
}

type listUsersResult struct {
	Users struct {
		Member []userXML `xml:"member"`
	}
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}
