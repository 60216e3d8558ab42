/* Map commands: MAP_CREATE, the element commands, FREEZE and the batch
 * commands. The map family code (src/core/maps) implements the semantics;
 * this layer resolves handles and BTF, checks Linux's attr rules and copies
 * results back. */
#include "bpfrt/btf.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "core/bpf/cmd.h"

static bool is_map_in_map(uint32_t type)
{
    return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Linux's map_check_btf: the key and value types must have exactly the
 * map's key and value sizes. */
static int check_btf_sizes(struct bpfrt_btf *btf, const union bpf_attr *attr)
{
    if (attr->btf_key_type_id) {
        long ks = bpfrt_btf_type_size(btf, attr->btf_key_type_id);
        if (ks < 0 || (uint64_t)ks != attr->key_size)
            return -BPFRT_EINVAL;
    }
    long vs = bpfrt_btf_type_size(btf, attr->btf_value_type_id);
    if (vs < 0 || (uint64_t)vs != attr->value_size)
        return -BPFRT_EINVAL;
    return 0;
}

long bpfrt_cmd_map_create(struct bpfrt_cmd *c)
{
    const union bpf_attr *attr = c->attr;
    struct bpfrt_runtime *rt = c->rt;
    if (attr->excl_prog_hash || attr->excl_prog_hash_size)
        return -BPFRT_EINVAL; /* signed-program exclusivity: not supported */
    if (attr->map_token_fd && !(attr->map_flags & BPF_F_TOKEN_FD))
        return -BPFRT_EINVAL;
    if (attr->map_flags & BPF_F_TOKEN_FD)
        return -BPFRT_EINVAL; /* no BPF tokens in bpfrt */

    struct bpfrt_map *inner = NULL;
    struct bpfrt_btf *btf = NULL;
    int err = 0;
    if (is_map_in_map(attr->map_type)) {
        err = bpfrt_objtab_get(rt, (int)attr->inner_map_fd, BPFRT_OBJ_MAP, (void **)&inner);
        if (err)
            return err;
    }
    if (attr->btf_key_type_id || attr->btf_value_type_id || attr->btf_vmlinux_value_type_id) {
        err = bpfrt_objtab_get(rt, (int)attr->btf_fd, BPFRT_OBJ_BTF, (void **)&btf);
        if (!err && attr->btf_vmlinux_value_type_id)
            err = -BPFRT_EINVAL; /* struct_ops maps only */
        if (!err && attr->btf_value_type_id)
            err = check_btf_sizes(btf, attr);
        else if (!err && attr->btf_key_type_id)
            err = -BPFRT_EINVAL; /* a key type without a value type */
    }
    struct bpfrt_map *map = NULL;
    if (!err)
        err = bpfrt_map_create(rt, attr, inner, btf, &map);
    if (!err && btf && attr->btf_value_type_id) {
        int off = bpfrt_btf_find_spin_lock(btf, attr->btf_value_type_id);
        if (off >= 0)
            err = bpfrt_map_set_spin_lock_off(map, off);
        else if (off != -BPFRT_ENOENT)
            err = off;
    }
    if (inner)
        bpfrt_map_put(inner);
    if (btf)
        bpfrt_btf_put(btf);
    if (err) {
        if (map)
            bpfrt_map_put(map);
        return err;
    }
    /* the creating handle's mode follows map_flags, as the fd Linux returns */
    int mode = bpfrt_handle_mode_from_flags(attr->map_flags);
    int h = bpfrt_objtab_install_mode(rt, BPFRT_OBJ_MAP, map, mode < 0 ? BPFRT_HANDLE_RDWR : (unsigned)mode);
    if (h < 0)
        bpfrt_map_put(map);
    return h;
}

/* Resolves a map handle that must grant `need` (BPFRT_HANDLE_*): -EPERM
 * otherwise, as Linux's map_get_sys_perms checks; a frozen map grants no
 * writes. */
static int get_map_for(struct bpfrt_cmd *c, uint32_t fd, unsigned need, struct bpfrt_map **map)
{
    unsigned mode = 0;
    int err = bpfrt_objtab_get_mode(c->rt, (int)fd, BPFRT_OBJ_MAP, (void **)map, &mode);
    if (err)
        return err;
    if (__atomic_load_n(&(*map)->frozen, __ATOMIC_ACQUIRE))
        mode &= ~BPFRT_HANDLE_WRITE;
    if ((mode & need) != need) {
        bpfrt_map_put(*map);
        return -BPFRT_EPERM;
    }
    return 0;
}


/* Key pointer check: maps without keys (queue, stack) take none. */
static bool key_missing(const struct bpfrt_map *map, uint64_t key)
{
    return map->key_size && !key;
}

/* LOOKUP_ELEM and LOOKUP_AND_DELETE_ELEM: the same attr checks (flags
 * BPF_F_LOCK at most, a key unless the map has none, a value buffer), then
 * `read` with the handle granting `need`. */
static long map_read_value(struct bpfrt_cmd *c, unsigned need,
                           int (*read)(struct bpfrt_map *map, const void *key, void *value, uint64_t flags))
{
    struct bpfrt_map *map;
    int err = get_map_for(c, c->attr->map_fd, need, &map);
    if (err)
        return err;
    if (c->attr->flags & ~(uint64_t)BPF_F_LOCK)
        err = -BPFRT_EINVAL;
    else if (key_missing(map, c->attr->key) || !c->attr->value)
        err = -BPFRT_EFAULT;
    else
        err = read(map, u64_to_ptr(c->attr->key), u64_to_ptr(c->attr->value), c->attr->flags);
    bpfrt_map_put(map);
    return err;
}

long bpfrt_cmd_map_lookup_elem(struct bpfrt_cmd *c)
{
    return map_read_value(c, BPFRT_HANDLE_READ, bpfrt_map_lookup);
}

long bpfrt_cmd_map_update_elem(struct bpfrt_cmd *c)
{
    struct bpfrt_map *map;
    int err = get_map_for(c, c->attr->map_fd, BPFRT_HANDLE_WRITE, &map);
    if (err)
        return err;
    const void *key = u64_to_ptr(c->attr->key);
    const void *value = u64_to_ptr(c->attr->value);
    uint64_t flags = c->attr->flags;
    if (key_missing(map, c->attr->key) || !value) {
        err = -BPFRT_EFAULT;
    } else if (map->map_type == BPF_MAP_TYPE_PROG_ARRAY) {
        /* The value is a program handle. */
        int32_t h;
        bpfrt_memcpy(&h, value, sizeof(h));
        struct bpfrt_prog *prog;
        err = bpfrt_objtab_get(c->rt, h, BPFRT_OBJ_PROG, (void **)&prog);
        if (!err) {
            err = bpfrt_map_update_prog(map, key, prog, flags);
            bpfrt_prog_put(prog);
        }
    } else if (is_map_in_map(map->map_type)) {
        /* The value is a map handle. */
        int32_t h;
        bpfrt_memcpy(&h, value, sizeof(h));
        struct bpfrt_map *inner;
        err = bpfrt_objtab_get(c->rt, h, BPFRT_OBJ_MAP, (void **)&inner);
        if (!err) {
            err = bpfrt_map_update_inner(map, key, inner, flags);
            bpfrt_map_put(inner);
        }
    } else {
        err = bpfrt_map_update(map, key, value, flags);
    }
    bpfrt_map_put(map);
    return err;
}

long bpfrt_cmd_map_delete_elem(struct bpfrt_cmd *c)
{
    struct bpfrt_map *map;
    int err = get_map_for(c, c->attr->map_fd, BPFRT_HANDLE_WRITE, &map);
    if (err)
        return err;
    if (c->attr->flags)
        err = -BPFRT_EINVAL;
    else if (key_missing(map, c->attr->key))
        err = -BPFRT_EFAULT;
    else
        err = bpfrt_map_delete(map, u64_to_ptr(c->attr->key));
    bpfrt_map_put(map);
    return err;
}

long bpfrt_cmd_map_get_next_key(struct bpfrt_cmd *c)
{
    struct bpfrt_map *map;
    int err = get_map_for(c, c->attr->map_fd, BPFRT_HANDLE_READ, &map);
    if (err)
        return err;
    if (!c->attr->next_key)
        err = -BPFRT_EFAULT;
    else
        err = bpfrt_map_get_next_key(map, u64_to_ptr(c->attr->key), u64_to_ptr(c->attr->next_key));
    bpfrt_map_put(map);
    return err;
}

long bpfrt_cmd_map_lookup_and_delete_elem(struct bpfrt_cmd *c)
{
    return map_read_value(c, BPFRT_HANDLE_RDWR, bpfrt_map_lookup_and_delete);
}

long bpfrt_cmd_map_freeze(struct bpfrt_cmd *c)
{
    struct bpfrt_map *map;
    int err = get_map_for(c, c->attr->map_fd, BPFRT_HANDLE_WRITE, &map);
    if (err)
        return err;
    err = bpfrt_map_freeze(map);
    bpfrt_map_put(map);
    return err;
}

/* ---- batch commands ----
 * in_batch/out_batch point to an opaque u32 cursor (4 bytes, like Linux's
 * hash-map bucket cursor): the number of elements, in get_next_key order,
 * that precede the resume point and are still in the map. */

enum batch_op { BATCH_LOOKUP, BATCH_LOOKUP_AND_DELETE, BATCH_UPDATE, BATCH_DELETE };

static bool is_hash_family(uint32_t t)
{
    return t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_HASH ||
           t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}
static bool is_array_family(uint32_t t)
{
    return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Which map types implement which batch operation (as Linux's map ops). */
static bool batch_supported(uint32_t type, enum batch_op op)
{
    switch (op) {
    case BATCH_LOOKUP:
    case BATCH_UPDATE:
        return is_hash_family(type) || is_array_family(type);
    case BATCH_LOOKUP_AND_DELETE:
    case BATCH_DELETE:
        return is_hash_family(type);
    }
    return false;
}

static long batch_lookup(struct bpfrt_cmd *c, struct bpfrt_map *map, bool del)
{
    const union bpf_attr *a = c->attr;
    uint32_t max = a->batch.count;
    if (max == 0)
        return 0;
    BPFRT_CMD_PUT_U32(c, batch.count, 0);
    if (!a->batch.keys || !a->batch.values || !a->batch.out_batch)
        return -BPFRT_EFAULT;
    uint32_t cursor = 0;
    if (a->batch.in_batch)
        bpfrt_memcpy(&cursor, u64_to_ptr(a->batch.in_batch), sizeof(cursor));
    uint32_t ksz = map->key_size, vsz = bpfrt_map_user_value_size(map);
    uint8_t *keys = u64_to_ptr(a->batch.keys), *values = u64_to_ptr(a->batch.values);
    void *prev = NULL;
    uint8_t *scratch = bpfrt_zalloc(c->rt, (size_t)ksz * 2);
    if (!scratch)
        return -BPFRT_ENOMEM;
    uint8_t *k0 = scratch, *k1 = scratch + ksz;
    long err = 0;
    /* Walk to the resume point. */
    for (uint32_t i = 0; i < cursor && !err; i++) {
        uint8_t *next = prev == k0 ? k1 : k0;
        err = bpfrt_map_get_next_key(map, prev, next);
        prev = next;
    }
    uint32_t cp = 0;
    while (!err && cp < max) {
        uint8_t *key = keys + (size_t)cp * ksz;
        err = bpfrt_map_get_next_key(map, prev, key);
        if (err)
            break;
        int lerr = bpfrt_map_lookup(map, key, values + (size_t)cp * vsz, a->batch.elem_flags);
        uint8_t *save = prev == k0 ? k1 : k0;
        bpfrt_memcpy(save, key, ksz);
        prev = save;
        if (lerr == -BPFRT_ENOENT)
            continue; /* deleted under us: skip it */
        if (lerr) {
            err = lerr;
            break;
        }
        cp++;
    }
    if (del) {
        /* Delete after the walk, so the walk's order is not disturbed; the
         * cursor stays where it was, the visited elements being gone. */
        for (uint32_t i = 0; i < cp; i++)
            bpfrt_map_delete(map, keys + (size_t)i * ksz);
    } else {
        cursor += cp;
    }
    bpfrt_free(c->rt, scratch, (size_t)ksz * 2);
    if (err && err != -BPFRT_ENOENT)
        return err;
    BPFRT_CMD_PUT_U32(c, batch.count, cp);
    bpfrt_memcpy(u64_to_ptr(a->batch.out_batch), &cursor, sizeof(cursor));
    return err;
}

static long batch_update(struct bpfrt_cmd *c, struct bpfrt_map *map, bool del)
{
    const union bpf_attr *a = c->attr;
    uint32_t max = a->batch.count;
    BPFRT_CMD_PUT_U32(c, batch.count, 0);
    if (max && (!a->batch.keys || (!del && !a->batch.values)))
        return -BPFRT_EFAULT;
    uint32_t ksz = map->key_size, vsz = bpfrt_map_user_value_size(map);
    const uint8_t *keys = u64_to_ptr(a->batch.keys), *values = u64_to_ptr(a->batch.values);
    long err = 0;
    uint32_t cp;
    for (cp = 0; cp < max; cp++) {
        if (del)
            err = bpfrt_map_delete(map, keys + (size_t)cp * ksz);
        else
            err = bpfrt_map_update(map, keys + (size_t)cp * ksz, values + (size_t)cp * vsz,
                                   a->batch.elem_flags);
        if (err)
            break;
    }
    BPFRT_CMD_PUT_U32(c, batch.count, cp);
    return err;
}

static long do_batch(struct bpfrt_cmd *c, enum batch_op op)
{
    struct bpfrt_map *map;
    unsigned need = op == BATCH_LOOKUP ? BPFRT_HANDLE_READ
                    : op == BATCH_LOOKUP_AND_DELETE ? BPFRT_HANDLE_RDWR : BPFRT_HANDLE_WRITE;
    int err = get_map_for(c, c->attr->batch.map_fd, need, &map);
    if (err)
        return err;
    long ret;
    if (!batch_supported(map->map_type, op))
        ret = -BPFRT_ENOTSUPP;
    else if (c->attr->batch.flags || (c->attr->batch.elem_flags & ~(uint64_t)BPF_F_LOCK))
        ret = -BPFRT_EINVAL;
    else if ((c->attr->batch.elem_flags & BPF_F_LOCK) && map->spin_lock_off < 0)
        ret = -BPFRT_EINVAL;
    else if (op == BATCH_LOOKUP || op == BATCH_LOOKUP_AND_DELETE)
        ret = batch_lookup(c, map, op == BATCH_LOOKUP_AND_DELETE);
    else
        ret = batch_update(c, map, op == BATCH_DELETE);
    bpfrt_map_put(map);
    return ret;
}

long bpfrt_cmd_map_lookup_batch(struct bpfrt_cmd *c) { return do_batch(c, BATCH_LOOKUP); }
long bpfrt_cmd_map_lookup_and_delete_batch(struct bpfrt_cmd *c) { return do_batch(c, BATCH_LOOKUP_AND_DELETE); }
long bpfrt_cmd_map_update_batch(struct bpfrt_cmd *c) { return do_batch(c, BATCH_UPDATE); }
long bpfrt_cmd_map_delete_batch(struct bpfrt_cmd *c) { return do_batch(c, BATCH_DELETE); }
