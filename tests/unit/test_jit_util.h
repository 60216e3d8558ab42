/* Shared by the test_jit_*.c tests: runs a program in a chosen engine (the
 * interpreter checked or unchecked, the JIT in checked, trusted or verified
 * mode) with the hooks of test_vm_util.h (ctx description, packet, budget,
 * maps), and compares two runs. */
#ifndef BPFRT_TEST_JIT_UTIL_H
#define BPFRT_TEST_JIT_UTIL_H

#include <ctype.h>

#include "bpfrt/jit.h"
#include "test_vm_util.h"

enum jt_engine { JT_INTERP, JT_INTERP_VERIFIED, JT_JIT, JT_JIT_TRUSTED, JT_JIT_VERIFIED, JT_COUNT };
static const char *const jt_engine_names[JT_COUNT] = { "interp", "interp-verified", "jit", "jit-trusted",
                                                       "jit-verified" };

static inline bool jt_is_jit(enum jt_engine e)
{
    return e == JT_JIT || e == JT_JIT_TRUSTED || e == JT_JIT_VERIFIED;
}

/* Creates the program for engine e (JIT: bpfrt_prog_use_jit). */
static inline int jt_create(const struct bpf_insn *insns, uint32_t n, enum jt_engine e, struct bpfrt_prog **out,
                            char *msg, size_t msg_size)
{
    struct bpfrt_prog *prog = NULL;
    int rc = bpfrt_prog_create(vt_rt, insns, n, BPF_PROG_TYPE_UNSPEC, msg, msg_size, &prog);
    if (rc)
        return rc;
    prog->verified = e == JT_INTERP_VERIFIED || e == JT_JIT_VERIFIED;
    if (vt_nr_maps) {
        const struct bpfrt_platform *plat = bpfrt_runtime_platform(vt_rt);
        prog->maps = plat->alloc(plat->ctx, vt_nr_maps * sizeof(*prog->maps), 16);
        for (uint32_t i = 0; i < vt_nr_maps; i++) {
            bpfrt_map_get(vt_maps[i]);
            prog->maps[i] = vt_maps[i];
        }
        prog->nr_maps = vt_nr_maps;
    }
    if (jt_is_jit(e)) {
        bool jitted = false;
        rc = bpfrt_prog_use_jit(prog, e == JT_JIT_TRUSTED ? BPFRT_ENGINE_JIT_TRUSTED : BPFRT_ENGINE_JIT, &jitted,
                                msg, msg_size);
        if (rc || !jitted) {
            if (!rc)
                snprintf(msg, msg_size, "not JIT-compiled");
            bpfrt_prog_put(prog);
            return rc ? rc : -1000;
        }
    }
    *out = prog;
    return 0;
}

/* Runs an already created program once on mem. */
static inline struct vt_result jt_run_prog(struct bpfrt_prog *prog, void *mem, size_t len)
{
    struct vt_result res;
    memset(&res, 0, sizeof(res));
    struct bpfrt_run *run = calloc(1, sizeof(*run));
    run->ctx = mem;
    run->ctx_size = (uint32_t)len;
    run->ctx_desc = vt_ctx_desc;
    run->pkt = vt_pkt;
    bpfrt_run_begin(run, prog);
    if (vt_budget)
        run->insn_budget = vt_budget;
    res.rc = bpfrt_prog_run(prog, run, (uint64_t)(uintptr_t)mem, len, &res.r0);
    res.error = run->error;
    res.error_insn = run->error_insn;
    res.error_addr = run->error_addr;
    snprintf(res.msg, sizeof(res.msg), "%s", run->error_msg);
    bpfrt_run_end(run);
    free(run);
    return res;
}

static inline struct vt_result jt_run(const struct bpf_insn *insns, uint32_t n, void *mem, size_t len, enum jt_engine e)
{
    struct bpfrt_prog *prog = NULL;
    struct vt_result res;
    memset(&res, 0, sizeof(res));
    res.create_rc = jt_create(insns, n, e, &prog, res.msg, sizeof(res.msg));
    if (res.create_rc)
        return res;
    res = jt_run_prog(prog, mem, len);
    bpfrt_prog_put(prog);
    return res;
}

/* The message with hexadecimal addresses masked (stack addresses differ
 * between engines: each run's stack is its own). */
static inline void jt_mask_addrs(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < size;) {
        if (in[i] == '0' && in[i + 1] == 'x' && isxdigit((unsigned char)in[i + 2])) {
            size_t j = i + 2;
            while (isxdigit((unsigned char)in[j]))
                j++;
            if (j - i > 8) { /* an address, not a small number */
                const char *m = "0x?";
                for (; *m && o + 1 < size; m++)
                    out[o++] = *m;
                i = j;
                continue;
            }
        }
        out[o++] = in[i++];
    }
    out[o] = '\0';
}

/* Two runs agree: return code, r0, error kind, failing instruction and
 * message (addresses masked). Prints the difference under `what`. */
static inline bool jt_same(const struct vt_result *a, const struct vt_result *b, const char *what)
{
    char ma[256], mb[256];
    jt_mask_addrs(a->msg, ma, sizeof(ma));
    jt_mask_addrs(b->msg, mb, sizeof(mb));
    bool same = a->create_rc == b->create_rc && a->rc == b->rc && a->r0 == b->r0 && a->error == b->error &&
                (a->rc == 0 || a->error_insn == b->error_insn) && strcmp(ma, mb) == 0;
    if (!same)
        fprintf(stderr,
                "%s: differ:\n  create %d rc %d r0 0x%llx error %d insn %u \"%s\"\n  create %d rc %d r0 0x%llx error %d insn %u \"%s\"\n",
                what, a->create_rc, a->rc, (unsigned long long)a->r0, a->error, a->error_insn, a->msg,
                b->create_rc, b->rc, (unsigned long long)b->r0, b->error, b->error_insn, b->msg);
    return same;
}

/* Runs in every engine and checks each against the interpreter (checked);
 * the unchecked engines only when the checked run succeeded. Returns the
 * interpreter's result. */
static inline struct vt_result jt_all(const struct bpf_insn *insns, uint32_t n, const char *what)
{
    struct vt_result base = jt_run(insns, n, NULL, 0, JT_INTERP);
    for (int e = JT_INTERP_VERIFIED; e < JT_COUNT; e++) {
        if (e != JT_JIT && base.rc != 0)
            continue;
        struct vt_result r = jt_run(insns, n, NULL, 0, (enum jt_engine)e);
        char w[160];
        snprintf(w, sizeof(w), "%s [%s]", what, jt_engine_names[e]);
        CHECK(jt_same(&base, &r, w));
    }
    return base;
}

/* Expects r0 == want from every engine. */
#define JT_EXPECT_R0(want, ...) do { \
    const struct bpf_insn p_[] = { __VA_ARGS__ }; \
    struct vt_result r_ = jt_all(p_, sizeof(p_) / sizeof(p_[0]), #want); \
    CHECK_EQ(r_.rc, 0); \
    CHECK_EQ(r_.r0, (uint64_t)(want)); \
} while (0)

#endif
