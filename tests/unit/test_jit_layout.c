/* The JIT's layout (jit_layout.c: bpfrt_jit_relax, bpfrt_jit_link) on
 * random record streams, against a layout computed here from scratch:
 * random pass-sized jumps (jmp, jcc) to labels before and after them, at
 * random distances around the rel8 reach, with and without loop heads
 * (padded to JIT_LOOP_ALIGN). After the relaxation every short jump fits
 * rel8 in its final layout and every loop head is aligned; without loop
 * heads every long jump would not fit even if it alone were made short
 * (every jump that fits is short) and the short jumps are exactly the least
 * fixed point, computed here by Linux's way (passes over the whole layout
 * until nothing changes); with loop heads that holds in all but a few
 * streams (below). The linked image then holds the emitted code between
 * the records, the loop heads' nops and each jump's opcode and offset where
 * the layout puts them, and nothing past its end. BPFRT_FUZZ_ITERS / 4
 * streams, half of them with loop heads. */
#include "core/jit/jit.h"
#include "test.h"
#include "test_rng.h"

static uint64_t rng = 0x5851f42d4c957f2dull;
static uint32_t below(uint32_t n)
{
    return (uint32_t)(test_xorshift64(&rng) % n);
}

#define MAXREC 400
#define MAXCODE (MAXREC * 64)

struct stream {
    struct jit_ctx c;
    struct jit_fix rec[MAXREC];
    struct jit_label lab[MAXREC + 8], insn[1];
    uint32_t addr[1];
    uint8_t code[MAXCODE + 64], cold[64];
};

static uint8_t scratch[1 << 20];

/* A random stream: code with jumps and loop heads in it, one label before
 * each record (so targets fall everywhere), targets drawn among them. */
static void make_stream(struct stream *s, uint32_t n, bool heads, uint32_t spread)
{
    memset(&s->c, 0, sizeof(s->c));
    struct jit_ctx *c = &s->c;
    uint32_t pos = 8;
    for (uint32_t e = 0; e < n; e++) {
        s->lab[e] = (struct jit_label){ pos, e };
        pos += below(spread);
        uint8_t kind = heads && below(8) == 0 ? JIT_EV_ALIGN : below(2) ? JIT_EV_JMP : JIT_EV_JCC;
        if (kind == JIT_EV_JMP)
            pos += X86_JMP32_LEN;
        else if (kind == JIT_EV_JCC)
            pos += X86_JCC32_LEN;
        s->rec[e] = (struct jit_fix){ pos, 0, e, kind, false };
        if (kind == JIT_EV_JCC)
            s->rec[e].kind |= (uint8_t)(below(16) << 4);
    }
    s->lab[n] = (struct jit_label){ pos + below(spread), n };
    for (uint32_t e = 0; e < n; e++) {
        /* a target near the jump, often just around the rel8 reach */
        int32_t t = (int32_t)e + (int32_t)below(2 * 40 + 1) - 40;
        s->rec[e].target = (uint32_t)(t < 0 ? 0 : t > (int32_t)n ? (int32_t)n : t);
    }
    for (uint32_t i = 0; i < sizeof(s->code); i++) /* any code but 0xcc (the image's fill below) */
        s->code[i] = (uint8_t)below(0xcc);
    for (uint32_t e = 0; e < n; e++) /* the jumps' opcodes, long, as the emission writes them */
        if (JIT_EV_KIND(s->rec[e].kind) == JIT_EV_JMP)
            s->code[s->rec[e].pos - 5] = 0xe9;
        else if (JIT_EV_KIND(s->rec[e].kind) == JIT_EV_JCC)
            s->code[s->rec[e].pos - 6] = 0x0f, s->code[s->rec[e].pos - 5] = (uint8_t)(0x80 | s->rec[e].kind >> 4);
    c->hot = (struct x86){ s->code, s->lab[n].pos, 0, MAXCODE };
    c->cold = (struct x86){ s->cold, 0, 0, sizeof(s->cold) };
    c->adj[0] = s->rec;
    c->nadj[0] = n;
    c->labels = s->lab;
    c->nlabels = n + 1;
    s->insn[0] = (struct jit_label){ 0, 0 };
    c->insn_start = s->insn;
    c->addr = s->addr;
    c->len = 0;
    c->aligned = heads;
    c->scratch.base = scratch;
    c->scratch.size = sizeof(scratch);
    c->scratch.used = 64;
}

