; factorial.s — 20! with a counted loop (LLVM-style assembly).
; Expected: r0 = 2432902008176640000 (0x21c3677c82b40000).
    r0 = 1
    r1 = 1
loop:
    r0 *= r1
    r1 += 1
    if r1 <= 20 goto loop
    exit
