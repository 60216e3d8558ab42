/* Values in frozen .rodata are constants to the verifier (Linux's
 * bpf_map_direct_read for maps with BPF_F_RDONLY_PROG once frozen): a
 * branch on such a value is decided and the code behind a switch that is
 * off is never walked, so it cannot block the load (issue 10 item 1).
 * tests/progs/rodata_dead_branch.bpf.c, every build, into bpfrt and - where
 * bpf(2) works - into the kernel through the same loader: with the knob off
 * or on another safe case both load (and bpfrt runs the chosen case); with
 * the unsafe case on both refuse. */
#include <unistd.h>

#include "kernel_bpf.h"
#include "test_corpus_util.h"

static long kernel_fn(void *arg, int cmd, union bpf_attr *attr, unsigned int size)
{
    (void)arg;
    return kbpf_sized(cmd, attr, size);
}

static int kernel_close(void *arg, int fd)
{
    (void)arg;
    return close(fd);
}

/* Opens the object with mode set, loads it; the error text (or "") in err. */
static struct bpfrt_object *load_mode(const char *v, uint32_t mode, bool kernel, int *rc, char *err, size_t size)
{
    struct bpfrt_object_opts o = {0};
    if (kernel) {
        o.bpf_fn = kernel_fn;
        o.close_fn = kernel_close;
    }
    struct bpfrt_object *obj = open_obj_opts(v, "rodata_dead_branch", &o);
    err[0] = 0;
    *rc = -1;
    if (!obj)
        return NULL;
    CHECK_EQ(bpfrt_object_set_global(obj, "mode", &mode, sizeof(mode)), 0);
    *rc = bpfrt_object_load(obj, err, size);
    return obj;
}

static void t_modes(const char *v, bool kernel)
{
    static const struct { uint32_t mode; bool loads; uint32_t retval; } cases[] = {
        {0, true, 2 /* XDP_PASS */}, {3, true, 3 /* XDP_TX */}, {7, false, 0},
    };
    uint8_t pkt[128];
    uint32_t n = build_ipv4(pkt, 6, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 40000, 80, 20, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[1024];
        int rc;
        struct bpfrt_object *obj = load_mode(v, cases[i].mode, kernel, &rc, err, sizeof(err));
        if (!obj) {
            CHECK(obj != NULL);
            continue;
        }
        if (cases[i].loads && rc)
            fprintf(stderr, "%s %s mode %u: %s\n", kernel ? "linux" : "bpfrt", v, cases[i].mode, err);
        CHECK_EQ(rc == 0, cases[i].loads);
        if (!cases[i].loads)
            CHECK_CONTAINS(err, "offset is outside of the packet");
        if (!kernel && rc == 0)
            CHECK_EQ(run_prog(obj, "xdp_rodata_mode", pkt, n).retval, cases[i].retval);
        bpfrt_object_close(obj);
    }
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    if (access(prog_path("v3", "rodata_dead_branch"), R_OK))
        TEST_SKIP("*** the program corpus is not built (clang with the BPF target missing) ***");
    bool kernel = kbpf_available();
    if (!kernel)
        printf("*** bpf(2) unavailable: bpfrt's verdicts only, the kernel's not compared ***\n");
    static const char *const variants[] = {"v1", "v2", "v3", "v4", "nog"};
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        if (access(prog_path(variants[i], "rodata_dead_branch"), R_OK))
            continue; /* v4 needs clang-19 */
        test_current = variants[i];
        t_modes(variants[i], false);
        if (kernel)
            t_modes(variants[i], true);
    }
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
