#include "textflag.h"

// AVX2 base64 decoding after Muła and Lemire, "Faster Base64 Encoding and
// Decoding using AVX2 Instructions" (2018): 32 characters per step are
// classified and translated with three nibble lookups, packed to 24 bytes
// with two multiply-adds and compacted with two shuffles.

// b64LutLo and b64LutHi: a character is in the standard alphabet exactly
// when lutLo[c&15] & lutHi[c>>4] == 0. Every byte outside the alphabet
// ('=', '\r', '\n', anything >= 0x80) has a bit in common.
DATA b64LutLo<>+0(SB)/8, $0x1111111111111115
DATA b64LutLo<>+8(SB)/8, $0x1A1B1B1B1A131111
DATA b64LutLo<>+16(SB)/8, $0x1111111111111115
DATA b64LutLo<>+24(SB)/8, $0x1A1B1B1B1A131111
GLOBL b64LutLo<>(SB), RODATA|NOPTR, $32

DATA b64LutHi<>+0(SB)/8, $0x0804080402011010
DATA b64LutHi<>+8(SB)/8, $0x1010101010101010
DATA b64LutHi<>+16(SB)/8, $0x0804080402011010
DATA b64LutHi<>+24(SB)/8, $0x1010101010101010
GLOBL b64LutHi<>(SB), RODATA|NOPTR, $32

// b64LutRoll, indexed by c>>4 minus one for '/', is what to add to a valid
// character to get its 6-bit value: 0 '/'+16, 19 '+', 4 digits, -65 upper
// case, -71 lower case.
DATA b64LutRoll<>+0(SB)/8, $0xB9B9BFBF04131000
DATA b64LutRoll<>+8(SB)/8, $0x0000000000000000
DATA b64LutRoll<>+16(SB)/8, $0xB9B9BFBF04131000
DATA b64LutRoll<>+24(SB)/8, $0x0000000000000000
GLOBL b64LutRoll<>(SB), RODATA|NOPTR, $32

// b64Compact picks the three bytes of each 24-bit group, most significant
// first, to the front of each 16-byte lane; b64Permute joins the two lanes'
// 12 bytes.
DATA b64Compact<>+0(SB)/8, $0x090A040506000102
DATA b64Compact<>+8(SB)/8, $0xFFFFFFFF0C0D0E08
DATA b64Compact<>+16(SB)/8, $0x090A040506000102
DATA b64Compact<>+24(SB)/8, $0xFFFFFFFF0C0D0E08
GLOBL b64Compact<>(SB), RODATA|NOPTR, $32

DATA b64Permute<>+0(SB)/8, $0x0000000100000000
DATA b64Permute<>+8(SB)/8, $0x0000000400000002
DATA b64Permute<>+16(SB)/8, $0x0000000600000005
DATA b64Permute<>+24(SB)/8, $0x0000000700000007
GLOBL b64Permute<>(SB), RODATA|NOPTR, $32

// func decodeBase64AVX2(dst, src *byte, blocks int) int
//
// Decodes up to blocks steps of 32 characters at src into 24 bytes at dst,
// stopping before the first step holding a byte outside the alphabet, and
// returns the number of steps done. Each step reads src[32k:32k+32] and
// writes dst[24k:24k+32]; the caller guarantees both are in bounds.
TEXT ·decodeBase64AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JLE  ret

	// Only VEX-encoded instructions from here to VZEROUPPER: a legacy SSE
	// instruction (MOVQ to an X register) while the upper halves are dirty
	// cost about 340 ns per call on the 2-core EPYC VM (measured), three
	// times the whole vector loop on a 1 KiB record.
	VMOVDQU b64LutLo<>(SB), Y8
	VMOVDQU b64LutHi<>(SB), Y9
	VMOVDQU b64LutRoll<>(SB), Y10
	MOVL    $0x2f2f2f2f, DX
	VMOVQ   DX, X11
	VPBROADCASTD X11, Y11 // '/' and the nibble mask
	MOVL    $0x01400140, DX
	VMOVQ   DX, X12
	VPBROADCASTD X12, Y12 // pairs of 6 bits to 12
	MOVL    $0x00011000, DX
	VMOVQ   DX, X13
	VPBROADCASTD X13, Y13 // pairs of 12 bits to 24
	VMOVDQU b64Compact<>(SB), Y14
	VMOVDQU b64Permute<>(SB), Y15

loop:
	VMOVDQU (SI), Y0
	VPSRLD  $4, Y0, Y1
	VPAND   Y11, Y1, Y1 // high nibbles (bit 5 is noise VPSHUFB ignores)
	VPAND   Y11, Y0, Y2 // low nibbles (likewise)
	VPSHUFB Y2, Y8, Y2
	VPSHUFB Y1, Y9, Y3
	VPTEST  Y2, Y3
	JNZ     ret // some byte is outside the alphabet: leave this step to the caller

	VPCMPEQB Y11, Y0, Y4
	VPADDB   Y4, Y1, Y1
	VPSHUFB  Y1, Y10, Y1
	VPADDB   Y1, Y0, Y0 // 6-bit values
	VPMADDUBSW Y12, Y0, Y0
	VPMADDWD   Y13, Y0, Y0
	VPSHUFB    Y14, Y0, Y0
	VPERMD     Y0, Y15, Y0
	VMOVDQU    Y0, (DI)

	ADDQ $32, SI
	ADDQ $24, DI
	INCQ AX
	CMPQ AX, CX
	JLT  loop

