/* The platform interface: every service the freestanding core needs from its
 * host, in one struct of function pointers. A hosted implementation ships in
 * src/platform/hosted.c (bpfrt_platform_hosted()); an OS kernel embedding the
 * core fills its own. The core never calls anything else outside itself. */
#ifndef BPFRT_PLATFORM_H
#define BPFRT_PLATFORM_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Jiffies tick rate documented for bpf_jiffies64(): the hosted platform
 * derives jiffies from CLOCK_MONOTONIC at this rate. */
#define BPFRT_HZ 1000

/* Log severities for bpfrt_platform.log. */
enum bpfrt_log_level { BPFRT_LOG_ERROR, BPFRT_LOG_WARN, BPFRT_LOG_INFO, BPFRT_LOG_DEBUG };

struct bpfrt_lock; /* opaque, owned by the platform */

/* What the platform knows of the current task beyond pid, uid and comm, for
 * the task_struct bpf_get_current_task hands out and the namespace-aware
 * helpers. Fields the platform cannot tell stay 0. */
struct bpfrt_task_info {
    uint32_t pid, tgid;              /* thread id and process id (init namespace view) */
    uint32_t ppid;                   /* the parent process's tgid */
    uint32_t uid, gid, euid, egid, suid, sgid, fsuid, fsgid;
    char comm[16], parent_comm[16];  /* NUL-padded */
    uint64_t start_boottime_ns;      /* when the process started, on the boot clock */
    /* The pid namespace the task lives in (what stat() of /proc/self/ns/pid
     * shows: device and inode) and its pid/tgid as seen inside it. */
    uint64_t pidns_dev, pidns_ino;
    uint32_t ns_pid, ns_tgid;
    uint64_t mntns_ino;              /* mount namespace inode (tools filter on it) */
};

struct bpfrt_platform {
    void *ctx; /* passed back as the first argument of every call below */

    /* Memory. alloc returns zeroed memory aligned to at least `align` (a power
     * of two, <= 4096) or NULL. free(NULL) is a no-op. */
    void *(*alloc)(void *ctx, size_t size, size_t align);
    void (*free)(void *ctx, void *ptr, size_t size);

    /* Executable memory for the JIT: exec_alloc returns writable memory,
     * exec_seal makes it read+execute (returns 0 or -errno). Optional (NULL:
     * no JIT on this platform). */
    void *(*exec_alloc)(void *ctx, size_t size);
    int (*exec_seal)(void *ctx, void *ptr, size_t size);
    void (*exec_free)(void *ctx, void *ptr, size_t size);

    /* Time: monotonic and boot-time nanoseconds, and jiffies at BPFRT_HZ. */
    uint64_t (*ktime_ns)(void *ctx);
    uint64_t (*boot_ns)(void *ctx);
    uint64_t (*jiffies)(void *ctx);

    /* CPUs. ncpus is fixed for a runtime's lifetime. cpu_claim gives the
     * caller an exclusive CPU slot in [0, ncpus) for the length of one program
     * run (per-CPU maps index by it); cpu_release gives it back. */
    unsigned (*ncpus)(void *ctx);
    unsigned (*cpu_claim)(void *ctx);
    void (*cpu_release)(void *ctx, unsigned cpu);

    /* 32 random bits (need not be cryptographic). */
    uint32_t (*random_u32)(void *ctx);

    /* Sleeping-or-spinning mutual exclusion for the core's slow paths
     * (object table, hash-map writers). NULL from lock_new means -ENOMEM. */
    struct bpfrt_lock *(*lock_new)(void *ctx);
    void (*lock_free)(void *ctx, struct bpfrt_lock *lock);
    void (*lock)(void *ctx, struct bpfrt_lock *lock);
    void (*unlock)(void *ctx, struct bpfrt_lock *lock);

