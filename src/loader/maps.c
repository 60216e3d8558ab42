/* Map definitions: BTF-defined maps in SEC(".maps") (type, key/value via
 * __type or sizes, max_entries, map_flags, pinning, map_extra, inner maps and
 * initial `values`), the map list and its accessors. Legacy SEC("maps")
 * definitions are read by legacy_maps.c. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "loader/loader.h"

struct bpfrt_object_map *bpfrt_obj_add_map(struct bpfrt_object *obj, const char *name)
{
    struct bpfrt_object_map *maps = realloc(obj->maps, (obj->nr_maps + 1) * sizeof(*maps));
    if (!maps)
        return NULL;
    obj->maps = maps;
    struct bpfrt_object_map *m = &maps[obj->nr_maps];
    memset(m, 0, sizeof(*m));
    m->name = bpfrt_obj_strdup(name);
    if (!m->name)
        return NULL;
    obj->nr_maps++;
    m->obj = obj;
    m->handle = -1;
    m->inner_legacy = -1;
    m->values_off = UINT32_MAX;
    snprintf(m->kname, sizeof(m->kname), "%.15s", name);
    return m;
}

static void free_map(struct bpfrt_object_map *m)
{
    if (m->handle >= 0 && m->obj)
        bpfrt_obj_close_handle(m->obj, m->handle);
    if (m->inner) {
        free_map(m->inner);
        free(m->inner);
    }
    free(m->name);
    free(m->init);
    free(m->data);
    free(m->error);
}

void bpfrt_obj_free_maps(struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++)
        free_map(&obj->maps[i]);
    free(obj->maps);
    obj->maps = NULL;
    obj->nr_maps = 0;
}

struct bpfrt_object_map *bpfrt_obj_map_by_sec(struct bpfrt_object *obj, uint32_t sec, uint64_t off)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        if (m->sec != sec)
            continue;
        if (m->kind == BPFRT_OBJ_MAP_BTF || m->kind == BPFRT_OBJ_MAP_LEGACY) {
            if (off >= m->sec_off && off < m->sec_off + (m->def_size ? m->def_size : 1))
                return m;
        } else {
            return m;
        }
    }
    return NULL;
}

/* ---- BTF-defined maps ---- */

/* __uint(name, N) is `int (*name)[N]`: N is the array's element count. */
static bool field_uint(const struct bpfrt_btf *btf, uint32_t type, uint64_t *val)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, type));
    if (!t)
        return false;
    if (btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64) { /* __ulong */
        if (btf_vlen(t) < 1)
            return false;
        if (btf_kind(t) == BTF_KIND_ENUM)
            *val = (uint32_t)((const struct btf_enum *)btf_type_extra(t))[0].val;
        else {
            const struct btf_enum64 *e = btf_type_extra(t);
            *val = (uint64_t)e->val_hi32 << 32 | e->val_lo32;
        }
        return true;
    }
    if (btf_kind(t) != BTF_KIND_PTR)
        return false;
    const struct btf_type *a = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, t->type));
    if (!a || btf_kind(a) != BTF_KIND_ARRAY)
        return false;
    *val = ((const struct btf_array *)btf_type_extra(a))->nelems;
    return true;
}

static int parse_btf_def(struct bpfrt_object *obj, struct bpfrt_object_map *m, uint32_t def_id,
                         bool is_inner, uint32_t *values_off, struct obj_err *e);

static int set_uint_field(struct bpfrt_object_map *m, const char *what, uint64_t v, uint32_t *dst,
                          struct obj_err *e)
{
    if (v > UINT32_MAX)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: %s %llu too large", m->name, what, (unsigned long long)v);
    *dst = (uint32_t)v;
    return 0;
}

/* cilium/ebpf's convention: __type(key/value, T) on a ring buffer or a
 * perf event array names the records' type (for code generators); Linux
 * fixes their sizes (none; 4-byte CPU index and fd), so the type only
 * documents them, as cilium/ebpf loads such maps. */
static void fixed_size_records(struct bpfrt_object_map *m)
{
    bool ring = m->type == BPF_MAP_TYPE_RINGBUF || m->type == BPF_MAP_TYPE_USER_RINGBUF;
    bool perf = m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
    if (!ring && !perf)
        return;
    if (m->btf_key_type_id || (perf && !m->key_size))
        m->key_size = perf ? 4 : 0;
    if (m->btf_value_type_id || (perf && !m->value_size))
        m->value_size = perf ? 4 : 0;
    m->btf_key_type_id = m->btf_value_type_id = 0;
}

