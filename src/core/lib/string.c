/* Freestanding string routines for the core (no libc). */
#include "core/core.h"

size_t bpfrt_strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t bpfrt_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int bpfrt_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int bpfrt_strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a)
            return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}

size_t bpfrt_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = bpfrt_strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        bpfrt_memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

char *bpfrt_strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return 0;
    }
}
