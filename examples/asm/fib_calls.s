; fib_calls.s — Fibonacci(25) by bpf-to-bpf calls: the entry calls a
; subprogram that iterates, showing call frames and r6-r9 preservation.
; Expected: r0 = 75025.
    r6 = 25
    r1 = r6
    call fib
    r0 += 0
    exit
fib:
    r0 = 0
    r2 = 1
    if r1 == 0 goto done
next:
    r3 = r0
    r3 += r2
    r0 = r2
    r2 = r3
    r1 -= 1
    if r1 != 0 goto next
done:
    exit
