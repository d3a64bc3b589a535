package iam

// GetUser returns UserName's user, or the caller's when UserName is
// absent; for the root key that is the root user (no UserName, no Path, as
// IAM answers it). PasswordLastUsed and Tags are not answered.
func getUser(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", false, 128)
	if err := c.valid(); err != nil {
		return nil, err
	}
	user, root := c.subjectUser(name)
	if root {
		if err := c.check(c.caller.ARN); err != nil {
			return nil, err
		}
		return struct{ User userXML }{userXML{UserID: c.caller.UserID, ARN: c.caller.ARN, CreateDate: h.cfg.Store.Created()}}, nil
	}
	if err := c.check(h.userARN(user)); err != nil {
		return nil, err
	}
	u, err := h.cfg.Store.GetUser(user)
	if err != nil {
		return nil, err
	}
	return struct{ User userXML }{userOf(u)}, nil
}
