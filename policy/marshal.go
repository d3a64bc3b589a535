package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON writes the policy in a canonical form: elements in IAM's
// documented order, list elements always as arrays, conditions grouped by
// operator in first-appearance order. Parse of the output yields an
// equivalent policy (condition values that were JSON numbers or booleans
// come back as strings, which every operator treats alike).
func (p *Policy) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(&b, name)
		b.WriteByte(':')
	}
	if p.Version != "" {
		field("Version")
		writeString(&b, p.Version)
	}
	if p.ID != "" {
		field("Id")
		writeString(&b, p.ID)
	}
	field("Statement")
	b.WriteByte('[')
	for i := range p.Statement {
		if i > 0 {
			b.WriteByte(',')
		}
		p.Statement[i].marshal(&b)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// String is the canonical JSON form.
func (p *Policy) String() string {
	out, _ := p.MarshalJSON()
	return string(out)
}

func (st *Statement) marshal(b *bytes.Buffer) {
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, name)
		b.WriteByte(':')
	}
	if st.Sid != "" {
		field("Sid")
		writeString(b, st.Sid)
	}
	field("Effect")
	writeString(b, string(st.Effect))
	if st.Principal != nil {
		field("Principal")
		st.Principal.marshal(b)
	}
	if st.NotPrincipal != nil {
		field("NotPrincipal")
		st.NotPrincipal.marshal(b)
	}
	for _, e := range []struct {
		name string
		list []string
	}{{"Action", st.Action}, {"NotAction", st.NotAction}, {"Resource", st.Resource}, {"NotResource", st.NotResource}} {
		if len(e.list) > 0 {
			field(e.name)
			writeStrings(b, e.list)
		}
	}
	if len(st.Condition) > 0 {
		field("Condition")
		b.WriteByte('{')
		done := make([]bool, len(st.Condition))
		for i := range st.Condition {
			if done[i] {
				continue
			}
			if i > 0 {
				b.WriteByte(',') // condition i-1's group precedes it
			}
			writeString(b, st.Condition[i].Operator)
			b.WriteString(":{")
			for j := i; j < len(st.Condition); j++ {
				if done[j] || st.Condition[j].Operator != st.Condition[i].Operator {
					continue
				}
				if j > i {
					b.WriteByte(',')
				}
				done[j] = true
				writeString(b, st.Condition[j].Key)
				b.WriteByte(':')
				writeStrings(b, st.Condition[j].Values)
			}
			b.WriteByte('}')
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func (pr *Principal) marshal(b *bytes.Buffer) {
	if pr.Any {
		b.WriteString(`"*"`)
		return
	}
	b.WriteByte('{')
	for i, t := range pr.Types {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, t.Type)
		b.WriteByte(':')
		writeStrings(b, t.IDs)
	}
	b.WriteByte('}')
}

func writeStrings(b *bytes.Buffer, list []string) {
	b.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, s)
	}
	b.WriteByte(']')
}

func writeString(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s) // a string always marshals
	b.Write(out)
}
