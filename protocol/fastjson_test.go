package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

type allKinds struct {
	S    string             `json:"S"`
	B    bool               `json:"B"`
	I8   int8               `json:"I8"`
	I    int                `json:"I"`
	U16  uint16             `json:"U16"`
	U    uint64             `json:"U"`
	F32  float32            `json:"F32"`
	F    float64            `json:"F"`
	PS   *string            `json:"PS,omitempty"`
	PPI  **int              `json:"PPI"`
	Blob []byte             `json:"Blob"`
	L    [][]int            `json:"L"`
	M    map[string][]int   `json:"M"`
	MP   map[string]*node   `json:"MP"`
	N    *node              `json:"N"`
	T    Timestamp          `json:"T"`
	PT   *Timestamp         `json:"PT"`
	Ts   []Timestamp        `json:"Ts"`
	Name string             // no tag: matched by field name
	Skip string             `json:"-"`
	priv string             //nolint:unused // unexported: ignored by both decoders
	Case map[string]string  `json:"case"`
	Raws map[string]float64 `json:"raws"`
	Raw  json.RawMessage    `json:"Raw"`
	RawP *json.RawMessage   `json:"RawP"`
}

type node struct {
	V    int    `json:"V"`
	Next *node  `json:"Next"`
	Kids []node `json:"Kids"`
}

var fastJSONSeeds = []string{
	`{}`,
	`{"S":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00\ud800x\udc00","B":true,"I8":-128,"I":1,"U16":65535,"U":18446744073709551615}`,
	`{"F32":3.4e38,"F":-1.5e-300,"PS":"p","PPI":7,"Blob":"aGVsbG8=","L":[[1,2],[],[3]],"M":{"a":[1],"b":null}}`,
	`{"MP":{"x":{"V":1,"Next":{"V":2},"Kids":[{"V":3}]}},"N":{"V":1,"Kids":[{"Kids":[{"V":9}]}]}}`,
	`{"T":1700000000.123,"PT":1.7e9,"Ts":[0,1,2.5],"Name":"n","name":"lower","NAME":"upper","Skip":"x","priv":"y"}`,
	`{"case":{"k":"v"},"CASE":{"k2":"v2"},"raws":{"a":1e308,"b":-0}}`,
	`{"I8":128}`, `{"U16":-1}`, `{"I":1.5}`, `{"I":1e2}`, `{"F32":1e39}`, `{"S":1}`, `{"S":true}`, `{"S":{}}`, `{"S":[]}`,
	`{"B":"true"}`, `{"B":0}`, `{"I":"1"}`, `{"Blob":1}`, `{"Blob":"!!"}`, `{"Blob":"aGk"}`, `{"Blob":"aG\nk="}`, `{"Blob":[1,2,255]}`,
	`{"Blob":[256]}`, `{"L":"x"}`, `{"L":{}}`, `{"M":[]}`, `{"M":"x"}`, `{"N":"x"}`, `{"N":[1]}`, `{"T":"x"}`, `{"T":null,"PT":null}`,
	`{"PS":null,"PPI":null,"Blob":null,"L":null,"M":null,"N":null}`,
	`{"S":"x","S":"y"}`, `{"M":{"a":[1]},"M":{"b":[2]}}`, `{"L":[[1]],"L":[[2,3]]}`,
	`{"unknown":{"deep":[1,{"x":[true,false,null,"s",-0.5e+3]}]}}`,
	`{"S":"\xff\xfe"}`, `{"S":"ok"} `, `{"S":"ok"}x`, `{"S":"ok",}`, `{"S" "ok"}`, `{"S":01}`, `{"S":-}`, `{"S":1.}`, `{"S":.5}`,
	`{"S":"a` + "\x01" + `"}`, `{"S":"\x"}`, `{"S":"\u12"}`, `{"I":1`, `{"I":tru}`, `{"B":nul}`, `[]`, `null`, `"x"`, `1`, ``,
	`{"I":"x","S":1}`, `{"S":1,"T":"bad"}`, `{"T":"bad","S":1}`, `{"S":1,"unknown":}`,
	`{"` + strings.Repeat("a", 300) + `":1}`,
	`{"unknown":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"unknown":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"N":{"Kids":[{"Kids":[{"Kids":[{"V":"deep"}]}]}]}}`,
	`{"Blob":""}`, `{"Blob":"QQ=="}`, `{"Blob":"QUI="}`, `{"Blob":"QUJD"}`, `{"Blob":"QUJDRA=="}`, `{"Blob":"QUJDRA"}`,
	`{"Blob":"QUJD\nRA=="}`, `{"Blob":"QUJD\r\nRA=="}`, `{"Blob":"QUJDRA==\n\n\n\n"}`, `{"Blob":"Q\u0055JD"}`, `{"Blob":"QUJD` + "\n" + `RA=="}`,
	`{"Blob":"QU=D"}`, `{"Blob":"QUJ/+A=="}`, `{"Blob":"QUJ-_A=="}`, `{"Blob":"====" }`, `{"Blob":"QR=="}`,
	`{"Raw":{"a":[1,"x"]},"RawP":null}`, `{"Raw":null,"RawP":[1]}`, `{"Raw": "s" }`,
}

