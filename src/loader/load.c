/* Loading an opened object through the bpf() command layer, in libbpf's
 * order and with libbpf's attrs: BTF_LOAD (optional: on failure the object
 * loads without BTF), MAP_CREATE for every map (inner templates first; a map
 * whose BTF is refused is retried without it), global data written with
 * MAP_UPDATE_ELEM and .rodata/.kconfig frozen, PROG_LOAD for every program
 * (retried with a verifier log on failure), then PROG_ARRAY and map-in-map
 * slots filled from `values` and iproute2 "ID/KEY" sections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/runtime.h"
#include "loader/loader.h"

#define DEFAULT_KERNEL_VERSION ((6u << 16) | (18u << 8))
#define LOG_BUF_SIZE (1u << 20)

static uint64_t ptr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

long bpfrt_obj_sys(struct bpfrt_object *obj, int cmd, union bpf_attr *attr)
{
    if (obj->opts.bpf_fn)
        return obj->opts.bpf_fn(obj->opts.bpf_arg, cmd, attr, sizeof(*attr));
    return bpfrt_bpf(obj->rt, cmd, attr, sizeof(*attr));
}

void bpfrt_obj_close_handle(struct bpfrt_object *obj, int handle)
{
    if (handle < 0)
        return;
    if (obj->opts.close_fn)
        obj->opts.close_fn(obj->opts.bpf_arg, handle);
    else
        bpfrt_close(obj->rt, handle);
}

static int load_btf(struct bpfrt_object *obj)
{
    if (!obj->btf)
        return 0;
    uint32_t size;
    const void *data = bpfrt_btf_data(obj->btf, &size);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = ptr(data);
    a.btf_size = size;
    long h = bpfrt_obj_sys(obj, BPF_BTF_LOAD, &a);
    if (h < 0) {
        /* again with a log (a verbose BTF log fills small buffers: -ENOSPC),
         * keeping its last line, which says what was wrong */
        size_t cap = 1u << 20;
        char *log = calloc(1, cap);
        if (log) {
            a.btf_log_buf = ptr(log);
            a.btf_log_size = (uint32_t)cap;
            a.btf_log_level = 1;
            bpfrt_obj_sys(obj, BPF_BTF_LOAD, &a);
        }
        const char *last = "";
        if (log) {
            size_t n = strlen(log);
            while (n && log[n - 1] == '\n')
                log[--n] = '\0';
            last = strrchr(log, '\n') ? strrchr(log, '\n') + 1 : log;
        }
        bpfrt_obj_note(obj, "BTF was refused (%s%s%s): maps and programs load without it",
                 bpfrt_strerror((int)h), *last ? ": " : "", last);
        free(log);
        return 0;
    }
    obj->btf_handle = (int)h;
    return 0;
}

static int create_one(struct bpfrt_object *obj, struct bpfrt_object_map *m, int inner_handle,
                      struct obj_err *e)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = m->type;
    a.key_size = m->key_size;
    a.value_size = m->value_size;
    a.max_entries = m->max_entries;
    a.map_flags = m->map_flags;
    a.map_extra = m->map_extra;
    a.inner_map_fd = inner_handle >= 0 ? (uint32_t)inner_handle : 0;
    memcpy(a.map_name, m->kname, strnlen(m->kname, BPF_OBJ_NAME_LEN - 1));
    if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && a.max_entries == 0) {
        const struct bpfrt_platform *pl = bpfrt_runtime_platform(obj->rt);
        a.max_entries = pl->ncpus ? pl->ncpus(pl->ctx) : 1; /* libbpf: one slot per CPU */
    }
    bool with_btf = obj->btf_handle >= 0 && m->btf_value_type_id &&
                    m->type != BPF_MAP_TYPE_PROG_ARRAY && m->type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
                    m->type != BPF_MAP_TYPE_HASH_OF_MAPS && m->type != BPF_MAP_TYPE_RINGBUF &&
                    m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY;
    if (with_btf) {
        a.btf_fd = (uint32_t)obj->btf_handle;
        a.btf_key_type_id = m->btf_key_type_id;
        a.btf_value_type_id = m->btf_value_type_id;
    }
    long h = bpfrt_obj_sys(obj, BPF_MAP_CREATE, &a);
    if (h < 0 && with_btf) {
        a.btf_fd = a.btf_key_type_id = a.btf_value_type_id = 0;
        h = bpfrt_obj_sys(obj, BPF_MAP_CREATE, &a);
        if (h >= 0)
            bpfrt_obj_note(obj, "map %s: created without BTF (its BTF types were refused)", m->name);
    }
    if (h < 0)
        return bpfrt_obj_fail(e, (int)h, "map %s: MAP_CREATE (type %s, key %u, value %u, max_entries %u, flags 0x%x) failed: %s",
                        m->name, bpfrt_map_type_str(m->type) ? bpfrt_map_type_str(m->type) : "?",
                        m->key_size, m->value_size, m->max_entries, m->map_flags,
                        bpfrt_strerror((int)h));
    m->handle = (int)h;
    return 0;
}

