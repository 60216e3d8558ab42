// SPDX-License-Identifier: MIT
/* Strings in read-only data: a format in .rodata (static const, as libbpf's
 * bpf_printk makes it), a literal in .rodata.str1.1, bpf_trace_printk and
 * bpf_snprintf (whose format must sit in a frozen read-only map). */
#include "common.h"

char out_buf[32];
__s64 snprintf_ret;

SEC("xdp")
int xdp_log(struct xdp_md *ctx)
{
    static const char fmt[] = "pkt len %d proto %x";
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    __u32 len = data_end - data;
    __u32 proto = 0;
    if ((void *)(eth + 1) <= data_end)
        proto = bpf_ntohs(eth->h_proto);
    bpf_trace_printk(fmt, sizeof(fmt), len, proto);
    bpf_trace_printk("literal %u", sizeof("literal %u"), len * 2);
    static const char sfmt[] = "len=%u x=%u";
    __u64 args[2] = {len, 7};
    snprintf_ret = bpf_snprintf(out_buf, sizeof(out_buf), sfmt, args, sizeof(args));
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