/* The layout of given decisions (near[e]), computed from scratch: each
 * record's start in the image, and each label's place. */
struct layout {
    uint32_t start[MAXREC], end[MAXREC], label[MAXREC + 1], len;
};

static void lay_out(const struct stream *s, uint32_t n, const bool *near, struct layout *L)
{
    uint32_t shift = 0;
    for (uint32_t e = 0; e < n; e++) {
        const struct jit_fix *f = &s->rec[e];
        uint8_t kind = JIT_EV_KIND(f->kind);
        uint32_t len = kind == JIT_EV_JMP ? 5 : kind == JIT_EV_JCC ? 6 : 0;
        L->label[e] = s->lab[e].pos + shift;
        L->start[e] = f->pos - len + shift;
        if (kind == JIT_EV_ALIGN)
            shift += (JIT_LOOP_ALIGN - (L->start[e] % JIT_LOOP_ALIGN)) % JIT_LOOP_ALIGN;
        else if (near[e])
            shift -= len - 2;
        L->end[e] = f->pos + shift;
    }
    L->label[n] = s->lab[n].pos + shift;
    L->len = L->label[n];
}

static bool fits(const struct stream *s, const struct layout *L, uint32_t e)
{
    int64_t rel = (int64_t)L->label[s->rec[e].target] - L->end[e];
    return rel >= -128 && rel <= 127;
}

static bool is_jump(const struct stream *s, uint32_t e)
{
    return JIT_EV_KIND(s->rec[e].kind) != JIT_EV_ALIGN;
}

static long streams, shorts, longs, misfits, long_fits, padded_long_fits;

