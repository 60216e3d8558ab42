/* Queries over a parsed BTF: type lookup, modifier skipping, sizes, names,
 * the bpf_spin_lock search maps need. Types were bounds-checked at parse
 * time; recursion is still bounded because object-file BTF may be fixed up
 * after parsing. */
#include "core/btf/btf_internal.h"

uint32_t bpfrt_btf_nr_types(const struct bpfrt_btf *btf)
{
    return btf->nr_types;
}

const struct btf_type *bpfrt_btf_type_by_id(const struct bpfrt_btf *btf, uint32_t id)
{
    if (!btf || id == 0 || id >= btf->nr_types)
        return NULL;
    return btf->types[id];
}

struct btf_type *bpfrt_btf_type_mut(struct bpfrt_btf *btf, uint32_t id)
{
    if (!btf || id == 0 || id >= btf->nr_types)
        return NULL;
    return btf->types[id];
}

const char *bpfrt_btf_str(const struct bpfrt_btf *btf, uint32_t off)
{
    if (!btf || off >= btf->str_len)
        return NULL;
    return btf->strs + off;
}

const char *bpfrt_btf_name(const struct bpfrt_btf *btf, uint32_t id)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
    const char *s = t ? bpfrt_btf_str(btf, t->name_off) : NULL;
    return s ? s : "";
}

static bool is_modifier(uint32_t kind)
{
    return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
           kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

uint32_t bpfrt_btf_skip_mods(const struct bpfrt_btf *btf, uint32_t id)
{
    for (int depth = 0; depth <= BTF_MAX_RESOLVE_DEPTH; depth++) {
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
        if (!t || !is_modifier(btf_kind(t)))
            return t ? id : 0;
        id = t->type;
    }
    return 0;
}

long bpfrt_btf_find_by_name_kind(const struct bpfrt_btf *btf, const char *name, uint32_t kind)
{
    for (uint32_t id = 1; btf && id < btf->nr_types; id++)
        if (btf_kind(btf->types[id]) == kind &&
            bpfrt_strcmp(bpfrt_btf_name(btf, id), name) == 0)
            return id;
    return -BPFRT_ENOENT;
}

static long type_size(const struct bpfrt_btf *btf, uint32_t id, int depth)
{
    if (depth > BTF_MAX_RESOLVE_DEPTH)
        return -BPFRT_ELOOP;
    id = bpfrt_btf_skip_mods(btf, id);
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
    if (!t)
        return -BPFRT_EINVAL;
    switch (btf_kind(t)) {
    case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: case BTF_KIND_DATASEC: case BTF_KIND_FLOAT:
        return t->size;
    case BTF_KIND_PTR:
        return 8;
    case BTF_KIND_VAR:
        return type_size(btf, t->type, depth + 1);
    case BTF_KIND_ARRAY: {
        const struct btf_array *a = btf_type_extra(t);
        long elem = type_size(btf, a->type, depth + 1);
        if (elem < 0)
            return elem;
        uint64_t total = (uint64_t)elem * a->nelems;
        if (total > UINT32_MAX)
            return -BPFRT_E2BIG;
        return (long)total;
    }
    default:
        return -BPFRT_EINVAL;
    }
}

long bpfrt_btf_type_size(const struct bpfrt_btf *btf, uint32_t type_id)
{
    return type_size(btf, type_id, 0);
}

/* What the bpf_spin_lock search knows of one type: how many locks it
 * holds (2 stands for "more than one") and the offset of the one. Each type
 * is worked out once, so the search is linear in the BTF's size - a union
 * of 16 unions of 16 unions... would otherwise be walked once per path. */
struct lock_memo {
    uint8_t state;  /* 0 not seen, 1 being worked out, 2 done */
    uint8_t count;
    uint32_t off;
};

static void type_locks(const struct bpfrt_btf *btf, struct lock_memo *memo, uint32_t id, int depth,
                       uint8_t *count, uint32_t *off)
{
    *count = 0;
    *off = 0;
    id = bpfrt_btf_skip_mods(btf, id);
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
    if (!t || depth > BTF_MAX_RESOLVE_DEPTH)
        return;
    struct lock_memo *m = &memo[id];
    if (m->state == 2) {
        *count = m->count;
        *off = m->off;
        return;
    }
    if (m->state == 1)
        return; /* a type inside itself (only object-file BTF can say so): no lock there */
    m->state = 1;
    uint8_t c = 0, ic;
    uint32_t o = 0, ioff;
    uint32_t kind = btf_kind(t);
    if (kind == BTF_KIND_ARRAY) {
        /* a lock inside an array element would be many locks */
        const struct btf_array *a = btf_type_extra(t);
        type_locks(btf, memo, a->type, depth + 1, &ic, &ioff);
        if (ic) {
            c = a->nelems > 1 ? 2 : ic;
            o = ioff;
        }
    } else if (kind == BTF_KIND_STRUCT && bpfrt_strcmp(bpfrt_btf_name(btf, id), "bpf_spin_lock") == 0) {
        c = 1;
    } else if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) {
        for (uint32_t i = 0; i < btf_vlen(t) && c < 2; i++) {
            type_locks(btf, memo, btf_members(t)[i].type, depth + 1, &ic, &ioff);
            if (!ic)
                continue;
            c = c + ic > 2 ? 2 : (uint8_t)(c + ic);
            o = btf_member_bit_offset(t, i) / 8 + ioff;
        }
    }
    m->state = 2;
    m->count = c;
    m->off = o;
    *count = c;
    *off = o;
}

int bpfrt_btf_find_spin_lock(const struct bpfrt_btf *btf, uint32_t type_id)
{
    size_t bytes;
    if (!btf || bpfrt_mul_overflow(btf->nr_types, sizeof(struct lock_memo), &bytes))
        return -BPFRT_EINVAL;
    struct lock_memo *memo = bpfrt_zalloc(btf->rt, bytes ? bytes : 1);
    if (!memo)
        return -BPFRT_ENOMEM;
    uint8_t count;
    uint32_t off;
    type_locks(btf, memo, type_id, 0, &count, &off);
    bpfrt_free(btf->rt, memo, bytes ? bytes : 1);
    if (!count)
        return -BPFRT_ENOENT;
    if (count > 1)
        return -BPFRT_EINVAL;
    return (int)off;
}
