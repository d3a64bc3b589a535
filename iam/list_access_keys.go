package iam

import "github.com/caudal/caudal/auth"

// ListAccessKeys lists a user's keys (UserName, or the caller's), oldest
// first, without secrets; for the root key, the root key itself.
func listAccessKeys(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", false, 128)
	marker, max := c.page()
	if err := c.valid(); err != nil {
		return nil, err
	}
	user, root := c.subjectUser(name)
	var keys []auth.AccessKey
	if root {
		if err := c.check(c.caller.ARN); err != nil {
			return nil, err
		}
		keys = []auth.AccessKey{{AccessKeyID: c.caller.AccessKeyID, Status: auth.StatusActive}}
	} else {
		if err := c.check(h.userARN(user)); err != nil {
			return nil, err
		}
		var err error
		if keys, err = h.cfg.Store.ListAccessKeys(user); err != nil {
			return nil, err
		}
	}
	page, next, truncated, err := paginate(keys, func(k auth.AccessKey) string { return k.CreateDate.Format("20060102150405") + k.AccessKeyID }, marker, max)
	if err != nil {
		return nil, err
	}
	out := listAccessKeysResult{IsTruncated: truncated, Marker: next}
	out.AccessKeyMetadata.Member = make([]accessKeyXML, 0, len(page))
	for _, k := range page {
		x := accessKeyXML{UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: k.Status}
		if !k.CreateDate.IsZero() {
			x.CreateDate = &k.CreateDate
		}
		out.AccessKeyMetadata.Member = append(out.AccessKeyMetadata.Member, x)
	}
	return out, nil
}

type listAccessKeysResult struct {
	AccessKeyMetadata struct {
		Member []accessKeyXML `xml:"member"`
	}
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}