static int update(struct bpfrt_object *obj, int handle, const void *key, const void *value)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)handle;
    a.key = ptr(key);
    a.value = ptr(value);
    a.flags = BPF_ANY;
    return (int)bpfrt_obj_sys(obj, BPF_MAP_UPDATE_ELEM, &a);
}

/* LIBBPF_PIN_BY_NAME: OBJ_GET (handle < 0) or OBJ_PIN of `handle` on m's
 * name in the pin name space; path receives the name for messages. */
static long pin_cmd(struct bpfrt_object *obj, const struct bpfrt_object_map *m, int handle,
                    char path[512])
{
    const char *root = obj->opts.pin_root_path ? obj->opts.pin_root_path : "/sys/fs/bpf";
    snprintf(path, 512, "%s/%s", root, m->name);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.pathname = ptr(path);
    if (handle < 0)
        return bpfrt_obj_sys(obj, BPF_OBJ_GET, &a);
    a.bpf_fd = (uint32_t)handle;
    return bpfrt_obj_sys(obj, BPF_OBJ_PIN, &a);
}

/* Takes the map already pinned under m's name when its definition matches
 * (libbpf's reuse check), fails when it does not, and leaves m alone when
 * nothing is pinned there. */
static int reuse_pinned(struct bpfrt_object *obj, struct bpfrt_object_map *m, struct obj_err *e)
{
    char path[512];
    long h = pin_cmd(obj, m, -1, path);
    if (h == -BPFRT_ENOENT)
        return 0;
    if (h < 0)
        return bpfrt_obj_fail(e, (int)h, "map %s: cannot open the map pinned at %s: %s", m->name, path,
                        bpfrt_strerror((int)h));
    struct bpf_map_info info;
    memset(&info, 0, sizeof(info));
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)h;
    a.info.info_len = sizeof(info);
    a.info.info = ptr(&info);
    long rc = bpfrt_obj_sys(obj, BPF_OBJ_GET_INFO_BY_FD, &a);
    uint32_t max_entries = m->max_entries;
    if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && max_entries == 0)
        max_entries = info.max_entries; /* sized by CPU count at creation */
    if (rc < 0 || info.type != m->type || info.key_size != m->key_size ||
        info.value_size != m->value_size || info.max_entries != max_entries ||
        info.map_flags != m->map_flags || info.map_extra != m->map_extra) {
        bpfrt_obj_close_handle(obj, (int)h);
        return bpfrt_obj_fail(e, -BPFRT_EINVAL,
                        "map %s: the map pinned at %s does not match its definition "
                        "(pinned: type %u, key %u, value %u, max_entries %u, flags 0x%x)",
                        m->name, path, info.type, info.key_size, info.value_size, info.max_entries,
                        info.map_flags);
    }
    m->handle = (int)h;
    m->reused = true;
    bpfrt_obj_note(obj, "map %s: reusing the map pinned at %s", m->name, path);
    return 0;
}

static int pin_map(struct bpfrt_object *obj, struct bpfrt_object_map *m, struct obj_err *e)
{
    char path[512];
    long rc = pin_cmd(obj, m, m->handle, path);
    if (rc < 0)
        return bpfrt_obj_fail(e, (int)rc, "map %s: pinning at %s failed: %s", m->name, path,
                        bpfrt_strerror((int)rc));
    return 0;
}

