/* Shared by the corpus and loader tests: finding the compiled corpus,
 * opening/loading objects, running programs through BPF_PROG_TEST_RUN,
 * reading maps and globals, and building packets with valid checksums. */
#ifndef BPFRT_TEST_CORPUS_UTIL_H
#define BPFRT_TEST_CORPUS_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfrt/bpf.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "bpfrt/runtime.h"
#include "test.h"

static struct bpfrt_runtime *crt; /* the runtime every helper uses */

static inline const char *build_dir(void)
{
    const char *b = getenv("BPFRT_BUILD");
    return b ? b : "build";
}

static inline int dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Path of a corpus object: $BPFRT_BUILD/progs/<variant>/<name>.o */
static inline const char *prog_path(const char *variant, const char *name)
{
    static char path[4096];
    if (strcmp(variant, "examples") == 0)
        snprintf(path, sizeof(path), "%s/examples/%s.o", build_dir(), name);
    else
        snprintf(path, sizeof(path), "%s/progs/%s/%s.o", build_dir(), variant, name);
    return path;
}

static inline struct bpfrt_object *open_obj_opts(const char *variant, const char *name,
                                                 const struct bpfrt_object_opts *o)
{
    struct bpfrt_object *obj = NULL;
    char err[512] = "";
    /* The corpus's expectations follow its own headers (tests/progs/include):
     * CO-RE keeps the compiled values unless a test names a target BTF,
     * rather than taking the running kernel's. */
    struct bpfrt_object_opts own = o ? *o : (struct bpfrt_object_opts){0};
    if (!own.target_btf && !own.target_btf_path)
        own.target_btf_path = "";
    int rc = bpfrt_object_open_file(crt, prog_path(variant, name), &own, &obj, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "%s/%s: open failed: %d %s\n", variant, name, rc, err);
        return NULL;
    }
    return obj;
}

static inline struct bpfrt_object *load_obj_opts(const char *variant, const char *name,
                                                 const struct bpfrt_object_opts *o)
{
    struct bpfrt_object *obj = open_obj_opts(variant, name, o);
    if (!obj)
        return NULL;
    char err[512] = "";
    int rc = bpfrt_object_load(obj, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "%s/%s: load failed: %d %s\n", variant, name, rc, err);
        for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
            const char *log = bpfrt_object_prog_log(bpfrt_object_prog_at(obj, i));
            if (*log)
                fprintf(stderr, "--- log of %s:\n%s\n", bpfrt_object_prog_name(bpfrt_object_prog_at(obj, i)), log);
        }
        bpfrt_object_close(obj);
        return NULL;
    }
    return obj;
}

static inline struct bpfrt_object *load_obj(const char *variant, const char *name)
{
    return load_obj_opts(variant, name, NULL);
}

struct run_result {
    int rc;
    uint32_t retval;
    uint8_t out[4096];
    uint32_t out_len;
    uint8_t ctx_out[512];
    uint32_t ctx_out_len;
};

/* Runs program `prog` (by name) on a packet (or ctx when data is NULL). */
static inline struct run_result run_prog_ctx(struct bpfrt_object *obj, const char *prog,
                                             const void *data, uint32_t len, const void *ctx,
                                             uint32_t ctx_len, uint32_t ctx_out_len)
{
    struct run_result r;
    memset(&r, 0, sizeof(r));
    struct bpfrt_object_prog *p = bpfrt_object_find_prog(obj, prog);
    if (!p) {
        fprintf(stderr, "no program %s\n", prog);
        r.rc = -2;
        return r;
    }
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)bpfrt_object_prog_handle(p);
    a.test.data_in = (uint64_t)(uintptr_t)data;
    a.test.data_size_in = data ? len : 0;
    a.test.data_out = data ? (uint64_t)(uintptr_t)r.out : 0;
    a.test.data_size_out = data ? sizeof(r.out) : 0;
    a.test.ctx_in = (uint64_t)(uintptr_t)ctx;
    a.test.ctx_size_in = ctx ? ctx_len : 0;
    if (ctx_out_len) {
        a.test.ctx_out = (uint64_t)(uintptr_t)r.ctx_out;
        a.test.ctx_size_out = ctx_out_len;
    }
    a.test.repeat = data ? 1 : 0; /* raw_tp insists on 0 */
    r.rc = (int)bpfrt_bpf(crt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    if (r.rc)
        fprintf(stderr, "test run of %s failed: %d\n", prog, r.rc);
    r.retval = a.test.retval;
    r.out_len = a.test.data_size_out;
    r.ctx_out_len = a.test.ctx_size_out;
    return r;
}

static inline struct run_result run_prog(struct bpfrt_object *obj, const char *prog,
                                         const void *data, uint32_t len)
{
    return run_prog_ctx(obj, prog, data, len, NULL, 0, 0);
}

static inline int map_handle(struct bpfrt_object *obj, const char *name)
{
    struct bpfrt_object_map *m = bpfrt_object_find_map(obj, name);
    return m ? bpfrt_object_map_handle(m) : -1;
}

