/* The bpf() command layer: one entry point shaped like Linux's bpf(2) over a
 * runtime-local object table. Handles are small integers (like fds), each
 * holding a reference on its map, program or BTF. An OS kernel embedding the
 * core wires its own bpf() syscall straight to bpfrt_bpf(). */
#ifndef BPFRT_BPF_H
#define BPFRT_BPF_H

#include <stdint.h>

#include "bpfrt/uapi.h"

struct bpfrt_runtime;
struct bpfrt_map;
struct bpfrt_prog;
struct bpfrt_btf;

/* Runs command `cmd` with `size` bytes of attr (as bpf(2)). Returns a
 * non-negative result (a handle for *_CREATE/LOAD/GET_FD commands, else 0)
 * or a negative BPFRT_E* error. Bytes of attr past what this runtime knows
 * must be zero (-E2BIG otherwise), as Linux checks. Pointers in attr
 * (key, value, insns, log_buf, ...) are plain addresses in this process. */
long bpfrt_bpf(struct bpfrt_runtime *rt, int cmd, union bpf_attr *attr, unsigned int size);

/* Releases a handle (like close(2) on a bpf fd). */
int bpfrt_close(struct bpfrt_runtime *rt, int handle);

/* The object behind a handle, without taking a reference (valid while the
 * handle is open), or NULL when the handle is not of that kind. */
struct bpfrt_map *bpfrt_map_from_handle(struct bpfrt_runtime *rt, int handle);
struct bpfrt_prog *bpfrt_prog_from_handle(struct bpfrt_runtime *rt, int handle);
struct bpfrt_btf *bpfrt_btf_from_handle(struct bpfrt_runtime *rt, int handle);

#endif
