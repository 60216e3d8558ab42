/* The target of CO-RE relocations, as libbpf chooses it: the BTF the caller
 * gives (opts.target_btf, or a file named by opts.target_btf_path), else
 * the running kernel's /sys/kernel/btf/vmlinux where it is readable (libbpf's
 * btf__load_vmlinux_btf). It is read only for objects that carry CO-RE
 * relocations, and indexed by essential name (without "___flavor") once, so
 * each relocation finds its candidates by binary search instead of walking
 * the kernel's 100k+ types. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define MAX_TARGET_SIZE (256u << 20)

struct core_name {
    const char *name;
    uint32_t len; /* essential length */
    uint32_t id;
};

static size_t essential_len(const char *name)
{
    const char *f = strstr(name, "___");
    return f ? (size_t)(f - name) : strlen(name);
}

static int name_cmp(const void *a, const void *b)
{
    const struct core_name *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int build_index(struct bpfrt_object *obj)
{
    uint32_t n = bpfrt_btf_nr_types(obj->target_btf);
    obj->core_names = calloc(n ? n : 1, sizeof(*obj->core_names));
    if (!obj->core_names)
        return -BPFRT_ENOMEM;
    for (uint32_t id = 1; id < n; id++) {
        const char *name = bpfrt_btf_name(obj->target_btf, id);
        if (*name)
            obj->core_names[obj->nr_core_names++] = (struct core_name){name, (uint32_t)essential_len(name), id};
    }
    qsort(obj->core_names, obj->nr_core_names, sizeof(*obj->core_names), name_cmp);
    return 0;
}

/* Reads the BTF in file `path` into obj->target_btf; a note says why not. */
static void read_target(struct bpfrt_object *obj, const char *path, bool quiet_absent)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (!quiet_absent)
            bpfrt_obj_note(obj, "target BTF %s cannot be read", path);
        return;
    }
    size_t cap = 1u << 20, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= MAX_TARGET_SIZE)
            break;
        uint8_t *b = realloc(buf, cap * 2);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    fclose(f);
    char log[256] = "";
    if (!buf || bpfrt_btf_parse(obj->rt, buf, (uint32_t)n, 0, log, sizeof(log), &obj->target_btf))
        bpfrt_obj_note(obj, "target BTF %s is not valid BTF%s%s", path, log[0] ? ": " : "", log);
    free(buf);
}

const struct bpfrt_btf *bpfrt_obj_core_target(struct bpfrt_object *obj)
{
    if (!obj->core_target_tried) {
        obj->core_target_tried = true;
        const char *path = obj->target_btf_path;
        if (!obj->target_btf && !(path && !*path))
            read_target(obj, path ? path : VMLINUX_BTF, !path);
        if (obj->target_btf && build_index(obj)) {
            bpfrt_btf_put(obj->target_btf);
            obj->target_btf = NULL;
        }
    }
    return obj->target_btf;
}

uint32_t bpfrt_obj_core_candidate(const struct bpfrt_object *obj, const char *name, uint32_t local_kind)
{
    struct core_name key = {name, (uint32_t)essential_len(name), 0};
    size_t lo = 0, hi = obj->nr_core_names;
    while (lo < hi) { /* the first entry not below (name, id 0) */
        size_t mid = (lo + hi) / 2;
        if (name_cmp(&obj->core_names[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < obj->nr_core_names; i++) {
        const struct core_name *c = &obj->core_names[i];
        if (c->len != key.len || memcmp(c->name, name, key.len) != 0)
            break;
        uint32_t tk = btf_kind(bpfrt_btf_type_by_id(obj->target_btf, c->id));
        bool is_enum = local_kind == BTF_KIND_ENUM || local_kind == BTF_KIND_ENUM64;
        if (tk == local_kind || (is_enum && (tk == BTF_KIND_ENUM || tk == BTF_KIND_ENUM64)) ||
            (local_kind == BTF_KIND_FWD && (tk == BTF_KIND_STRUCT || tk == BTF_KIND_UNION)))
            return c->id;
    }
    return 0;
}