static int create_maps(struct bpfrt_object *obj, struct obj_err *e)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        int inner = -1, rc;
        struct bpfrt_object_map *tmpl = m->inner ? m->inner
                                        : m->inner_legacy >= 0 ? &obj->maps[m->inner_legacy] : NULL;
        if (tmpl && tmpl->handle < 0) {
            if ((rc = create_one(obj, tmpl, -1, e)))
                return rc;
        }
        if (tmpl)
            inner = tmpl->handle;
        bool by_name = m->pinning == LIBBPF_PIN_BY_NAME_VALUE && m->kind == BPFRT_OBJ_MAP_BTF;
        if (m->handle < 0 && by_name && (rc = reuse_pinned(obj, m, e)))
            return rc;
        if (m->reused)
            continue; /* shared state: neither initialised nor pinned again */
        if (m->handle < 0 && (rc = create_one(obj, m, inner, e)))
            return rc;
        if (by_name && (rc = pin_map(obj, m, e)))
            return rc;
        if (m->data) {
            uint32_t zero = 0;
            rc = update(obj, m->handle, &zero, m->data);
            if (rc)
                return bpfrt_obj_fail(e, rc, "map %s: writing its initial data failed: %s", m->name,
                                bpfrt_strerror(rc));
            if (m->kind == BPFRT_OBJ_MAP_RODATA || m->kind == BPFRT_OBJ_MAP_KCONFIG) {
                union bpf_attr a;
                memset(&a, 0, sizeof(a));
                a.map_fd = (uint32_t)m->handle;
                rc = (int)bpfrt_obj_sys(obj, BPF_MAP_FREEZE, &a);
                if (rc)
                    return bpfrt_obj_fail(e, rc, "map %s: MAP_FREEZE failed: %s", m->name, bpfrt_strerror(rc));
            }
        }
    }
    return 0;
}

/* Replaces map indexes in ld_imm64 by handles, into a fresh copy. */
static int patch_map_refs(struct bpfrt_object *obj, struct bpfrt_object_prog *p, struct obj_err *e)
{
    for (uint32_t i = 0; i + 1 < p->insn_cnt; i++) {
        struct bpf_insn *in = &p->insns[i];
        if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
            continue;
        if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
            if (in->imm < 0 || (uint32_t)in->imm >= obj->nr_maps)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "program %s: instruction %u refers to map #%d, which does not exist",
                                p->name, i, in->imm);
            in->imm = obj->maps[in->imm].handle;
        }
        i++;
    }
    return 0;
}

static int load_prog(struct bpfrt_object *obj, struct bpfrt_object_prog *p, struct obj_err *e)
{
    if (p->type == BPF_PROG_TYPE_UNSPEC)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "program %s: section '%s' does not name a program type; give one (CLI: --type TYPE)",
                        p->name, p->sec_name);
    int rc = patch_map_refs(obj, p, e);
    if (rc)
        return rc;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = p->type;
    a.insn_cnt = p->insn_cnt;
    a.insns = ptr(p->insns);
    a.license = ptr(obj->license);
    a.kern_version = obj->kversion ? obj->kversion
                     : obj->opts.kernel_version ? obj->opts.kernel_version : DEFAULT_KERNEL_VERSION;
    a.prog_flags = p->prog_flags;
    memcpy(a.prog_name, p->name, strnlen(p->name, BPF_OBJ_NAME_LEN - 1));
    a.expected_attach_type = p->attach_type_set ? p->attach_type : 0;
    if (obj->btf_handle >= 0 && p->nr_func_info) {
        a.prog_btf_fd = (uint32_t)obj->btf_handle;
        a.func_info_rec_size = sizeof(struct bpf_func_info);
        a.func_info = ptr(p->func_info);
        a.func_info_cnt = p->nr_func_info;
        if (p->nr_line_info) {
            a.line_info_rec_size = sizeof(struct bpf_line_info);
            a.line_info = ptr(p->line_info);
            a.line_info_cnt = p->nr_line_info;
        }
    }
    long h = bpfrt_obj_sys(obj, BPF_PROG_LOAD, &a);
    if (h < 0) {
        /* again with a log, as libbpf does, so the user sees why */
        free(p->log);
        p->log = calloc(1, LOG_BUF_SIZE);
        if (p->log) {
            a.log_level = 1;
            a.log_buf = ptr(p->log);
            a.log_size = LOG_BUF_SIZE;
            long h2 = bpfrt_obj_sys(obj, BPF_PROG_LOAD, &a);
            if (h2 >= 0)
                h = h2;
        }
    }
    if (h < 0) {
        const char *log = p->log ? p->log : "";
        /* the log's last non-empty line usually says why */
        char last[200] = "";
        const char *end = log + strlen(log);
        while (end > log && end[-1] == '\n')
            end--;
        const char *start = end;
        while (start > log && start[-1] != '\n')
            start--;
        snprintf(last, sizeof(last), "%.*s", (int)(end - start), start);
        return bpfrt_obj_fail(e, (int)h, "program %s (section %s): PROG_LOAD failed: %s%s%s", p->name,
                        p->sec_name, bpfrt_strerror((int)h), last[0] ? ": " : "", last);
    }
    p->handle = (int)h;
    return 0;
}

static int prog_handle_by_sym(struct bpfrt_object *obj, uint32_t sym)
{
    const struct elf_sym *y = bpfrt_obj_sym(obj, sym);
    for (uint32_t i = 0; y && i < obj->nr_progs; i++)
        if (obj->progs[i].sec == y->shndx && obj->progs[i].start * 8ull == y->value)
            return obj->progs[i].handle;
    return -1;
}