static void check_stream(uint32_t n, bool heads, uint32_t spread)
{
    static struct stream s;
    static bool near[MAXREC], lfp[MAXREC];
    static struct layout L, M;
    static uint8_t image[MAXCODE + 64];
    make_stream(&s, n, heads, spread);
    CHECK_EQ(bpfrt_jit_relax(&s.c), 0);
    streams++;
    for (uint32_t e = 0; e < n; e++)
        near[e] = is_jump(&s, e) && (s.rec[e].kind & JIT_EV_NEAR);
    lay_out(&s, n, near, &L);
    CHECK_EQ(s.c.image_len, L.len);
    for (uint32_t e = 0; e < n; e++) {
        if (!is_jump(&s, e)) {
            CHECK_EQ(L.end[e] % JIT_LOOP_ALIGN, 0);
            continue;
        }
        if (near[e]) {
            shorts++;
            misfits += !fits(&s, &L, e);
            continue;
        }
        /* long: would it fit if it alone were short, every other short
         * jump still fitting? (with loop heads, the padding that moves
         * can take another out of reach) */
        longs++;
        near[e] = true;
        lay_out(&s, n, near, &M);
        bool better = fits(&s, &M, e);
        for (uint32_t o = 0; o < n && better; o++)
            better = !near[o] || fits(&s, &M, o);
        long_fits += better;
        near[e] = false;
    }
    CHECK_EQ(misfits, 0);
    if (!heads)
        CHECK_EQ(long_fits, 0);
    padded_long_fits += heads && long_fits;
    misfits = long_fits = 0;
    if (!heads) {
        /* the least fixed point: Linux's passes, each against the last */
        memset(lfp, 0, sizeof(lfp));
        for (bool changed = true; changed;) {
            changed = false;
            lay_out(&s, n, lfp, &M);
            for (uint32_t e = 0; e < n; e++) {
                if (lfp[e])
                    continue;
                lfp[e] = true; /* fits as short in the last pass's layout */
                int64_t rel = (int64_t)M.label[s.rec[e].target] - (M.end[e] - (M.end[e] - M.start[e] - 2));
                if (s.rec[e].target > e)
                    rel -= (int64_t)(M.end[e] - M.start[e] - 2);
                lfp[e] = rel >= -128 && rel <= 127;
                changed |= lfp[e];
            }
        }
        CHECK(memcmp(lfp, near, n * sizeof(bool)) == 0);
    }
    /* linking: the emitted code between the records where the layout puts
     * it, the loop heads' nops, every jump's opcode and offset, nothing
     * written past the image */
    static uint8_t code[MAXCODE + 64];
    memcpy(code, s.code, sizeof(code));
    memset(image, 0xcc, sizeof(image));
    CHECK_EQ(bpfrt_jit_link(&s.c, image), 0);
    uint32_t from = 0, moved_ok = 0, moved = 0;
    for (uint32_t e = 0; e <= n; e++) {
        /* the stretch before record e (or the end): emitted [from, to),
         * in the image up to where the record starts */
        uint8_t kind = e < n ? JIT_EV_KIND(s.rec[e].kind) : 0;
        uint32_t len = kind == JIT_EV_JMP ? 5 : kind == JIT_EV_JCC ? 6 : 0;
        uint32_t to = e < n ? s.rec[e].pos - len : s.lab[n].pos, at = e < n ? L.start[e] : L.len;
        for (uint32_t p = from; p < to; p++, moved++)
            moved_ok += image[at - (to - p)] == code[p];
        if (e < n && !is_jump(&s, e))
            for (uint32_t b = L.start[e]; b < L.end[e]; b++)
                CHECK(image[b] == 0x90 || image[b] == 0x66 || image[b] == 0x0f || image[b] == 0x1f ||
                      image[b] == 0x00 || image[b] == 0x40 || image[b] == 0x44 || image[b] == 0x80 ||
                      image[b] == 0x84);
        from = e < n ? s.rec[e].pos : from;
    }
    CHECK_EQ(moved_ok, moved);
    for (uint32_t b = L.len; b < L.len + 64 && b < sizeof(image); b++)
        CHECK_EQ(image[b], 0xcc);
    for (uint32_t e = 0; e < n; e++) {
        if (!is_jump(&s, e))
            continue;
        const uint8_t *at = image + L.start[e];
        int64_t rel = (int64_t)L.label[s.rec[e].target] - L.end[e];
        uint8_t cc = s.rec[e].kind >> 4;
        bool jmp = JIT_EV_KIND(s.rec[e].kind) == JIT_EV_JMP;
        if (near[e]) {
            CHECK(at[0] == (jmp ? 0xeb : 0x70 + cc) && (int8_t)at[1] == rel);
        } else {
            int32_t r;
            memcpy(&r, at + (jmp ? 1 : 2), 4);
            CHECK(jmp ? at[0] == 0xe9 : at[0] == 0x0f && at[1] == 0x80 + cc);
            CHECK_EQ(r, rel);
        }
    }
}

static void test_random_streams(void)
{
    long iters = test_fuzz_iters() / 4;
    for (long i = 0; i < iters; i++) {
        bool heads = i & 1;
        check_stream(1 + below(MAXREC), heads, 1 + below(i % 3 == 0 ? 8 : 40));
    }
    printf("%ld streams: %ld short jumps, %ld long; %ld of the padded ones with a long jump that fits\n", streams,
           shorts, longs, padded_long_fits);
    CHECK(shorts > 0 && longs > 0);
    /* With loop heads a fixed point is not unique: where the padding that
     * moved pushed a short jump out of reach, it goes back to long, and a
     * jump decided long before may then fit. The sweeps leave that in
     * about 1 padded stream in 100-170 here, only after such a step (the
     * Linux-style Jacobi passes they replace: 1 in 3); at most 1 in 50
     * passes. */
    CHECK(padded_long_fits * 50 <= (iters + 1) / 2);
}

int main(void)
{
    test_seed_from_env(&rng);
    RUN(test_random_streams);
    return test_summary();
}
