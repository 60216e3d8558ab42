/* The hosted platform: bpfrt's core on Linux user space (libc, pthreads,
 * mmap). An OS kernel embedding the core writes its own struct
 * bpfrt_platform instead of this file. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/platform.h"
#include "platform/hosted.h"

/* ---- memory ---- */

static void *h_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx;
    void *p = NULL;
    /* malloc's own alignment: calloc, which gets large blocks as fresh
     * zero pages instead of writing zeros (a big map's buckets) */
    if (align <= _Alignof(max_align_t))
        return calloc(1, size ? size : 1);
    if (posix_memalign(&p, align, size ? size : 1) != 0)
        return NULL;
    memset(p, 0, size);
    return p;
}

static void h_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

static void *h_exec_alloc(void *ctx, size_t size)
{
    (void)ctx;
    /* populated: the JIT writes all of it at once, and faulting it in page by page costs more */
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int h_exec_seal(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return mprotect(ptr, size, PROT_READ | PROT_EXEC) == 0 ? 0 : -errno;
}

static void h_exec_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (ptr)
        munmap(ptr, size);
}

/* ---- time ---- */

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t h_ktime_ns(void *ctx) { (void)ctx; return clock_ns(CLOCK_MONOTONIC); }
static uint64_t h_boot_ns(void *ctx) { (void)ctx; return clock_ns(CLOCK_BOOTTIME); }
static uint64_t h_jiffies(void *ctx)
{
    (void)ctx;
    return clock_ns(CLOCK_MONOTONIC) / (1000000000ull / BPFRT_HZ);
}

/* ---- CPU slots ----
 * A run owns one slot exclusively (per-CPU maps rely on it). Each slot is a
 * flag on its own cache line; a thread prefers the slot of the CPU it runs
 * on and takes any free one otherwise, yielding while all are busy. Taking
 * a slot is one exchange (acquire: the previous owner's writes to the
 * slot's per-CPU data are visible); giving it back a release store, a plain
 * mov on x86 - no locked instruction, and threads on different CPUs touch
 * different lines. */

#define MAX_SLOTS 64
static unsigned slot_count;
static struct slot {
    int busy;
} __attribute__((aligned(64))) slots[MAX_SLOTS];
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

static void slots_init(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    slot_count = n < 1 ? 1 : n > MAX_SLOTS ? MAX_SLOTS : (unsigned)n;
}

static unsigned h_ncpus(void *ctx)
{
    (void)ctx;
    pthread_once(&slot_once, slots_init);
    return slot_count;
}

static bool try_slot(unsigned i)
{
    /* a plain read first: a busy slot's line is not taken from its owner */
    return !__atomic_load_n(&slots[i].busy, __ATOMIC_RELAXED) &&
           !__atomic_exchange_n(&slots[i].busy, 1, __ATOMIC_ACQUIRE);
}

/* The slot this thread took last (+1; 0: none yet). */
static __thread unsigned last_slot __attribute__((tls_model("initial-exec")));

static unsigned claim_slot(void)
{
    pthread_once(&slot_once, slots_init);
    int cur = sched_getcpu();
    if (cur >= 0 && (unsigned)cur < slot_count && try_slot((unsigned)cur))
        return (unsigned)cur;
    for (;;) {
        for (unsigned i = 0; i < slot_count; i++)
            if (try_slot(i))
                return i;
        sched_yield();
    }
}

static unsigned h_cpu_claim(void *ctx)
{
    (void)ctx;
    /* A thread seldom moves to another CPU between runs: its last slot
     * first, without asking the CPU (which costs about as much as the
     * exchange); any other slot is as good a stand-in for "this CPU". */
    unsigned s = last_slot;
    if (s && try_slot(s - 1))
        return s - 1;
    s = claim_slot();
    last_slot = s + 1;
    return s;
}

static void h_cpu_release(void *ctx, unsigned cpu)
{
    (void)ctx;
    __atomic_store_n(&slots[cpu].busy, 0, __ATOMIC_RELEASE);
}

/* ---- random ---- */

