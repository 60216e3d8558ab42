/* Loading an opened object through the bpf() command layer, in libbpf's
 * order and with libbpf's attrs (bpf_object__load): BTF_LOAD (optional: on
 * failure the object loads without BTF), the maps (map_create.c), PROG_LOAD
 * for every program (retried with a verifier log on failure, whose cause -
 * not its statistics line - heads the error), then PROG_ARRAY and
 * map-in-map slots filled from `values` and iproute2 "ID/KEY" sections.
 *
 * Two modes: all or nothing, as libbpf; or partial, as `bpftool prog
 * loadall` reports it: a map that cannot be created fails only the programs
 * that use it, a program that fails (relocation, an extern, the verifier)
 * only itself, and each program keeps its own reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"
#include "loader/loader.h"

#define LOG_BUF_SIZE (1u << 20)

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

/* Statistics Linux appends to every verifier log (and libbpf's marker):
 * never the reason a load failed. */
static bool is_stats_line(const char *line, size_t len)
{
    static const char *const pfx[] = {"processed ", "verification time ", "stack depth ",
                                      "-- END PROG LOAD LOG --"};
    for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
        if (len >= strlen(pfx[i]) && strncmp(line, pfx[i], strlen(pfx[i])) == 0)
            return true;
    return len == 0;
}

/* The verifier log's last line that says something: the cause. */
static void log_cause(const char *log, char *out, size_t size)
{
    const char *end = log + strlen(log);
    out[0] = '\0';
    while (end > log) {
        const char *start = end;
        while (start > log && start[-1] != '\n')
            start--;
        size_t len = (size_t)(end - start);
        while (len && (start[len - 1] == '\n' || start[len - 1] == ' '))
            len--;
        if (!is_stats_line(start, len)) {
            snprintf(out, size, "%.*s", (int)len, start);
            return;
        }
        end = start > log ? start - 1 : log;
    }
}

static int load_btf(struct bpfrt_object *obj)
{
    if (!obj->btf)
        return 0;
    uint32_t size;
    const void *data = bpfrt_btf_data(obj->btf, &size);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = bpfrt_obj_ptr(data);
    a.btf_size = size;
    long h = bpfrt_obj_sys(obj, BPF_BTF_LOAD, &a);
    if (h < 0) {
        /* again with a log (a verbose BTF log fills small buffers: -ENOSPC),
         * keeping its last line, which says what was wrong */
        size_t cap = 1u << 20;
        char *log = calloc(1, cap);
        if (log) {
            a.btf_log_buf = bpfrt_obj_ptr(log);
            a.btf_log_size = (uint32_t)cap;
            a.btf_log_level = 1;
            bpfrt_obj_sys(obj, BPF_BTF_LOAD, &a);
        }
        char last[256] = "";
        log_cause(log ? log : "", last, sizeof(last));
        bpfrt_obj_note(obj, "BTF was refused (%s%s%s): maps and programs load without it",
                       bpfrt_strerror((int)h), *last ? ": " : "", last);
        free(log);
        return 0;
    }
    obj->btf_handle = (int)h;
    return 0;
}

/* Replaces map indexes in ld_imm64 by handles; a map that could not be
 * created fails the program, naming the map and why. */
static int patch_map_refs(struct bpfrt_object *obj, struct bpfrt_object_prog *p, struct obj_err *e)
{
    for (uint32_t i = 0; i + 1 < p->insn_cnt; i++) {
        struct bpf_insn *in = &p->insns[i];
        if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
            continue;
        if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
            if (in->imm < 0 || (uint32_t)in->imm >= obj->nr_maps)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "instruction %u refers to map #%d, which does not exist",
                                      i, in->imm);
            const struct bpfrt_object_map *m = &obj->maps[in->imm];
            if (m->handle < 0)
                return bpfrt_obj_fail(e, m->error_code ? m->error_code : -BPFRT_EBADF,
                                      "uses map %s, which could not be created: %s", m->name,
                                      m->error ? m->error : "not created");
            in->imm = m->handle;
        }
        i++;
    }
    return 0;
}

/* Why PROG_LOAD failed, in words: the log's cause, or for an empty log what
 * Linux checks before the verifier runs. */
