package iam

// DeleteUserPolicy deletes an inline policy of a user.
func deleteUserPolicy(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", true, 128)
	policyName := c.policyName()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := c.check(h.userARN(name)); err != nil {
		return nil, err
	}
	return nil, h.cfg.Store.DeleteUserPolicy(name, policyName)
}