static inline int map_lookup(struct bpfrt_object *obj, const char *name, const void *key, void *val)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)map_handle(obj, name);
    a.key = (uint64_t)(uintptr_t)key;
    a.value = (uint64_t)(uintptr_t)val;
    return (int)bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

static inline int map_update(struct bpfrt_object *obj, const char *name, const void *key,
                             const void *val, uint64_t flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)map_handle(obj, name);
    a.key = (uint64_t)(uintptr_t)key;
    a.value = (uint64_t)(uintptr_t)val;
    a.flags = flags;
    return (int)bpfrt_bpf(crt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

static inline unsigned ncpus(void)
{
    const struct bpfrt_platform *p = bpfrt_runtime_platform(crt);
    return p->ncpus(p->ctx);
}

/* Sum of a per-CPU u64 at `field_off` over every CPU's copy. */
static inline uint64_t percpu_sum_u64(struct bpfrt_object *obj, const char *name, const void *key,
                                      uint32_t value_size, uint32_t field_off)
{
    uint32_t stride = (value_size + 7) & ~7u;
    uint8_t *buf = calloc(ncpus(), stride);
    uint64_t sum = 0;
    if (buf && map_lookup(obj, name, key, buf) == 0)
        for (unsigned c = 0; c < ncpus(); c++) {
            uint64_t v;
            memcpy(&v, buf + (size_t)c * stride + field_off, 8);
            sum += v;
        }
    free(buf);
    return sum;
}

/* Reads global variable `var` (from .data/.bss/.rodata) after a run. */
static inline uint64_t global_u64(struct bpfrt_object *obj, const char *var)
{
    struct bpfrt_object_map *m;
    uint32_t off, size;
    if (bpfrt_object_find_global(obj, var, &m, &off, &size)) {
        fprintf(stderr, "no global %s\n", var);
        return 0xdeadbeef;
    }
    uint32_t vs = bpfrt_object_map_value_size(m);
    uint8_t *buf = calloc(1, vs);
    uint32_t zero = 0;
    uint64_t v = 0;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)bpfrt_object_map_handle(m);
    a.key = (uint64_t)(uintptr_t)&zero;
    a.value = (uint64_t)(uintptr_t)buf;
    if (buf && bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0)
        memcpy(&v, buf + off, size < 8 ? size : 8);
    free(buf);
    return v;
}

/* ---- packets ---- */

static inline uint16_t htons_(uint16_t x)
{
    return (uint16_t)(x << 8 | x >> 8);
}


static inline uint16_t csum16(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static inline uint32_t ip4(int a, int b, int c, int d)
{
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d;
}

#define PKT_MAC_DST 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define PKT_MAC_SRC 0x02, 0x00, 0x00, 0x00, 0x00, 0x02

/* Ethernet + IPv4 + (UDP|TCP|ICMP header) + payload of `pay` bytes
 * (0x5a). Returns the frame length. */
static inline uint32_t build_ipv4(uint8_t *buf, uint8_t proto, uint32_t saddr, uint32_t daddr,
                                  uint16_t sport, uint16_t dport, uint32_t pay, uint8_t tos)
{
    static const uint8_t eth[14] = {PKT_MAC_DST, PKT_MAC_SRC, 0x08, 0x00};
    memcpy(buf, eth, 14);
    uint8_t *ip = buf + 14;
    uint32_t l4 = proto == 6 ? 20 : 8;
    uint32_t tot = 20 + l4 + pay;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[1] = tos;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = proto;
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = (uint8_t)(saddr >> (24 - 8 * i));
        ip[16 + i] = (uint8_t)(daddr >> (24 - 8 * i));
    }
    uint16_t c = csum16(ip, 20);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    uint8_t *h = ip + 20;
    memset(h, 0, l4);
    if (proto == 1) { /* ICMP echo request, id sport, seq dport */
        h[0] = 8;
        h[4] = (uint8_t)(sport >> 8);
        h[5] = (uint8_t)sport;
        h[6] = (uint8_t)(dport >> 8);
        h[7] = (uint8_t)dport;
    } else {
        h[0] = (uint8_t)(sport >> 8);
        h[1] = (uint8_t)sport;
        h[2] = (uint8_t)(dport >> 8);
        h[3] = (uint8_t)dport;
        if (proto == 17) {
            h[4] = (uint8_t)((8 + pay) >> 8);
            h[5] = (uint8_t)(8 + pay);
        } else {
            h[12] = 0x50; /* doff 5 */
            h[13] = 0x02; /* SYN */
        }
    }
    memset(h + l4, 0x5a, pay);
    if (proto == 1) {
        uint16_t ic = csum16(h, l4 + pay);
        h[2] = (uint8_t)(ic >> 8);
        h[3] = (uint8_t)ic;
    }
    return 14 + tot;
}

static inline uint32_t build_arp(uint8_t *buf)
{
    static const uint8_t f[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, PKT_MAC_SRC, 0x08, 0x06,
                                  0, 1, 8, 0, 6, 4, 0, 1};
    memcpy(buf, f, sizeof(f));
    return sizeof(f);
}

#endif
