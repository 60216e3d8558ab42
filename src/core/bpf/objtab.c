/* The runtime's object table: handles (like fds), the id registry behind
 * *_GET_NEXT_ID / *_GET_FD_BY_ID, and pins (OBJ_PIN / OBJ_GET).
 *
 * Reference rules. Each open handle and each pin holds one reference on its
 * object and counts as one "user reference" (uref). The registry holds one
 * more reference per object, so an id stays valid while anything (a handle,
 * a pin, a program using a map, a PROG_ARRAY slot) still uses the object; a
 * sweep drops registry entries whose object has no uref and no reference
 * but the registry's own. When a map's last uref goes, the map drops the
 * objects it holds (a PROG_ARRAY clears its slots), as Linux does, which is
 * what breaks a prog -> prog array -> prog cycle. */
#include "core/bpf/objtab.h"

#include "bpfrt/bpf.h"
#include "bpfrt/btf.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"

#define MAX_HANDLES (1u << 20)
#define MAX_PATH 4096

struct handle_slot {
    uint8_t kind;
    uint8_t mode; /* BPFRT_HANDLE_* */
    void *obj;
};

struct reg_entry {
    uint8_t kind;
    uint32_t id;
    uint32_t uref;
    void *obj;
};

struct pin {
    struct pin *next;
    char *path;
    size_t path_size;
    uint8_t kind;
    void *obj;
};

struct bpfrt_objtab {
    struct bpfrt_lock *lock;
    struct handle_slot *slots;
    uint32_t nr_slots;
    unsigned nr_open;
    struct reg_entry *reg;
    uint32_t nr_reg, cap_reg;
    struct pin *pins;
};

static void lock(struct bpfrt_runtime *rt)
{
    if (rt->objtab->lock)
        rt->plat->lock(rt->plat->ctx, rt->objtab->lock);
}
static void unlock(struct bpfrt_runtime *rt)
{
    if (rt->objtab->lock)
        rt->plat->unlock(rt->plat->ctx, rt->objtab->lock);
}

/* A stats handle's reference is one count of the runtime's stats_enabled. */
static void stats_ref(void *rt, uint32_t delta)
{
    __atomic_add_fetch(&((struct bpfrt_runtime *)rt)->stats_enabled, delta, __ATOMIC_RELAXED);
}

void bpfrt_obj_get(enum bpfrt_obj_kind kind, void *obj)
{
    switch (kind) {
    case BPFRT_OBJ_MAP: bpfrt_map_get(obj); break;
    case BPFRT_OBJ_PROG: bpfrt_prog_get(obj); break;
    case BPFRT_OBJ_BTF: bpfrt_btf_get(obj); break;
    case BPFRT_OBJ_STATS: stats_ref(obj, 1); break;
    default: break;
    }
}

void bpfrt_obj_put(enum bpfrt_obj_kind kind, void *obj)
{
    switch (kind) {
    case BPFRT_OBJ_MAP: bpfrt_map_put(obj); break;
    case BPFRT_OBJ_PROG: bpfrt_prog_put(obj); break;
    case BPFRT_OBJ_BTF: bpfrt_btf_put(obj); break;
    case BPFRT_OBJ_STATS: stats_ref(obj, (uint32_t)-1); break;
    default: break;
    }
}

uint32_t bpfrt_obj_id(enum bpfrt_obj_kind kind, const void *obj)
{
    switch (kind) {
    case BPFRT_OBJ_MAP: return ((const struct bpfrt_map *)obj)->id;
    case BPFRT_OBJ_PROG: return ((const struct bpfrt_prog *)obj)->id;
    case BPFRT_OBJ_BTF: return bpfrt_btf_id(obj);
    default: return 0;
    }
}

int bpfrt_objtab_init(struct bpfrt_runtime *rt)
{
    struct bpfrt_objtab *t = bpfrt_zalloc(rt, sizeof(*t));
    if (!t)
        return -BPFRT_ENOMEM;
    if (rt->plat->lock_new) {
        t->lock = rt->plat->lock_new(rt->plat->ctx);
        if (!t->lock) {
            bpfrt_free(rt, t, sizeof(*t));
            return -BPFRT_ENOMEM;
        }
    }
    rt->objtab = t;
    return 0;
}

/* ---- registry (called with the lock held) ---- */

static struct reg_entry *reg_find(struct bpfrt_objtab *t, enum bpfrt_obj_kind kind, const void *obj)
{
    for (uint32_t i = 0; i < t->nr_reg; i++)
        if (t->reg[i].obj == obj && t->reg[i].kind == kind)
            return &t->reg[i];
    return NULL;
}