static void load_cause(struct bpfrt_object *obj, const struct bpfrt_object_prog *p, long h, char *out,
                       size_t size)
{
    char cause[256];
    log_cause(p->log ? p->log : "", cause, sizeof(cause));
    const char *tn = bpfrt_prog_type_str(p->type) ? bpfrt_prog_type_str(p->type) : "?";
    if (strstr(cause, "unknown#195896080")) /* libbpf's CO-RE poison, 0xbad2310 */
        snprintf(out, size, "an instruction whose CO-RE relocation has no match in the target BTF is "
                 "reachable (the loader's notes name the first) (PROG_LOAD: %s)", bpfrt_strerror((int)h));
    else if (cause[0])
        snprintf(out, size, "%s (PROG_LOAD: %s)", cause, bpfrt_strerror((int)h));
    else if (h == -BPFRT_EINVAL && !obj->opts.bpf_fn && !bpfrt_ctx_desc_for(p->type, p->attach_type))
        snprintf(out, size, "program type %s is not provided (PROG_LOAD: %s)", tn, bpfrt_strerror((int)h));
    else
        snprintf(out, size, "PROG_LOAD failed: %s, before the verifier ran (program type %s, expected attach "
                 "type %u, flags 0x%x)", bpfrt_strerror((int)h), tn, p->attach_type_set ? p->attach_type : 0,
                 p->prog_flags);
}

/* BTF-typed tracing and LSM programs name their target in the section
 * ("fentry/do_unlinkat", "tp_btf/sched_switch", "lsm/file_open",
 * "iter/task"); as libbpf, find it in the kernel's BTF (the CO-RE target)
 * and pass its id. The runtime gets the same BTF to check it against. */
static int attach_btf_id(struct bpfrt_object *obj, struct bpfrt_object_prog *p, union bpf_attr *a,
                         struct obj_err *e)
{
    if (p->type != BPF_PROG_TYPE_TRACING && p->type != BPF_PROG_TYPE_LSM)
        return 0;
    if (!p->attach_target || !*p->attach_target)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section '%s' names no attach target (e.g. fentry/FUNCTION)",
                              p->sec_name);
    const struct bpfrt_btf *btf = bpfrt_obj_core_target(obj);
    if (!btf)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section '%s' needs the kernel's BTF to find '%s' "
                              "(/sys/kernel/btf/vmlinux unreadable; --btf FILE)", p->sec_name, p->attach_target);
    const char *prefix = "";
    uint32_t kind = BTF_KIND_FUNC;
    switch (a->expected_attach_type) {
    case BPF_TRACE_RAW_TP:
        prefix = "btf_trace_", kind = BTF_KIND_TYPEDEF;
        break;
    case BPF_LSM_MAC:
    case BPF_LSM_CGROUP:
        prefix = "bpf_lsm_";
        break;
    case BPF_TRACE_ITER:
        prefix = "bpf_iter_";
        break;
    default:
        break;
    }
    char name[256];
    snprintf(name, sizeof(name), "%s%s", prefix, p->attach_target);
    long id = bpfrt_btf_find_by_name_kind(btf, name, kind);
    if (id <= 0)
        return bpfrt_obj_fail(e, -BPFRT_ESRCH, "section '%s': no %s '%s' in the kernel's BTF", p->sec_name,
                              kind == BTF_KIND_FUNC ? "function" : "tracepoint type", name);
    a->attach_btf_id = (uint32_t)id;
    if (!bpfrt_runtime_kernel_btf(obj->rt))
        bpfrt_runtime_set_kernel_btf(obj->rt, (struct bpfrt_btf *)(uintptr_t)btf);
    return 0;
}

