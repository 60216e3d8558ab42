/* The hosted platform's tracing services: what a Linux process can learn
 * about itself for the helpers that report the current task (its parent,
 * credentials, namespaces, cgroup v2 ancestry), its own call chain, signal
 * delivery, and the running kernel's BTF (the layout of the task_struct the
 * core fabricates). Each answers from /proc and plain system calls; what
 * cannot be read stays 0 or reports -errno, never a crash. */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "platform/hosted.h"

#define CGROUP2_MAGIC 0x63677270 /* CGROUP2_SUPER_MAGIC */

/* Reads a small text file into buf (NUL-terminated); returns its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    while (n < size - 1) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

static void read_comm(pid_t pid, char comm[16])
{
    char path[64], buf[64];
    memset(comm, 0, 16);
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    if (read_small(path, buf, sizeof(buf)) <= 0)
        return;
    buf[strcspn(buf, "\n")] = '\0';
    buf[15] = '\0'; /* a comm is at most 15 characters */
    memcpy(comm, buf, strlen(buf));
}

/* ---- the current task ---- */

/* What does not change while the process lives, and the parent's comm
 * (read again when the parent changes). */
static pthread_mutex_t task_mu = PTHREAD_MUTEX_INITIALIZER;
static pid_t cached_pid, cached_ppid;
static char cached_parent_comm[16];
static uint64_t cached_start_ns, cached_pidns_dev, cached_pidns_ino, cached_mntns_ino;

static uint64_t process_start_ns(void)
{
    char buf[1024];
    if (read_small("/proc/self/stat", buf, sizeof(buf)) <= 0)
        return 0;
    /* the comm field may hold spaces and parentheses: count from the last ')' */
    const char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    unsigned long long ticks = 0;
    int field = 2;
    for (p++; *p && field < 22; p++)
        if (*p == ' ')
            field++;
    if (field == 22 && sscanf(p, "%llu", &ticks) != 1)
        return 0;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (uint64_t)ticks * (1000000000ull / (uint64_t)hz) : 0;
}

static void refresh_process_cache(pid_t pid, pid_t ppid)
{
    if (cached_pid != pid) {
        struct stat st;
        cached_pid = pid;
        cached_start_ns = process_start_ns();
        cached_pidns_dev = cached_pidns_ino = cached_mntns_ino = 0;
        if (stat("/proc/self/ns/pid", &st) == 0) {
            cached_pidns_dev = st.st_dev;
            cached_pidns_ino = st.st_ino;
        }
        if (stat("/proc/self/ns/mnt", &st) == 0)
            cached_mntns_ino = st.st_ino;
        cached_ppid = -1;
    }
    if (cached_ppid != ppid) {
        cached_ppid = ppid;
        read_comm(ppid, cached_parent_comm);
    }
}

int bpfrt_hosted_current_task(void *ctx, struct bpfrt_task_info *info)
{
    (void)ctx;
    memset(info, 0, sizeof(*info));
    pid_t pid = getpid(), ppid = getppid();
    info->tgid = info->ns_tgid = (uint32_t)pid;
    info->pid = info->ns_pid = (uint32_t)syscall(SYS_gettid);
    info->ppid = (uint32_t)ppid;
    uid_t r, e, s;
    gid_t gr, ge, gs;
    if (getresuid(&r, &e, &s) == 0) {
        info->uid = r;
        info->euid = e;
        info->suid = s;
    }
    if (getresgid(&gr, &ge, &gs) == 0) {
        info->gid = gr;
        info->egid = ge;
        info->sgid = gs;
    }
    /* setfsuid with an invalid id changes nothing and returns the current one */
    info->fsuid = (uint32_t)setfsuid((uid_t)-1);
    info->fsgid = (uint32_t)setfsgid((gid_t)-1);
    if (prctl(PR_GET_NAME, info->comm) != 0)
        memcpy(info->comm, "unknown", 8);
    info->comm[15] = '\0';
    pthread_mutex_lock(&task_mu);
    refresh_process_cache(pid, ppid);
    memcpy(info->parent_comm, cached_parent_comm, 16);
    info->start_boottime_ns = cached_start_ns;
    info->pidns_dev = cached_pidns_dev;
    info->pidns_ino = cached_pidns_ino;
    info->mntns_ino = cached_mntns_ino;
    pthread_mutex_unlock(&task_mu);
    return 0;
}

/* ---- cgroup v2 ---- */

/* Where the cgroup v2 hierarchy is mounted (from /proc/self/mountinfo),
 * or "" when it is not. */
