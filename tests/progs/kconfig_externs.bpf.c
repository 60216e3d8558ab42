// SPDX-License-Identifier: MIT
/* __kconfig externs with a meaning outside a kernel: LINUX_KERNEL_VERSION,
 * a CONFIG_ value the caller passes, and a weak one nobody sets (0). */
#include "common.h"

extern __u32 LINUX_KERNEL_VERSION __kconfig;
extern __u32 CONFIG_HZ __kconfig __weak;
extern _Bool CONFIG_BPF_JIT_ALWAYS_ON __kconfig __weak;

__u32 seen_version;
__u32 seen_hz;

SEC("xdp")
int xdp_kconfig(struct xdp_md *ctx)
{
    seen_version = LINUX_KERNEL_VERSION;
    seen_hz = CONFIG_HZ;
    if (CONFIG_BPF_JIT_ALWAYS_ON)
        return XDP_DROP;
    return LINUX_KERNEL_VERSION >= ((6 << 16) | (1 << 8)) ? XDP_PASS : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
