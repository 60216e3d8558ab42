/* fnv1a's twin: 64-bit FNV-1a of the prefix. */
#include "twin.h"
#define TWIN_LEN 4096

TWIN(fnv1a)
{
    u64 h = 0xcbf29ce484222325ull;
    if (data + TWIN_LEN > end)
        return 0;
    for (u32 i = 0; i < TWIN_LEN; i++) {
        h ^= data[i];
        h *= 0x100000001b3ull;
    }
    return h;
}
