package iam

// DeleteAccessKey deletes a key of a user (UserName, or the calling user);
// from then on it authenticates as unknown.
func deleteAccessKey(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", false, 128)
	id := c.accessKeyID()
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
	return nil, h.cfg.Store.DeleteAccessKey(user, id)
}
