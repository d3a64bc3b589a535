package loadgen

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// Every generated record starts with a fixed header that identifies it,
// followed by padding that depends on the counter, so that a reader can
// tell which acknowledged record it got and that its bytes are intact:
//
//	offset 0  uint32 run id    (random per bench run; other runs' records are foreign)
//	offset 4  uint32 producer  (0-based)
//	offset 8  uint64 counter   (0-based, per producer, consecutive)
//	offset 16 padding          (padPattern[counter%256 :][: size-16])
//
// All integers are big-endian.
const headerSize = 16

// padPattern is sliced at counter%256, so neighbouring records carry
// different bytes and a record whose header was swapped with another's
// fails the padding check.
var padPattern = func() []byte {
	b := make([]byte, maxRecordSize+256)
	for i := range b {
		b[i] = byte(i*131 + i>>8)
	}
	return b
}()

// maxRecordSize is the largest record data Kinesis accepts (1 MiB minus at
// least one byte of partition key).
const maxRecordSize = 1<<20 - 1

// recordID names one generated record.
type recordID struct {
	producer uint32
	counter  uint64
}

// encodeRecord fills buf (len(buf) is the record size, ≥ headerSize).
func encodeRecord(buf []byte, run uint32, id recordID) {
	binary.BigEndian.PutUint32(buf[0:], run)
	binary.BigEndian.PutUint32(buf[4:], id.producer)
	binary.BigEndian.PutUint64(buf[8:], id.counter)
	copy(buf[headerSize:], padPattern[id.counter%256:])
}

var (
	errForeign = errors.New("record from another run")
	errCorrupt = errors.New("corrupt record")
)

// decodeRecord checks a record read back and returns its id. It returns
// errForeign for a well-formed record of another run (or any other data in
// a reused stream) and errCorrupt when the size or padding is wrong.
func decodeRecord(data []byte, run uint32, size int) (recordID, error) {
	if len(data) < headerSize || binary.BigEndian.Uint32(data) != run {
		return recordID{}, errForeign
	}
	id := recordID{producer: binary.BigEndian.Uint32(data[4:]), counter: binary.BigEndian.Uint64(data[8:])}
	if len(data) != size || !bytes.Equal(data[headerSize:], padPattern[id.counter%256:][:size-headerSize]) {
		return id, errCorrupt
	}
	return id, nil
}
