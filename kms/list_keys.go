package kms

// ListKeys: the region's keys in creation order, Limit 1..1000 (default
// 100), with an opaque Marker (the last key id returned).

import (
	"context"
	"net/http"
	"strconv"

	"github.com/caudal/caudal/protocol"
)

type listKeysInput struct {
	Limit  *int    `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

type keyListEntry struct {
	KeyId  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

type listKeysOutput struct {
	Keys       []keyListEntry `json:"Keys"`
	NextMarker string         `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

func (s *service) listKeys(ctx context.Context, c *protocol.Call) (any, error) {
	var in listKeysInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	limit := checkPage(&v, in.Limit, in.Marker)
	if err := validation(&v); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	keys := s.ks.ListKeys(region(c))
	start, err := markerStart(in.Marker, len(keys))
	if err != nil {
		return nil, err
	}
	out := &listKeysOutput{Keys: []keyListEntry{}}
	for i := start; i < len(keys); i++ {
		if len(out.Keys) == limit {
			out.Truncated, out.NextMarker = true, strconv.Itoa(i)
			break
		}
		out.Keys = append(out.Keys, keyListEntry{KeyId: keys[i].ID, KeyArn: keys[i].ARN})
	}
	return out, nil
}

// checkPage validates Limit and Marker and returns the page size.
func checkPage(v *protocol.Violations, limit *int, marker *string) int {
	n := 100
	if limit != nil {
		switch {
		case *limit < 1:
			v.Fail(strconv.Itoa(*limit), "limit", "Member must have value greater than or equal to 1")
		case *limit > 1000:
			v.Fail(strconv.Itoa(*limit), "limit", "Member must have value less than or equal to 1000")
		default:
			n = *limit
		}
	}
	if marker != nil && (len(*marker) < 1 || len(*marker) > 1024) {
		v.Fail(*marker, "marker", "Member must have length between 1 and 1024")
	}
	return n
}

// markerStart decodes a Marker: the index of the next entry.
func markerStart(marker *string, n int) (int, error) {
	if marker == nil {
		return 0, nil
	}
	i, err := strconv.Atoi(*marker)
	if err != nil || i < 0 || i > n {
		return 0, &protocol.Error{Code: "InvalidMarkerException", Status: http.StatusBadRequest, Message: "Invalid marker: " + *marker}
	}
	return i, nil
}