    /* Read-side sections (epoch/RCU): every program run and every map lookup
     * from the user side sits inside read_lock/read_unlock; memory handed to
     * defer_free is released only after every section that could have seen it
     * has ended, so lookups need no lock and value pointers stay valid until
     * the run ends. defer_free calls fn(arg) later (or at once if no reader). */
    void (*read_lock)(void *ctx);
    void (*read_unlock)(void *ctx);
    void (*defer_free)(void *ctx, void (*fn)(void *arg), void *arg);
    /* Waits until every callback handed to defer_free so far has run (like
     * Linux's rcu_barrier). Called by bpfrt_runtime_destroy, never from
     * inside a read-side section. */
    void (*defer_barrier)(void *ctx);

    /* Fault-safe copy from an arbitrary address (probe_read). Returns 0, or
     * -EFAULT with dst zero-filled when any byte could not be read. user says
     * whether src is a user-space address (probe_read_user) or kernel. */
    int (*probe_read)(void *ctx, void *dst, const void *src, size_t size, bool user);
    /* Like probe_read for a NUL-terminated string: copies at most size-1
     * bytes plus NUL; returns bytes copied including NUL, or -EFAULT. */
    long (*probe_read_str)(void *ctx, void *dst, const void *src, size_t size, bool user);

    /* The current task, as the bpf_get_current_* helpers report it:
     * pid_tgid = tgid << 32 | tid, uid_gid = gid << 32 | uid, comm = 16 bytes. */
    uint64_t (*current_pid_tgid)(void *ctx);
    uint64_t (*current_uid_gid)(void *ctx);
    void (*current_comm)(void *ctx, char comm[16]);

    /* Diagnostic sink for bpf_trace_printk and runtime messages (one line,
     * no trailing newline required). */
    void (*log)(void *ctx, enum bpfrt_log_level level, const char *msg, size_t len);

    /* ---- optional tracing services (NULL: not available; the helpers then
     * answer as Linux does when the object is missing) ---- */

    /* The current task in detail (bpf_get_current_task's task_struct,
     * bpf_get_ns_current_pid_tgid). Returns 0 or -errno. */
    int (*current_task)(void *ctx, struct bpfrt_task_info *info);
    /* The current task's cgroup (v2 hierarchy): the ids of its ancestors
     * from the root (level 0) down to itself into ids[0..max). Returns the
     * number of levels (its level + 1, which may exceed max) or -errno.
     * A cgroup id is what Linux's cgroup_id() gives (the cgroup directory's
     * inode number on 64-bit hosts). */
    int (*current_cgroup)(void *ctx, uint64_t *ids, unsigned max);
    /* The id of the cgroup (v2) an open directory fd names, for
     * BPF_MAP_TYPE_CGROUP_ARRAY updates (Linux takes cgroup fds). Returns 0,
     * -EBADF (not an fd of a cgroup v2 directory) or -errno. */
    int (*cgroup_id_from_fd)(void *ctx, int fd, uint64_t *id);
    /* The caller's own call chain: return addresses, innermost first, into
     * ips[0..max); returns how many were written. bpf_get_stackid and
     * bpf_get_stack report it when the hook supplies no stack of its own. */
    unsigned (*stack_trace)(void *ctx, uint64_t *ips, unsigned max);
    /* Sends signal sig to the current process, or only to the calling
     * thread (bpf_send_signal / bpf_send_signal_thread). Returns 0 or -errno. */
    int (*send_signal)(void *ctx, uint32_t sig, bool thread);
    /* Raw BTF describing the host's kernel objects (the running kernel's
     * /sys/kernel/btf/vmlinux on a Linux host): the layout of the
     * task_struct and friends bpf_get_current_task hands out. The memory
     * stays valid while the platform lives. NULL when there is none. */
    const void *(*kernel_btf)(void *ctx, size_t *size);
};

/* The hosted platform (libc, pthreads, mmap): lives in src/platform, not in
 * the core. Returns a static, fully initialised platform. */
const struct bpfrt_platform *bpfrt_platform_hosted(void);

#pragma GCC visibility pop

#endif
