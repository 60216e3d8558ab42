/* Maps pinned by name (LIBBPF_PIN_BY_NAME) are shared between objects loaded
 * into one runtime, as libbpf shares them through /sys/fs/bpf: the first
 * object creates and pins the map, later ones reuse it when its definition
 * matches, and a mismatching definition fails the load. Runs only inside
 * bpfrt (the runtime's own pin name space), never against the kernel. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/object.h"
#include "bpfrt/runtime.h"
#include "test.h"

static struct bpfrt_runtime *rt;
static char dir[4096];

static struct bpfrt_object *load(const char *name, const char *pin_root, char *err, size_t err_size, int *rc)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s.o", dir, name);
    struct bpfrt_object_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.pin_root_path = pin_root;
    struct bpfrt_object *obj = NULL;
    *rc = bpfrt_object_open_file(rt, path, &opts, &obj, err, err_size);
    if (*rc == 0)
        *rc = bpfrt_object_load(obj, err, err_size);
    return obj;
}

static uint32_t run(struct bpfrt_object *obj, uint32_t frame_len)
{
    uint8_t frame[128] = {0};
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)bpfrt_object_prog_handle(bpfrt_object_find_prog(obj, "xdp_pinned_count"));
    a.test.data_in = (uint64_t)(uintptr_t)frame;
    a.test.data_size_in = frame_len;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    return a.test.retval;
}

static uint64_t lookup(int map, uint32_t key)
{
    uint64_t v = 0;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)map;
    a.key = (uint64_t)(uintptr_t)&key;
    a.value = (uint64_t)(uintptr_t)&v;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)), 0);
    return v;
}

static int map_of(struct bpfrt_object *obj, const char *name)
{
    return bpfrt_object_map_handle(bpfrt_object_find_map(obj, name));
}

static void test_second_object_reuses_pinned_map(void)
{
    char err[512];
    int rc;
    struct bpfrt_object *a = load("pinned_counter", NULL, err, sizeof(err), &rc);
    CHECK_EQ(rc, 0);
    struct bpfrt_object *b = load("pinned_counter", NULL, err, sizeof(err), &rc);
    CHECK_EQ(rc, 0);
    CHECK_CONTAINS(bpfrt_object_notes(b), "reusing the map pinned at /sys/fs/bpf/shared_bytes");

    CHECK_EQ(run(a, 60), 2); /* XDP_PASS */
    CHECK_EQ(run(b, 100), 2);
    CHECK_EQ(run(b, 14), 2);
    /* One shared map: both see 60 + 100 + 14 bytes over 3 runs... */
    CHECK_EQ(lookup(map_of(a, "shared_bytes"), 0), 174);
    CHECK_EQ(lookup(map_of(b, "shared_bytes"), 1), 3);
    /* ...while the unpinned map is each object's own. */
    CHECK_EQ(lookup(map_of(a, "local_runs"), 0), 1);
    CHECK_EQ(lookup(map_of(b, "local_runs"), 0), 2);

    /* The pin outlives both objects, like a bpffs pin outlives its loaders. */
    bpfrt_object_close(a);
    bpfrt_object_close(b);
    union bpf_attr g;
    memset(&g, 0, sizeof(g));
    g.pathname = (uint64_t)(uintptr_t)"/sys/fs/bpf/shared_bytes";
    long h = bpfrt_bpf(rt, BPF_OBJ_GET, &g, sizeof(g));
    CHECK(h >= 0);
    if (h >= 0) {
        CHECK_EQ(lookup((int)h, 0), 174);
        bpfrt_close(rt, (int)h);
    }

    /* A third object picks the state up again. */
    struct bpfrt_object *c = load("pinned_counter", NULL, err, sizeof(err), &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(run(c, 26), 2);
    CHECK_EQ(lookup(map_of(c, "shared_bytes"), 0), 200);
    bpfrt_object_close(c);
}

static void test_mismatching_definition_is_refused(void)
{
    char err[512] = "";
    int rc;
    struct bpfrt_object *m = load("pinned_counter_mismatch", NULL, err, sizeof(err), &rc);
    CHECK_EQ(rc, -BPFRT_EINVAL);
    CHECK_CONTAINS(err, "map shared_bytes: the map pinned at /sys/fs/bpf/shared_bytes does not match its definition");
    CHECK_CONTAINS(err, "max_entries 4");
    bpfrt_object_close(m);
    /* Under another pin root there is nothing to clash with. */
    m = load("pinned_counter_mismatch", "/sys/fs/bpf/other", err, sizeof(err), &rc);
    CHECK_EQ(rc, 0);
    bpfrt_object_close(m);
}

int main(void)
{
    const char *build = getenv("BPFRT_BUILD");
    snprintf(dir, sizeof(dir), "%s/progs/v3", build ? build : "build");
    struct stat st;
    if (stat(dir, &st) != 0)
        TEST_SKIP("corpus not built (%s missing: clang without the BPF target?)", dir);
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        return 1;
    RUN(test_second_object_reuses_pinned_map);
    RUN(test_mismatching_definition_is_refused);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
