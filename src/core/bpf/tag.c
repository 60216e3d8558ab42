/* Program tag as Linux computes it (bpf_prog_calc_tag): the first 8 bytes
 * of the SHA-1 of the instructions as loaded, with the map fd / map value
 * ld_imm64 immediates zeroed so the tag does not depend on fd numbers. */
#include "bpfrt/insn.h"
#include "core/core.h"

struct sha1 {
    uint32_t h[5];
    uint8_t block[64];
    uint32_t used;
    uint64_t total;
};

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *s, const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

static void sha1_update(struct sha1 *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    s->total += len;
    while (len) {
        size_t n = 64 - s->used < len ? 64 - s->used : len;
        bpfrt_memcpy(s->block + s->used, p, n);
        s->used += (uint32_t)n;
        p += n;
        len -= n;
        if (s->used == 64) {
            sha1_block(s, s->block);
            s->used = 0;
        }
    }
}

static void sha1_final(struct sha1 *s, uint8_t out[20])
{
    uint64_t bits = s->total * 8;
    uint8_t pad = 0x80;
    sha1_update(s, &pad, 1);
    pad = 0;
    while (s->used != 56)
        sha1_update(s, &pad, 1);
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha1_update(s, len, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

/* Computes prog's tag into tag (declared in cmd_prog.c's users). */
void bpfrt_prog_calc_tag(const struct bpf_insn *insns, uint32_t cnt, uint8_t tag[BPF_TAG_SIZE]);

void bpfrt_prog_calc_tag(const struct bpf_insn *insns, uint32_t cnt, uint8_t tag[BPF_TAG_SIZE])
{
    struct sha1 s = { { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 }, { 0 }, 0, 0 };
    bool was_ld_map = false;
    for (uint32_t i = 0; i < cnt; i++) {
        struct bpf_insn in = insns[i];
        if (!was_ld_map && bpfrt_insn_is_lddw(&in) &&
            (in.src_reg == BPF_PSEUDO_MAP_FD || in.src_reg == BPF_PSEUDO_MAP_VALUE)) {
            was_ld_map = true;
            in.imm = 0;
        } else if (was_ld_map && in.code == 0 && in.dst_reg == 0 && in.src_reg == 0 && in.off == 0) {
            was_ld_map = false;
            in.imm = 0;
        } else {
            was_ld_map = false;
        }
        sha1_update(&s, &in, sizeof(in));
    }
    uint8_t digest[20];
    sha1_final(&s, digest);
    bpfrt_memcpy(tag, digest, BPF_TAG_SIZE);
}