static int load_prog(struct bpfrt_object *obj, struct bpfrt_object_prog *p, struct obj_err *e)
{
    if (p->type == BPF_PROG_TYPE_UNSPEC)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section '%s' does not name a program type; give one (CLI: --type TYPE)",
                              p->sec_name);
    int rc = patch_map_refs(obj, p, e);
    if (rc)
        return rc;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = p->type;
    a.insn_cnt = p->insn_cnt;
    a.insns = bpfrt_obj_ptr(p->insns);
    a.license = bpfrt_obj_ptr(obj->license);
    a.kern_version = obj->kversion ? obj->kversion : bpfrt_obj_kernel_version(obj);
    a.prog_flags = p->prog_flags;
    memcpy(a.prog_name, p->kname, strnlen(p->kname, BPF_OBJ_NAME_LEN - 1));
    a.expected_attach_type = p->attach_type_set ? p->attach_type : 0;
    if ((rc = attach_btf_id(obj, p, &a, e)) != 0)
        return rc;
    if (obj->btf_handle >= 0 && p->nr_func_info) {
        a.prog_btf_fd = (uint32_t)obj->btf_handle;
        a.func_info_rec_size = sizeof(struct bpf_func_info);
        a.func_info = bpfrt_obj_ptr(p->func_info);
        a.func_info_cnt = p->nr_func_info;
        if (p->nr_line_info) {
            a.line_info_rec_size = sizeof(struct bpf_line_info);
            a.line_info = bpfrt_obj_ptr(p->line_info);
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
            a.log_buf = bpfrt_obj_ptr(p->log);
            a.log_size = LOG_BUF_SIZE;
            long h2 = bpfrt_obj_sys(obj, BPF_PROG_LOAD, &a);
            if (h2 >= 0)
                h = h2;
        }
    }
    if (h < 0) {
        char cause[512];
        load_cause(obj, p, h, cause, sizeof(cause));
        return bpfrt_obj_fail(e, (int)h, "%s", cause);
    }
    p->handle = (int)h;
    return 0;
}

/* Relocates and loads one program; its reason stays with it on failure. */
static int load_one(struct bpfrt_object *obj, struct bpfrt_object_prog *p)
{
    char cause[768] = "";
    struct obj_err pe = {cause, sizeof(cause)};
    free(p->error);
    p->error = NULL;
    p->error_code = 0;
    int rc = bpfrt_obj_relocate_prog(obj, p, &pe);
    if (!rc)
        rc = load_prog(obj, p, &pe);
    if (rc) {
        if (!cause[0])
            snprintf(cause, sizeof(cause), "%s", bpfrt_strerror(rc));
        p->error = bpfrt_obj_strdup(cause);
        p->error_code = rc;
    }
    return rc;
}

static const struct bpfrt_object_prog *prog_by_sym(const struct bpfrt_object *obj, uint32_t sym)
{
    const struct elf_sym *y = bpfrt_obj_sym(obj, sym);
    for (uint32_t i = 0; y && i < obj->nr_progs; i++)
        if (obj->progs[i].sec == y->shndx && obj->progs[i].start * 8ull == y->value)
            return &obj->progs[i];
    return NULL;
}

/* A slot that cannot be filled: an error, or in a partial load a note. */
static int slot_fail(struct bpfrt_object *obj, bool partial, struct obj_err *e, int code, const char *msg)
{
    if (!partial)
        return bpfrt_obj_fail(e, code, "%s", msg);
    bpfrt_obj_note(obj, "%s", msg);
    return 0;
}

static int fill_init_slots(struct bpfrt_object *obj, struct bpfrt_object_map *m, bool partial,
                           struct obj_err *e)
{
    char msg[512];
    for (uint32_t k = 0; k < m->nr_init && m->handle >= 0; k++) {
        const struct elf_sym *y = bpfrt_obj_sym(obj, m->init[k].sym);
        int h = -1, rc;
        if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
            const struct bpfrt_object_prog *tp = prog_by_sym(obj, m->init[k].sym);
            if (tp && !tp->autoload)
                continue; /* the caller chose not to load it: its slot stays empty */
            h = tp ? tp->handle : -1;
        } else {
            if (m->reused)
                break; /* a reused map-in-map keeps its slots, as libbpf */
            struct bpfrt_object_map *inner = y ? bpfrt_obj_map_by_sec(obj, y->shndx, y->value) : NULL;
            h = inner ? inner->handle : -1;
        }
        if (h < 0) {
            snprintf(msg, sizeof(msg), "map %s: initial value [%u] = %s is not a loaded %s", m->name,
                     m->init[k].index, y ? y->name : "?",
                     m->type == BPF_MAP_TYPE_PROG_ARRAY ? "program" : "map");
            if ((rc = slot_fail(obj, partial, e, -BPFRT_EINVAL, msg)))
                return rc;
            continue;
        }
        uint32_t val = (uint32_t)h;
        rc = bpfrt_obj_map_update(obj, m->handle, &m->init[k].index, &val);
        if (rc) {
            snprintf(msg, sizeof(msg), "map %s: setting slot %u to %s failed: %s", m->name, m->init[k].index,
                     y ? y->name : "?", bpfrt_strerror(rc));
            if ((rc = slot_fail(obj, partial, e, rc, msg)))
                return rc;
        }
    }
    return 0;
}

