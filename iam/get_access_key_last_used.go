package iam

// GetAccessKeyLastUsed names a key's user. caudal does not track key use
// (that would be a write on every request), so AccessKeyLastUsed answers
// as IAM does for a key never used: ServiceName and Region "N/A", no date.
func getAccessKeyLastUsed(h *Handler, c *call) (any, error) {
	id := c.accessKeyID()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if id == c.caller.AccessKeyID && c.caller.Root {
		if err := c.check(c.caller.ARN); err != nil {
			return nil, err
		}
		return lastUsedResult{AccessKeyLastUsed: notUsed}, nil
	}
	user, err := h.cfg.Store.AccessKeyOwner(id)
	if err != nil {
		// Authorize before saying whether the key exists.
		if cerr := c.check("arn:aws:iam::" + h.cfg.Store.Account() + ":user/*"); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	if err := c.check(h.userARN(user)); err != nil {
		return nil, err
	}
	return lastUsedResult{UserName: user, AccessKeyLastUsed: notUsed}, nil
}

type lastUsedXML struct {
	ServiceName string
	Region      string
}

var notUsed = lastUsedXML{ServiceName: "N/A", Region: "N/A"}

type lastUsedResult struct {
	UserName          string `xml:",omitempty"`
	AccessKeyLastUsed lastUsedXML
}
