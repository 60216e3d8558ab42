/* String helpers: bpf_snprintf (the printf engine into program memory),
 * bpf_strncmp, bpf_strtol and bpf_strtoul, with Linux's results. */
#include "core/helpers/helpers_internal.h"

/* str, str_size, fmt (a constant string), data (u64 array), data_len.
 * Returns the bytes the whole output needs including the NUL (so a result
 * above str_size means truncation), or -EINVAL/-ENOSPC. */
BPFRT_HELPER_DEF(snprintf)
{
    char *str = bpfrt_u2p(r1);
    uint32_t str_size = (uint32_t)r2;
    const char *fmt = bpfrt_u2p(r3);
    /* The verifier proved fmt NUL-terminated; a checked run bounds it by
     * its region instead. */
    struct bpfrt_bprintf_data bd;
    int err = bpfrt_bprintf_prepare_array(run, fmt, bpfrt_helper_span(run, fmt), bpfrt_u2p(r4), (uint32_t)r5, &bd);
    if (err)
        return bpfrt_helper_err(err);
    int n = bpfrt_bprintf_format(str_size ? str : 0, str_size, fmt, &bd);
    return (uint64_t)n + 1;
}

/* Compares s1 (s1_sz bytes at most) with the constant string s2 like the
 * kernel's strncmp: returns -1, 0 or 1. */
BPFRT_HELPER_DEF(strncmp)
{
    const unsigned char *s1 = bpfrt_u2p(r1), *s2 = bpfrt_u2p(r3);
    uint32_t n = (uint32_t)r2;
    size_t span2 = bpfrt_helper_span(run, s2);
    for (uint32_t i = 0; i < n; i++) {
        if (i >= span2) {
            bpfrt_run_fail(run, BPFRT_RUN_BAD_HELPER_ARG, (uint64_t)(uintptr_t)(s2 + i),
                           "bpf_strncmp: s2 is not a NUL-terminated string in accessible memory");
            return 0;
        }
        unsigned char c1 = s1[i], c2 = s2[i];
        if (c1 != c2)
            return c1 < c2 ? (uint64_t)-1 : 1;
        if (!c1)
            break;
    }
    return 0;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

#define STRTOX_BASE_MASK 0x1f

/* Linux's __bpf_strtoull: leading whitespace, optional '-', base 0/8/10/16
 * with the usual prefixes, at most 63 characters after the sign. Returns
 * characters consumed, or -EINVAL/-ERANGE. */
static int strtoull_common(const char *buf, size_t buf_len, uint64_t flags,
                           unsigned long long *res, bool *negative)
{
    unsigned base = (unsigned)(flags & STRTOX_BASE_MASK);
    if (!buf || !buf_len)
        return -BPFRT_EINVAL;
    if (base != 0 && base != 8 && base != 10 && base != 16)
        return -BPFRT_EINVAL;
    if (flags & ~(uint64_t)STRTOX_BASE_MASK)
        return -BPFRT_EINVAL;
    size_t pos = 0;
    while (pos < buf_len && is_space((unsigned char)buf[pos]))
        pos++;
    *negative = pos < buf_len && buf[pos] == '-';
    if (*negative)
        pos++;
    size_t consumed = pos;
    size_t len = buf_len - pos;
    if (!len)
        return -BPFRT_EINVAL;
    char str[64];
    if (len > sizeof(str) - 1)
        len = sizeof(str) - 1;
    bpfrt_memcpy(str, buf + pos, len);
    str[len] = 0;
    size_t k = 0;
    if (base == 0) {
        if (str[0] == '0') {
            if ((str[1] | 0x20) == 'x' && digit_value((unsigned char)str[2]) < 16)
                base = 16;
            else
                base = 8;
        } else {
            base = 10;
        }
    }
    if (base == 16 && str[0] == '0' && (str[1] | 0x20) == 'x')
        k = 2;
    unsigned long long v = 0;
    bool overflow = false;
    size_t digits = 0;
    for (; str[k]; k++, digits++) {
        int d = digit_value((unsigned char)str[k]);
        if (d >= (int)base)
            break;
        if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, (unsigned)d, &v))
            overflow = true;
    }
    if (overflow)
        return -BPFRT_ERANGE;
    if (!digits)
        return -BPFRT_EINVAL;
    *res = v;
    return (int)(consumed + k);
}

/* buf, buf_len, flags (base), res (s64 out). */
BPFRT_HELPER_DEF(strtol)
{
    long long *res = bpfrt_u2p(r4);
    unsigned long long v;
    bool neg;
    *res = 0;
    int n = strtoull_common(bpfrt_u2p(r1), (size_t)(uint32_t)r2, r3, &v, &neg);
    if (n < 0)
        return bpfrt_helper_err(n);
    if (neg) {
        if ((long long)(0 - v) > 0)
            return bpfrt_helper_err(-BPFRT_ERANGE);
        *res = (long long)(0 - v);
    } else {
        if ((long long)v < 0)
            return bpfrt_helper_err(-BPFRT_ERANGE);
        *res = (long long)v;
    }
    return (uint64_t)n;
}

BPFRT_HELPER_DEF(strtoul)
{
    unsigned long long *res = bpfrt_u2p(r4);
    unsigned long long v;
    bool neg;
    *res = 0;
    int n = strtoull_common(bpfrt_u2p(r1), (size_t)(uint32_t)r2, r3, &v, &neg);
    if (n < 0)
        return bpfrt_helper_err(n);
    if (neg)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    *res = v;
    return (uint64_t)n;
}
