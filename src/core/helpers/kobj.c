/* The kernel objects bpfrt fabricates for programs: a task_struct for the
 * current thread (bpf_get_current_task, bpf_get_current_task_btf) with its
 * parent, group leader, cred, cgroup and namespaces, laid out by the target
 * BTF (kobj_layout.c) and filled with what the platform knows (pid, tgid,
 * comm, parent, credentials, cgroup id and level, namespace inodes).
 *
 * Each thread keeps its bundle while it stays among the last KOBJ_CACHE
 * threads seen, so a task pointer is stable (programs key maps by it and
 * compare it); fields are rewritten when the platform reports a change.
 * A bundle that leaves the cache is freed after every run that could hold
 * it has ended (defer_free), and its task storage goes with it. Without a
 * target BTF programs get a zeroed object of KOBJ_FALLBACK_SIZE bytes:
 * never NULL, as Linux's trusted task pointer. */
#include "bpfrt/btf.h"
#include "core/helpers/kobj.h"
#include "core/maps/host_objs.h"

#define KOBJ_CACHE 64

struct kobj_bundle {
    struct bpfrt_runtime *rt;
    uint32_t tid;
    uint64_t last_use;
    struct kobj_facts facts;     /* what the fields hold */
    uint32_t size;
    unsigned char *mem;          /* 64-aligned, `size` bytes; the task_struct first */
};

struct bpfrt_kobjs {
    uint32_t lock;
    struct bpfrt_btf *layout_btf; /* what the layout was made from (a reference), or NULL */
    struct bpfrt_btf *plat_btf;   /* the platform's kernel_btf, parsed once (a reference) */
    bool plat_tried, layout_ok;
    struct kobj_layout layout;
    uint64_t clock;              /* LRU stamps */
    struct kobj_bundle *slots[KOBJ_CACHE];
    unsigned char *fallback;     /* KOBJ_FALLBACK_SIZE zeroes */
};

static struct bpfrt_kobjs *kobjs_get(struct bpfrt_runtime *rt)
{
    struct bpfrt_kstate *k = bpfrt_kstate(rt);
    if (!k)
        return NULL;
    struct bpfrt_kobjs *o = __atomic_load_n(&k->kobjs, __ATOMIC_ACQUIRE);
    if (o)
        return o;
    o = bpfrt_zalloc(rt, sizeof(*o));
    if (!o)
        return NULL;
    struct bpfrt_kobjs *expected = NULL;
    if (!__atomic_compare_exchange_n(&k->kobjs, &expected, o, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        bpfrt_free(rt, o, sizeof(*o));
        return expected;
    }
    return o;
}

static void bundle_free_now(struct kobj_bundle *b)
{
    bpfrt_free(b->rt, b->mem, b->size);
    bpfrt_free(b->rt, b, sizeof(*b));
}

static void bundle_free_cb(void *arg) { bundle_free_now(arg); }

/* A bundle leaves the cache (lock not held): its task storage goes, its
 * memory waits for the runs that may still hold it. */
static void bundle_retire(struct kobj_bundle *b)
{
    bpfrt_host_obj_gone(b->rt, b->mem);
    b->rt->plat->defer_free(b->rt->plat->ctx, bundle_free_cb, b);
}

/* Takes every bundle out of the cache (the layout changed; lock held): the
 * caller retires them once unlocked. */
static uint32_t take_all(struct bpfrt_kobjs *o, struct kobj_bundle **out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < KOBJ_CACHE; i++)
        if (o->slots[i]) {
            out[n++] = o->slots[i];
            o->slots[i] = NULL;
        }
    return n;
}

void bpfrt_kobjs_free(struct bpfrt_runtime *rt, struct bpfrt_kobjs *o)
{
    for (uint32_t i = 0; i < KOBJ_CACHE; i++)
        if (o->slots[i])
            bundle_free_now(o->slots[i]);
    if (o->layout_btf)
        bpfrt_btf_put(o->layout_btf);
    if (o->plat_btf)
        bpfrt_btf_put(o->plat_btf);
    bpfrt_free(rt, o->fallback, KOBJ_FALLBACK_SIZE);
    bpfrt_free(rt, o, sizeof(*o));
}

/* The layout by the target BTF (lock held): the runtime's kernel BTF when
 * one is set (bpfrt_runtime_set_kernel_btf: the CLI's --btf, the loader's
 * CO-RE target), else the platform's kernel_btf, parsed on first use (a
 * Linux kernel's is megabytes). When the target changes every bundle goes,
 * into old[] for the caller to retire once unlocked. */
