/* Shared by the map tests: a runtime on the hosted platform, map creation
 * shortcuts, and the same commands on the real kernel (kernel_bpf.h) for
 * comparisons, which are left out when the kernel refuses (EPERM/ENOSYS). */
#ifndef BPFRT_TEST_MAP_UTIL_H
#define BPFRT_TEST_MAP_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"
#include "bpfrt/uapi.h"
#include "platform/hosted.h"
#include "kernel_bpf.h"

static struct bpfrt_runtime *rt;

static inline void rt_setup(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0) {
        fprintf(stderr, "runtime create failed\n");
        exit(1);
    }
}

static inline void rt_teardown(void)
{
    bpfrt_hosted_quiesce(); /* deferred frees use the runtime: run them first */
    bpfrt_runtime_destroy(rt);
    rt = NULL;
}

static inline unsigned rt_ncpus(void)
{
    return bpfrt_runtime_platform(rt)->ncpus(bpfrt_runtime_platform(rt)->ctx);
}

/* Operations per thread in the multi-threaded map tests: BPFRT_FUZZ_ITERS
 * (default 2000), at least 100. */
static inline long map_thread_iters(void)
{
    const char *e = getenv("BPFRT_FUZZ_ITERS");
    long n = e ? atol(e) : 2000;
    return n < 100 ? 100 : n;
}

/* Creates a map or fails the test (returns NULL). */
static inline struct bpfrt_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
    union bpf_attr a = kbpf_map_attr(type, ks, vs, max, flags);
    struct bpfrt_map *m = NULL;
    int err = bpfrt_map_create(rt, &a, NULL, NULL, &m);
    if (err) {
        fprintf(stderr, "%s: create type %u failed: %d\n", test_current, type, err);
        test_failed++;
        return NULL;
    }
    return m;
}

/* ---- running the same command on bpfrt and on the kernel ----
 * dual_cmd runs cmd on both maps (the kernel one only when kfd >= 0),
 * checks bpfrt's result against `want` (derived from Linux's source) and
 * against the kernel's, and for commands that return data compares the
 * bytes (cmp_out = false for hash iteration order, which is not ABI). */
struct dual {
    struct bpfrt_map *m;
    int kfd;
};

static inline struct dual dual_new(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
    struct dual d = { mk(type, ks, vs, max, flags), -1 };
    if (kbpf_available()) {
        long fd = kbpf_map_create(type, ks, vs, max, flags);
        d.kfd = fd >= 0 ? (int)fd : -1;
        if (fd < 0)
            fprintf(stderr, "%s: kernel create failed %ld\n", test_current, fd);
    }
    return d;
}

static inline void dual_free(struct dual *d)
{
    bpfrt_map_put(d->m);
    if (d->kfd >= 0)
        close(d->kfd);
}

static inline int bpfrt_cmd(struct bpfrt_map *m, int cmd, const void *key, void *val, uint64_t flags)
{
    switch (cmd) {
    case BPF_MAP_LOOKUP_ELEM: return bpfrt_map_lookup(m, key, val, flags);
    case BPF_MAP_UPDATE_ELEM: return bpfrt_map_update(m, key, val, flags);
    case BPF_MAP_DELETE_ELEM: return bpfrt_map_delete(m, key);
    case BPF_MAP_GET_NEXT_KEY: return bpfrt_map_get_next_key(m, key, val);
    case BPF_MAP_LOOKUP_AND_DELETE_ELEM: return bpfrt_map_lookup_and_delete(m, key, val, flags);
    case BPF_MAP_FREEZE: return bpfrt_map_freeze(m);
    default: return -9999;
    }
}

static inline void dual_cmd_at(struct dual *d, int line, int cmd, const void *key, const void *val_in,
                               size_t out_size, uint64_t flags, int want, int cmp_out)
{
    unsigned char bout[4096] = { 0 }, kout[4096] = { 0 };
    int reads = cmd == BPF_MAP_LOOKUP_ELEM || cmd == BPF_MAP_GET_NEXT_KEY ||
                cmd == BPF_MAP_LOOKUP_AND_DELETE_ELEM;
    if (val_in && out_size) {
        memcpy(bout, val_in, out_size);
        memcpy(kout, val_in, out_size);
    }
    if (!d->m)
        return;
    int rb = bpfrt_cmd(d->m, cmd, key, (val_in || reads) ? bout : NULL, flags);
    if (rb != want) {
        test_failed++;
        fprintf(stderr, "%s:%d: %s: cmd %d: bpfrt %d, want %d\n", __FILE__, line, test_current, cmd, rb, want);
    } else {
        test_passed++;
    }
    if (d->kfd < 0)
        return;
    long rk;
    if (cmd == BPF_MAP_FREEZE) {
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.map_fd = (uint32_t)d->kfd;
        rk = kbpf(BPF_MAP_FREEZE, &a);
    } else {
        rk = kbpf_map_elem(cmd, d->kfd, key, (val_in || reads) ? kout : NULL, flags);
    }
    if (rk != rb) {
        test_failed++;
        fprintf(stderr, "%s:%d: %s: cmd %d: bpfrt %d, kernel %ld\n", __FILE__, line, test_current, cmd, rb, rk);
    } else {
        test_passed++;
    }
    if (reads && rb == 0 && rk == 0 && cmp_out) {
        if (memcmp(bout, kout, out_size) != 0) {
            test_failed++;
            fprintf(stderr, "%s:%d: %s: cmd %d: output differs from the kernel's\n", __FILE__, line, test_current, cmd);
        } else {
            test_passed++;
        }
    }
}
#define dual_cmd(d, ...) dual_cmd_at(d, __LINE__, __VA_ARGS__)

/* Shorthands for dual_cmd's command. */
#define L BPF_MAP_LOOKUP_ELEM
#define U BPF_MAP_UPDATE_ELEM
#define D BPF_MAP_DELETE_ELEM
#define N BPF_MAP_GET_NEXT_KEY
#define LD BPF_MAP_LOOKUP_AND_DELETE_ELEM
#define F BPF_MAP_FREEZE

#endif
