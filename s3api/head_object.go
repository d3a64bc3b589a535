package s3api

// HeadObject: GetObject's status and headers without the body (Range,
// partNumber and the conditional headers apply as they do to GET). Error
// answers carry no body; the error writer leaves it out for HEAD.

func headObject(h *Handler, q *request) error { return serveObject(h, q, true) }
