/* modexp's twin: sum of (w | 1)^65537 mod 4294967291 over the prefix's words. */
#include "twin.h"
#define TWIN_LEN 1024
#define P 4294967291ull

TWIN(modexp)
{
    if (data + TWIN_LEN > end)
        return 0;
    const u32 *w = (const u32 *)data;
    u64 sum = 0;
    for (u32 i = 0; i < TWIN_LEN / 4; i++) {
        u64 base = ((u64)w[i] | 1) % P;
        u64 result = 1;
        u64 e = 65537;
        while (e) {
            if (e & 1)
                result = (result * base) % P;
            base = (base * base) % P;
            e >>= 1;
        }
        sum += result;
    }
    return sum;
}
