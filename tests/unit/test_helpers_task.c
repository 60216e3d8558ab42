/* The task family against the kernel: tests/progs/task_info.bpf.c, loaded
 * with CO-RE against the running kernel's BTF, runs as a raw tracepoint in
 * bpfrt and in Linux from this same thread. Its current task is the same
 * thread in both, so every value it records must agree: pid/tgid, uid/gid,
 * comm, the cgroup id and ancestors, the pid namespace view, and - read
 * through the task_struct bpf_get_current_task returns - pid, tgid, comm,
 * the parent's tgid and comm, the group leader, the credentials and the
 * cgroup's kernfs id and level. The fabricated objects must also be
 * stable (one task_struct per thread) and bpf_send_signal must deliver.
 * Without the kernel (or its BTF) the bpfrt side is checked against what
 * this process knows of itself. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/helpers.h"
#include "kernel_bpf.h"
#include "test_corpus_util.h"

/* The globals task_info records, in .bss order of the names below. */
static const char *const u64_vars[] = { "pid_tgid", "uid_gid", "cgroup_id", "ancestor0", "ancestor_deep",
                                        "task_nonzero", "ns_rc", "ns_wrong_rc", "reads_failed", "kn_id" };
static const char *const u32_vars[] = { "ns_pid", "ns_tgid", "task_pid", "task_tgid", "parent_tgid",
                                        "leader_pid", "cgrp_level", "cred_uid", "cred_euid" };
static const char *const str_vars[] = { "comm", "task_comm", "parent_comm" };

struct side {
    struct bpfrt_object *obj;
    bool kernel;
    uint8_t bss[512];
};

static void *file_bytes(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *size = b ? (size_t)n : 0;
    return b;
}

static bool load_side(struct side *s, const void *btf, size_t btf_size, bool kernel)
{
    struct bpfrt_object_opts o = { .target_btf = btf, .target_btf_size = btf_size };
    if (kernel) {
        o.bpf_fn = kbpf_loader_bpf;
        o.close_fn = kbpf_loader_close;
    }
    s->kernel = kernel;
    s->obj = open_obj_opts("v3", "task_info", &o);
    if (!s->obj)
        return false;
    struct stat st;
    uint64_t dev = 0, ino = 0;
    if (stat("/proc/self/ns/pid", &st) == 0) {
        dev = st.st_dev;
        ino = st.st_ino;
    }
    bpfrt_object_set_global(s->obj, "pidns_dev", &dev, 8);
    bpfrt_object_set_global(s->obj, "pidns_ino", &ino, 8);
    char err[512] = "";
    if (bpfrt_object_load(s->obj, err, sizeof(err))) {
        fprintf(stderr, "%s load: %s\n", kernel ? "kernel" : "bpfrt", err);
        bpfrt_object_close(s->obj);
        s->obj = NULL;
        return false;
    }
    return true;
}

/* Runs task_info once and copies .bss out. */
static bool run_side(struct side *s)
{
    struct bpfrt_object_prog *p = bpfrt_object_find_prog(s->obj, "task_info");
    uint64_t args[1] = { 0 };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)bpfrt_object_prog_handle(p);
    a.test.ctx_in = (uint64_t)(uintptr_t)args;
    a.test.ctx_size_in = sizeof(args);
    long rc = s->kernel ? kbpf(BPF_PROG_TEST_RUN, &a) : bpfrt_bpf(crt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    CHECK_EQ(rc, 0);
    struct bpfrt_object_map *bss = NULL;
    for (uint32_t i = 0; i < bpfrt_object_map_count(s->obj); i++)
        if (bpfrt_object_map_kind(bpfrt_object_map_at(s->obj, i)) == BPFRT_OBJ_MAP_BSS)
            bss = bpfrt_object_map_at(s->obj, i);
    CHECK(bss != NULL);
    if (!bss || rc)
        return false;
    uint32_t key = 0;
    union bpf_attr e = kbpf_elem_attr(bpfrt_object_map_handle(bss), &key, s->bss, 0);
    rc = s->kernel ? kbpf(BPF_MAP_LOOKUP_ELEM, &e) : bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e));
    CHECK_EQ(rc, 0);
    return rc == 0;
}

static const void *var(struct side *s, const char *name)
{
    uint32_t off = 0, size = 0;
    struct bpfrt_object_map *m = NULL;
    if (bpfrt_object_find_global(s->obj, name, &m, &off, &size) != 0 || off + size > sizeof(s->bss)) {
        fprintf(stderr, "no global %s\n", name);
        test_failed++;
        static const uint8_t zero[16];
        return zero;
    }
    return s->bss + off;
}

