package iam

// PutUserPolicy creates or replaces an inline policy of a user. The
// document must parse (MalformedPolicyDocument with IAM's message) and a
// user's inline policies together stay within 2,048 non-whitespace
// characters (LimitExceeded). The change applies to the user's keys from
// the next request on.
func putUserPolicy(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", true, 128)
	policyName := c.policyName()
	doc := c.param("PolicyDocument", true, 1, 131072, docPattern, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := c.check(h.userARN(name)); err != nil {
		return nil, err
	}
	return nil, h.cfg.Store.PutUserPolicy(name, policyName, doc)
}
