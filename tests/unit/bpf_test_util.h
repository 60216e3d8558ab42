/* Shared by the tests/unit/test_bpf_*.c tests: instruction macros, a
 * runtime, attr shorthands, and bpf() on bpfrt or the real kernel
 * (kernel_bpf.h) for comparisons. */
#ifndef BPFRT_TESTS_BPF_TEST_UTIL_H
#define BPFRT_TESTS_BPF_TEST_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "bpfrt/insn.h"
#include "bpfrt/runtime.h"
#include "bpfrt/uapi.h"
#include "kernel_bpf.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ALU64_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU64_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_IMM64_SRC(d, src, lo, hi) INSN(BPF_LD | BPF_DW | BPF_IMM, d, src, 0, lo), INSN(0, 0, 0, 0, hi)
#define LD_MAP_FD(d, fd) LD_IMM64_SRC(d, BPF_PSEUDO_MAP_FD, fd, 0)
#define ATOMIC_ADD(sz, d, s, o) INSN(BPF_STX | BPF_ATOMIC | (sz), d, s, o, BPF_ADD)
#define NR(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

#define HELPER_map_lookup_elem 1
#define HELPER_trace_printk 6
#define HELPER_tail_call 12
#define HELPER_xdp_adjust_head 44
#define HELPER_redirect 23
#define HELPER_ktime_get_ns 5

static inline uint64_t ptr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static inline struct bpfrt_runtime *new_rt(void)
{
    struct bpfrt_runtime *rt = NULL;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0) {
        fprintf(stderr, "runtime create failed\n");
        exit(1);
    }
    return rt;
}

/* bpf() on bpfrt (kernel == false) or the real kernel. */
static inline long do_bpf(struct bpfrt_runtime *rt, bool kernel, int cmd, union bpf_attr *a)
{
    return kernel ? kbpf(cmd, a) : bpfrt_bpf(rt, cmd, a, sizeof(*a));
}

static inline void do_close(struct bpfrt_runtime *rt, bool kernel, long h)
{
    if (h < 0)
        return;
    if (kernel)
        close((int)h);
    else
        bpfrt_close(rt, (int)h);
}

/* Loads insns with an optional log. Returns the handle or -errno. */
static inline long load_prog_ex(struct bpfrt_runtime *rt, bool kernel, uint32_t type, const struct bpf_insn *insns,
                                uint32_t cnt, const char *license, uint32_t log_level, char *log, uint32_t log_size,
                                uint32_t *true_size)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.insn_cnt = cnt;
    a.insns = ptr(insns);
    a.license = ptr(license);
    a.log_level = log_level;
    a.log_buf = ptr(log);
    a.log_size = log_size;
    long r = do_bpf(rt, kernel, BPF_PROG_LOAD, &a);
    if (true_size)
        *true_size = a.log_true_size;
    return r;
}

static inline long load_prog(struct bpfrt_runtime *rt, uint32_t type, const struct bpf_insn *insns, uint32_t cnt)
{
    return load_prog_ex(rt, false, type, insns, cnt, "GPL", 0, NULL, 0, NULL);
}

/* Loads a program that names what it attaches to (tracing, LSM, tp_btf:
 * expected_attach_type and attach_btf_id), with prog_flags and a level-1
 * log when log is given. Returns the handle or -errno. */
static inline long load_attach_prog(struct bpfrt_runtime *rt, bool kernel, uint32_t type, uint32_t attach,
                                    uint32_t btf_id, const struct bpf_insn *insns, uint32_t cnt, uint32_t flags,
                                    char *log, uint32_t log_size)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.expected_attach_type = attach;
    a.attach_btf_id = btf_id;
    a.insn_cnt = cnt;
    a.insns = ptr(insns);
    a.license = ptr("GPL");
    a.log_buf = ptr(log);
    a.log_size = log ? log_size : 0;
    a.log_level = log ? 1 : 0;
    a.prog_flags = flags;
    return do_bpf(rt, kernel, BPF_PROG_LOAD, &a);
}

/* Loads with prog_flags (BPFRT_PROG_F_*: the engine, no verifier). */
static inline long load_prog_flags(struct bpfrt_runtime *rt, uint32_t type, const struct bpf_insn *insns,
                                   uint32_t cnt, uint32_t prog_flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.insn_cnt = cnt;
    a.insns = ptr(insns);
    a.license = ptr("GPL");
    a.prog_flags = prog_flags;
    return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

/* Loads without the verifier (BPFRT_PROG_F_NO_VERIFY): for programs a test
 * wants the checked interpreter to stop at run time. */
static inline long load_prog_unverified(struct bpfrt_runtime *rt, uint32_t type, const struct bpf_insn *insns,
                                        uint32_t cnt)
{
    return load_prog_flags(rt, type, insns, cnt, BPFRT_PROG_F_NO_VERIFY);
}

static inline long create_map_ex(struct bpfrt_runtime *rt, bool kernel, uint32_t type, uint32_t ks, uint32_t vs,
                                 uint32_t max)
{
    union bpf_attr a = kbpf_map_attr(type, ks, vs, max, 0);
    return do_bpf(rt, kernel, BPF_MAP_CREATE, &a);
}

static inline long create_map(struct bpfrt_runtime *rt, uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
    return create_map_ex(rt, false, type, ks, vs, max);
}

static inline long map_update(struct bpfrt_runtime *rt, long fd, const void *k, const void *v, uint64_t flags)
{
    union bpf_attr a = kbpf_elem_attr((int)fd, k, v, flags);
    return bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

static inline long map_lookup(struct bpfrt_runtime *rt, long fd, const void *k, void *v)
{
    union bpf_attr a = kbpf_elem_attr((int)fd, k, v, 0);
    return bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

/* A one-slot PROG_ARRAY holding the program `prog` (a handle), in bpfrt or
 * the kernel: its handle, or < 0. */
static inline long prog_array_of_ex(struct bpfrt_runtime *rt, bool kernel, long prog)
{
    long mh = create_map_ex(rt, kernel, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1);
    uint32_t key = 0, val = (uint32_t)prog;
    union bpf_attr a = kbpf_elem_attr((int)mh, &key, &val, 0);
    if (mh < 0 || do_bpf(rt, kernel, BPF_MAP_UPDATE_ELEM, &a) != 0)
        return -1;
    return mh;
}

static inline long prog_array_of(struct bpfrt_runtime *rt, long prog)
{
    return prog_array_of_ex(rt, false, prog);
}

/* OBJ_GET_INFO_BY_FD of program fd into *info, in bpfrt or the kernel. */
static inline long prog_info_ex(struct bpfrt_runtime *rt, bool kernel, long fd, struct bpf_prog_info *info)
{
    memset(info, 0, sizeof(*info));
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)fd;
    a.info.info_len = sizeof(*info);
    a.info.info = ptr(info);
    return do_bpf(rt, kernel, BPF_OBJ_GET_INFO_BY_FD, &a);
}

#endif