static uint64_t u64v(struct side *s, const char *n) { uint64_t v; memcpy(&v, var(s, n), 8); return v; }
static uint32_t u32v(struct side *s, const char *n) { uint32_t v; memcpy(&v, var(s, n), 4); return v; }

/* bpfrt alone: what this process knows of itself. */
static void check_self(struct side *b)
{
    char comm[16] = "";
    prctl(PR_GET_NAME, comm);
    pid_t tid = (pid_t)syscall(SYS_gettid);
    CHECK_EQ(u64v(b, "pid_tgid"), (uint64_t)getpid() << 32 | (uint32_t)tid);
    CHECK_EQ(u64v(b, "reads_failed"), 0);
    CHECK_EQ(u64v(b, "task_nonzero"), 1);
    CHECK_EQ((int32_t)u32v(b, "task_pid"), tid);
    CHECK_EQ((int32_t)u32v(b, "task_tgid"), getpid());
    CHECK_EQ((int32_t)u32v(b, "parent_tgid"), getppid());
    CHECK_EQ((int32_t)u32v(b, "leader_pid"), getpid());
    CHECK_EQ(u32v(b, "cred_uid"), getuid());
    CHECK_EQ(u32v(b, "cred_euid"), geteuid());
    CHECK_STR((const char *)var(b, "task_comm"), comm);
    CHECK_STR((const char *)var(b, "comm"), comm);
    CHECK_EQ(u64v(b, "ns_rc"), 0);
    CHECK_EQ(u32v(b, "ns_tgid"), (uint32_t)getpid());
    CHECK_EQ((int64_t)u64v(b, "ns_wrong_rc"), -BPFRT_EINVAL);
    CHECK_EQ(u64v(b, "ancestor_deep"), 0);
    CHECK_EQ(u64v(b, "kn_id"), u64v(b, "cgroup_id"));
}

static int compared;

static void test_against_kernel(void)
{
    size_t btf_size = 0;
    void *btf = file_bytes("/sys/kernel/btf/vmlinux", &btf_size);
    if (!btf) {
        printf("SKIP: no /sys/kernel/btf/vmlinux: nothing to lay a task_struct out by\n");
        return;
    }
    struct side b = { 0 }, k = { 0 };
    if (!load_side(&b, btf, btf_size, false)) {
        test_failed++;
        free(btf);
        return;
    }
    if (!run_side(&b))
        goto out;
    check_self(&b);
    if (!kbpf_available()) {
        printf("note: kernel comparison skipped (bpf(2) not permitted)\n");
        goto out;
    }
    if (!load_side(&k, btf, btf_size, true) || !run_side(&k)) {
        test_failed++;
        goto out;
    }
    for (size_t i = 0; i < sizeof(u64_vars) / sizeof(u64_vars[0]); i++) {
        test_current = u64_vars[i];
        CHECK_EQ(u64v(&b, u64_vars[i]), u64v(&k, u64_vars[i]));
        compared++;
    }
    for (size_t i = 0; i < sizeof(u32_vars) / sizeof(u32_vars[0]); i++) {
        test_current = u32_vars[i];
        CHECK_EQ(u32v(&b, u32_vars[i]), u32v(&k, u32_vars[i]));
        compared++;
    }
    for (size_t i = 0; i < sizeof(str_vars) / sizeof(str_vars[0]); i++) {
        test_current = str_vars[i];
        CHECK_STR((const char *)var(&b, str_vars[i]), (const char *)var(&k, str_vars[i]));
        compared++;
    }
    test_current = "test_against_kernel";
    printf("task: pid %u tgid %u comm %s parent %d (%s) uid %u cgroup %llu level %d: %d values agree with Linux\n",
           u32v(&b, "task_pid"), u32v(&b, "task_tgid"), (const char *)var(&b, "task_comm"),
           (int)u32v(&b, "parent_tgid"), (const char *)var(&b, "parent_comm"), u32v(&b, "cred_uid"),
           (unsigned long long)u64v(&b, "cgroup_id"), (int)u32v(&b, "cgrp_level"), compared);
out:
    bpfrt_object_close(b.obj);
    bpfrt_object_close(k.obj);
    free(btf);
}

/* ---- helpers called directly ---- */

static struct bpfrt_run hrun;

static uint64_t hcall(uint32_t id, uint64_t a, uint64_t b)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(crt, id);
    CHECK(p != NULL);
    return p ? p->fn(a, b, 0, 0, 0, &hrun) : 0;
}

static void *thread_task(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)hcall(BPF_FUNC_get_current_task, 0, 0);
}

/* One task_struct per thread, the same one every time; another thread's
 * is another; both lie in the ranges a host-read policy would allow. */
