package iam

// ListUserPolicies lists the names of a user's inline policies, sorted,
// with Marker/MaxItems paging.
func listUserPolicies(h *Handler, c *call) (any, error) {
	name := c.userName("UserName", true, 128)
	marker, max := c.page()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := c.check(h.userARN(name)); err != nil {
		return nil, err
	}
	names, err := h.cfg.Store.ListUserPolicies(name)
	if err != nil {
		return nil, err
	}
	page, next, truncated, err := paginate(names, func(s string) string { return s }, marker, max)
	if err != nil {
		return nil, err
	}
	out := listUserPoliciesResult{IsTruncated: truncated, Marker: next}
	out.PolicyNames.Member = append([]string{}, page...)
	return out, nil
}

type listUserPoliciesResult struct {
	PolicyNames struct {
		Member []string `xml:"member"`
	}
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}
