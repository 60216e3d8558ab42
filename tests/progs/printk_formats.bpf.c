// SPDX-License-Identifier: MIT
/* Debug printing the way libbpf's bpf_printk does it: formats are static
 * const arrays in .rodata, up to three arguments go through
 * bpf_trace_printk and more through bpf_trace_vprintk (arguments packed in
 * a u64 array); string literals for %s come from .rodata.str1.1. The
 * helpers return the length of the formatted line, which the program sums
 * into .bss, and the same line is rendered with bpf_snprintf into a global
 * buffer so the exact text can be compared. */
#include "common.h"

static long (*bpf_trace_vprintk)(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len) = (void *)177;

/* libbpf-like: the format is a static const array (.rodata); up to three
 * arguments go in registers, more through bpf_trace_vprintk's u64 array */
#define printk3(fmt, a, b, c)                                                         \
    ({                                                                                \
        static const char ___fmt[] = fmt;                                             \
        bpf_trace_printk(___fmt, sizeof(___fmt), (__u64)(a), (__u64)(b), (__u64)(c)); \
    })
#define printk6(fmt, a, b, c, d, e, f)                                                          \
    ({                                                                                          \
        static const char ___fmt[] = fmt;                                                       \
        __u64 ___param[6] = {(__u64)(a), (__u64)(b), (__u64)(c), (__u64)(d), (__u64)(e), (__u64)(f)}; \
        bpf_trace_vprintk(___fmt, sizeof(___fmt), ___param, sizeof(___param));                  \
    })

long printed_total;
long printed_lines;
long last_rc;
char line[128];
long line_len;

static const char snfmt[] = "%s proto=%u len=%d src=%pI4 ttl=%03u tag=%-6s|%5x|%c%%";

SEC("xdp")
int xdp_printk(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    long r, total = 0;

    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    r = printk3("short frame? %d bytes", (int)(data_end - data), 0, 0);
    total += r;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) {
        r = printk3("non-IP proto 0x%04x from %02x:%02x", bpf_ntohs(eth->h_proto), eth->h_source[0],
                      eth->h_source[5]);
        total += r;
        __sync_fetch_and_add(&printed_total, total);
        __sync_fetch_and_add(&printed_lines, 2);
        return XDP_PASS;
    }
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return XDP_DROP;
    __u32 saddr = ip->saddr;
    r = printk3("ip %pI4 -> %pI4 proto %u", (long)&ip->saddr, (long)&ip->daddr, ip->protocol);
    total += r;
    r = printk6("ttl=%u tos=%x id=%u frag=%x len=%u %s", ip->ttl, ip->tos, bpf_ntohs(ip->id),
                  bpf_ntohs(ip->frag_off), bpf_ntohs(ip->tot_len), (long)"end");
    total += r;
    r = printk6("%s %s %lld %llu %5d|%-5d|", (long)"tag", (long)(ip->protocol == IPPROTO_UDP ? "udp" : "other"),
                  -(long long)ip->ttl * 1000000007LL, (unsigned long long)saddr << 20, -42, 42);
    total += r;
    last_rc = r;

    __u64 args[8] = {(__u64)(long)"pkt", ip->protocol, (long)(data_end - data), (__u64)(long)&saddr,
                     ip->ttl, (__u64)(long)(ip->protocol == IPPROTO_TCP ? "tcp" : "-"),
                     bpf_ntohs(ip->id), 'A' + (ip->tos & 15)};
    line_len = bpf_snprintf(line, sizeof(line), snfmt, args, sizeof(args));
    __sync_fetch_and_add(&printed_total, total);
    __sync_fetch_and_add(&printed_lines, 3);
    return total > 0 ? XDP_PASS : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
