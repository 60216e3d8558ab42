# An XDP program that reads the packet's first byte without first checking
# it against data_end: the verifier refuses it, in Linux's words.
r2 = *(u32 *)(r1 + 0)
r0 = *(u8 *)(r2 + 0)
exit
