/* The one helper id list (bpfrt/helper_ids.h) against Linux's own: every
 * helper the uapi header on this machine (/usr/include/linux/bpf.h,
 * __BPF_FUNC_MAPPER) defines has the same id and name in bpfrt's list, in
 * the names the disassembler prints and in bpfrt_helper_id_name. The
 * header may be older than 6.18 (then it lists fewer ids; the test says
 * how many it compared); without it the test skips, saying so.
 *
 * bpfrt/helpers.h declares enum bpf_func_id too, so this file includes only
 * the list and declares the two name functions itself. */
#include "test.h"

#include <stdint.h>

#include "bpfrt/helper_ids.h"

#if defined(__has_include)
#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#define HAVE_LINUX_BPF_H 1
#endif
#endif

const char *bpfrt_helper_name(uint32_t id);    /* bpfrt/insn.h */
const char *bpfrt_helper_id_name(uint32_t id); /* bpfrt/helpers.h */

/* bpfrt's list: ids are 0, 1, 2, ... with no gap, names as the tables show them. */
static void test_list_dense(void)
{
    uint32_t next = 0;
#define ONE(name, id)                                          \
    do {                                                       \
        CHECK_EQ(id, next);                                    \
        next++;                                                \
        CHECK_STR(bpfrt_helper_name(id), "bpf_" #name);        \
        CHECK_STR(bpfrt_helper_id_name(id), #name);            \
    } while (0);
    BPFRT_HELPER_IDS(ONE)
#undef ONE
    CHECK_EQ(next, 212); /* Linux 6.18: bpf_cgrp_storage_delete is 211, the last */
    CHECK(bpfrt_helper_name(next) == NULL);
    CHECK(bpfrt_helper_id_name(next) == NULL);
}

#ifdef HAVE_LINUX_BPF_H
/* bpfrt's id for a Linux name, or -1. */
static long bpfrt_id_of(const char *name)
{
#define FIND(n, id) if (strcmp(name, #n) == 0) return id;
    BPFRT_HELPER_IDS(FIND)
#undef FIND
    return -1;
}

static int compared;

static void check_linux(const char *name, long id)
{
    char want[64];
    snprintf(want, sizeof(want), "bpf_%s", name);
    CHECK_EQ(bpfrt_id_of(name), id);
    CHECK_STR(bpfrt_helper_name((uint32_t)id), want);
    compared++;
}

static void test_against_linux_uapi(void)
{
    /* the header's list is "FN(name), FN(name), ..." with a trailing comma */
#define LINUX_ONE(name) check_linux(#name, BPF_FUNC_##name)
    __BPF_FUNC_MAPPER(LINUX_ONE) (void)0;
#undef LINUX_ONE
    CHECK_EQ(compared, __BPF_FUNC_MAX_ID);
    CHECK(compared <= 212);
    printf("compared %d helper ids with <linux/bpf.h>%s\n", compared,
           compared < 212 ? " (an older header: the ids it lacks are checked by test_helpers_table)" : "");
}
#endif

int main(void)
{
    RUN(test_list_dense);
#ifdef HAVE_LINUX_BPF_H
    RUN(test_against_linux_uapi);
    return test_summary();
#else
    int rc = test_summary();
    if (rc)
        return rc;
    TEST_SKIP("<linux/bpf.h> is not installed: the helper id list was not compared with Linux's");
#endif
}
