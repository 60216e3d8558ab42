/* Legacy map definitions: structs in SEC("maps") (and in "maps/NAME"
 * sections, the per-map spelling of samples/bpf and PREVAIL's samples),
 * read the way the loader that wrote them did:
 *
 *   20 bytes  struct bpf_map_def {type, key_size, value_size, max_entries,
 *             map_flags} (libbpf's legacy maps);
 *   28 bytes  iproute2's first struct bpf_elf_map {..., id, pinning}
 *             (cilium's tc objects) - or samples/bpf's bpf_map_def {...,
 *             inner_map_idx, numa_node}; both are 28 bytes, so the latter
 *             is chosen only when a definition needs it (a map-in-map, or
 *             BPF_F_NUMA_NODE);
 *   36 bytes  iproute2's struct bpf_elf_map {..., id, pinning, inner_id,
 *             inner_idx}; longer definitions must be zero past that.
 *
 * Mirrors libbpf's bpf_object__init_user_maps, iproute2's bpf_fetch_maps
 * (lib/bpf_legacy.c) and samples/bpf's bpf_load.c. A map-in-map whose
 * value_size is 0 gets 4, as bpf_create_map_in_map gave it; the inner map
 * is named by inner_id (iproute2) or by its index among the object's legacy
 * maps (samples/bpf). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

#define BPF_MAP_DEF_SIZE 20
#define ELF_MAP_V1_SIZE 28
#define ELF_MAP_SIZE 36

bool bpfrt_obj_sec_is_legacy_maps(const struct bpfrt_object *obj, uint32_t sec)
{
    if (sec == 0 || sec >= obj->elf.nsecs)
        return false;
    const struct elf_sec *s = &obj->elf.secs[sec];
    return s->type == SHT_PROGBITS && (strcmp(s->name, "maps") == 0 || strncmp(s->name, "maps/", 5) == 0);
}

static bool is_def_sym(const struct elf_sym *y, uint32_t sec)
{
    return y->shndx == sec && y->type != STT_SECTION && y->type != STT_FUNC && y->name[0];
}

static bool is_map_in_map(uint32_t type)
{
    return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* The size of one definition in section sec: the symbols' common size when
 * they have one, else the section split evenly between them. */
static int def_size_of(const struct bpfrt_object *obj, uint32_t sec, uint64_t *size, struct obj_err *e)
{
    const struct elf_sec *s = &obj->elf.secs[sec];
    uint32_t nr = 0;
    uint64_t common = 0;
    bool same = true;
    for (uint32_t k = 0; k < obj->elf.nsyms; k++) {
        const struct elf_sym *y = &obj->elf.syms[k];
        if (!is_def_sym(y, sec))
            continue;
        same &= y->size != 0 && (nr == 0 || y->size == common);
        common = y->size;
        nr++;
    }
    *size = 0;
    if (!nr)
        return 0;
    if (!s->data || s->size == 0 || (!same && s->size % nr))
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: size %llu is not a multiple of its %u map definitions",
                              s->name, (unsigned long long)s->size, nr);
    *size = same ? common : s->size / nr;
    if (*size < BPF_MAP_DEF_SIZE)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: definitions of %llu bytes are smaller than struct bpf_map_def (20)",
                              s->name, (unsigned long long)*size);
    return 0;
}

/* Whether 28..35-byte definitions follow samples/bpf (inner_map_idx,
 * numa_node) rather than iproute2 (id, pinning). */
static bool samples_layout(const struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++) {
        const struct bpfrt_object_map *m = &obj->maps[i];
        if (m->kind == BPFRT_OBJ_MAP_LEGACY && m->def_size < ELF_MAP_SIZE &&
            (is_map_in_map(m->type) || (m->map_flags & BPF_F_NUMA_NODE)))
            return true;
    }
    return false;
}

static int add_def(struct bpfrt_object *obj, uint32_t sec, const struct elf_sym *y, uint64_t def_size,
                   struct obj_err *e)
{
    const struct elf_sec *s = &obj->elf.secs[sec];
    if (y->value % def_size || y->value + def_size > s->size)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: definition at 0x%llx is not one of section %s's %llu-byte slots",
                              y->name, (unsigned long long)y->value, s->name, (unsigned long long)def_size);
    for (uint64_t b = ELF_MAP_SIZE; b < def_size; b++)
        if (s->data[y->value + b])
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: unknown non-zero bytes in its %llu-byte definition",
                                  y->name, (unsigned long long)def_size);
    uint32_t f[9] = {0};
    memcpy(f, s->data + y->value, def_size < sizeof(f) ? def_size : sizeof(f));
    struct bpfrt_object_map *m = bpfrt_obj_add_map(obj, y->name);
    if (!m)
        return -BPFRT_ENOMEM;
    m->kind = BPFRT_OBJ_MAP_LEGACY;
    m->sec = sec;
    m->sec_off = y->value;
    m->def_size = def_size;
    m->type = f[0];
    m->key_size = f[1];
    m->value_size = f[2];
    m->max_entries = f[3];
    m->map_flags = f[4];
    /* fields past map_flags: read as iproute2's until the layout is known */
    m->legacy_id = f[5];
    m->pinning = f[6];
    m->legacy_inner_id = f[7];
    m->legacy_inner_idx = f[8];
    if (!m->type)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: no map type", m->name);
    return 0;
}

