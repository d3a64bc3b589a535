package stream

// IteratorStream returns the name of the stream a shard iterator reads,
// after authenticating the iterator as GetRecords does (same errors), so
// the wire skin can authorize a GetRecords before any record is read.
func (e *Engine) IteratorStream(region, iterator string) (string, error) {
	t, err := e.decodeToken(region, iterator, e.cfg.Now())
	if err != nil {
		return "", err
	}
	return t.name, nil
}
