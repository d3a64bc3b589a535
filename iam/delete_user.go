package iam

// DeleteUser deletes a user; while it still has access keys or inline
// policies IAM answers DeleteConflict, and so does caudal.
func deleteUser(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", true, 128)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := c.check(h.userARN(name)); err != nil {
		return nil, err
	}
	return nil, h.cfg.Store.DeleteUser(name)
}