static uint32_t h_random_u32(void *ctx)
{
    (void)ctx;
    static __thread uint64_t state;
    if (!state) {
        if (getrandom(&state, sizeof(state), 0) != sizeof(state) || !state)
            state = clock_ns(CLOCK_MONOTONIC) | 1;
    }
    /* xorshift64* */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (uint32_t)((state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* ---- locks ---- */

struct bpfrt_lock {
    pthread_mutex_t mu;
};

static struct bpfrt_lock *h_lock_new(void *ctx)
{
    (void)ctx;
    struct bpfrt_lock *l = malloc(sizeof(*l));
    if (l)
        pthread_mutex_init(&l->mu, NULL);
    return l;
}

static void h_lock_free(void *ctx, struct bpfrt_lock *l)
{
    (void)ctx;
    if (l) {
        pthread_mutex_destroy(&l->mu);
        free(l);
    }
}

static void h_lock(void *ctx, struct bpfrt_lock *l) { (void)ctx; pthread_mutex_lock(&l->mu); }
static void h_unlock(void *ctx, struct bpfrt_lock *l) { (void)ctx; pthread_mutex_unlock(&l->mu); }

/* ---- read-side sections and deferred free: epoch-based reclamation ----
 * (Linux's RCU in spirit; the asymmetric fence is liburcu's "memb" flavour.)
 * Each thread has a record: one word, its observed epoch and whether it is
 * inside a section (epoch << 1 | active), and its nesting depth (its own).
 * Memory handed to defer_free joins the limbo list of the current global
 * epoch E; the epoch advances only when every active reader has observed the
 * current one, so once it reaches E + 2 no reader can still hold anything
 * from list E. Three lists (epoch mod 3) suffice, and each advance frees
 * exactly one list: O(1) amortised per deferred object. When no reader is
 * active at all, everything pending is freed at once.
 *
 * The one ordering that matters: a reader's store of its active word must
 * be ordered before its loads of shared data, against the freeing thread's
 * unlink (before) and scan of the words (after). A store followed by a load
 * is the one pair even x86 reorders (ARM reorders it too), so one side
 * needs a full fence.
 * It goes on the rare side, the scan, when the kernel offers membarrier
 * (epoch_init):
 * - Entering is then a plain store of epoch << 1 | 1 and a compiler
 *   barrier; the scan (collect) first calls
 *   membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which returns only after
 *   every thread of the process has executed a full memory barrier at some
 *   point P while the call was in progress (a thread that was not running
 *   passed through the scheduler, which is one). P falls somewhere in each
 *   reader's program order. If the reader's word store comes before P, the
 *   store is visible to the loads collect makes after membarrier returns:
 *   the reader is seen active, and holds back whatever its epoch forbids.
 *   If the store comes after P, so do the reader's loads of shared data
 *   (the compiler barrier keeps them after the store in program order), and
 *   the barrier at P makes visible to them everything the freeing thread did
 *   before membarrier - the unlink of what it frees: the reader never finds
 *   the object. Either way nothing it can reach is freed under it.
 * - Without membarrier (an old kernel, seccomp, or BPFRT_HOSTED_MEMBARRIER=0
 *   in the environment), entering stores the word seq_cst (an xchg on x86,
 *   a full barrier) and reads global_epoch seq_cst, and collect reads the
 *   words seq_cst: in the single total order of seq_cst operations collect
 *   either sees the word, or read it before the store, and then what the
 *   freeing thread did before its seq_cst reads is visible to the reader's
 *   loads, which stay after its store (x86: the xchg; ARM: the seq_cst load
 *   of global_epoch that follows the store cannot pass it, stlr; ldar, and
 *   every later load is ordered after that load).
 * The rest holds on both paths:
 * - The epoch in the word may be stale (read before the store, advanced
 *   meanwhile): a stale epoch only holds the advance back, never lets it
 *   free early, since collect() advances only when every active word shows
 *   the current epoch. The global epoch is read again after the store and
 *   the word refreshed (the active bit is already there), so the hold-back
 *   lasts only that window.
 * - A reader whose word shows epoch e read global_epoch == e (an acquire
 *   load): the advance to e (after everything retired in e - 1 was unlinked
 *   and queued under limbo_mu) happens before its reads, so it holds nothing
 *   from list e - 1, which the advance to e + 1 frees.
 * - Leaving stores the epoch with the active bit clear, release: the
 *   reader's accesses happen before it; collect()'s load that sees it
 *   inactive (acquire) orders them before the free.
 * ThreadSanitizer knows nothing of membarrier, but needs nothing of it
 * either: it checks happens-before through release/acquire pairs (the
 * leave/scan pair above, the same on both paths) and does not model the
 * store-load reordering the fence exists for; test_platform_epoch runs
 * clean under it on both paths. */

struct reader {
    struct reader *next;
    uint64_t word;      /* epoch << 1 | active: written by its thread, read by collect() */
    unsigned depth;     /* its thread's nesting only */
    int in_use;
};

struct deferred {
    struct deferred *next;
    void (*fn)(void *);
    void *arg;
};

static struct reader *readers;
static uint64_t global_epoch = 3;
static struct deferred *limbo[3];
static pthread_mutex_t limbo_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t reader_key;
static pthread_once_t epoch_once = PTHREAD_ONCE_INIT;
/* initial-exec: a plain %fs-relative access, not a __tls_get_addr call in
 * the shared library (two words of the static TLS surplus) */
static __thread struct reader *my_reader __attribute__((tls_model("initial-exec")));
/* The writer's membarrier orders the readers' entry (set once, by
 * epoch_init, before any section or scan). */
static bool use_membarrier;

static long membarrier(int cmd)
{
    return syscall(__NR_membarrier, cmd, 0, 0);
}

static void reader_release(void *p)
{
    struct reader *r = p;
    __atomic_store_n(&r->word, 0, __ATOMIC_RELEASE);
    r->depth = 0;
    __atomic_store_n(&r->in_use, 0, __ATOMIC_RELEASE);
}

/* Once, before the first section and the first scan (every path to either
 * passes pthread_once): the fence, and the key that returns a thread's
 * record when it exits. */
static void epoch_init(void)
{
    pthread_key_create(&reader_key, reader_release);
    const char *env = getenv("BPFRT_HOSTED_MEMBARRIER");
    if (env && strcmp(env, "0") == 0)
        return;
    long cmds = membarrier(MEMBARRIER_CMD_QUERY);
    const long need = MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
    use_membarrier = cmds >= 0 && (cmds & need) == need &&
                     membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

bool bpfrt_hosted_membarrier(void)
{
    pthread_once(&epoch_once, epoch_init);
    return use_membarrier;
}

/* The scan's side of the fence (see above); a no-op on the seq_cst path.
 * Its price: a syscall per scan (about 0.4 us here) plus an interrupt of
 * every CPU running another thread of the process. Writers retiring memory
 * inside a section (hash-map updates in a run: one deferral per 64 replaced
 * elements) mostly skip the scan (collect: their own section holds the
 * epoch back); scans are not batched beyond that, so frees stay as prompt
 * as before (objects gone once no reader holds them, which the id registry
 * and teardown rely on). */
static void scan_fence(void)
{
    if (!use_membarrier || membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
        return;
    /* A process the registration did not reach (a child after fork):
     * register again; else the global barrier, slower, needs none. The
     * readers already rely on it: without any, nothing can be freed safely. */
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0 &&
        membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
        return;
    if (membarrier(MEMBARRIER_CMD_GLOBAL) == 0)
        return;
    fprintf(stderr, "bpfrt: membarrier failed (%s): cannot free memory readers may hold\n",
            strerror(errno));
    abort();
}

static struct reader *reader_self(void)
{
    if (my_reader)
        return my_reader;
    pthread_once(&epoch_once, epoch_init);
    for (struct reader *r = __atomic_load_n(&readers, __ATOMIC_ACQUIRE); r; r = r->next) {
        int expect = 0;
        if (__atomic_compare_exchange_n(&r->in_use, &expect, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            my_reader = r;
            break;
        }
    }
    if (!my_reader) {
        struct reader *r = calloc(1, sizeof(*r));
        if (!r)
            abort(); /* a read-side section cannot fail; out of memory here is fatal */
        r->in_use = 1;
        r->next = __atomic_load_n(&readers, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&readers, &r->next, r, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            ;
        my_reader = r;
    }
    pthread_setspecific(reader_key, my_reader);
    return my_reader;
}

static void h_read_lock(void *ctx)
{
    (void)ctx;
    struct reader *r = reader_self();
    if (r->depth++ != 0)
        return;
    uint64_t e, now;
    if (use_membarrier) {
        e = __atomic_load_n(&global_epoch, __ATOMIC_ACQUIRE);
        __atomic_store_n(&r->word, e << 1 | 1, __ATOMIC_RELAXED);
        /* compiler only: the scan's membarrier is the CPU's fence */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        now = __atomic_load_n(&global_epoch, __ATOMIC_ACQUIRE);
    } else {
        e = __atomic_load_n(&global_epoch, __ATOMIC_SEQ_CST);
        __atomic_store_n(&r->word, e << 1 | 1, __ATOMIC_SEQ_CST);
        now = __atomic_load_n(&global_epoch, __ATOMIC_SEQ_CST);
    }
    /* Re-read: the epoch must be the one in force once we are visible. */
    if (now != e)
        __atomic_store_n(&r->word, now << 1 | 1, __ATOMIC_RELEASE);
}

static void h_read_unlock(void *ctx)
{
    (void)ctx;
    struct reader *r = my_reader;
    if (r && r->depth && --r->depth == 0)
        __atomic_store_n(&r->word, __atomic_load_n(&r->word, __ATOMIC_RELAXED) & ~(uint64_t)1, __ATOMIC_RELEASE);
}

static void splice(struct deferred **into, struct deferred *list)
{
    while (list) {
        struct deferred *next = list->next;
        list->next = *into;
        *into = list;
        list = next;
    }
}

/* Advances the epoch if every active reader has seen the current one and
 * moves what became safe onto *ready; with no reader active, moves all.
 * Returns true when no reader was active. Caller holds limbo_mu. */
static bool collect(struct deferred **ready)
{
    /* The calling thread inside a section entered in an older epoch holds
     * the advance back itself (a helper retiring memory mid-run): the scan
     * could free nothing, so it is skipped, and its fence with it. */
    const struct reader *self = my_reader;
    if (self && self->depth && self->word >> 1 != __atomic_load_n(&global_epoch, __ATOMIC_RELAXED))
        return false;
    scan_fence();
    uint64_t e = __atomic_load_n(&global_epoch, __ATOMIC_SEQ_CST);
    bool any_active = false, all_current = true;
    for (struct reader *r = __atomic_load_n(&readers, __ATOMIC_ACQUIRE); r; r = r->next) {
        /* acquire is enough after the membarrier (scan_fence) */
        uint64_t w = use_membarrier ? __atomic_load_n(&r->word, __ATOMIC_ACQUIRE)
                                    : __atomic_load_n(&r->word, __ATOMIC_SEQ_CST);
        if (w & 1) {
            any_active = true;
            if (w >> 1 != e)
                all_current = false;
        }
    }
    if (!any_active) {
        for (int i = 0; i < 3; i++) {
            splice(ready, limbo[i]);
            limbo[i] = NULL;
        }
        return true;
    }
    if (all_current) {
        /* Epoch e+1: the list of e-1 is now two epochs old. */
        __atomic_store_n(&global_epoch, e + 1, __ATOMIC_SEQ_CST);
        splice(ready, limbo[(e + 2) % 3]);
        limbo[(e + 2) % 3] = NULL;
    }
    return false;
}

static void run_ready(struct deferred *ready)
{
    while (ready) {
        struct deferred *next = ready->next;
        ready->fn(ready->arg);
        free(ready);
        ready = next;
    }
}

static void h_defer_free(void *ctx, void (*fn)(void *), void *arg)
{
    (void)ctx;
    struct deferred *ready = NULL;
    struct deferred *d = malloc(sizeof(*d));
    pthread_once(&epoch_once, epoch_init);
    pthread_mutex_lock(&limbo_mu);
    if (d) {
        d->fn = fn;
        d->arg = arg;
        uint64_t e = __atomic_load_n(&global_epoch, __ATOMIC_SEQ_CST);
        d->next = limbo[e % 3];
        limbo[e % 3] = d;
    }
    /* The calling thread may itself be inside a read-side section (a helper
     * deleting an element): then it is active and nothing is freed early. */
    collect(&ready);
    pthread_mutex_unlock(&limbo_mu);
    run_ready(ready);
    if (!d) {
        /* Could not queue: wait until no reader can hold the object. */
        bpfrt_hosted_quiesce();
        fn(arg);
    }
}

void bpfrt_hosted_quiesce(void)
{
    /* Frees everything pending once no reader is active (tests, exit). */
    pthread_once(&epoch_once, epoch_init);
    for (;;) {
        struct deferred *ready = NULL;
        pthread_mutex_lock(&limbo_mu);
        bool quiet = collect(&ready);
        pthread_mutex_unlock(&limbo_mu);
        run_ready(ready);
        if (quiet)
            return;
        sched_yield();
    }
}

static void h_defer_barrier(void *ctx)
{
    (void)ctx;
    bpfrt_hosted_quiesce();
}

/* ---- fault-safe reads ----
 * process_vm_readv on our own pid reads through the kernel, which returns
 * EFAULT for unmapped addresses instead of delivering SIGSEGV. */

static ssize_t safe_copy(void *dst, const void *src, size_t size)
{
    struct iovec local = {dst, size};
    struct iovec remote = {(void *)src, size};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
}

static int h_probe_read(void *ctx, void *dst, const void *src, size_t size, bool user)
{
    (void)ctx;
    (void)user;
    if (size == 0)
        return 0;
    ssize_t got = src ? safe_copy(dst, src, size) : -1;
    if (got != (ssize_t)size) {
        memset(dst, 0, size);
        return -BPFRT_EFAULT;
    }
    return 0;
}

static long h_probe_read_str(void *ctx, void *dst, const void *src, size_t size, bool user)
{
    (void)ctx;
    (void)user;
    if (size == 0)
        return 0;
    char *out = dst;
    const char *in = src;
    size_t n = 0;
    if (!src) {
        memset(dst, 0, size);
        return -BPFRT_EFAULT;
    }
    /* Copy in chunks that never cross a page boundary, so a string ending
     * just before an unmapped page is still read completely. */
    while (n < size - 1) {
        uintptr_t addr = (uintptr_t)(in + n);
        size_t chunk = 4096 - (addr & 4095);
        if (chunk > size - 1 - n)
            chunk = size - 1 - n;
        if (safe_copy(out + n, in + n, chunk) != (ssize_t)chunk) {
            memset(dst, 0, size);
            return -BPFRT_EFAULT;
        }
        char *nul = memchr(out + n, '\0', chunk);
        if (nul)
            return (long)(nul - out) + 1;
        n += chunk;
    }
    out[n] = '\0';
    return (long)n + 1;
}

/* ---- current task ---- */

static uint64_t h_current_pid_tgid(void *ctx)
{
    (void)ctx;
    return (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid);
}

static uint64_t h_current_uid_gid(void *ctx)
{
    (void)ctx;
    return (uint64_t)getgid() << 32 | getuid();
}

static void h_current_comm(void *ctx, char comm[16])
{
    (void)ctx;
    memset(comm, 0, 16);
    if (prctl(PR_GET_NAME, comm) != 0)
        memcpy(comm, "unknown", 8);
    comm[15] = '\0';
}

/* ---- log ---- */

static bpfrt_hosted_log_fn log_fn;
static void *log_arg;
static int log_min_level = BPFRT_LOG_INFO;

void bpfrt_hosted_set_log(bpfrt_hosted_log_fn fn, void *arg, enum bpfrt_log_level max_level)
{
    log_fn = fn;
    log_arg = arg;
    log_min_level = (int)max_level;
}

static void h_log(void *ctx, enum bpfrt_log_level level, const char *msg, size_t len)
{
    (void)ctx;
    if ((int)level > log_min_level)
        return;
    if (log_fn) {
        log_fn(log_arg, level, msg, len);
        return;
    }
    static const char *const names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "bpfrt %s: %.*s\n", names[level], (int)len, msg);
}

static const struct bpfrt_platform hosted = {
    .ctx = NULL,
    .alloc = h_alloc,
    .free = h_free,
    .exec_alloc = h_exec_alloc,
    .exec_seal = h_exec_seal,
    .exec_free = h_exec_free,
    .ktime_ns = h_ktime_ns,
    .boot_ns = h_boot_ns,
    .jiffies = h_jiffies,
    .ncpus = h_ncpus,
    .cpu_claim = h_cpu_claim,
    .cpu_release = h_cpu_release,
    .random_u32 = h_random_u32,
    .lock_new = h_lock_new,
    .lock_free = h_lock_free,
    .lock = h_lock,
    .unlock = h_unlock,
    .read_lock = h_read_lock,
    .read_unlock = h_read_unlock,
    .defer_free = h_defer_free,
    .defer_barrier = h_defer_barrier,
    .probe_read = h_probe_read,
    .probe_read_str = h_probe_read_str,
    .current_pid_tgid = h_current_pid_tgid,
    .current_uid_gid = h_current_uid_gid,
    .current_comm = h_current_comm,
    .log = h_log,
    .current_task = bpfrt_hosted_current_task,
    .current_cgroup = bpfrt_hosted_current_cgroup,
    .cgroup_id_from_fd = bpfrt_hosted_cgroup_id_from_fd,
    .stack_trace = bpfrt_hosted_stack_trace,
    .send_signal = bpfrt_hosted_send_signal,
    .kernel_btf = bpfrt_hosted_kernel_btf,
};

const struct bpfrt_platform *bpfrt_platform_hosted(void)
{
    return &hosted;
}
