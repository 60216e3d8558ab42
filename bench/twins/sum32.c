/* sum32's twin: the sum of the little-endian u32 words of the prefix. */
#include "twin.h"
#define TWIN_LEN 32768

TWIN(sum32)
{
    if (data + TWIN_LEN > end)
        return 0;
    const u32 *p = (const u32 *)data;
    u64 sum = 0;
    for (u32 i = 0; i < TWIN_LEN / 4; i++)
        sum += p[i];
    return sum;
}
