package iam

// UpdateAccessKey sets a key Active or Inactive; an inactive key stops
// authenticating at once (InvalidClientTokenId, S3's InvalidAccessKeyId).
// Status "Expired", in IAM's enum for other key kinds, is refused as
// InvalidInput.
func updateAccessKey(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", false, 128)
	id := c.accessKeyID()
	status := c.form.Get("Status")
	switch {
	case !c.form.Has("Status"):
		c.v.Fail("null", "status", "Member must not be null")
	case status != "Active" && status != "Inactive" && status != "Expired":
		c.v.Fail(quote(status), "status", "Member must satisfy enum value set: [Active, Expired, Inactive]")
	}
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
	return nil, h.cfg.Store.UpdateAccessKey(user, id, status)
}