static int cgroup2_mount(char *out, size_t size)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return -BPFRT_ENOENT;
    char line[1024];
    int err = -BPFRT_ENOENT;
    while (fgets(line, sizeof(line), f)) {
        /* "id parent maj:min root mountpoint opts ... - fstype source opts" */
        const char *sep = strstr(line, " - ");
        char root[512], mnt[512], fstype[64];
        if (!sep || sscanf(line, "%*s %*s %*s %511s %511s", root, mnt) != 2 ||
            sscanf(sep + 3, "%63s", fstype) != 1)
            continue;
        if (strcmp(fstype, "cgroup2") == 0 && strcmp(root, "/") == 0) {
            snprintf(out, size, "%s", mnt);
            err = 0;
            break;
        }
    }
    fclose(f);
    return err;
}

/* The process's path in the v2 hierarchy ("0::/a/b" in /proc/self/cgroup). */
static int cgroup2_path(char *out, size_t size)
{
    char buf[4096];
    if (read_small("/proc/self/cgroup", buf, sizeof(buf)) <= 0)
        return -BPFRT_ENOENT;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, "0::", 3) == 0) {
            snprintf(out, size, "%s", line + 3);
            return 0;
        }
    return -BPFRT_ENOENT;
}

int bpfrt_hosted_current_cgroup(void *ctx, uint64_t *ids, unsigned max)
{
    (void)ctx;
    char mnt[512], path[1024], dir[1600];
    if (cgroup2_mount(mnt, sizeof(mnt)) != 0 || cgroup2_path(path, sizeof(path)) != 0)
        return -BPFRT_ENOENT;
    /* the root, then each component of the path in turn */
    struct stat st;
    size_t used = (size_t)snprintf(dir, sizeof(dir), "%s", mnt);
    if (used >= sizeof(dir) || stat(dir, &st) != 0)
        return -BPFRT_ENOENT;
    if (max)
        ids[0] = st.st_ino;
    int level = 1;
    char *save = NULL;
    for (char *comp = strtok_r(path, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        used += (size_t)snprintf(dir + used, sizeof(dir) - used, "/%s", comp);
        if (used >= sizeof(dir) || stat(dir, &st) != 0)
            return -BPFRT_ENOENT;
        if ((unsigned)level < max)
            ids[level] = st.st_ino;
        level++;
    }
    return level;
}

int bpfrt_hosted_cgroup_id_from_fd(void *ctx, int fd, uint64_t *id)
{
    (void)ctx;
    struct statfs sfs;
    struct stat st;
    if (fd < 0 || fstatfs(fd, &sfs) != 0 || fstat(fd, &st) != 0)
        return -BPFRT_EBADF;
    if ((unsigned long)sfs.f_type != CGROUP2_MAGIC || !S_ISDIR(st.st_mode))
        return -BPFRT_EBADF;
    *id = st.st_ino;
    return 0;
}

/* ---- the host's own call chain ---- */

#define MAX_HOST_FRAMES 128

unsigned bpfrt_hosted_stack_trace(void *ctx, uint64_t *ips, unsigned max)
{
    (void)ctx;
    void *frames[MAX_HOST_FRAMES + 1];
    int n = backtrace(frames, MAX_HOST_FRAMES + 1);
    unsigned out = 0;
    /* frame 0 is this function: the caller's chain starts after it */
    for (int i = 1; i < n && out < max; i++)
        ips[out++] = (uint64_t)(uintptr_t)frames[i];
    return out;
}

/* ---- signals ---- */

int bpfrt_hosted_send_signal(void *ctx, uint32_t sig, bool thread)
{
    (void)ctx;
    int rc = thread ? (int)syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), (int)sig)
                    : kill(getpid(), (int)sig);
    return rc == 0 ? 0 : -errno;
}

/* ---- the running kernel's BTF ---- */

static pthread_once_t btf_once = PTHREAD_ONCE_INIT;
static void *btf_data;
static size_t btf_size;

static void load_kernel_btf(void)
{
    const char *path = getenv("BPFRT_KERNEL_BTF");
    FILE *f = fopen(path && *path ? path : "/sys/kernel/btf/vmlinux", "rbe");
    if (!f)
        return;
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        unsigned char *nb = cap < (256u << 20) ? realloc(buf, cap * 2) : NULL;
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf && n) {
        btf_data = buf;
        btf_size = n;
    } else {
        free(buf);
    }
}

const void *bpfrt_hosted_kernel_btf(void *ctx, size_t *size)
{
    (void)ctx;
    pthread_once(&btf_once, load_kernel_btf);
    *size = btf_size;
    return btf_data;
}
