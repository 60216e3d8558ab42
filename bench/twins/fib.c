/* fib's twin: acc = acc * 3 + fib(b & 7) over the prefix's bytes, fib
 * doubly recursive through bpf-to-bpf calls. The verifier refuses
 * recursion, so each level is its own function (fib_k handles n <= k and
 * calls fib_{k-1} and fib_{k-2}): the same calls, the same depth (8 frames
 * with the entry's). */
#include "twin.h"
#define TWIN_LEN 512

static NOINLINE u64 fib0(u64 n)
{
    return n;
}
#define FIB(k, a, b)                                                                                              \
    static NOINLINE u64 fib##k(u64 n)                                                                             \
    {                                                                                                             \
        if (n < 2)                                                                                                \
            return n;                                                                                             \
        return fib##a(n - 1) + fib##b(n - 2);                                                                     \
    }
static NOINLINE u64 fib1(u64 n)
{
    if (n < 2)
        return n;
    return fib0(n - 1) + fib0(n - 2);
}
FIB(2, 1, 0)
FIB(3, 2, 1)
FIB(4, 3, 2)
FIB(5, 4, 3)
FIB(6, 5, 4)
FIB(7, 6, 5)

TWIN(fib)
{
    u64 acc = 0;
    if (data + TWIN_LEN > end)
        return 0;
    for (u32 i = 0; i < TWIN_LEN; i++) {
        acc = acc * 3 + fib7(data[i] & 7);
    }
    return acc;
}
