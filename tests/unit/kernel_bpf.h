/* The real kernel's bpf(2), for the tests that compare bpfrt with the Linux
 * kernel of this machine: the syscall itself, an availability probe (a test
 * that needs the kernel skips with exit 77 when it says no), a probe for the
 * helpers a kernel build may withhold, map creation and element commands, a
 * program load with a verifier log, and one BPF_PROG_TEST_RUN (union bpf_attr
 * from bpfrt/uapi.h, Linux's layout). Like bpfrt_bpf, every call returns its
 * result or -errno. */
#ifndef BPFRT_TESTS_KERNEL_BPF_H
#define BPFRT_TESTS_KERNEL_BPF_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/helpers.h"
#include "bpfrt/insn.h"
#include "bpfrt/uapi.h"

/* A pointer as a bpf_attr field. */
static inline uint64_t kbpf_ptr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* bpf(cmd, attr, size) in the kernel: the result, or -errno. */
static inline long kbpf_sized(int cmd, union bpf_attr *attr, unsigned size)
{
    long r = syscall(__NR_bpf, cmd, attr, size);
    return r < 0 ? -errno : r;
}

/* bpf(cmd, attr, sizeof(*attr)) in the kernel: the result, or -errno. */
static inline long kbpf(int cmd, union bpf_attr *attr)
{
    return kbpf_sized(cmd, attr, sizeof(*attr));
}

/* A BPF_MAP_CREATE attr (bpfrt_bpf takes the same). */
static inline union bpf_attr kbpf_map_attr(uint32_t type, uint32_t key_size, uint32_t value_size,
                                           uint32_t max_entries, uint32_t map_flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = key_size;
    a.value_size = value_size;
    a.max_entries = max_entries;
    a.map_flags = map_flags;
    return a;
}

/* BPF_MAP_CREATE in the kernel: the fd or -errno. */
static inline long kbpf_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
                                   uint32_t map_flags)
{
    union bpf_attr a = kbpf_map_attr(type, key_size, value_size, max_entries, map_flags);
    return kbpf(BPF_MAP_CREATE, &a);
}

/* The attr of an element command (LOOKUP/UPDATE/DELETE_ELEM,
 * LOOKUP_AND_DELETE_ELEM; for GET_NEXT_KEY value is the next key's buffer);
 * bpfrt_bpf takes the same. */
static inline union bpf_attr kbpf_elem_attr(int fd, const void *key, const void *value, uint64_t flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)fd;
    a.key = kbpf_ptr(key);
    a.value = kbpf_ptr(value);
    a.flags = flags;
    return a;
}

/* An element command on kernel map fd: 0 or -errno. */
static inline long kbpf_map_elem(int cmd, int fd, const void *key, const void *value, uint64_t flags)
{
    union bpf_attr a = kbpf_elem_attr(fd, key, value, flags);
    return kbpf(cmd, &a);
}

/* Loads insns (licence "GPL") as a program of `type`. With log != NULL the
 * verifier's text at log_level goes there (emptied first, so a load that
 * fails before the verifier runs leaves ""). Returns the fd or -errno. */
static inline long kbpf_prog_load(uint32_t type, const struct bpf_insn *insns, uint32_t cnt, uint32_t log_level,
                                  char *log, uint32_t log_size)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.insns = kbpf_ptr(insns);
    a.insn_cnt = cnt;
    a.license = kbpf_ptr("GPL");
    if (log) {
        log[0] = '\0';
        a.log_buf = kbpf_ptr(log);
        a.log_size = log_size;
        a.log_level = log_level;
    }
    return kbpf(BPF_PROG_LOAD, &a);
}

/* Runs program fd once (BPF_PROG_TEST_RUN, repeat 1) on size_in bytes of
 * data_in. With data_out, *size_out is its room on entry and the output
 * packet's length on return (size_out may be NULL only without data_out).
 * *retval gets the program's return value. Returns 0 or -errno. */
static inline long kbpf_test_run(long fd, const void *data_in, uint32_t size_in, void *data_out, uint32_t *size_out,
                                 uint32_t *retval)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = kbpf_ptr(data_in);
    a.test.data_size_in = size_in;
    a.test.data_out = kbpf_ptr(data_out);
    a.test.data_size_out = data_out ? *size_out : 0;
    a.test.repeat = 1;
    long r = kbpf(BPF_PROG_TEST_RUN, &a);
    if (data_out)
        *size_out = a.test.data_size_out;
    *retval = a.test.retval;
    return r;
}