static bool layout_ready(struct bpfrt_runtime *rt, struct bpfrt_kobjs *o, struct kobj_bundle **old, uint32_t *nold)
{
    struct bpfrt_btf *want = __atomic_load_n(&rt->kernel_btf, __ATOMIC_ACQUIRE); /* bpfrt_runtime_kernel_btf */
    const struct bpfrt_platform *p = rt->plat;
    if (!want && !o->plat_tried && p->kernel_btf) {
        size_t size = 0;
        const void *data = p->kernel_btf(p->ctx, &size);
        if (!data || !size || size > UINT32_MAX || bpfrt_btf_new(rt, data, (uint32_t)size, NULL, 0, &o->plat_btf))
            o->plat_btf = NULL;
    }
    o->plat_tried = o->plat_tried || !want;
    if (!want)
        want = o->plat_btf;
    if (want == o->layout_btf)
        return o->layout_ok;
    *nold = take_all(o, old);
    if (want)
        bpfrt_btf_get(want);
    if (o->layout_btf)
        bpfrt_btf_put(o->layout_btf);
    o->layout_btf = want;
    o->layout_ok = want && bpfrt_kobj_layout(want, &o->layout) == 0;
    return o->layout_ok;
}

int bpfrt_kobj_facts(struct bpfrt_runtime *rt, struct kobj_facts *f)
{
    const struct bpfrt_platform *p = rt->plat;
    bpfrt_memset(f, 0, sizeof(*f));
    int err = p->current_task ? p->current_task(p->ctx, &f->task) : -BPFRT_ENOSYS;
    if (err) {
        /* what the basic services tell */
        uint64_t pt = p->current_pid_tgid ? p->current_pid_tgid(p->ctx) : 0;
        uint64_t ug = p->current_uid_gid ? p->current_uid_gid(p->ctx) : 0;
        f->task.pid = f->task.ns_pid = (uint32_t)pt;
        f->task.tgid = f->task.ns_tgid = (uint32_t)(pt >> 32);
        f->task.uid = f->task.euid = f->task.suid = f->task.fsuid = (uint32_t)ug;
        f->task.gid = f->task.egid = f->task.sgid = f->task.fsgid = (uint32_t)(ug >> 32);
        if (p->current_comm)
            p->current_comm(p->ctx, f->task.comm);
    }
    uint64_t ids[64];
    int levels = p->current_cgroup ? p->current_cgroup(p->ctx, ids, 64) : -BPFRT_ENOSYS;
    if (levels > 0 && levels <= 64) {
        f->cgroup_id = ids[levels - 1];
        f->cgroup_level = (uint32_t)levels - 1;
    }
    return err;
}

static uint64_t fact_value(const struct kobj_facts *f, uint8_t src)
{
    const struct bpfrt_task_info *t = &f->task;
    switch (src) {
    case KSRC_PID: return t->pid;
    case KSRC_TGID: return t->tgid;
    case KSRC_PPID: return t->ppid;
    case KSRC_UID: return t->uid;
    case KSRC_GID: return t->gid;
    case KSRC_EUID: return t->euid;
    case KSRC_EGID: return t->egid;
    case KSRC_SUID: return t->suid;
    case KSRC_SGID: return t->sgid;
    case KSRC_FSUID: return t->fsuid;
    case KSRC_FSGID: return t->fsgid;
    case KSRC_START_NS: return t->start_boottime_ns;
    case KSRC_CGROUP_ID: return f->cgroup_id;
    case KSRC_CGROUP_LEVEL: return f->cgroup_level;
    case KSRC_PIDNS_INO: return t->pidns_ino;
    case KSRC_MNTNS_INO: return t->mntns_ino;
    default: return 0;
    }
}

/* Writes every field of the layout into the bundle (x86-64 and the other
 * hosts bpfrt runs on are little-endian, as the BTF's integers). */
static void bundle_fill(const struct kobj_layout *l, unsigned char *mem, const struct kobj_facts *f)
{
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct kobj_field *fd = &l->fields[i];
        unsigned char *at = mem + fd->off;
        if (fd->src == KSRC_PTR) {
            uint64_t v = (uint64_t)(uintptr_t)(mem + l->obj_off[fd->target]);
            bpfrt_memcpy(at, &v, 8);
        } else if (fd->src == KSRC_COMM || fd->src == KSRC_PARENT_COMM) {
            const char *c = fd->src == KSRC_COMM ? f->task.comm : f->task.parent_comm;
            bpfrt_memset(at, 0, fd->size);
            bpfrt_memcpy(at, c, bpfrt_strnlen(c, fd->size - 1u));
        } else {
            uint64_t v = fact_value(f, fd->src);
            bpfrt_memcpy(at, &v, fd->size);
        }
    }
}

static struct kobj_bundle *bundle_find(struct bpfrt_kobjs *o, uint32_t tid)
{
    for (uint32_t i = 0; i < KOBJ_CACHE; i++)
        if (o->slots[i] && o->slots[i]->tid == tid)
            return o->slots[i];
    return NULL;
}

