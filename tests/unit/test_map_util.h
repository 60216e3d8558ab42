/* Shared by the map tests: a runtime on the hosted platform, map creation
 * shortcuts, and the real bpf(2) for kernel comparisons (which skip cleanly
 * when the kernel refuses: EPERM/ENOSYS). */
#ifndef BPFRT_TEST_MAP_UTIL_H
#define BPFRT_TEST_MAP_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"
#include "bpfrt/uapi.h"
#include "platform/hosted.h"

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

static inline union bpf_attr mk_attr(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = ks;
    a.value_size = vs;
    a.max_entries = max;
    a.map_flags = flags;
    return a;
}

/* Creates a map or fails the test (returns NULL). */
static inline struct bpfrt_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
    union bpf_attr a = mk_attr(type, ks, vs, max, flags);
    struct bpfrt_map *m = NULL;
    int err = bpfrt_map_create(rt, &a, NULL, NULL, &m);
    if (err) {
        fprintf(stderr, "%s: create type %u failed: %d\n", test_current, type, err);
        test_failed++;
        return NULL;
    }
    return m;
}

/* ---- the real kernel ---- */

static inline long kbpf(int cmd, union bpf_attr *a)
{
    long r = syscall(__NR_bpf, cmd, a, sizeof(*a));
    return r < 0 ? -errno : r;
}

/* True when this process may create maps in the kernel. */
static inline int kernel_available(void)
{
    static int cached = -1;
    if (cached < 0) {
        union bpf_attr a = mk_attr(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
        long fd = kbpf(BPF_MAP_CREATE, &a);
        cached = fd >= 0;
        if (fd >= 0)
            close((int)fd);
    }
    return cached;
}

static inline long kop(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)fd;
    a.key = (uint64_t)(uintptr_t)key;
    a.value = (uint64_t)(uintptr_t)value;
    a.flags = flags;
    return kbpf(cmd, &a);
}

#endif