/* Adds obj (taking the registry's reference), keeping entries sorted by
 * (kind, id) so next-id walks are in order. */
static struct reg_entry *reg_add(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj)
{
    struct bpfrt_objtab *t = rt->objtab;
    if (t->nr_reg == t->cap_reg) {
        uint32_t cap = t->cap_reg ? t->cap_reg * 2 : 16;
        struct reg_entry *n = bpfrt_zalloc(rt, (size_t)cap * sizeof(*n));
        if (!n)
            return NULL;
        if (t->nr_reg)
            bpfrt_memcpy(n, t->reg, (size_t)t->nr_reg * sizeof(*n));
        bpfrt_free(rt, t->reg, (size_t)t->cap_reg * sizeof(*n));
        t->reg = n;
        t->cap_reg = cap;
    }
    uint32_t id = bpfrt_obj_id(kind, obj);
    uint32_t pos = t->nr_reg;
    while (pos > 0 && (t->reg[pos - 1].kind > kind ||
                       (t->reg[pos - 1].kind == kind && t->reg[pos - 1].id > id)))
        pos--;
    bpfrt_memmove(&t->reg[pos + 1], &t->reg[pos], (size_t)(t->nr_reg - pos) * sizeof(t->reg[0]));
    t->nr_reg++;
    struct reg_entry *e = &t->reg[pos];
    e->kind = (uint8_t)kind;
    e->id = id;
    e->uref = 0;
    e->obj = obj;
    bpfrt_obj_get(kind, obj);
    return e;
}

static void reg_remove(struct bpfrt_objtab *t, struct reg_entry *e)
{
    uint32_t pos = (uint32_t)(e - t->reg);
    bpfrt_memmove(&t->reg[pos], &t->reg[pos + 1], (size_t)(t->nr_reg - pos - 1) * sizeof(t->reg[0]));
    t->nr_reg--;
}

/* True when the registry's reference is the only one left. */
static bool only_registry_ref(struct bpfrt_objtab *t, const struct reg_entry *e)
{
    switch (e->kind) {
    case BPFRT_OBJ_MAP:
        return __atomic_load_n(&((struct bpfrt_map *)e->obj)->refcnt, __ATOMIC_ACQUIRE) == 1;
    case BPFRT_OBJ_PROG:
        return __atomic_load_n(&((struct bpfrt_prog *)e->obj)->refcnt, __ATOMIC_ACQUIRE) == 1;
    case BPFRT_OBJ_BTF:
        /* BTF's count is private: it is referenced by handles and pins
         * (uref), maps and programs, which are all registered. */
        for (uint32_t i = 0; i < t->nr_reg; i++) {
            if (t->reg[i].kind == BPFRT_OBJ_MAP && ((struct bpfrt_map *)t->reg[i].obj)->btf == e->obj)
                return false;
            if (t->reg[i].kind == BPFRT_OBJ_PROG && ((struct bpfrt_prog *)t->reg[i].obj)->btf == e->obj)
                return false;
        }
        return true;
    default:
        return true;
    }
}

/* The kinds the registry holds, with ids, which can be pinned (Linux pins
 * maps, programs and links, bpf_fd_probe_obj): not a stats handle. */
static bool registered(enum bpfrt_obj_kind kind)
{
    return kind != BPFRT_OBJ_STATS;
}

/* uref bookkeeping; returns true when the map just lost its last uref and
 * must release what it holds (done by the caller without the lock). */
static bool uref_inc(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj)
{
    if (!registered(kind))
        return true;
    struct reg_entry *e = reg_find(rt->objtab, kind, obj);
    if (!e)
        e = reg_add(rt, kind, obj);
    if (!e)
        return false;
    e->uref++;
    return true;
}

static bool uref_dec(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj)
{
    struct reg_entry *e = reg_find(rt->objtab, kind, obj);
    if (!e || e->uref == 0)
        return false;
    return --e->uref == 0 && kind == BPFRT_OBJ_MAP;
}

void bpfrt_objtab_sweep(struct bpfrt_runtime *rt)
{
    struct bpfrt_objtab *t = rt->objtab;
    for (;;) {
        void *victim = NULL;
        enum bpfrt_obj_kind kind = BPFRT_OBJ_NONE;
        lock(rt);
        /* Programs first: freeing one drops its maps and BTF. */
        for (int pass = 0; pass < 3 && !victim; pass++) {
            enum bpfrt_obj_kind want = pass == 0 ? BPFRT_OBJ_PROG : pass == 1 ? BPFRT_OBJ_MAP : BPFRT_OBJ_BTF;
            for (uint32_t i = 0; i < t->nr_reg; i++) {
                struct reg_entry *e = &t->reg[i];
                if (e->kind == want && e->uref == 0 && only_registry_ref(t, e)) {
                    victim = e->obj;
                    kind = want;
                    reg_remove(t, e);
                    break;
                }
            }
        }
        unlock(rt);
        if (!victim)
            return;
        bpfrt_obj_put(kind, victim);
    }
}

