/* Reading a whole file in a test. */
#ifndef BPFRT_TESTS_FILE_H
#define BPFRT_TESTS_FILE_H

#include <stdio.h>
#include <stdlib.h>

/* The contents of path in a malloc'd buffer with a NUL after them (so a
 * text file reads as a string); *len (if len) gets their length without the
 * NUL. NULL when the file cannot be opened or memory runs out. Reads to the
 * end rather than trusting a size, so pipes and growing files work too. */
static inline char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *b = realloc(buf, cap = cap * 2 + 8192);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

#endif