static int parse_btf_def(struct bpfrt_object *obj, struct bpfrt_object_map *m, uint32_t def_id,
                         bool is_inner, uint32_t *values_off, struct obj_err *e)
{
    const struct bpfrt_btf *btf = obj->btf;
    const struct btf_type *def = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, def_id));
    if (!def || btf_kind(def) != BTF_KIND_STRUCT)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: definition is not a struct in BTF", m->name);
    uint32_t key_size = 0, value_size = 0;
    bool have_ks = false, have_vs = false;
    for (uint32_t i = 0; i < btf_vlen(def); i++) {
        const struct btf_member *mb = &btf_members(def)[i];
        const char *f = bpfrt_btf_str(btf, mb->name_off);
        uint64_t v = 0;
        int rc = 0;
        if (!f || !*f)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: unnamed field in definition", m->name);
        if (strcmp(f, "key") == 0 || strcmp(f, "value") == 0) {
            const struct btf_type *p = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, mb->type));
            if (!p || btf_kind(p) != BTF_KIND_PTR)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: %s must be declared with __type()", m->name, f);
            long sz = bpfrt_btf_type_size(btf, p->type);
            if (sz < 0)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: cannot determine the size of the %s type", m->name, f);
            if (f[0] == 'k') {
                m->btf_key_type_id = p->type;
                key_size = (uint32_t)sz;
                if (have_ks && m->key_size != key_size)
                    return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: key_size %u conflicts with key type size %u", m->name, m->key_size, key_size);
                m->key_size = key_size;
                have_ks = true;
            } else {
                m->btf_value_type_id = p->type;
                value_size = (uint32_t)sz;
                if (have_vs && m->value_size != value_size)
                    return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: value_size %u conflicts with value type size %u", m->name, m->value_size, value_size);
                m->value_size = value_size;
                have_vs = true;
            }
            continue;
        }
        if (strcmp(f, "values") == 0) {
            const struct btf_type *a = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, mb->type));
            if (!a || btf_kind(a) != BTF_KIND_ARRAY || is_inner)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: values must be declared with __array()", m->name);
            const struct btf_array *arr = btf_type_extra(a);
            const struct btf_type *ptr = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, arr->type));
            if (!ptr || btf_kind(ptr) != BTF_KIND_PTR)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: values must be an array of pointers", m->name);
            const struct btf_type *inner = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, ptr->type));
            *values_off = btf_member_bit_offset(def, i) / 8;
            if (inner && btf_kind(inner) == BTF_KIND_STRUCT) {
                /* map-in-map: the inner definition is a template map */
                m->inner = calloc(1, sizeof(*m->inner));
                if (!m->inner)
                    return -BPFRT_ENOMEM;
                char iname[128];
                snprintf(iname, sizeof(iname), "%s.inner", m->name);
                m->inner->name = bpfrt_obj_strdup(iname);
                m->inner->obj = obj;
                m->inner->handle = -1;
                m->inner->inner_legacy = -1;
                m->inner->kind = BPFRT_OBJ_MAP_BTF;
                snprintf(m->inner->kname, sizeof(m->inner->kname), "%.15s", iname);
                uint32_t dummy;
                rc = parse_btf_def(obj, m->inner, bpfrt_btf_skip_mods(btf, ptr->type), true, &dummy, e);
                if (rc)
                    return rc;
            } else if (!inner || btf_kind(inner) != BTF_KIND_FUNC_PROTO) {
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: values must point to a map definition or a program", m->name);
            }
            continue;
        }
        if (!field_uint(btf, mb->type, &v))
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: field %s must be declared with __uint()", m->name, f);
        if (strcmp(f, "type") == 0)
            rc = set_uint_field(m, f, v, &m->type, e);
        else if (strcmp(f, "max_entries") == 0)
            rc = set_uint_field(m, f, v, &m->max_entries, e);
        else if (strcmp(f, "map_flags") == 0)
            rc = set_uint_field(m, f, v, &m->map_flags, e);
        else if (strcmp(f, "numa_node") == 0)
            rc = set_uint_field(m, f, v, &m->numa_node, e);
        else if (strcmp(f, "pinning") == 0)
            rc = set_uint_field(m, f, v, &m->pinning, e);
        else if (strcmp(f, "map_extra") == 0)
            m->map_extra = v;
        else if (strcmp(f, "key_size") == 0) {
            if (have_ks && v != m->key_size)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: key_size %llu conflicts with key type size %u", m->name, (unsigned long long)v, m->key_size);
            rc = set_uint_field(m, f, v, &m->key_size, e);
            have_ks = true;
        } else if (strcmp(f, "value_size") == 0) {
            if (have_vs && v != m->value_size)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: value_size %llu conflicts with value type size %u", m->name, (unsigned long long)v, m->value_size);
            rc = set_uint_field(m, f, v, &m->value_size, e);
            have_vs = true;
        } else
            return bpfrt_obj_fail(e, -BPFRT_ENOTSUPP, "map %s: unknown field '%s'", m->name, f);
        if (rc)
            return rc;
    }
    if (!m->type)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: no map type", m->name);
    /* libbpf refuses other values; cilium puts its own flags there (16:
     * replace) for its agent, which cilium/ebpf then loads unpinned */
    if (m->pinning > LIBBPF_PIN_BY_NAME_VALUE)
        bpfrt_obj_note(obj, "map %s: pinning value %u is not LIBBPF_PIN_BY_NAME (1); the map is not pinned",
                       m->name, m->pinning);
    fixed_size_records(m);
    /* Map-in-map and prog arrays store ids: Linux wants 4-byte values. */
    if ((m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || m->type == BPF_MAP_TYPE_HASH_OF_MAPS ||
         m->type == BPF_MAP_TYPE_PROG_ARRAY) && !have_vs)
        m->value_size = 4;
    if ((m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || m->type == BPF_MAP_TYPE_HASH_OF_MAPS) && !m->inner)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: map-in-map without an inner map definition (__array(values, ...))", m->name);
    return 0;
}