/* ---- handles ---- */

int bpfrt_handle_mode_from_flags(uint32_t flags)
{
    if ((flags & BPF_F_RDONLY) && (flags & BPF_F_WRONLY))
        return -BPFRT_EINVAL;
    if (flags & BPF_F_RDONLY)
        return BPFRT_HANDLE_READ;
    if (flags & BPF_F_WRONLY)
        return BPFRT_HANDLE_WRITE;
    return BPFRT_HANDLE_RDWR;
}

int bpfrt_objtab_install(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj)
{
    return bpfrt_objtab_install_mode(rt, kind, obj, BPFRT_HANDLE_RDWR);
}

int bpfrt_objtab_install_mode(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj, unsigned mode)
{
    struct bpfrt_objtab *t = rt->objtab;
    lock(rt);
    uint32_t i = 0;
    while (i < t->nr_slots && t->slots[i].kind != BPFRT_OBJ_NONE)
        i++;
    if (i == t->nr_slots) {
        if (t->nr_slots >= MAX_HANDLES) {
            unlock(rt);
            return -BPFRT_EMFILE;
        }
        uint32_t n = t->nr_slots ? t->nr_slots * 2 : 16;
        struct handle_slot *s = bpfrt_zalloc(rt, (size_t)n * sizeof(*s));
        if (!s) {
            unlock(rt);
            return -BPFRT_ENOMEM;
        }
        if (t->nr_slots)
            bpfrt_memcpy(s, t->slots, (size_t)t->nr_slots * sizeof(*s));
        bpfrt_free(rt, t->slots, (size_t)t->nr_slots * sizeof(*s));
        t->slots = s;
        t->nr_slots = n;
    }
    if (!uref_inc(rt, kind, obj)) {
        unlock(rt);
        return -BPFRT_ENOMEM;
    }
    t->slots[i].kind = (uint8_t)kind;
    t->slots[i].mode = (uint8_t)mode;
    t->slots[i].obj = obj;
    t->nr_open++;
    unlock(rt);
    return (int)i + BPFRT_FIRST_HANDLE;
}

static struct handle_slot *slot_of(struct bpfrt_objtab *t, int handle)
{
    if (handle < BPFRT_FIRST_HANDLE)
        return NULL;
    uint32_t i = (uint32_t)(handle - BPFRT_FIRST_HANDLE);
    if (i >= t->nr_slots || t->slots[i].kind == BPFRT_OBJ_NONE)
        return NULL;
    return &t->slots[i];
}

static enum bpfrt_obj_kind get_any(struct bpfrt_runtime *rt, int handle, void **obj, unsigned *mode)
{
    lock(rt);
    struct handle_slot *s = slot_of(rt->objtab, handle);
    enum bpfrt_obj_kind kind = BPFRT_OBJ_NONE;
    if (s) {
        kind = s->kind;
        *obj = s->obj;
        *mode = s->mode;
        bpfrt_obj_get(kind, s->obj);
    }
    unlock(rt);
    return kind;
}

enum bpfrt_obj_kind bpfrt_objtab_get_any(struct bpfrt_runtime *rt, int handle, void **obj)
{
    unsigned mode;
    return get_any(rt, handle, obj, &mode);
}

int bpfrt_objtab_get(struct bpfrt_runtime *rt, int handle, enum bpfrt_obj_kind kind, void **obj)
{
    unsigned mode;
    return bpfrt_objtab_get_mode(rt, handle, kind, obj, &mode);
}

int bpfrt_objtab_get_mode(struct bpfrt_runtime *rt, int handle, enum bpfrt_obj_kind kind, void **obj,
                          unsigned *mode)
{
    void *o = NULL;
    enum bpfrt_obj_kind k = get_any(rt, handle, &o, mode);
    if (k == BPFRT_OBJ_NONE)
        return -BPFRT_EBADF;
    if (k != kind) {
        bpfrt_obj_put(k, o);
        return -BPFRT_EINVAL;
    }
    *obj = o;
    return 0;
}

