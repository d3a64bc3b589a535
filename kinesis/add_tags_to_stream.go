package kinesis

// AddTagsToStream: adds or replaces up to 200 tags per call; the engine
// keeps at most 50 per stream (InvalidArgumentException past that, as AWS).
// Tag keys and values are refused, as AWS refuses them, when they hold
// characters other than Unicode letters, digits, white space and
// _ . / = + - % @, or a '%'.

import (
	"context"
	"fmt"

	"github.com/caudal/caudal/protocol"
)

type addTagsToStreamInput struct {
	StreamName *string           `json:"StreamName,omitempty"`
	Tags       map[string]string `json:"Tags,omitempty"`
	StreamARN  *string           `json:"StreamARN,omitempty"`
	StreamId   *string           `json:"StreamId,omitempty"`
}

func (s *service) addTagsToStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in addTagsToStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.tagMap("tags", in.Tags, in.Tags != nil)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := checkTagChars(in.Tags, "add tags to", name, s.accountID); err != nil {
		return nil, err
	}
	if err := s.e.AddTags(reg, name, in.Tags); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}

// checkTagChars refuses tag keys and values AWS refuses, with its two
// messages (kinesalite recorded them): one for characters outside the
// allowed set, one for '%', which the set lists but the stream refuses.
func checkTagChars(tags map[string]string, verb, stream, account string) error {
	keys := make([]string, 0, 2*len(tags))
	for k, val := range tags {
		keys = append(keys, k, val)
	}
	return checkTagStrings(keys, verb, stream, account)
}

func checkTagStrings(strs []string, verb, stream, account string) error {
	pct := false
	for _, s := range strs {
		for _, r := range s {
			if !tagRune(r) {
				return invalidArgument("%s", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
			}
			if r == '%' {
				pct = true
			}
		}
	}
	if pct {
		return invalidArgument("%s", fmt.Sprintf("Failed to %s stream %s under account %s because some tags contained illegal characters. "+
			"The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", verb, stream, account))
	}
	return nil
}

func tagRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	case r == '_' || r == '.' || r == '/' || r == '-' || r == '=' || r == '+' || r == ' ' || r == '@' || r == '%':
		return true
	case 0x00C0 <= r && r <= 0x1FFF, 0x2C00 <= r && r <= 0xD7FF:
		return true
	}
	return false
}