static int collect_btf_maps(struct bpfrt_object *obj, struct obj_err *e)
{
    if (!obj->maps_sec)
        return 0;
    const struct elf_sec *sec = &obj->elf.secs[obj->maps_sec];
    if (!obj->btf)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section .maps needs BTF: compile with -g");
    long ds = bpfrt_btf_find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
    if (ds < 0)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section .maps has no DATASEC in BTF");
    const struct btf_type *dt = bpfrt_btf_type_by_id(obj->btf, (uint32_t)ds);
    for (uint32_t i = 0; i < btf_vlen(dt); i++) {
        const struct btf_var_secinfo *vs = &btf_secinfos(dt)[i];
        const struct btf_type *var = bpfrt_btf_type_by_id(obj->btf, vs->type);
        if (!var || btf_kind(var) != BTF_KIND_VAR)
            continue;
        const char *name = bpfrt_btf_name(obj->btf, vs->type);
        /* the definition's place in .maps comes from the ELF symbol */
        const struct elf_sym *sym = NULL;
        for (uint32_t k = 0; k < obj->elf.nsyms; k++) {
            const struct elf_sym *y = &obj->elf.syms[k];
            if (y->shndx == obj->maps_sec && y->type != STT_SECTION && strcmp(y->name, name) == 0)
                sym = y;
        }
        if (!sym)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: no ELF symbol in .maps", name);
        long dsz = bpfrt_btf_type_size(obj->btf, var->type);
        if (dsz < 0 || sym->value > sec->size || (uint64_t)dsz > sec->size - sym->value)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: definition at 0x%llx outside .maps", name,
                            (unsigned long long)sym->value);
        struct bpfrt_object_map *m = bpfrt_obj_add_map(obj, name);
        if (!m)
            return -BPFRT_ENOMEM;
        m->kind = BPFRT_OBJ_MAP_BTF;
        m->sec = obj->maps_sec;
        m->sec_off = sym->value;
        m->def_size = (uint64_t)dsz;
        uint32_t values_off = UINT32_MAX;
        int rc = parse_btf_def(obj, m, var->type, false, &values_off, e);
        if (rc)
            return rc;
        m->values_off = values_off;
    }
    return 0;
}

/* Initial values (`.values = { [2] = &prog }`) come as ABS64 relocations in
 * .rel.maps pointing at programs or inner maps. */