int bpfrt_close(struct bpfrt_runtime *rt, int handle)
{
    if (!rt)
        return -BPFRT_EINVAL;
    struct bpfrt_objtab *t = rt->objtab;
    lock(rt);
    struct handle_slot *s = slot_of(t, handle);
    if (!s) {
        unlock(rt);
        return -BPFRT_EBADF;
    }
    enum bpfrt_obj_kind kind = s->kind;
    void *obj = s->obj;
    s->kind = BPFRT_OBJ_NONE;
    s->mode = 0;
    s->obj = NULL;
    t->nr_open--;
    bool release = uref_dec(rt, kind, obj);
    unlock(rt);
    if (release)
        bpfrt_map_release_uref(obj);
    bpfrt_obj_put(kind, obj);
    bpfrt_objtab_sweep(rt);
    return 0;
}

static void *from_handle(struct bpfrt_runtime *rt, int handle, enum bpfrt_obj_kind kind)
{
    if (!rt)
        return NULL;
    lock(rt);
    struct handle_slot *s = slot_of(rt->objtab, handle);
    void *obj = s && s->kind == kind ? s->obj : NULL;
    unlock(rt);
    return obj;
}

struct bpfrt_map *bpfrt_map_from_handle(struct bpfrt_runtime *rt, int handle)
{
    return from_handle(rt, handle, BPFRT_OBJ_MAP);
}
struct bpfrt_prog *bpfrt_prog_from_handle(struct bpfrt_runtime *rt, int handle)
{
    return from_handle(rt, handle, BPFRT_OBJ_PROG);
}
struct bpfrt_btf *bpfrt_btf_from_handle(struct bpfrt_runtime *rt, int handle)
{
    return from_handle(rt, handle, BPFRT_OBJ_BTF);
}

static int handle_new(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj)
{
    if (!rt || !obj)
        return -BPFRT_EINVAL;
    bpfrt_obj_get(kind, obj);
    int h = bpfrt_objtab_install(rt, kind, obj);
    if (h < 0)
        bpfrt_obj_put(kind, obj);
    return h;
}
int bpfrt_handle_new_map(struct bpfrt_runtime *rt, struct bpfrt_map *map)
{
    return handle_new(rt, BPFRT_OBJ_MAP, map);
}
int bpfrt_handle_new_prog(struct bpfrt_runtime *rt, struct bpfrt_prog *prog)
{
    return handle_new(rt, BPFRT_OBJ_PROG, prog);
}
int bpfrt_handle_new_btf(struct bpfrt_runtime *rt, struct bpfrt_btf *btf)
{
    return handle_new(rt, BPFRT_OBJ_BTF, btf);
}

unsigned bpfrt_handle_count(struct bpfrt_runtime *rt)
{
    lock(rt);
    unsigned n = rt->objtab->nr_open;
    unlock(rt);
    return n;
}

/* ---- ids ---- */

int bpfrt_objtab_next_id(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, uint32_t start,
                         uint32_t *next)
{
    bpfrt_objtab_sweep(rt);
    struct bpfrt_objtab *t = rt->objtab;
    int err = -BPFRT_ENOENT;
    lock(rt);
    for (uint32_t i = 0; i < t->nr_reg; i++) {
        if (t->reg[i].kind == kind && t->reg[i].id > start) {
            *next = t->reg[i].id;
            err = 0;
            break;
        }
    }
    unlock(rt);
    return err;
}

int bpfrt_objtab_get_by_id(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, uint32_t id, void **obj)
{
    bpfrt_objtab_sweep(rt);
    struct bpfrt_objtab *t = rt->objtab;
    int err = -BPFRT_ENOENT;
    lock(rt);
    for (uint32_t i = 0; i < t->nr_reg; i++) {
        if (t->reg[i].kind == kind && t->reg[i].id == id) {
            *obj = t->reg[i].obj;
            bpfrt_obj_get(kind, *obj);
            err = 0;
            break;
        }
    }
    unlock(rt);
    return err;
}

/* ---- pins ---- */

static struct pin *pin_find(struct bpfrt_objtab *t, const char *path)
{
    for (struct pin *p = t->pins; p; p = p->next)
        if (bpfrt_strcmp(p->path, path) == 0)
            return p;
    return NULL;
}

