/* Global data: .data, .data.*, .rodata, .rodata.* (incl. .rodata.str1.1),
 * .bss each become a single-element array map the program reaches through
 * ld_imm64 map-value loads; .rodata maps are frozen after their initial image
 * is written. The caller may change variables before load (skeleton-style
 * `const volatile` knobs). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

int bpfrt_obj_data_sec_kind(const char *name)
{
    static const struct { const char *pfx; int kind; } kinds[] = {
        {".rodata", BPFRT_OBJ_MAP_RODATA}, {".data", BPFRT_OBJ_MAP_DATA}, {".bss", BPFRT_OBJ_MAP_BSS},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t n = strlen(kinds[i].pfx);
        if (strncmp(name, kinds[i].pfx, n) == 0 && (name[n] == '\0' || name[n] == '.'))
            return kinds[i].kind;
    }
    return -1;
}

/* Map names follow libbpf: up to 8 characters of the object name, then the
 * section name, within the 15 characters Linux allows; characters Linux
 * rejects in map names become '_'. */
static void data_map_kname(const struct bpfrt_object *obj, const char *sec, char out[BPF_OBJ_NAME_LEN])
{
    int pfx = (int)strlen(obj->name);
    if (pfx > 8)
        pfx = 8;
    char name[BPF_OBJ_NAME_LEN + 8];
    snprintf(name, sizeof(name), "%.*s%s", pfx, obj->name, sec);
    bpfrt_obj_kname(out, name);
}

int bpfrt_obj_collect_globals(struct bpfrt_object *obj, struct obj_err *e)
{
    for (uint32_t s = 1; s < obj->elf.nsecs; s++) {
        const struct elf_sec *sec = &obj->elf.secs[s];
        int kind = bpfrt_obj_data_sec_kind(sec->name);
        if (kind < 0 || !(sec->flags & SHF_ALLOC) || sec->size == 0)
            continue;
        if (sec->type != SHT_PROGBITS && sec->type != SHT_NOBITS)
            continue;
        if (sec->size > (1u << 30))
            return bpfrt_obj_fail(e, -BPFRT_E2BIG, "section %s: %llu bytes of global data is too large",
                            sec->name, (unsigned long long)sec->size);
        struct bpfrt_object_map *m = bpfrt_obj_add_map(obj, sec->name);
        if (!m)
            return -BPFRT_ENOMEM;
        m->data = calloc(1, sec->size);
        if (!m->data)
            return -BPFRT_ENOMEM;
        m->kind = (enum bpfrt_object_map_kind)kind;
        m->sec = s;
        m->data_size = sec->size;
        if (sec->type == SHT_PROGBITS && sec->data)
            memcpy(m->data, sec->data, sec->size);
        m->type = BPF_MAP_TYPE_ARRAY;
        m->key_size = 4;
        m->value_size = (uint32_t)sec->size;
        m->max_entries = 1;
        if (kind == BPFRT_OBJ_MAP_RODATA)
            m->map_flags = BPF_F_RDONLY_PROG;
        data_map_kname(obj, sec->name, m->kname);
        if (obj->btf) {
            long id = bpfrt_btf_find_by_name_kind(obj->btf, sec->name, BTF_KIND_DATASEC);
            if (id > 0)
                m->btf_value_type_id = (uint32_t)id;
        }
    }
    return 0;
}

int bpfrt_object_set_global(struct bpfrt_object *obj, const char *var, const void *value,
                            size_t size)
{
    if (obj->loaded)
        return -BPFRT_EBUSY;
    struct bpfrt_object_map *m;
    uint32_t off, var_size;
    int err = bpfrt_object_find_global(obj, var, &m, &off, &var_size);
    if (err)
        return err;
    if (var_size != size)
        return -BPFRT_EINVAL;
    memcpy(m->data + off, value, size);
    return 0;
}

int bpfrt_object_find_global(const struct bpfrt_object *obj, const char *var,
                             struct bpfrt_object_map **map, uint32_t *off, uint32_t *size)
{
    for (uint32_t i = 0; i < obj->elf.nsyms; i++) {
        const struct elf_sym *y = &obj->elf.syms[i];
        if (y->type != STT_OBJECT || strcmp(y->name, var) != 0)
            continue;
        for (uint32_t k = 0; k < obj->nr_maps; k++) {
            struct bpfrt_object_map *m = &obj->maps[k];
            if (!m->data || m->sec != y->shndx || m->kind == BPFRT_OBJ_MAP_KCONFIG)
                continue;
            if (y->value > m->data_size || y->size > m->data_size - y->value)
                return -BPFRT_EINVAL;
            *map = m;
            *off = (uint32_t)y->value;
            *size = (uint32_t)y->size;
            return 0;
        }
    }
    return -BPFRT_ENOENT;
}