int bpfrt_obj_collect_map_inits(struct bpfrt_object *obj, struct obj_err *e)
{
    if (!obj->maps_sec || !obj->rels || !obj->rels[obj->maps_sec])
        return 0;
    for (uint32_t i = 0; i < obj->nr_rels[obj->maps_sec]; i++) {
        const struct elf_rel *r = &obj->rels[obj->maps_sec][i];
        const struct elf_sym *y = bpfrt_obj_sym(obj, r->sym);
        /* `values` is a flexible array: it runs past the struct's size, so
         * the owner is the last definition starting at or before the offset */
        struct bpfrt_object_map *m = NULL;
        for (uint32_t k = 0; k < obj->nr_maps; k++) {
            struct bpfrt_object_map *c = &obj->maps[k];
            if (c->kind == BPFRT_OBJ_MAP_BTF && c->sec_off <= r->offset && (!m || c->sec_off > m->sec_off))
                m = c;
        }
        if (!m || m->values_off == UINT32_MAX || r->offset < m->sec_off + m->values_off)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".maps: relocation against %s at 0x%llx is not inside a `values` array",
                            y->name, (unsigned long long)r->offset);
        uint64_t rel = r->offset - m->sec_off - m->values_off;
        if (rel % 8)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: misaligned `values` relocation", m->name);
        struct obj_init_slot *init = realloc(m->init, (m->nr_init + 1) * sizeof(*init));
        if (!init)
            return -BPFRT_ENOMEM;
        m->init = init;
        init[m->nr_init++] = (struct obj_init_slot){(uint32_t)(rel / 8), r->sym};
        if (rel / 8 >= m->max_entries && m->type != BPF_MAP_TYPE_HASH_OF_MAPS)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: initial value index %llu beyond max_entries %u",
                            m->name, (unsigned long long)(rel / 8), m->max_entries);
    }
    return 0;
}

int bpfrt_obj_collect_maps(struct bpfrt_object *obj, struct obj_err *e)
{
    int rc = collect_btf_maps(obj, e);
    if (!rc)
        rc = bpfrt_obj_collect_legacy_maps(obj, e);
    return rc;
}

/* ---- accessors ---- */

uint32_t bpfrt_object_map_count(const struct bpfrt_object *obj) { return obj->nr_maps; }
struct bpfrt_object_map *bpfrt_object_map_at(const struct bpfrt_object *obj, uint32_t i)
{
    return i < obj->nr_maps ? &obj->maps[i] : NULL;
}
struct bpfrt_object_map *bpfrt_object_find_map(const struct bpfrt_object *obj, const char *name)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++)
        if (strcmp(obj->maps[i].name, name) == 0 || strcmp(obj->maps[i].kname, name) == 0)
            return &obj->maps[i];
    return NULL;
}
const char *bpfrt_object_map_name(const struct bpfrt_object_map *m) { return m->name; }
enum bpfrt_object_map_kind bpfrt_object_map_kind(const struct bpfrt_object_map *m) { return m->kind; }
uint32_t bpfrt_object_map_type(const struct bpfrt_object_map *m) { return m->type; }
uint32_t bpfrt_object_map_key_size(const struct bpfrt_object_map *m) { return m->key_size; }
uint32_t bpfrt_object_map_value_size(const struct bpfrt_object_map *m) { return m->value_size; }
uint32_t bpfrt_object_map_max_entries(const struct bpfrt_object_map *m) { return m->max_entries; }
uint32_t bpfrt_object_map_flags(const struct bpfrt_object_map *m) { return m->map_flags; }
int bpfrt_object_map_set_max_entries(struct bpfrt_object_map *m, uint32_t max_entries)
{
    if (m->obj->loaded)
        return -BPFRT_EBUSY;
    m->max_entries = max_entries;
    return 0;
}
int bpfrt_object_map_set_value_size(struct bpfrt_object_map *m, uint32_t value_size)
{
    if (m->obj->loaded)
        return -BPFRT_EBUSY;
    if (m->kind != BPFRT_OBJ_MAP_BTF && m->kind != BPFRT_OBJ_MAP_LEGACY)
        return -BPFRT_EINVAL;
    if (value_size != m->value_size)
        m->btf_value_type_id = 0;
    m->value_size = value_size;
    return 0;
}
uint32_t bpfrt_object_map_btf_key_type(const struct bpfrt_object_map *m) { return m->btf_key_type_id; }
uint32_t bpfrt_object_map_btf_value_type(const struct bpfrt_object_map *m) { return m->btf_value_type_id; }
uint32_t bpfrt_object_map_pinning(const struct bpfrt_object_map *m) { return m->pinning; }
uint32_t bpfrt_object_map_legacy_id(const struct bpfrt_object_map *m) { return m->legacy_id; }
int bpfrt_object_map_handle(const struct bpfrt_object_map *m) { return m->handle; }
const char *bpfrt_object_map_error(const struct bpfrt_object_map *m) { return m->error ? m->error : ""; }
const struct bpfrt_object_map *bpfrt_object_map_inner(const struct bpfrt_object_map *m)
{
    if (m->inner)
        return m->inner;
    if (m->inner_legacy >= 0)
        return &m->obj->maps[m->inner_legacy];
    return NULL;
}
void *bpfrt_object_map_initial_value(struct bpfrt_object_map *m, size_t *size)
{
    if (size)
        *size = m->data ? m->data_size : 0;
    return m->data;
}
