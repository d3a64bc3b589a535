package iam

import "time"

// CreateAccessKey gives a user (UserName, or the calling user) a new
// active key, at most two per user (LimitExceeded). The answer is the only
// time the secret is shown. Root keys are not created here.
func createAccessKey(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", false, 128)
	if err := c.valid(); err != nil {
		return nil, err
	}
	user, root := c.subjectUser(name)
	if root {
		if err := c.check(c.caller.ARN); err != nil {
			return nil, err
		}
		return nil, errRootKeys
	}
	if err := c.check(h.userARN(user)); err != nil {
		return nil, err
	}
	k, err := h.cfg.Store.CreateAccessKey(user)
	if err != nil {
		return nil, err
	}
	return struct{ AccessKey accessKeyXML }{accessKeyXML{
		UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: k.Status,
		SecretAccessKey: k.SecretAccessKey, CreateDate: &k.CreateDate,
	}}, nil
}

// accessKeyXML is IAM's AccessKey and AccessKeyMetadata shapes (the latter
// without the secret).
type accessKeyXML struct {
	UserName        string `xml:",omitempty"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string
	SecretAccessKey string     `xml:",omitempty"`
	CreateDate      *time.Time `xml:",omitempty"`
}
