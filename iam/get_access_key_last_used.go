package iam

import "time"

// GetAccessKeyLastUsed names a key's user and when, for which service and
// in which region the key last authenticated a request. caudal keeps that
// in memory (auth.Store.NoteUse): after a restart a key answers as IAM
// does for a key never used — ServiceName and Region "N/A", no date —
// until it is used again.
func getAccessKeyLastUsed(h *Handler, c *call) (any, error) {
	id := c.accessKeyID()
	if err := c.valid(); err != nil {
		return nil, err
	}
	var user string
	if id == c.caller.AccessKeyID && c.caller.Root {
		if err := c.check(c.caller.ARN); err != nil {
			return nil, err
		}
	} else {
		owner, err := h.cfg.Store.AccessKeyOwner(id)
		if err != nil {
			// Authorize before saying whether the key exists.
			if cerr := c.check("arn:aws:iam::" + h.cfg.Store.Account() + ":user/*"); cerr != nil {
				return nil, cerr
			}
			return nil, err
		}
		if err := c.check(h.userARN(owner)); err != nil {
			return nil, err
		}
		user = owner
	}
	out := lastUsedResult{UserName: user, AccessKeyLastUsed: lastUsedXML{ServiceName: "N/A", Region: "N/A"}}
	if u, ok := h.cfg.Store.LastUsed(id); ok {
		out.AccessKeyLastUsed = lastUsedXML{LastUsedDate: &u.Time, ServiceName: u.Service, Region: u.Region}
	}
	return out, nil
}

type lastUsedXML struct {
	LastUsedDate *time.Time `xml:",omitempty"`
	ServiceName  string
	Region       string
}

type lastUsedResult struct {
	UserName          string `xml:",omitempty"`
	AccessKeyLastUsed lastUsedXML
}
