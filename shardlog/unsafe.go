package shardlog

import "unsafe"

// unsafeString returns b as a string without copying. The caller must never
// modify b afterwards.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