int bpfrt_objtab_pin(struct bpfrt_runtime *rt, const char *path, enum bpfrt_obj_kind kind, void *obj)
{
    if (!registered(kind))
        return -BPFRT_EINVAL;
    size_t len = bpfrt_strnlen(path, MAX_PATH);
    if (len == 0)
        return -BPFRT_ENOENT;
    if (len >= MAX_PATH)
        return -BPFRT_ENAMETOOLONG;
    struct pin *p = bpfrt_zalloc(rt, sizeof(*p));
    char *copy = bpfrt_zalloc(rt, len + 1);
    if (!p || !copy) {
        bpfrt_free(rt, p, sizeof(*p));
        bpfrt_free(rt, copy, len + 1);
        return -BPFRT_ENOMEM;
    }
    bpfrt_memcpy(copy, path, len);
    p->path = copy;
    p->path_size = len + 1;
    p->kind = (uint8_t)kind;
    p->obj = obj;
    struct bpfrt_objtab *t = rt->objtab;
    lock(rt);
    int err = 0;
    if (pin_find(t, copy))
        err = -BPFRT_EEXIST;
    else if (!uref_inc(rt, kind, obj))
        err = -BPFRT_ENOMEM;
    if (!err) {
        bpfrt_obj_get(kind, obj);
        p->next = t->pins;
        t->pins = p;
    }
    unlock(rt);
    if (err) {
        bpfrt_free(rt, copy, len + 1);
        bpfrt_free(rt, p, sizeof(*p));
    }
    return err;
}

enum bpfrt_obj_kind bpfrt_objtab_get_pinned(struct bpfrt_runtime *rt, const char *path, void **obj,
                                            int *err)
{
    size_t len = bpfrt_strnlen(path, MAX_PATH);
    if (len >= MAX_PATH) {
        *err = -BPFRT_ENAMETOOLONG;
        return BPFRT_OBJ_NONE;
    }
    lock(rt);
    struct pin *p = len ? pin_find(rt->objtab, path) : NULL;
    enum bpfrt_obj_kind kind = BPFRT_OBJ_NONE;
    if (p) {
        kind = p->kind;
        *obj = p->obj;
        bpfrt_obj_get(kind, p->obj);
    }
    unlock(rt);
    *err = p ? 0 : -BPFRT_ENOENT;
    return kind;
}

static void pin_drop(struct bpfrt_runtime *rt, struct pin *p)
{
    lock(rt);
    bool release = uref_dec(rt, p->kind, p->obj);
    unlock(rt);
    if (release)
        bpfrt_map_release_uref(p->obj);
    bpfrt_obj_put(p->kind, p->obj);
    bpfrt_free(rt, p->path, p->path_size);
    bpfrt_free(rt, p, sizeof(*p));
}

int bpfrt_obj_unpin(struct bpfrt_runtime *rt, const char *path)
{
    if (!rt || !path)
        return -BPFRT_EINVAL;
    struct bpfrt_objtab *t = rt->objtab;
    lock(rt);
    struct pin **pp = &t->pins;
    while (*pp && bpfrt_strcmp((*pp)->path, path) != 0)
        pp = &(*pp)->next;
    struct pin *p = *pp;
    if (p)
        *pp = p->next;
    unlock(rt);
    if (!p)
        return -BPFRT_ENOENT;
    pin_drop(rt, p);
    bpfrt_objtab_sweep(rt);
    return 0;
}

/* ---- teardown ---- */

void bpfrt_objtab_fini(struct bpfrt_runtime *rt)
{
    struct bpfrt_objtab *t = rt->objtab;
    if (!t)
        return;
    for (uint32_t i = 0; i < t->nr_slots; i++)
        if (t->slots[i].kind != BPFRT_OBJ_NONE)
            bpfrt_close(rt, (int)i + BPFRT_FIRST_HANDLE);
    while (t->pins) {
        struct pin *p = t->pins;
        t->pins = p->next;
        pin_drop(rt, p);
    }
    bpfrt_objtab_sweep(rt);
    /* Whatever is left is referenced from outside the table (or by a cycle
     * the uref rule did not break): drop the registry's references, programs
     * first so they release their maps. */
    for (int pass = 0; pass < 3; pass++) {
        enum bpfrt_obj_kind want = pass == 0 ? BPFRT_OBJ_PROG : pass == 1 ? BPFRT_OBJ_MAP : BPFRT_OBJ_BTF;
        for (uint32_t i = 0; i < t->nr_reg;) {
            if (t->reg[i].kind == want) {
                struct reg_entry e = t->reg[i];
                reg_remove(t, &t->reg[i]);
                bpfrt_obj_put(e.kind, e.obj);
            } else {
                i++;
            }
        }
    }
    bpfrt_free(rt, t->slots, (size_t)t->nr_slots * sizeof(t->slots[0]));
    bpfrt_free(rt, t->reg, (size_t)t->cap_reg * sizeof(t->reg[0]));
    if (t->lock)
        rt->plat->lock_free(rt->plat->ctx, t->lock);
    bpfrt_free(rt, t, sizeof(*t));
    rt->objtab = NULL;
}
