/* One's-complement checksum arithmetic with Linux's semantics
 * (include/net/checksum.h, arch/x86/lib/csum-partial_64.c): values are
 * taken exactly as they sit in memory (network order bytes read as host
 * integers), which one's-complement sums are indifferent to. */
#include "core/helpers/helpers_internal.h"

uint32_t bpfrt_csum_add(uint32_t a, uint32_t b)
{
    uint32_t r = a + b;
    return r + (r < b); /* end-around carry */
}

uint16_t bpfrt_csum_fold(uint32_t csum)
{
    uint32_t s = (csum & 0xffff) + (csum >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* csum_partial as x86-64 computes it: a 64-bit one's-complement sum of the
 * buffer read as little-endian 64-bit words (the last one zero-padded),
 * started from the seed, then folded to 32 bits with end-around carry.
 * Adding each word with an immediate end-around carry gives the same
 * 64-bit value as the CPU's adc chain (both are the unique representative
 * in [1, 2^64-1] of a non-zero sum, and 0 only for an all-zero one), so the
 * result matches Linux bit for bit. */
uint32_t bpfrt_csum_partial(const void *buf, size_t len, uint32_t seed)
{
    const uint8_t *p = buf;
    uint64_t acc = seed;
    while (len) {
        uint64_t w = 0;
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)p[i] << (8 * i);
        acc += w;
        acc += acc < w; /* end-around carry */
        p += n;
        len -= n;
    }
    return bpfrt_csum_add((uint32_t)(acc >> 32), (uint32_t)acc);
}

/* Linux's csum_from32to16: the 32-bit sum folded to 16 bits, not
 * complemented. */
static uint32_t from32to16(uint32_t x)
{
    x += (x >> 16) | (x << 16);
    return x >> 16;
}

static uint16_t load16(const uint8_t *p)
{
    uint16_t v;
    bpfrt_memcpy(&v, p, 2);
    return v;
}

static void store16(uint8_t *p, uint16_t v)
{
    bpfrt_memcpy(p, &v, 2);
}

static uint16_t csum16_add(uint16_t a, uint16_t b)
{
    uint16_t r = (uint16_t)(a + b);
    return (uint16_t)(r + (r < b));
}

/* RFC 1624 incremental updates of a folded checksum field. */
static uint16_t replace2(uint16_t sum, uint16_t from, uint16_t to)
{
    return (uint16_t)~csum16_add(csum16_add((uint16_t)~sum, (uint16_t)~from), to);
}

static uint16_t replace4(uint16_t sum, uint32_t from, uint32_t to)
{
    uint32_t tmp = bpfrt_csum_add(~(uint32_t)sum, ~from);
    return bpfrt_csum_fold(bpfrt_csum_add(tmp, to));
}

static uint16_t replace_by_diff(uint16_t sum, uint32_t diff)
{
    return bpfrt_csum_fold(bpfrt_csum_add(diff, ~(uint32_t)sum));
}

/* The checksum field at data + offset, or NULL (-EFAULT) when the offset
 * is odd, above 0xffff or the two bytes are not in the packet. */
static uint8_t *csum_field(struct bpfrt_run *run, uint32_t offset)
{
    struct bpfrt_pkt *pkt = run->pkt;
    if (!pkt || offset > 0xffff || (offset & 1) ||
        (uint64_t)offset + 2 > (uint64_t)(pkt->data_end - pkt->data))
        return 0;
    return pkt->data + offset;
}

/* (ctx, offset, from, to, flags): flags & BPF_F_HDR_FIELD_MASK is the size
 * of the changed field (2 or 4), or 0 when `to` is a diff (from must be 0,
 * e.g. the result of bpf_csum_diff). */
static int csum_replace(uint8_t *field, uint64_t from, uint64_t to, uint64_t flags)
{
    uint16_t sum = load16(field);
    switch (flags & BPF_F_HDR_FIELD_MASK) {
    case 0:
        if (from != 0)
            return -BPFRT_EINVAL;
        sum = replace_by_diff(sum, (uint32_t)to);
        break;
    case 2:
        sum = replace2(sum, (uint16_t)from, (uint16_t)to);
        break;
    case 4:
        sum = replace4(sum, (uint32_t)from, (uint32_t)to);
        break;
    default:
        return -BPFRT_EINVAL;
    }
    store16(field, sum);
    return 0;
}

BPFRT_HELPER_DEF(l3_csum_replace)
{
    uint64_t flags = r5;
    if (flags & ~BPF_F_HDR_FIELD_MASK)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint8_t *field = csum_field(run, (uint32_t)r2);
    if (!field)
        return bpfrt_helper_err(-BPFRT_EFAULT);
    return bpfrt_helper_err(csum_replace(field, r3, r4, flags));
}

/* As l3, for a TCP/UDP checksum. BPF_F_MARK_MANGLED_0: a zero field means
 * "no checksum" (UDP) and is left alone, and a result of 0 is written as
 * 0xffff (CSUM_MANGLED_0); BPF_F_MARK_ENFORCE updates a zero field anyway.
 * BPF_F_PSEUDO_HDR and BPF_F_IPV6 only change how Linux also updates
 * skb->csum for CHECKSUM_COMPLETE/PARTIAL skbs, which the test-run model
 * (CHECKSUM_NONE) does not have: the field update is the same. */
BPFRT_HELPER_DEF(l4_csum_replace)
{
    uint64_t flags = r5;
    bool mangled0 = flags & BPF_F_MARK_MANGLED_0, enforce = flags & BPF_F_MARK_ENFORCE;
    if (flags & ~(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR |
                  BPF_F_HDR_FIELD_MASK | BPF_F_IPV6))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint8_t *field = csum_field(run, (uint32_t)r2);
    if (!field)
        return bpfrt_helper_err(-BPFRT_EFAULT);
    if (mangled0 && !enforce && load16(field) == 0)
        return 0;
    int err = csum_replace(field, r3, r4, flags);
    if (err)
        return bpfrt_helper_err(err);
    if (mangled0 && load16(field) == 0)
        store16(field, 0xffff);
    return 0;
}

/* (from, from_size, to, to_size, seed), Linux 6.13+ semantics: the
 * one's-complement sum seed - sum(from) + sum(to) folded to 16 bits (not
 * complemented), the same on every architecture. Sizes are not limited
 * beyond what the prototype proves readable (older kernels wanted
 * multiples of 4 and at most 512 bytes and returned the unfolded 32-bit
 * sum). */
BPFRT_HELPER_DEF(csum_diff)
{
    const void *from = bpfrt_u2p(r1), *to = bpfrt_u2p(r3);
    uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4;
    uint32_t ret = (uint32_t)r5;
    if (from_size && to_size)
        ret = bpfrt_csum_add(bpfrt_csum_partial(to, to_size, ret),
                             ~bpfrt_csum_partial(from, from_size, 0));
    else if (to_size)
        ret = bpfrt_csum_partial(to, to_size, ret);
    else if (from_size)
        ret = ~bpfrt_csum_partial(from, from_size, ~ret);
    return from32to16(ret);
}