static void test_task_objects_stable(void)
{
    hrun.rt = crt;
    uint64_t t1 = hcall(BPF_FUNC_get_current_task, 0, 0);
    CHECK(t1 != 0);
    CHECK_EQ(hcall(BPF_FUNC_get_current_task_btf, 0, 0), t1);
    pthread_t th;
    void *other = NULL;
    pthread_create(&th, NULL, thread_task, NULL);
    pthread_join(th, &other);
    CHECK(other != NULL && (uint64_t)(uintptr_t)other != t1);
    size_t len = 0;
    CHECK(bpfrt_kernel_object_range(crt, (const void *)(uintptr_t)t1, &len));
    CHECK(len >= 1024);
    CHECK(!bpfrt_kernel_object_range(crt, &len, &len));
}

static volatile sig_atomic_t got_signal;
static void on_usr1(int sig)
{
    (void)sig;
    got_signal++;
}

static void test_send_signal(void)
{
    hrun.rt = crt;
    signal(SIGUSR1, on_usr1);
    CHECK_EQ(hcall(BPF_FUNC_send_signal, SIGUSR1, 0), 0);
    CHECK_EQ(hcall(BPF_FUNC_send_signal_thread, SIGUSR1, 0), 0);
    CHECK_EQ(got_signal, 2);
    CHECK_EQ((int64_t)hcall(BPF_FUNC_send_signal, 65, 0), -BPFRT_EINVAL);
    CHECK_EQ(hcall(BPF_FUNC_send_signal, 0, 0), 0); /* signal 0: delivery checked, nothing sent */
    signal(SIGUSR1, SIG_DFL);
}

/* bpf_current_task_under_cgroup against a CGROUP_ARRAY holding the
 * task's own cgroup id, a made-up one, nothing. */
static void test_under_cgroup(void)
{
    hrun.rt = crt;
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4, 0);
    long h = bpfrt_bpf(crt, BPF_MAP_CREATE, &a, sizeof(a));
    struct bpfrt_map *m = bpfrt_map_from_handle(crt, (int)h);
    CHECK(m != NULL);
    if (!m)
        return;
    uint64_t mine = hcall(BPF_FUNC_get_current_cgroup_id, 0, 0);
    uint64_t root = hcall(BPF_FUNC_get_current_ancestor_cgroup_id, 0, 0);
    CHECK_EQ(bpfrt_cgroup_array_set(m, 0, mine), 0);
    CHECK_EQ(bpfrt_cgroup_array_set(m, 1, 0xfffffffffull), 0);
    CHECK_EQ(bpfrt_cgroup_array_set(m, 2, root), 0);
    CHECK_EQ(bpfrt_cgroup_array_set(m, 4, root), -BPFRT_E2BIG);
    CHECK_EQ(hcall(BPF_FUNC_current_task_under_cgroup, (uint64_t)(uintptr_t)m, 0), mine ? 1 : (uint64_t)-BPFRT_EAGAIN);
    CHECK_EQ(hcall(BPF_FUNC_current_task_under_cgroup, (uint64_t)(uintptr_t)m, 1), 0);
    CHECK_EQ(hcall(BPF_FUNC_current_task_under_cgroup, (uint64_t)(uintptr_t)m, 2), root ? 1 : (uint64_t)-BPFRT_EAGAIN);
    CHECK_EQ((int64_t)hcall(BPF_FUNC_current_task_under_cgroup, (uint64_t)(uintptr_t)m, 3), -BPFRT_EAGAIN);
    CHECK_EQ((int64_t)hcall(BPF_FUNC_current_task_under_cgroup, (uint64_t)(uintptr_t)m, 4), -BPFRT_E2BIG);
    /* user space stores a cgroup by an fd of its directory, as in Linux */
    uint32_t key = 3;
    int32_t fd = -1;
    union bpf_attr e = kbpf_elem_attr((int)h, &key, &fd, 0);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_UPDATE_ELEM, &e, sizeof(e)), -BPFRT_EBADF);
    e = kbpf_elem_attr((int)h, &key, &fd, BPF_NOEXIST);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_UPDATE_ELEM, &e, sizeof(e)), -BPFRT_EINVAL);
    uint32_t val;
    e = kbpf_elem_attr((int)h, &key, &val, 0);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e)), -BPFRT_ENOTSUPP);
    key = 2;
    e = kbpf_elem_attr((int)h, &key, NULL, 0);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_DELETE_ELEM, &e, sizeof(e)), 0);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_DELETE_ELEM, &e, sizeof(e)), -BPFRT_ENOENT);
    bpfrt_close(crt, (int)h);
}

static void quiet_trace(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet_trace, NULL);
    RUN(test_against_kernel);
    RUN(test_task_objects_stable);
    RUN(test_send_signal);
    RUN(test_under_cgroup);
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