/* False when the kernel refuses bpf(2) to this process - EPERM (not root,
 * unprivileged BPF disabled) or ENOSYS (no BPF, seccomp) - and the caller
 * should skip (exit 77); any other answer means the kernel is there. Probes
 * once, by loading the smallest socket filter. */
/* The kernel side of the ELF loader (bpfrt_object_opts.bpf_fn and
 * close_fn): bpf(2) itself, except that nothing is ever pinned - BPF_OBJ_GET
 * finds no pin and BPF_OBJ_PIN succeeds without making one - so a test
 * leaves nothing behind in the kernel. */
static inline long kbpf_loader_bpf(void *arg, int cmd, union bpf_attr *attr, unsigned int size)
{
    (void)arg;
    if (cmd == BPF_OBJ_GET)
        return -ENOENT;
    if (cmd == BPF_OBJ_PIN)
        return 0;
    return kbpf_sized(cmd, attr, size);
}

static inline int kbpf_loader_close(void *arg, int fd)
{
    (void)arg;
    return close(fd);
}

static inline bool kbpf_available(void)
{
    static int cached = -1;
    if (cached < 0) {
        const struct bpf_insn probe[2] = {
            { .code = BPF_ALU64 | BPF_MOV | BPF_K }, /* r0 = 0 */
            { .code = BPF_JMP | BPF_EXIT },
        };
        long fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, probe, 2, 0, NULL, 0);
        cached = fd != -EPERM && fd != -ENOSYS;
        if (fd >= 0)
            close((int)fd);
    }
    return cached;
}

/* ---- helpers a kernel build may withhold ----
 * bpfrt's helper table follows Linux 6.18 with its usual config, where
 * these (program type, helper) pairs are available. Some builds of 6.18 hand
 * the verifier no proto for them ("program of this type cannot use helper"),
 * e.g. this CI machine's Firecracker kernel for bpf_xdp_adjust_meta in XDP
 * (docs/version-rules.md). A comparison test asks kbpf_helper_withheld and
 * skips, loudly, exactly the cases that need such a helper; any other
 * refusal by the kernel stays a failure. */
static const struct kbpf_optional_helper {
    uint32_t prog_type;
    int32_t helper;
} kbpf_optional_helpers[] = {
    { BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_adjust_meta },
};

#define KBPF_OPTIONAL_HELPERS (sizeof(kbpf_optional_helpers) / sizeof(kbpf_optional_helpers[0]))

/* NULL when programs of `type` may call helper `id` here (always for a pair
 * not in kbpf_optional_helpers), else the verifier's reason. Probes each
 * listed pair once, by loading `call id; exit`: the verifier looks up the
 * helper's proto before it checks any argument. */
static inline const char *kbpf_helper_withheld(uint32_t type, int32_t id)
{
    static char reason[KBPF_OPTIONAL_HELPERS][160];
    static int8_t state[KBPF_OPTIONAL_HELPERS]; /* 0 not probed, 1 available, 2 withheld */
    for (size_t i = 0; i < KBPF_OPTIONAL_HELPERS; i++) {
        if (kbpf_optional_helpers[i].prog_type != type || kbpf_optional_helpers[i].helper != id)
            continue;
        if (!state[i]) {
            static char log[4096];
            const struct bpf_insn probe[2] = {
                { .code = BPF_JMP | BPF_CALL, .imm = id },
                { .code = BPF_JMP | BPF_EXIT },
            };
            long fd = kbpf_prog_load(type, probe, 2, 1, log, sizeof(log));
            if (fd >= 0)
                close((int)fd);
            const char *line = strstr(log, "cannot use helper");
            state[i] = line ? 2 : 1;
            if (line) { /* the verifier's whole line, without its newline */
                while (line > log && line[-1] != '\n')
                    line--;
                snprintf(reason[i], sizeof(reason[i]), "the kernel's verifier, prog type %u: %.*s", type,
                         (int)strcspn(line, "\n"), line);
            }
        }
        return state[i] == 2 ? reason[i] : NULL;
    }
    return NULL;
}

/* The reason of the first helper call in insns (a relocated program,
 * subprograms included) that the kernel withholds from programs of `type`,
 * or NULL when the kernel has every helper the program calls. */
static inline const char *kbpf_prog_withheld(uint32_t type, const struct bpf_insn *insns, uint32_t cnt)
{
    for (uint32_t i = 0; i < cnt; i++) {
        if (insns[i].code != (BPF_JMP | BPF_CALL) || insns[i].src_reg != 0)
            continue;
        const char *why = kbpf_helper_withheld(type, insns[i].imm);
        if (why)
            return why;
    }
    return NULL;
}

#endif