ret:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET

// AVX2 base64 encoding after Muła, "Base64 encoding with SIMD instructions"
// (2016), and Muła and Lemire (2018): 24 bytes per step, 12 in each 16-byte
// lane, are spread to one 32-bit word per 3-byte group, split into four
// 6-bit fields with two masked multiplies and translated to characters with
// one 16-entry lookup of offsets.

// b64EncSpread puts each 3-byte group b0 b1 b2 of a lane's 12 bytes into a
// 32-bit word as the bytes b1 b0 b2 b1: its two 16-bit halves then hold
// b0:b1 and b1:b2, each with two of the four 6-bit fields.
DATA b64EncSpread<>+0(SB)/8, $0x0405030401020001
DATA b64EncSpread<>+8(SB)/8, $0x0A0B090A07080607
DATA b64EncSpread<>+16(SB)/8, $0x0405030401020001
DATA b64EncSpread<>+24(SB)/8, $0x0A0B090A07080607
GLOBL b64EncSpread<>(SB), RODATA|NOPTR, $32

// b64EncOffset, indexed by the class of a 6-bit value v (0 for A-Z, 1 for
// a-z, 2..11 for 0-9, 12 for '+', 13 for '/'), is what to add to v to get
// its character: 'A', 'a'-26, '0'-52, '+'-62, '/'-63.
DATA b64EncOffset<>+0(SB)/8, $0xFCFCFCFCFCFC4741
DATA b64EncOffset<>+8(SB)/8, $0x0000F0EDFCFCFCFC
DATA b64EncOffset<>+16(SB)/8, $0xFCFCFCFCFCFC4741
DATA b64EncOffset<>+24(SB)/8, $0x0000F0EDFCFCFCFC
GLOBL b64EncOffset<>(SB), RODATA|NOPTR, $32

// func encodeBase64AVX2(dst, src *byte, blocks int)
//
// Encodes blocks steps of 24 bytes at src into 32 characters at dst. Step
// k reads src[24k:24k+16] and src[24k+12:24k+28] (4 bytes past the 24 it
// encodes) and writes dst[32k:32k+32]; the caller guarantees both are in
// bounds.
TEXT ·encodeBase64AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	TESTQ CX, CX
	JLE  done

	// Only VEX-encoded instructions from here to VZEROUPPER (see
	// decodeBase64AVX2: a legacy SSE instruction here cost ~340 ns a call).
	VMOVDQU b64EncSpread<>(SB), Y8
	VMOVDQU b64EncOffset<>(SB), Y9
	MOVL    $0x0fc0fc00, DX
	VMOVQ   DX, X10
	VPBROADCASTD X10, Y10 // fields a (b0's top 6 bits) and c, shifted up
	MOVL    $0x04000040, DX
	VMOVQ   DX, X11
	VPBROADCASTD X11, Y11 // high halves of a<<10 * 2^6 and c<<6 * 2^10: a, c
	MOVL    $0x003f03f0, DX
	VMOVQ   DX, X12
	VPBROADCASTD X12, Y12 // fields b and d, shifted down
	MOVL    $0x01000010, DX
	VMOVQ   DX, X13
	VPBROADCASTD X13, Y13 // low halves of b<<4 * 2^4 and d * 2^8: b<<8, d<<8
	MOVL    $0x33333333, DX
	VMOVQ   DX, X14
	VPBROADCASTD X14, Y14 // 51
	MOVL    $0x19191919, DX
	VMOVQ   DX, X15
	VPBROADCASTD X15, Y15 // 25

loop:
	VMOVDQU     (SI), X0
	VINSERTI128 $1, 12(SI), Y0, Y0 // 12 bytes to encode in each lane
	VPSHUFB     Y8, Y0, Y0
	VPAND       Y10, Y0, Y1
	VPMULHUW    Y11, Y1, Y1 // a in byte 0, c in byte 2 of each word
	VPAND       Y12, Y0, Y2
	VPMULLW     Y13, Y2, Y2 // b in byte 1, d in byte 3
	VPOR        Y2, Y1, Y0  // 6-bit values, in output order

	VPSUBUSB Y14, Y0, Y1 // 0 up to 51, then 1..12
	VPCMPGTB Y15, Y0, Y2 // -1 from 26 on
	VPSUBB   Y2, Y1, Y1  // the class: 0, 1, 2..11, 12, 13
	VPSHUFB  Y1, Y9, Y1
	VPADDB   Y1, Y0, Y0
	VMOVDQU  Y0, (DI)

	ADDQ $24, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop

	VZEROUPPER

done:
	RET
