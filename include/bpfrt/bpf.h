/* The bpf() command layer: one entry point shaped like Linux's bpf(2) over a
 * runtime-local object table. Handles are small integers (like fds, the
 * lowest free one >= 3 is handed out, so 0 keeps meaning "none" in attrs
 * such as btf_fd), each holding a reference on its map, program or BTF. An
 * OS kernel embedding the core wires its own bpf() syscall straight to
 * bpfrt_bpf(). docs/bpf-commands.md lists the commands and their errors. */
#ifndef BPFRT_BPF_H
#define BPFRT_BPF_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdint.h>

#include "bpfrt/uapi.h"

struct bpfrt_runtime;
struct bpfrt_map;
struct bpfrt_prog;
struct bpfrt_btf;

/* bpfrt's own PROG_LOAD prog_flags bit: load without the verifier. The
 * program is only validated structurally and runs in the engines' checked
 * mode (every memory access bounds-checked at run time). */
#define BPFRT_PROG_F_NO_VERIFY (1U << 27)

/* bpfrt's own PROG_LOAD prog_flags bit: verify as Linux 6.18 does for a
 * loader without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (unprivileged BPF):
 * only socket filter and cgroup skb programs (-EPERM), at most 4,096
 * instructions (-E2BIG), no pointer leaks or comparisons, pointer
 * arithmetic limited as Spectre v1 masking needs, no loops, no bpf-to-bpf
 * calls or callbacks, no reads of uninitialised stack, no helpers past
 * Linux's unprivileged set. Not with BPFRT_PROG_F_NO_VERIFY (-EINVAL).
 * docs/verifier.md lists the rules. */
#define BPFRT_PROG_F_UNPRIV (1U << 26)

/* bpfrt's own PROG_LOAD log_level bit: the log buffer receives one JSON
 * document instead of Linux's text - each instruction the verifier
 * processed, on which path, with the registers and stack slots after it,
 * then the verdict (with the level-1 text log inside). Combines with any
 * level (the text inside is level 1). docs/verifier.md describes the
 * format. */
#define BPFRT_LOG_JSON (1U << 16)

/* First handle number bpfrt_bpf hands out. */
#define BPFRT_FIRST_HANDLE 3

/* Runs command `cmd` with `size` bytes of attr (as bpf(2)). Returns a
 * non-negative result (a handle for *_CREATE/LOAD/GET_FD commands, else 0)
 * or a negative BPFRT_E* error. Bytes of attr past what this runtime knows
 * must be zero (-E2BIG otherwise), as Linux checks. Pointers in attr
 * (key, value, insns, log_buf, ...) are plain addresses in this process. */
long bpfrt_bpf(struct bpfrt_runtime *rt, int cmd, union bpf_attr *attr, unsigned int size);

/* Releases a handle (like close(2) on a bpf fd). Returns 0 or -EBADF. */
int bpfrt_close(struct bpfrt_runtime *rt, int handle);

/* The object behind a handle, without taking a reference (valid while the
 * handle is open), or NULL when the handle is not of that kind. */
struct bpfrt_map *bpfrt_map_from_handle(struct bpfrt_runtime *rt, int handle);
struct bpfrt_prog *bpfrt_prog_from_handle(struct bpfrt_runtime *rt, int handle);
struct bpfrt_btf *bpfrt_btf_from_handle(struct bpfrt_runtime *rt, int handle);

/* Opens a new handle on an object created outside the command layer (the
 * handle takes its own reference; the object also becomes visible to
 * *_GET_NEXT_ID / *_GET_FD_BY_ID). Returns the handle or -errno. */
int bpfrt_handle_new_map(struct bpfrt_runtime *rt, struct bpfrt_map *map);
int bpfrt_handle_new_prog(struct bpfrt_runtime *rt, struct bpfrt_prog *prog);
int bpfrt_handle_new_btf(struct bpfrt_runtime *rt, struct bpfrt_btf *btf);

/* Removes a pin made with BPF_OBJ_PIN (Linux: unlink(2) on bpffs).
 * Returns 0 or -ENOENT. */
int bpfrt_obj_unpin(struct bpfrt_runtime *rt, const char *path);

/* Number of open handles (tests check that nothing leaks). */
unsigned bpfrt_handle_count(struct bpfrt_runtime *rt);

#pragma GCC visibility pop

#endif
