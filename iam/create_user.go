package iam

// CreateUser creates a user under Path (default "/"). Tags and
// PermissionsBoundary are refused (InvalidInput): caudal does not model
// them, and accepting them silently would claim a boundary that is not
// enforced.
func createUser(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", true, 64)
	path := c.param("Path", false, 1, 512, pathPattern, `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if c.form.Has("PermissionsBoundary") || c.form.Has("Tags.member.1.Key") {
		return nil, &Error{Code: "InvalidInput", Status: 400, Message: "caudal does not support PermissionsBoundary or Tags on users."}
	}
	if path == "" {
		path = "/"
	}
	if err := c.check("arn:aws:iam::" + h.cfg.Store.Account() + ":user" + path + name); err != nil {
		return nil, err
	}
	u, err := h.cfg.Store.CreateUser(name, path)
	if err != nil {
		return nil, err
	}
	return struct{ User userXML }{userOf(u)}, nil
}