/* Order of a legacy map among the object's legacy maps (section, offset):
 * what samples/bpf's inner_map_idx counts. */
static uint32_t legacy_index(const struct bpfrt_object *obj, const struct bpfrt_object_map *m)
{
    uint32_t idx = 0;
    for (uint32_t j = 0; j < obj->nr_maps; j++) {
        const struct bpfrt_object_map *c = &obj->maps[j];
        if (c->kind == BPFRT_OBJ_MAP_LEGACY &&
            (c->sec < m->sec || (c->sec == m->sec && c->sec_off < m->sec_off)))
            idx++;
    }
    return idx;
}

static uint32_t def_sym(const struct bpfrt_object *obj, const struct bpfrt_object_map *m)
{
    for (uint32_t k = 0; k < obj->elf.nsyms; k++) {
        const struct elf_sym *y = &obj->elf.syms[k];
        if (is_def_sym(y, m->sec) && y->value == m->sec_off && strcmp(y->name, m->name) == 0)
            return k;
    }
    return 0;
}

static int add_slot(struct bpfrt_object_map *m, uint32_t index, uint32_t sym)
{
    struct obj_init_slot *init = realloc(m->init, (m->nr_init + 1) * sizeof(*init));
    if (!init)
        return -BPFRT_ENOMEM;
    m->init = init;
    init[m->nr_init++] = (struct obj_init_slot){index, sym};
    return 0;
}

/* The inner template of map-in-map m: the map whose id is m's inner_id
 * (iproute2), else the legacy map at index inner_map_idx (samples/bpf).
 * iproute2 also puts every map with that id and an inner_idx other than
 * -1 into m's slot inner_idx. */
static int link_inner(struct bpfrt_object *obj, struct bpfrt_object_map *m, bool samples, struct obj_err *e)
{
    bool by_id = !samples && m->legacy_inner_id;
    for (uint32_t j = 0; j < obj->nr_maps; j++) {
        struct bpfrt_object_map *c = &obj->maps[j];
        if (c->kind != BPFRT_OBJ_MAP_LEGACY || c == m)
            continue;
        if (by_id ? c->legacy_id != m->legacy_inner_id : legacy_index(obj, c) != m->legacy_inner_idx)
            continue;
        m->inner_legacy = (int)j;
        if (by_id && !c->legacy_inner_id && c->legacy_inner_idx != UINT32_MAX) {
            int rc = add_slot(m, c->legacy_inner_idx, def_sym(obj, c));
            if (rc)
                return rc;
        }
    }
    if (m->inner_legacy < 0)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: map-in-map without an inner map (%s %u)", m->name,
                              by_id ? "inner_id" : "inner_map_idx", by_id ? m->legacy_inner_id : m->legacy_inner_idx);
    if (m->value_size == 0)
        m->value_size = 4; /* the inner map's fd, as bpf_create_map_in_map passes it */
    return 0;
}

int bpfrt_obj_collect_legacy_maps(struct bpfrt_object *obj, struct obj_err *e)
{
    uint32_t first = obj->nr_maps;
    for (uint32_t s = 1; s < obj->elf.nsecs; s++) {
        if (!bpfrt_obj_sec_is_legacy_maps(obj, s))
            continue;
        uint64_t def_size;
        int rc = def_size_of(obj, s, &def_size, e);
        for (uint32_t k = 0; !rc && def_size && k < obj->elf.nsyms; k++)
            if (is_def_sym(&obj->elf.syms[k], s))
                rc = add_def(obj, s, &obj->elf.syms[k], def_size, e);
        if (rc)
            return rc;
    }
    bool samples = samples_layout(obj);
    for (uint32_t i = first; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        bool idx_layout = samples && m->def_size < ELF_MAP_SIZE;
        if (m->def_size < ELF_MAP_V1_SIZE) {
            m->legacy_id = m->pinning = m->legacy_inner_id = m->legacy_inner_idx = 0;
        } else if (idx_layout) {
            m->legacy_inner_idx = m->legacy_id;
            m->numa_node = m->pinning;
            m->legacy_id = m->pinning = m->legacy_inner_id = 0;
        }
        if (m->pinning > 2)
            bpfrt_obj_note(obj, "map %s: iproute2 pinning %u names a custom pinning path; the map is not pinned",
                           m->name, m->pinning);
    }
    for (uint32_t i = first; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        int rc = is_map_in_map(m->type) ? link_inner(obj, m, samples && m->def_size < ELF_MAP_SIZE, e) : 0;
        if (rc)
            return rc;
    }
    return 0;
}
