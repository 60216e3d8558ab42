// SPDX-License-Identifier: MIT
/* More type information real objects carry: btf_decl_tag / btf_type_tag
 * annotations (as kernel headers' __user, __rcu, __kptr and the "arg:ctx"
 * tag on global-function arguments), float and double members (FLOAT),
 * function pointers inside structs, packed structs with misaligned
 * members, multi-dimensional and zero-length arrays, signed enums with
 * negative values, a custom .data.* section and function-scope statics. */
#include "common.h"

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))
#define __arg_ctx __tag("arg:ctx")

enum level { LVL_LOW = -2, LVL_MID = 0, LVL_HIGH = 3 };

struct handlers {
    int (*on_pkt)(void *ctx, __u32 len);
    void (*on_drop)(int reason);
};

struct __attribute__((packed)) wire_rec {
    __u8 kind;
    __u32 value; /* misaligned */
    __u16 port;
    __u64 stamp;
};

struct sample {
    float ratio;
    double mean;
    __u32 grid[2][3];
    __u8 tail[0];
} __tag("sample_type");

struct owner {
    int __ttag("user") *uptr;
    struct sample *__ttag("rcu") cur;
    enum level lvl __tag("level_field");
    struct handlers h;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, struct wire_rec);
} recs SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct owner);
} owners SEC(".maps");

__u32 custom_counter SEC(".data.stats") = 100;
__u64 custom_bytes SEC(".data.stats") = 0;
struct sample last_sample __tag("global_sample");

__noinline int classify_len(struct xdp_md *ctx __arg_ctx, __u32 extra __tag("plain"))
{
    return (int)(ctx->rx_queue_index + ctx->ingress_ifindex * 0) + (int)extra;
}

SEC("xdp")
int xdp_tags(struct xdp_md *ctx)
{
    static __u32 calls; /* a function-scope static: "xdp_tags.calls" */
    __u32 zero = 0;
    calls++;
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    int len = classify_len(ctx, (__u32)(data_end - data));
    struct wire_rec *r = bpf_map_lookup_elem(&recs, &zero);
    if (r) {
        r->kind = 1;
        r->value += (__u32)len;
        r->port = 0xbeef;
        r->stamp = calls;
    }
    struct owner *o = bpf_map_lookup_elem(&owners, &zero);
    if (o)
        o->lvl = len > 60 ? LVL_HIGH : len < 50 ? LVL_LOW : LVL_MID;
    __u32 ul = (__u32)len & 0xff;
    __u32 row = ul & 1, col = ul > 60 ? 2 : ul > 50 ? 1 : 0;
    if (row < 2 && col < 3)
        last_sample.grid[row][col] += 1;
    last_sample.grid[1][2] = calls;
    custom_counter++;
    custom_bytes += len;
    return o && o->lvl == LVL_LOW ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
