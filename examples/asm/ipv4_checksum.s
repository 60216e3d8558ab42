; ipv4_checksum.s — the Internet checksum (RFC 1071) of the input memory
; (r1 = data, r2 = length in bytes, even). Run with the 20-byte IPv4 header
; from RFC 1071's worked example style input given by the demo; a header whose
; checksum field is correct sums to 0xffff, so the program returns 0.
    r0 = 0
    r3 = r1
    r3 += r2
loop:
    r4 = r1
    r4 += 2
    if r4 > r3 goto fold
    r5 = *(u16 *)(r1 + 0)
    r5 = be16 r5
    r0 += r5
    r1 += 2
    goto loop
fold:
    r4 = r0
    r4 >>= 16
    r0 &= 0xffff
    r0 += r4
    r4 = r0
    r4 >>= 16
    r0 += r4
    r0 &= 0xffff
    r0 ^= 0xffff
    exit
