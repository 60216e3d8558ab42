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

/* csum_partial over whole 32-bit words: the 64-bit sum of the words and the
 * seed, folded to 32 bits with end-around carries. x86-64 accumulates
 * 64-bit words with carries and folds the same way, which yields this exact
 * 32-bit value (same residue, and zero only for an all-zero sum). */
uint32_t bpfrt_csum_partial32(const uint32_t *words, size_t nwords, uint32_t seed)
{
    uint64_t sum = seed;
    for (size_t i = 0; i < nwords; i++)
        sum += words[i];
    while (sum >> 32)
        sum = (sum & 0xffffffffu) + (sum >> 32);
    return (uint32_t)sum;
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

/* (from, from_size, to, to_size, seed): the 32-bit unfolded sum of seed,
 * the complement of each 32-bit word of `from` and each word of `to` --
 * what Linux returns (csum_partial of the diff, not folded). Sizes must be
 * multiples of 4 and at most 512 bytes together. */
BPFRT_HELPER_DEF(csum_diff)
{
    uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4;
    uint64_t diff_size = (uint64_t)from_size + to_size;
    if (((from_size | to_size) & 3) || diff_size > BPFRT_CSUM_DIFF_MAX)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint32_t words[BPFRT_CSUM_DIFF_MAX / 4];
    const uint8_t *from = bpfrt_u2p(r1), *to = bpfrt_u2p(r3);
    size_t j = 0;
    for (uint32_t i = 0; i < from_size; i += 4, j++) {
        uint32_t w;
        bpfrt_memcpy(&w, from + i, 4);
        words[j] = ~w;
    }
    for (uint32_t i = 0; i < to_size; i += 4, j++)
        bpfrt_memcpy(&words[j], to + i, 4);
    return bpfrt_csum_partial32(words, j, (uint32_t)r5);
}