// checkFastJSON decodes b with both decoders and fails if they disagree on
// success, on the decoded value, or on the AWS message of the error.
func checkFastJSON[T any](t *testing.T, b []byte) {
	var fast, std T
	errF := decodeJSONFast(b, &fast)
	if errors.Is(errF, errJSONUnsupported) {
		t.Fatalf("%T unexpectedly unsupported", fast)
	}
	errS := json.Unmarshal(b, &std)
	if (errF == nil) != (errS == nil) {
		t.Fatalf("input %q: fast err %v, encoding/json err %v", b, errF, errS)
	}
	if errF != nil {
		if mf, ms := jsonMessage(errF), jsonMessage(errS); mf != ms {
			t.Fatalf("input %q: fast message %q (%v), encoding/json %q (%v)", b, mf, errF, ms, errS)
		}
		return
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("input %q:\n fast %+v\n  std %+v", b, fast, std)
	}
	// Decoding blobs into a reused arena (DecodeTransient) changes where
	// they live, never what they hold: the arena starts full of garbage.
	var inArena T
	a := &blobArena{buf: bytes.Repeat([]byte{0xa5}, len(b)/4*3+4)}
	if err := decodeJSONFastInto(b, &inArena, a); err != nil || !reflect.DeepEqual(inArena, std) {
		t.Fatalf("input %q: into an arena: %v\n fast %+v\n  std %+v", b, err, inArena, std)
	}
}

func TestFastJSONMatchesStdlib(t *testing.T) {
	for _, s := range fastJSONSeeds {
		checkFastJSON[allKinds](t, []byte(s))
		checkFastJSON[testInput](t, []byte(s))
	}
	good, _ := Marshal(JSON, sampleInput())
	checkFastJSON[testInput](t, good)
}

func TestFastJSONFallsBackForUnmodelledTypes(t *testing.T) {
	type embedded struct{ allKinds }
	type withAny struct {
		A any `json:"A"`
	}
	type withStringOpt struct {
		N int `json:"N,string"`
	}
	type withNumber struct {
		N json.Number `json:"N"`
	}
	for _, v := range []any{&embedded{}, &withAny{}, &withStringOpt{}, &map[string]any{}, &[2]int{}, &withNumber{}} {
		if err := decodeJSONFast([]byte(`{}`), v); !errors.Is(err, errJSONUnsupported) {
			t.Errorf("%T: %v, want errJSONUnsupported", v, err)
		}
	}
	// Decode still works for them, through encoding/json.
	var w withStringOpt
	if err := (&Call{Codec: JSON, Body: []byte(`{"N":"5"}`)}).Decode(&w); err != nil || w.N != 5 {
		t.Errorf("fallback decode: %+v %v", w, err)
	}
}

// FuzzFastJSONMatchesStdlib is the fast decoder's oracle test: for any
// input it must agree with encoding/json.
func FuzzFastJSONMatchesStdlib(f *testing.F) {
	for _, s := range fastJSONSeeds {
		if len(s) < 1000 { // the depth-limit seeds slow every mutation down
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkFastJSON[allKinds](t, b)
		checkFastJSON[testInput](t, b)
	})
}

func TestControlOrHigh(t *testing.T) {
	naive := func(b []byte) (ctl, high bool) {
		for _, c := range b {
			ctl = ctl || c < 0x20
			high = high || c >= 0x80
		}
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			switch rng.IntN(8) {
			case 0:
				b[i] = byte(rng.IntN(0x20))
			case 1:
				b[i] = byte(0x80 + rng.IntN(0x80))
			default:
				b[i] = byte(0x20 + rng.IntN(0x60))
			}
		}
		c1, h1 := controlOrHigh(b)
		c2, h2 := naive(b)
		if c1 != c2 || h1 != h2 {
			t.Fatalf("controlOrHigh(% x) = %v %v, want %v %v", b, c1, h1, c2, h2)
		}
	}
}
