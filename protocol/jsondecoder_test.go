package protocol

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestJSONDecoderMatchesStdlib decodes answers with one reused JSONDecoder
// and checks each result and error against json.Unmarshal, including a
// type the fast decoder does not model (it falls back).
func TestJSONDecoderMatchesStdlib(t *testing.T) {
	type rec struct {
		Data           []byte
		SequenceNumber *string
	}
	type answer struct {
		Records            []rec
		NextShardIterator  *string
		MillisBehindLatest *int64
		Extra              any // not modelled: falls back to encoding/json
	}
	type plain struct {
		Records            []rec
		NextShardIterator  *string
		MillisBehindLatest *int64
	}
	inputs := []string{
		`{"Records":[{"Data":"aGVsbG8=","SequenceNumber":"1","PartitionKey":"k"},{"Data":"d29ybGQ=","SequenceNumber":"2"}],"NextShardIterator":"it","MillisBehindLatest":0}`,
		`{"Records":[],"NextShardIterator":null,"MillisBehindLatest":12}`,
		`{"Records":[{"Data":"not base64!"}]}`,
		`{"Records":[{"Data":"aGVsbG8="}]`,
		`{"MillisBehindLatest":"x"}`,
		`{"Records":[{"Data":"YQ=="}],"Extra":{"a":[1,2]}}`,
	}
	var d JSONDecoder
	for _, in := range inputs {
		for _, typ := range []reflect.Type{reflect.TypeFor[plain](), reflect.TypeFor[answer]()} {
			got, want := reflect.New(typ), reflect.New(typ)
			gerr := d.Decode([]byte(in), got.Interface())
			werr := json.Unmarshal([]byte(in), want.Interface())
			if (gerr == nil) != (werr == nil) {
				t.Errorf("%s into %v: error %v, json.Unmarshal %v", in, typ, gerr, werr)
				continue
			}
			if gerr == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
				t.Errorf("%s into %v: %+v, json.Unmarshal %+v", in, typ, got.Elem(), want.Elem())
			}
		}
	}
}
