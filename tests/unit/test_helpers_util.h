/* Shared by the helper tests that call helpers directly: a runtime on the
 * hosted platform, one hand-made run whose fields a test fills in, and
 * call(), which reaches a helper through the runtime's table. */
#ifndef BPFRT_TESTS_HELPERS_UTIL_H
#define BPFRT_TESTS_HELPERS_UTIL_H

#include "test.h"

#include "bpfrt/errno.h"
#include "bpfrt/helpers.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"

static struct bpfrt_runtime *rt;
static struct bpfrt_run run;

#define P(x) ((uint64_t)(uintptr_t)(x))
#define ERR(e) ((uint64_t)(int64_t)(e))

/* Helper `id` with arguments a..e on `run`; a missing helper fails the test. */
static inline uint64_t call(uint32_t id, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(rt, id);
    if (!p) {
        fprintf(stderr, "helper %u missing\n", id);
        test_failed++;
        return 0xdeadbeef;
    }
    return p->fn(a, b, c, d, e, &run);
}

/* Creates the runtime (and points run at it); exits 1 when it cannot. */
static inline void helpers_setup(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0) {
        fprintf(stderr, "runtime_create failed\n");
        exit(1);
    }
    run.rt = rt;
}

#endif