/* Puts b in a free slot, or in the least recently used one's place; the
 * bundle it displaces is returned for retiring (lock held). */
static struct kobj_bundle *bundle_insert(struct bpfrt_kobjs *o, struct kobj_bundle *b)
{
    uint32_t victim = 0;
    for (uint32_t i = 0; i < KOBJ_CACHE; i++) {
        if (!o->slots[i]) {
            o->slots[i] = b;
            return NULL;
        }
        if (o->slots[i]->last_use < o->slots[victim]->last_use)
            victim = i;
    }
    struct kobj_bundle *old = o->slots[victim];
    o->slots[victim] = b;
    return old;
}

static void *fallback_object(struct bpfrt_runtime *rt, struct bpfrt_kobjs *o, size_t *size)
{
    unsigned char *fb = __atomic_load_n(&o->fallback, __ATOMIC_ACQUIRE);
    if (!fb) {
        unsigned char *n = bpfrt_zalloc_aligned(rt, KOBJ_FALLBACK_SIZE, 64);
        unsigned char *expected = NULL;
        if (n && !__atomic_compare_exchange_n(&o->fallback, &expected, n, false, __ATOMIC_ACQ_REL,
                                              __ATOMIC_ACQUIRE)) {
            bpfrt_free(rt, n, KOBJ_FALLBACK_SIZE);
            n = expected;
        }
        fb = n;
    }
    *size = KOBJ_FALLBACK_SIZE;
    return fb;
}

void *bpfrt_kobj_current(struct bpfrt_run *run, size_t *size)
{
    struct bpfrt_runtime *rt = run->rt;
    struct bpfrt_kobjs *o = kobjs_get(rt);
    if (!o)
        return NULL;
    struct kobj_facts f;
    bpfrt_kobj_facts(rt, &f);
    struct kobj_bundle *gone[KOBJ_CACHE];
    uint32_t ngone = 0;
    bpfrt_raw_spin_lock(&o->lock);
    if (!layout_ready(rt, o, gone, &ngone)) {
        bpfrt_raw_spin_unlock(&o->lock);
        for (uint32_t i = 0; i < ngone; i++)
            bundle_retire(gone[i]);
        return fallback_object(rt, o, size);
    }
    struct kobj_bundle *b = bundle_find(o, f.task.pid);
    struct kobj_bundle *old = NULL;
    if (!b) {
        b = bpfrt_zalloc(rt, sizeof(*b));
        unsigned char *mem = b ? bpfrt_zalloc_aligned(rt, o->layout.size, 64) : NULL;
        if (!mem) {
            bpfrt_raw_spin_unlock(&o->lock);
            bpfrt_free(rt, b, sizeof(*b));
            return NULL;
        }
        b->rt = rt;
        b->tid = f.task.pid;
        b->size = o->layout.size;
        b->mem = mem;
        bundle_fill(&o->layout, mem, &f);
        b->facts = f;
        old = bundle_insert(o, b);
    } else if (bpfrt_memcmp(&b->facts, &f, sizeof(f)) != 0) {
        bundle_fill(&o->layout, b->mem, &f);
        b->facts = f;
    }
    b->last_use = ++o->clock;
    void *mem = b->mem;
    *size = b->size;
    bpfrt_raw_spin_unlock(&o->lock);
    if (old)
        bundle_retire(old);
    for (uint32_t i = 0; i < ngone; i++)
        bundle_retire(gone[i]);
    return mem;
}

bool bpfrt_kernel_object_range(struct bpfrt_runtime *rt, const void *p, size_t *len)
{
    struct bpfrt_kstate *k = rt ? __atomic_load_n(&rt->kstate, __ATOMIC_ACQUIRE) : NULL;
    struct bpfrt_kobjs *o = k ? __atomic_load_n(&k->kobjs, __ATOMIC_ACQUIRE) : NULL;
    if (!o || !p)
        return false;
    uintptr_t a = (uintptr_t)p;
    bool found = false;
    bpfrt_raw_spin_lock(&o->lock);
    for (uint32_t i = 0; i < KOBJ_CACHE && !found; i++) {
        const struct kobj_bundle *b = o->slots[i];
        if (b && a >= (uintptr_t)b->mem && a < (uintptr_t)b->mem + b->size) {
            *len = (uintptr_t)b->mem + b->size - a;
            found = true;
        }
    }
    if (!found && o->fallback && a >= (uintptr_t)o->fallback && a < (uintptr_t)o->fallback + KOBJ_FALLBACK_SIZE) {
        *len = (uintptr_t)o->fallback + KOBJ_FALLBACK_SIZE - a;
        found = true;
    }
    bpfrt_raw_spin_unlock(&o->lock);
    return found;
}
