/* Kernel-side context structs for the program types bpfrt describes, and the
 * access check built on the context descriptions (prog_types.c).
 *
 * A hook (test-run, pcap, an embedding kernel) allocates the kernel-side
 * struct (desc->kern_size bytes), fills the user-visible part (its first
 * desc->ctx_size bytes, e.g. struct xdp_md) and the 64-bit pointer shadows,
 * and passes its address as r1. A load of a pointer field (xdp_md.data)
 * reads the u64 at the field's kern_off instead of the u32 in the user view;
 * helpers find the shadows generically through the desc (kern_off), so they
 * need not know these structs. */
#ifndef BPFRT_CORE_BPF_PROG_TYPES_H
#define BPFRT_CORE_BPF_PROG_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/prog.h"
#include "bpfrt/uapi.h"

/* Extra bit in bpfrt_ctx_field.access: writes narrower than the field are
 * allowed too (Linux allows them only for plain storage such as cb[]). */
#define BPFRT_CTX_NARROW_WRITE 4u

/* XDP: struct xdp_md, then the real pointers. */
struct bpfrt_xdp_ctx {
    struct xdp_md md;
    uint32_t pad;
    uint64_t data, data_end, data_meta;
};

/* Socket filter, tc, cgroup_skb: struct __sk_buff, then the real pointers.
 * __sk_buff.sk and .flow_keys are 64-bit already and hold their value in
 * place (0: NULL). */
struct bpfrt_skb_ctx {
    struct __sk_buff skb;
    uint64_t data, data_end, data_meta;
    /* sk_buff state __sk_buff does not show, read by skb helpers:
     * ip_summed (Linux's CHECKSUM_NONE 0, _UNNECESSARY 1, _COMPLETE 2,
     * _PARTIAL 3; zero-filled contexts start with NONE, as a test run),
     * csum_level (0..3, for CHECKSUM_UNNECESSARY), csum (for _COMPLETE) and
     * hash_valid (Linux's l4_hash/sw_hash: skb->hash need not be computed) */
    uint8_t ip_summed, csum_level, hash_valid;
    uint32_t csum;
};

/* x86-64 struct pt_regs (the kprobe context), Linux's field order. */
struct bpfrt_pt_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi,
        orig_rax, rip, cs, eflags, rsp, ss;
};

/* PERF_EVENT: struct bpf_perf_event_data (Linux's layout). */
struct bpfrt_perf_event_data {
    struct bpfrt_pt_regs regs;
    uint64_t sample_period;
    uint64_t addr;
};

#define BPFRT_MAX_BPF_FUNC_ARGS 12     /* raw tracepoint args[] (Linux's MAX_BPF_FUNC_ARGS) */
#define BPFRT_PERF_MAX_TRACE_SIZE 8192 /* tracepoint record bytes a program may read */
#define BPFRT_SYSCALL_CTX_MAX 65535    /* BPF_PROG_TYPE_SYSCALL ctx (U16_MAX) */

/* The one context-access rule (Linux 6.18's is_valid_access per type):
 * may a program whose context `desc` describes access [off, off+size) for
 * a read or a write? Yes when it lies inside one field, off is aligned to
 * size (1, 2, 4 or 8), the field allows the direction, and size is the
 * field's or a narrow access the field permits (reads: narrow_ok, writes:
 * BPFRT_CTX_NARROW_WRITE); pointer fields only as a whole read. Returns the
 * field - what the access touches: its kind, and for pointers the kern_off
 * of the real value - or NULL. Checked runs, the verifier and the tests
 * (swept against the kernel in test_bpf_ctx) all ask this function. A
 * caller with a signed offset passes it as is: negative ones wrap past
 * ctx_size and are refused. */
const struct bpfrt_ctx_field *bpfrt_ctx_access_ok(const struct bpfrt_ctx_desc *desc, uint32_t off,
                                                  uint32_t size, bool write);

/* True when PROG_LOAD accepts this program type (it has a description, or
 * runs on plain memory). */
bool bpfrt_prog_type_known(uint32_t prog_type);

/* Linux's name of a program type ("xdp", "sched_cls"), "unknown" otherwise. */
const char *bpfrt_prog_type_name(uint32_t prog_type);

#endif