/* iproute2: the program of section "ID/KEY" goes into slot KEY of the
 * PROG_ARRAY whose id is ID. */
static int fill_tail_slot(struct bpfrt_object *obj, struct bpfrt_object_prog *p, bool partial,
                          struct obj_err *e)
{
    char msg[512];
    struct bpfrt_object_map *pa = NULL;
    for (uint32_t k = 0; k < obj->nr_maps; k++)
        if (obj->maps[k].kind == BPFRT_OBJ_MAP_LEGACY && obj->maps[k].legacy_id == p->tail_map_id &&
            obj->maps[k].type == BPF_MAP_TYPE_PROG_ARRAY)
            pa = &obj->maps[k];
    if (!pa || pa->handle < 0) {
        snprintf(msg, sizeof(msg), "program %s (section %s): %s PROG_ARRAY map with id %u", p->name,
                 p->sec_name, pa ? "no created" : "no", p->tail_map_id);
        return slot_fail(obj, partial, e, -BPFRT_ENOENT, msg);
    }
    uint32_t val = (uint32_t)p->handle;
    int rc = bpfrt_obj_map_update(obj, pa->handle, &p->tail_key, &val);
    if (rc) {
        snprintf(msg, sizeof(msg), "program %s: PROG_ARRAY %s[%u] update failed: %s", p->name, pa->name,
                 p->tail_key, bpfrt_strerror(rc));
        return slot_fail(obj, partial, e, rc, msg);
    }
    return 0;
}

static int fill_slots(struct bpfrt_object *obj, bool partial, struct obj_err *e)
{
    int rc = 0;
    for (uint32_t i = 0; !rc && i < obj->nr_maps; i++)
        rc = fill_init_slots(obj, &obj->maps[i], partial, e);
    for (uint32_t i = 0; !rc && i < obj->nr_progs; i++)
        if (obj->progs[i].has_tail_slot && obj->progs[i].handle >= 0)
            rc = fill_tail_slot(obj, &obj->progs[i], partial, e);
    return rc;
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

int bpfrt_obj_load(struct bpfrt_object *obj, bool partial, struct obj_err *e)
{
    int rc = bpfrt_obj_core_relocate(obj, NULL, e);
    if (rc || (rc = load_btf(obj)) || (rc = bpfrt_obj_create_maps(obj, partial, e)))
        return rc;
    struct bpfrt_object_prog *first = NULL;
    uint32_t tried = 0, loaded = 0;
    for (uint32_t i = 0; i < obj->nr_progs; i++) {
        struct bpfrt_object_prog *p = &obj->progs[i];
        if (!p->autoload)
            continue;
        tried++;
        if (load_one(obj, p) == 0) {
            loaded++;
            continue;
        }
        if (!partial)
            return bpfrt_obj_fail(e, p->error_code, "program %s (section %s): %s", p->name, p->sec_name, p->error);
        first = first ? first : p;
    }
    if ((rc = fill_slots(obj, partial, e)))
        return rc;
    close_inner_templates(obj);
    obj->loaded = true;
    if (first)
        return bpfrt_obj_fail(e, first->error_code, "%u of %u programs loaded; program %s (section %s): %s",
                              loaded, tried, first->name, first->sec_name, first->error);
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

static int load_object(struct bpfrt_object *obj, bool partial, char *err, size_t err_size)
{
    struct obj_err e = {err, err_size};
    if (err && err_size)
        err[0] = '\0';
    if (obj->loaded)
        return bpfrt_obj_fail(&e, -BPFRT_EBUSY, "object %s is already loaded", obj->name);
    int rc = bpfrt_obj_load(obj, partial, &e);
    if (rc && !obj->loaded)
        unload(obj);
    if (rc == -BPFRT_ENOMEM && err && err_size && !err[0])
        bpfrt_obj_fail(&e, rc, "out of memory");
    return rc;
}

int bpfrt_object_load(struct bpfrt_object *obj, char *err, size_t err_size)
{
    return load_object(obj, false, err, err_size);
}

int bpfrt_object_load_partial(struct bpfrt_object *obj, char *err, size_t err_size)
{
    return load_object(obj, true, err, err_size);
}
