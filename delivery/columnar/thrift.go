package columnar

import "encoding/binary"

// A Thrift compact-protocol encoder, just enough for Parquet's footer and
// page headers (parquet.thrift). Field ids and types below are the ones
// parquet.thrift assigns; they are part of the file format and must not
// change.

const (
	tcTrue   = 1
	tcFalse  = 2
	tcByte   = 3
	tcI32    = 5
	tcI64    = 6
	tcBinary = 8
	tcList   = 9
	tcStruct = 12
)

type thriftWriter struct {
	b    []byte
	last []int16 // last field id per open struct
}

func (w *thriftWriter) varint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }

func (w *thriftWriter) fieldHeader(id int16, typ byte) {
	top := &w.last[len(w.last)-1]
	if d := id - *top; d > 0 && d <= 15 {
		w.b = append(w.b, byte(d)<<4|typ)
	} else {
		w.b = append(w.b, typ)
		w.varint(uint64(uint16((id << 1) ^ (id >> 15))))
	}
	*top = id
}

func (w *thriftWriter) beginStruct() { w.last = append(w.last, 0) }

func (w *thriftWriter) endStruct() {
	w.b = append(w.b, 0)
	w.last = w.last[:len(w.last)-1]
}

func (w *thriftWriter) i32(id int16, v int32) {
	w.fieldHeader(id, tcI32)
	w.varint(uint64(uint32((v << 1) ^ (v >> 31))))
}

func (w *thriftWriter) i64(id int16, v int64) {
	w.fieldHeader(id, tcI64)
	w.varint(uint64((v << 1) ^ (v >> 63)))
}

func (w *thriftWriter) i8(id int16, v int8) {
	w.fieldHeader(id, tcByte)
	w.b = append(w.b, byte(v))
}

func (w *thriftWriter) boolean(id int16, v bool) {
	if v {
		w.fieldHeader(id, tcTrue)
	} else {
		w.fieldHeader(id, tcFalse)
	}
}

func (w *thriftWriter) str(id int16, s string) {
	w.fieldHeader(id, tcBinary)
	w.varint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// structField opens a nested struct field; close it with endStruct.
func (w *thriftWriter) structField(id int16) {
	w.fieldHeader(id, tcStruct)
	w.beginStruct()
}

// listHeader starts a list field of n elements of type elem. Struct
// elements are then written with beginStruct/endStruct.
func (w *thriftWriter) listHeader(id int16, elem byte, n int) {
	w.fieldHeader(id, tcList)
	if n < 15 {
		w.b = append(w.b, byte(n)<<4|elem)
	} else {
		w.b = append(w.b, 0xf0|elem)
		w.varint(uint64(n))
	}
}

func (w *thriftWriter) listI32(id int16, vs []int32) {
	w.listHeader(id, tcI32, len(vs))
	for _, v := range vs {
		w.varint(uint64(uint32((v << 1) ^ (v >> 31))))
	}
}

func (w *thriftWriter) listString(id int16, vs []string) {
	w.listHeader(id, tcBinary, len(vs))
	for _, v := range vs {
		w.varint(uint64(len(v)))
		w.b = append(w.b, v...)
	}
}
