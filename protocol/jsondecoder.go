package protocol

import (
	"encoding/json"
	"errors"
)

// JSONDecoder decodes JSON documents with the one-pass decoder that serves
// request bodies, for clients of caudal's own (the load generator reading
// GetRecords answers). Blobs ([]byte members) are decoded into one buffer
// that the next Decode reuses, so they stay valid only until then.
//
// Results are json.Unmarshal's for every input (the fast decoder's
// invariant); types the fast decoder does not model go to encoding/json.
// The zero value is ready to use; a JSONDecoder is not safe for concurrent
// use.
type JSONDecoder struct {
	blobs blobArena
}

// Decode decodes data into v, a non-nil pointer.
func (d *JSONDecoder) Decode(data []byte, v any) error {
	d.blobs.reset(len(data))
	err := decodeJSONFastInto(data, v, &d.blobs)
	if errors.Is(err, errJSONUnsupported) {
		return json.Unmarshal(data, v)
	}
	return err
}
