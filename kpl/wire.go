package kpl

import (
	"fmt"
)

// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
const (
	wireVarint = 0
	wireI64    = 1
	wireBytes  = 2
	wireSGroup = 3
	wireEGroup = 4
	wireI32    = 5
)

// decoder reads protobuf wire format from b. Every read checks bounds
// against the remaining input; a length can never reach past the end of b.
type decoder struct {
	b   []byte
	off int
}

func (d *decoder) done() bool { return d.off >= len(d.b) }

func (d *decoder) varint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if d.off >= len(d.b) {
			return 0, fmt.Errorf("%w: truncated varint at offset %d", ErrMalformed, d.off)
		}
		c := d.b[d.off]
		d.off++
		if i == 9 && c > 1 {
			return 0, fmt.Errorf("%w: varint overflows 64 bits at offset %d", ErrMalformed, d.off)
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: varint longer than 10 bytes at offset %d", ErrMalformed, d.off)
}

func (d *decoder) key() (field uint64, wireType int, err error) {
	k, err := d.varint()
	if err != nil {
		return 0, 0, err
	}
	field, wireType = k>>3, int(k&7)
	if field == 0 || field > 1<<29-1 {
		return 0, 0, fmt.Errorf("%w: invalid field number %d", ErrMalformed, field)
	}
	return field, wireType, nil
}

func (d *decoder) bytes() ([]byte, error) {
	n, err := d.varint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(d.b)-d.off) {
		return nil, fmt.Errorf("%w: length %d at offset %d exceeds the %d bytes left", ErrMalformed, n, d.off, len(d.b)-d.off)
	}
	s := d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return s, nil
}

func (d *decoder) fixed(n int) error {
	if len(d.b)-d.off < n {
		return fmt.Errorf("%w: truncated fixed%d at offset %d", ErrMalformed, n*8, d.off)
	}
	d.off += n
	return nil
}

// skip consumes an unknown field's value, as protobuf parsers do. Groups
// (deprecated, never written by the KPL) are rejected rather than skipped.
func (d *decoder) skip(wireType int) error {
	switch wireType {
	case wireVarint:
		_, err := d.varint()
		return err
	case wireI64:
		return d.fixed(8)
	case wireBytes:
		_, err := d.bytes()
		return err
	case wireI32:
		return d.fixed(4)
	default:
		return fmt.Errorf("%w: unsupported wire type %d at offset %d", ErrMalformed, wireType, d.off)
	}
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendVarintField(b []byte, field, v uint64) []byte {
	b = appendVarint(b, field<<3|wireVarint)
	return appendVarint(b, v)
}

func appendBytesField(b []byte, field uint64, v []byte) []byte {
	b = appendVarint(b, field<<3|wireBytes)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}