static int fill_slots(struct bpfrt_object *obj, struct obj_err *e)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        for (uint32_t k = 0; k < m->nr_init; k++) {
            const struct elf_sym *y = bpfrt_obj_sym(obj, m->init[k].sym);
            int h = -1;
            if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
                h = prog_handle_by_sym(obj, m->init[k].sym);
            } else {
                if (m->reused)
                    break; /* a reused map-in-map keeps its slots, as libbpf */
                struct bpfrt_object_map *inner = y ? bpfrt_obj_map_by_sec(obj, y->shndx, y->value) : NULL;
                h = inner ? inner->handle : -1;
            }
            if (h < 0)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "map %s: initial value [%u] = %s is not a loaded %s",
                                m->name, m->init[k].index, y ? y->name : "?",
                                m->type == BPF_MAP_TYPE_PROG_ARRAY ? "program" : "map");
            uint32_t val = (uint32_t)h;
            int rc = update(obj, m->handle, &m->init[k].index, &val);
            if (rc)
                return bpfrt_obj_fail(e, rc, "map %s: setting slot %u to %s failed: %s", m->name,
                                m->init[k].index, y ? y->name : "?", bpfrt_strerror(rc));
        }
    }
    for (uint32_t i = 0; i < obj->nr_progs; i++) {
        struct bpfrt_object_prog *p = &obj->progs[i];
        if (!p->has_tail_slot || p->handle < 0)
            continue;
        struct bpfrt_object_map *pa = NULL;
        for (uint32_t k = 0; k < obj->nr_maps; k++)
            if (obj->maps[k].kind == BPFRT_OBJ_MAP_LEGACY && obj->maps[k].legacy_id == p->tail_map_id &&
                obj->maps[k].type == BPF_MAP_TYPE_PROG_ARRAY)
                pa = &obj->maps[k];
        if (!pa)
            return bpfrt_obj_fail(e, -BPFRT_ENOENT, "program %s (section %s): no PROG_ARRAY map with id %u",
                            p->name, p->sec_name, p->tail_map_id);
        uint32_t val = (uint32_t)p->handle;
        int rc = update(obj, pa->handle, &p->tail_key, &val);
        if (rc)
            return bpfrt_obj_fail(e, rc, "program %s: PROG_ARRAY %s[%u] update failed: %s", p->name,
                            pa->name, p->tail_key, bpfrt_strerror(rc));
    }
    return 0;
}

static void close_inner_templates(struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        if (m->inner && m->inner->handle >= 0) {
            bpfrt_obj_close_handle(obj, m->inner->handle);
            m->inner->handle = -1;
        }
    }
}

int bpfrt_obj_load(struct bpfrt_object *obj, struct obj_err *e)
{
    int rc = bpfrt_obj_relocate(obj, e);
    if (rc)
        return rc;
    if ((rc = load_btf(obj)) || (rc = create_maps(obj, e)))
        return rc;
    for (uint32_t i = 0; i < obj->nr_progs; i++) {
        struct bpfrt_object_prog *p = &obj->progs[i];
        if (p->autoload && (rc = load_prog(obj, p, e)))
            return rc;
    }
    if ((rc = fill_slots(obj, e)))
        return rc;
    close_inner_templates(obj);
    obj->loaded = true;
    return 0;
}

static void unload(struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < obj->nr_progs; i++)
        if (obj->progs[i].handle >= 0) {
            bpfrt_obj_close_handle(obj, obj->progs[i].handle);
            obj->progs[i].handle = -1;
        }
    for (uint32_t i = 0; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        if (m->handle >= 0) {
            bpfrt_obj_close_handle(obj, m->handle);
            m->handle = -1;
        }
    }
    close_inner_templates(obj);
    if (obj->btf_handle >= 0) {
        bpfrt_obj_close_handle(obj, obj->btf_handle);
        obj->btf_handle = -1;
    }
}

int bpfrt_object_load(struct bpfrt_object *obj, char *err, size_t err_size)
{
    struct obj_err e = {err, err_size};
    if (err && err_size)
        err[0] = '\0';
    if (obj->loaded)
        return bpfrt_obj_fail(&e, -BPFRT_EBUSY, "object %s is already loaded", obj->name);
    /* a failed earlier attempt leaves relocated insns with handles: redo */
    obj->relocated = false;
    int rc = bpfrt_obj_load(obj, &e);
    if (rc) {
        unload(obj);
        if (rc == -BPFRT_ENOMEM && err && err_size && !err[0])
            bpfrt_obj_fail(&e, rc, "out of memory");
    }
    return rc;
}
