/* The runtime's helper table: a sorted array of pointers to prototypes,
 * searched by binary search (the interpreter resolves calls at prepare
 * time). Built-in rows point into the static table; application rows are
 * copies the registry owns.
 *
 * Replacement: registering an id that exists (built-in or not) swaps the
 * slot to the new prototype. Programs prepared earlier may keep the old
 * pointer, so old prototypes are never freed before the runtime is: an
 * application prototype replaced by another is kept on a retired list.
 * Registration is not synchronised with running programs: register helpers
 * before loading the programs that call them.
 *
 * The policy "may program P call helper H" (bpfrt_helper_allowed) lives
 * here too: PROG_LOAD applies it to every call instruction, the engines to
 * every helper they resolve at run time (callx), as Linux's verifier does
 * in check_helper_call. */
#include "core/helpers/kstate.h"

struct owned_proto {
    struct owned_proto *next;
    struct bpfrt_helper_proto proto;
};

struct bpfrt_helper_reg {
    const struct bpfrt_helper_proto **slots; /* sorted by id */
    size_t count, capacity;
    struct owned_proto *owned;               /* every copy ever made (live or retired) */
    struct bpfrt_host_reads host_reads;      /* what probe-read helpers may reach */
};

/* Index of the first slot with id >= `id`. */
static size_t lower_bound(const struct bpfrt_helper_reg *reg, uint32_t id)
{
    size_t lo = 0, hi = reg->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (reg->slots[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int grow(struct bpfrt_runtime *rt, struct bpfrt_helper_reg *reg)
{
    size_t ncap = reg->capacity ? reg->capacity * 2 : 64;
    size_t bytes;
    if (bpfrt_mul_overflow(ncap, sizeof(*reg->slots), &bytes))
        return -BPFRT_ENOMEM;
    const struct bpfrt_helper_proto **ns = bpfrt_zalloc(rt, bytes);
    if (!ns)
        return -BPFRT_ENOMEM;
    if (reg->count)
        bpfrt_memcpy(ns, reg->slots, reg->count * sizeof(*ns));
    bpfrt_free(rt, reg->slots, reg->capacity * sizeof(*reg->slots));
    reg->slots = ns;
    reg->capacity = ncap;
    return 0;
}

/* Puts p in the table, replacing the row with the same id. */
static int insert(struct bpfrt_runtime *rt, struct bpfrt_helper_reg *reg,
                  const struct bpfrt_helper_proto *p)
{
    size_t pos = lower_bound(reg, p->id);
    if (pos < reg->count && reg->slots[pos]->id == p->id) {
        reg->slots[pos] = p;
        return 0;
    }
    if (reg->count == reg->capacity) {
        int err = grow(rt, reg);
        if (err)
            return err;
    }
    if (pos < reg->count)
        bpfrt_memmove(&reg->slots[pos + 1], &reg->slots[pos],
                      (reg->count - pos) * sizeof(*reg->slots));
    reg->slots[pos] = p;
    reg->count++;
    return 0;
}

static bool cb_valid(const struct bpfrt_helper_cb *cb)
{
    if (!cb)
        return true;
    for (int i = 0; i < 5; i++)
        if (cb->args[i] >= __BPFRT_CB_ARG_MAX)
            return false;
    return cb->ret_min <= cb->ret_max;
}

static bool proto_valid(const struct bpfrt_helper_proto *p)
{
    if (!p || !p->fn || !p->name || p->ret_type >= __RET_TYPE_MAX || (p->flags & ~BPFRT_HELPER_FLAGS_ALL))
        return false;
    for (int i = 0; i < 5; i++)
        if (p->arg_type[i] >= __ARG_TYPE_MAX || (p->arg_flags[i] & ~BPFRT_ARG_FLAGS_ALL))
            return false;
    return cb_valid(p->cb);
}

int bpfrt_helper_register(struct bpfrt_runtime *rt, const struct bpfrt_helper_proto *proto)
{
    if (!rt || !rt->helpers || !proto_valid(proto))
        return -BPFRT_EINVAL;
    struct bpfrt_helper_reg *reg = rt->helpers;
    struct owned_proto *op = bpfrt_zalloc(rt, sizeof(*op));
    if (!op)
        return -BPFRT_ENOMEM;
    op->proto = *proto;
    int err = insert(rt, reg, &op->proto);
    if (err) {
        bpfrt_free(rt, op, sizeof(*op));
        return err;
    }
    op->next = reg->owned;
    reg->owned = op;
    return 0;
}

const struct bpfrt_helper_proto *bpfrt_helper_find(const struct bpfrt_runtime *rt, uint32_t id)
{
    if (!rt || !rt->helpers)
        return 0;
    const struct bpfrt_helper_reg *reg = rt->helpers;
    size_t pos = lower_bound(reg, id);
    if (pos < reg->count && reg->slots[pos]->id == id)
        return reg->slots[pos];
    return 0;
}

int bpfrt_helper_allowed(const struct bpfrt_runtime *rt, uint32_t id, uint32_t prog_type, bool gpl,
                         const struct bpfrt_helper_proto **out, char *why, size_t why_size)
{
    const struct bpfrt_helper_proto *h = bpfrt_helper_find(rt, id);
    *out = NULL;
    if (!h || !h->fn) {
        /* Linux's text for ids it has no name for; a Linux helper this
         * runtime lacks is named, so the user knows what is missing */
        const char *lname = bpfrt_helper_name(id);
        if (lname && (int32_t)id > 0)
            bpfrt_snprintf(why, why_size, "helper %s#%d is not provided", lname, (int32_t)id);
        else
            bpfrt_snprintf(why, why_size, "invalid func unknown#%d", (int32_t)id);
        return -BPFRT_EINVAL;
    }
    if (prog_type < 64 && !(h->prog_types & BPFRT_PROG_TYPE_BIT(prog_type))) {
        bpfrt_snprintf(why, why_size, "program of this type cannot use helper %s#%d", h->name, (int32_t)id);
        return -BPFRT_EINVAL;
    }
    if (h->gpl_only && !gpl) {
        bpfrt_snprintf(why, why_size, "cannot call GPL-restricted function from non-GPL compatible program");
        return -BPFRT_EINVAL;
    }
    *out = h;
    return 0;
}

size_t bpfrt_helper_count(const struct bpfrt_runtime *rt)
{
    return rt && rt->helpers ? rt->helpers->count : 0;
}

const struct bpfrt_helper_proto *bpfrt_helper_at(const struct bpfrt_runtime *rt, size_t i)
{
    if (!rt || !rt->helpers || i >= rt->helpers->count)
        return 0;
    return rt->helpers->slots[i];
}

int bpfrt_helpers_init(struct bpfrt_runtime *rt)
{
    struct bpfrt_helper_reg *reg = bpfrt_zalloc(rt, sizeof(*reg));
    if (!reg)
        return -BPFRT_ENOMEM;
    rt->helpers = reg;
    size_t n;
    const struct bpfrt_helper_proto *table = bpfrt_helper_builtin_table(&n);
    for (size_t i = 0; i < n; i++) {
        int err = insert(rt, reg, &table[i]);
        if (err) {
            bpfrt_helpers_fini(rt);
            return err;
        }
    }
    return 0;
}

struct bpfrt_host_reads *bpfrt_helper_host_reads(const struct bpfrt_runtime *rt)
{
    return rt->helpers ? &rt->helpers->host_reads : NULL;
}

void bpfrt_helpers_fini(struct bpfrt_runtime *rt)
{
    bpfrt_kstate_free(rt); /* every map and program is gone by now */
    struct bpfrt_helper_reg *reg = rt->helpers;
    if (!reg)
        return;
    bpfrt_host_reads_fini(rt, &reg->host_reads);
    while (reg->owned) {
        struct owned_proto *next = reg->owned->next;
        bpfrt_free(rt, reg->owned, sizeof(*reg->owned));
        reg->owned = next;
    }
    bpfrt_free(rt, reg->slots, reg->capacity * sizeof(*reg->slots));
    bpfrt_free(rt, reg, sizeof(*reg));
    rt->helpers = 0;
}
