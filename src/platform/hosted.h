/* Extras of the hosted platform (user space). */
#ifndef BPFRT_PLATFORM_HOSTED_H
#define BPFRT_PLATFORM_HOSTED_H

#include "bpfrt/platform.h"

/* Redirects the hosted platform's log (default: stderr, INFO and above). */
typedef void (*bpfrt_hosted_log_fn)(void *arg, enum bpfrt_log_level level, const char *msg, size_t len);
void bpfrt_hosted_set_log(bpfrt_hosted_log_fn fn, void *arg, enum bpfrt_log_level max_level);

/* Runs every deferred free once no read-side section is active. */
void bpfrt_hosted_quiesce(void);

/* True when read-side sections enter with a plain store, the freeing side
 * fencing them with membarrier(2); false on the seq_cst fallback (no
 * membarrier, or BPFRT_HOSTED_MEMBARRIER=0 in the environment at the first
 * section). Decided once. */
bool bpfrt_hosted_membarrier(void);

/* The tracing services of the hosted platform (hosted_task.c), as the
 * platform struct's optional members describe them. */
int bpfrt_hosted_current_task(void *ctx, struct bpfrt_task_info *info);
int bpfrt_hosted_current_cgroup(void *ctx, uint64_t *ids, unsigned max);
int bpfrt_hosted_cgroup_id_from_fd(void *ctx, int fd, uint64_t *id);
unsigned bpfrt_hosted_stack_trace(void *ctx, uint64_t *ips, unsigned max);
int bpfrt_hosted_send_signal(void *ctx, uint32_t sig, bool thread);
/* /sys/kernel/btf/vmlinux (or the file BPFRT_KERNEL_BTF names), read once. */
const void *bpfrt_hosted_kernel_btf(void *ctx, size_t *size);

#endif
