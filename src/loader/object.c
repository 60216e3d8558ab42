/* The object model: opening an ELF object (file or memory), finding its
 * programs and their functions, collecting relocations, and the accessors of
 * the public object API. Maps, globals, externs, BTF, relocation and loading
 * live in their own files. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "loader/loader.h"

int bpfrt_obj_fail(struct obj_err *e, int code, const char *fmt, ...)
{
    if (e && e->buf && e->size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->buf, e->size, fmt, ap);
        va_end(ap);
    }
    return code;
}

void bpfrt_obj_note(struct bpfrt_object *obj, const char *fmt, ...)
{
    size_t len = strlen(obj->notes);
    if (len + 2 >= sizeof(obj->notes))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(obj->notes + len, sizeof(obj->notes) - len - 1, fmt, ap);
    va_end(ap);
    len = strlen(obj->notes);
    if (len + 1 < sizeof(obj->notes)) {
        obj->notes[len] = '\n';
        obj->notes[len + 1] = '\0';
    }
}

char *bpfrt_obj_strdup(const char *s)
{
    return strdup(s ? s : "");
}

const struct elf_sym *bpfrt_obj_sym(const struct bpfrt_object *obj, uint32_t idx)
{
    return idx < obj->elf.nsyms ? &obj->elf.syms[idx] : NULL;
}

bool bpfrt_obj_sec_is_prog(const struct bpfrt_object *obj, uint32_t sec)
{
    if (sec == 0 || sec >= obj->elf.nsecs)
        return false;
    const struct elf_sec *s = &obj->elf.secs[sec];
    return s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR) && s->size > 0;
}

/* ---- functions and programs ---- */

static bool is_text(const char *sec_name)
{
    return strcmp(sec_name, ".text") == 0 || strncmp(sec_name, ".text.", 6) == 0;
}

static int func_cmp(const void *a, const void *b)
{
    const struct obj_func *x = a, *y = b;
    if (x->sec != y->sec)
        return x->sec < y->sec ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Linux takes letters, digits, '_' and '.' in at most 15 characters; a
 * section name standing for a function ("2/1", "from-container" in
 * iproute2's objects) becomes "2_1", "from_container". */
void bpfrt_obj_kname(char out[BPF_OBJ_NAME_LEN], const char *name)
{
    snprintf(out, BPF_OBJ_NAME_LEN, "%s", name);
    for (char *c = out; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.'))
            *c = '_';
}

static int add_prog(struct bpfrt_object *obj, const struct obj_func *f, struct obj_err *e)
{
    struct bpfrt_object_prog *progs = realloc(obj->progs, (obj->nr_progs + 1) * sizeof(*progs));
    if (!progs)
        return -BPFRT_ENOMEM;
    obj->progs = progs;
    struct bpfrt_object_prog *p = &progs[obj->nr_progs];
    memset(p, 0, sizeof(*p));
    const char *sec_name = obj->elf.secs[f->sec].name;
    p->name = bpfrt_obj_strdup(f->name);
    p->sec_name = bpfrt_obj_strdup(sec_name);
    if (!p->name || !p->sec_name) {
        free(p->name);
        free(p->sec_name);
        return -BPFRT_ENOMEM;
    }
    obj->nr_progs++;
    p->obj = obj;
    p->sec = f->sec;
    p->start = f->start;
    p->len = f->len;
    p->autoload = true;
    p->handle = -1;
    p->attach_target = "";
    bpfrt_obj_kname(p->kname, f->name);
    /* libbpf: SEC("?xdp") is an xdp program that is not loaded by default */
    if (sec_name[0] == '?') {
        p->autoload = false;
        sec_name++;
    }
    const struct bpfrt_prog_sec *d = bpfrt_prog_sec_find(sec_name, &p->type);
    if (d) {
        p->attach_type = d->attach_type;
        p->attach_type_set = d->flags & BPFRT_SEC_ATTACH;
        if (d->flags & BPFRT_SEC_SLEEPABLE)
            p->prog_flags |= BPF_F_SLEEPABLE;
        if (d->flags & BPFRT_SEC_XDP_FRAGS)
            p->prog_flags |= BPF_F_XDP_HAS_FRAGS;
        const char *sn = p->sec_name + (p->sec_name[0] == '?');
        if (strncmp(sn, d->prefix, strlen(d->prefix)) == 0 && sn[strlen(d->prefix)] == '/')
            p->attach_target = sn + strlen(d->prefix) + 1;
    } else {
        p->has_tail_slot = bpfrt_sec_parse_tail_slot(sec_name, &p->tail_map_id, &p->tail_key);
        p->type = obj->opts.default_prog_type;
    }
    (void)e;
    return 0;
}

int bpfrt_obj_collect_progs(struct bpfrt_object *obj, struct obj_err *e)
{
    struct elf_file *ef = &obj->elf;
    obj->sec_insns = calloc(ef->nsecs, sizeof(*obj->sec_insns));
    if (!obj->sec_insns)
        return -BPFRT_ENOMEM;
    /* Functions: STT_FUNC symbols in executable sections. */
    for (uint32_t s = 1; s < ef->nsecs; s++) {
        if (!bpfrt_obj_sec_is_prog(obj, s))
            continue;
        const struct elf_sec *sec = &ef->secs[s];
        if (sec->size % sizeof(struct bpf_insn))
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: size %llu is not a multiple of 8 (instructions)",
                            sec->name, (unsigned long long)sec->size);
        uint32_t nins = (uint32_t)(sec->size / 8);
        uint32_t first = obj->nr_funcs;
        obj->sec_insns[s] = malloc(sec->size);
        if (!obj->sec_insns[s])
            return -BPFRT_ENOMEM;
        memcpy(obj->sec_insns[s], sec->data, sec->size);
        for (uint32_t i = 0; i < ef->nsyms; i++) {
            const struct elf_sym *y = &ef->syms[i];
            if (y->shndx != s || y->type != STT_FUNC)
                continue;
            if (y->value % 8 || y->value >= sec->size || y->size % 8 || y->size > sec->size - y->value)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: function %s at 0x%llx size 0x%llx is outside the section or misaligned",
                                sec->name, y->name, (unsigned long long)y->value, (unsigned long long)y->size);
            struct obj_func *funcs = realloc(obj->funcs, (obj->nr_funcs + 1) * sizeof(*funcs));
            if (!funcs)
                return -BPFRT_ENOMEM;
            obj->funcs = funcs;
            funcs[obj->nr_funcs++] = (struct obj_func){
                .sec = s, .start = (uint32_t)(y->value / 8), .len = (uint32_t)(y->size / 8),
                .name = y->name, .global = y->bind == STB_GLOBAL || y->bind == STB_WEAK};
        }
        if (obj->nr_funcs == first) {
            /* No symbols (hand-written or stripped): the section is one function. */
            struct obj_func *funcs = realloc(obj->funcs, (obj->nr_funcs + 1) * sizeof(*funcs));
            if (!funcs)
                return -BPFRT_ENOMEM;
            obj->funcs = funcs;
            funcs[obj->nr_funcs++] = (struct obj_func){.sec = s, .start = 0, .len = nins,
                                                       .name = sec->name, .global = true};
        }
        qsort(obj->funcs + first, obj->nr_funcs - first, sizeof(*obj->funcs), func_cmp);
        for (uint32_t i = first; i < obj->nr_funcs; i++) {
            struct obj_func *f = &obj->funcs[i];
            uint32_t next = i + 1 < obj->nr_funcs ? obj->funcs[i + 1].start : nins;
            if (i > first && f->start == obj->funcs[i - 1].start)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: functions %s and %s start at the same instruction %u",
                                sec->name, obj->funcs[i - 1].name, f->name, f->start);
            if (f->len == 0)
                f->len = next - f->start; /* size-less symbol: up to the next one */
            if (f->start + f->len > next)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: function %s overlaps the next function",
                                sec->name, f->name);
        }
    }
    /* Programs: every function of a code section other than .text and
     * .text.* (-ffunction-sections puts subprograms there), static ones too
     * (cilium's tail calls; cilium/ebpf loads them, libbpf refuses them). An
     * object with no such section has its .text functions as programs, as
     * libbpf before 1.0 did: the global ones, or all when none is global. */
    bool only_text = true;
    for (uint32_t i = 0; i < obj->nr_funcs; i++)
        only_text &= is_text(ef->secs[obj->funcs[i].sec].name);
    bool text_global = false;
    for (uint32_t i = 0; i < obj->nr_funcs; i++)
        text_global |= obj->funcs[i].global;
    for (uint32_t i = 0; i < obj->nr_funcs; i++) {
        const struct obj_func *f = &obj->funcs[i];
        bool prog = only_text ? f->global || !text_global : !is_text(ef->secs[f->sec].name);
        int rc = prog ? add_prog(obj, f, e) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* Relocations of executable sections, indexed by instruction. */
int bpfrt_obj_collect_relos(struct bpfrt_object *obj, struct obj_err *e)
{
    struct elf_file *ef = &obj->elf;
    obj->rels = calloc(ef->nsecs, sizeof(*obj->rels));
    obj->nr_rels = calloc(ef->nsecs, sizeof(*obj->nr_rels));
    obj->relo_at = calloc(ef->nsecs, sizeof(*obj->relo_at));
    if (!obj->rels || !obj->nr_rels || !obj->relo_at)
        return -BPFRT_ENOMEM;
    for (uint32_t s = 1; s < ef->nsecs; s++) {
        const struct elf_sec *rs = &ef->secs[s];
        if (rs->type != SHT_REL && rs->type != SHT_RELA)
            continue;
        if (rs->info >= ef->nsecs)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: target section %u out of range", rs->name, rs->info);
        uint32_t t = rs->info;
        bool want = bpfrt_obj_sec_is_prog(obj, t) || (obj->maps_sec && t == obj->maps_sec);
        if (!want)
            continue; /* debug info, BTF, data: ignored as libbpf does */
        if (obj->rels[t])
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s has two relocation sections", ef->secs[t].name);
        char msg[256];
        int rc = bpfrt_elf_read_rels(ef, rs, &obj->rels[t], &obj->nr_rels[t], msg, sizeof(msg));
        if (rc)
            return bpfrt_obj_fail(e, rc, "%s", msg);
        if (!bpfrt_obj_sec_is_prog(obj, t))
            continue;
        uint32_t nins = (uint32_t)(ef->secs[t].size / 8);
        obj->relo_at[t] = malloc((nins ? nins : 1) * sizeof(int32_t));
        if (!obj->relo_at[t])
            return -BPFRT_ENOMEM;
        for (uint32_t i = 0; i < nins; i++)
            obj->relo_at[t][i] = -1;
        for (uint32_t i = 0; i < obj->nr_rels[t]; i++) {
            const struct elf_rel *r = &obj->rels[t][i];
            const struct elf_sym *y = bpfrt_obj_sym(obj, r->sym);
            if (r->offset % 8)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: relocation against %s at offset 0x%llx is not on an instruction boundary",
                                ef->secs[t].name, y->name, (unsigned long long)r->offset);
            uint32_t at = (uint32_t)(r->offset / 8);
            if (obj->relo_at[t][at] >= 0)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: two relocations at instruction %u", ef->secs[t].name, at);
            obj->relo_at[t][at] = (int32_t)i;
        }
    }
    return 0;
}

/* ---- open / close ---- */

static void read_license_version(struct bpfrt_object *obj)
{
    const struct elf_sec *lic = bpfrt_elf_find_sec(&obj->elf, "license");
    if (lic && lic->data) {
        size_t n = lic->size < sizeof(obj->license) - 1 ? lic->size : sizeof(obj->license) - 1;
        memcpy(obj->license, lic->data, n);
        obj->license[n] = '\0';
    }
    const struct elf_sec *ver = bpfrt_elf_find_sec(&obj->elf, "version");
    if (ver && ver->data && ver->size == 4)
        memcpy(&obj->kversion, ver->data, 4);
}

static void set_name(struct bpfrt_object *obj, const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    snprintf(obj->name, sizeof(obj->name), "%s", base);
    char *dot = strchr(obj->name, '.');
    if (dot && dot != obj->name)
        *dot = '\0';
}

int bpfrt_object_open_mem(struct bpfrt_runtime *rt, const void *data, size_t size,
                          const struct bpfrt_object_opts *opts, struct bpfrt_object **out,
                          char *err, size_t err_size)
{
    struct obj_err e = {err, err_size};
    *out = NULL;
    if (err && err_size)
        err[0] = '\0';
    if (!rt || (!data && size))
        return bpfrt_obj_fail(&e, -BPFRT_EINVAL, "no runtime or no data");
    struct bpfrt_object *obj = calloc(1, sizeof(*obj));
    if (!obj)
        return -BPFRT_ENOMEM;
    obj->rt = rt;
    obj->btf_handle = -1;
    if (opts)
        obj->opts = *opts;
    obj->opts.target_btf = NULL; /* not kept: parsed below */
    if (opts && opts->kconfig) {
        obj->kconfig_opt = strdup(opts->kconfig);
        obj->opts.kconfig = obj->kconfig_opt;
    }
    if (opts && opts->target_btf_path)
        obj->target_btf_path = strdup(opts->target_btf_path);
    obj->opts.target_btf_path = NULL; /* obj->target_btf_path is the copy */
    set_name(obj, opts && opts->name ? opts->name : "obj");
    obj->buf = malloc(size ? size : 1);
    int rc = -BPFRT_ENOMEM;
    if (!obj->buf)
        goto fail;
    memcpy(obj->buf, data, size);
    obj->size = size;
    char msg[256];
    rc = bpfrt_elf_parse(&obj->elf, obj->buf, size, msg, sizeof(msg));
    if (rc) {
        bpfrt_obj_fail(&e, rc, "%s", msg);
        goto fail;
    }
    read_license_version(obj);
    const struct elf_sec *ms = bpfrt_elf_find_sec(&obj->elf, ".maps");
    obj->maps_sec = ms ? ms->index : 0;

    if (opts && opts->target_btf) {
        char log[256] = "";
        rc = bpfrt_btf_parse(rt, opts->target_btf, (uint32_t)opts->target_btf_size, 0, log,
                             sizeof(log), &obj->target_btf);
        if (rc) {
            bpfrt_obj_fail(&e, rc, "target BTF: %s", log[0] ? log : "invalid");
            goto fail;
        }
    }
    if ((rc = bpfrt_obj_btf_open(obj, &e)) || (rc = bpfrt_obj_btf_ext_open(obj, &e)) ||
        (rc = bpfrt_obj_collect_progs(obj, &e)) || (rc = bpfrt_obj_collect_maps(obj, &e)) ||
        (rc = bpfrt_obj_collect_globals(obj, &e)) || (rc = bpfrt_obj_collect_externs(obj, &e)) ||
        (rc = bpfrt_obj_collect_relos(obj, &e)) || (rc = bpfrt_obj_collect_map_inits(obj, &e)))
        goto fail;
    if (obj->nr_progs == 0 && obj->nr_maps == 0) {
        rc = bpfrt_obj_fail(&e, -BPFRT_ENOENT, "no programs or maps in the object");
        goto fail;
    }
    *out = obj;
    return 0;
fail:
    if (rc == -BPFRT_ENOMEM && err && err_size && !err[0])
        bpfrt_obj_fail(&e, rc, "out of memory");
    bpfrt_object_close(obj);
    return rc;
}

int bpfrt_object_open_file(struct bpfrt_runtime *rt, const char *path,
                           const struct bpfrt_object_opts *opts, struct bpfrt_object **out,
                           char *err, size_t err_size)
{
    struct obj_err e = {err, err_size};
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return bpfrt_obj_fail(&e, -BPFRT_ENOENT, "cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
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
    int ferr = ferror(f);
    fclose(f);
    if (!buf || ferr) {
        free(buf);
        return bpfrt_obj_fail(&e, buf ? -BPFRT_EIO : -BPFRT_ENOMEM, "cannot read %s", path);
    }
    struct bpfrt_object_opts o = opts ? *opts : (struct bpfrt_object_opts){0};
    if (!o.name)
        o.name = path;
    int rc = bpfrt_object_open_mem(rt, buf, n, &o, out, err, err_size);
    free(buf);
    return rc;
}

static void free_prog_reloc(struct bpfrt_object_prog *p)
{
    free(p->insns);
    free(p->origin);
    free(p->func_info);
    free(p->line_info);
    p->insns = NULL;
    p->origin = NULL;
    p->func_info = NULL;
    p->line_info = NULL;
    p->insn_cnt = p->nr_func_info = p->nr_line_info = 0;
}

void bpfrt_object_close(struct bpfrt_object *obj)
{
    if (!obj)
        return;
    for (uint32_t i = 0; i < obj->nr_progs; i++) {
        struct bpfrt_object_prog *p = &obj->progs[i];
        if (p->handle >= 0)
            bpfrt_obj_close_handle(obj, p->handle);
        free_prog_reloc(p);
        free(p->name);
        free(p->sec_name);
        free(p->log);
        free(p->error);
    }
    free(obj->progs);
    bpfrt_obj_free_maps(obj);
    if (obj->btf_handle >= 0)
        bpfrt_obj_close_handle(obj, obj->btf_handle);
    if (obj->btf)
        bpfrt_btf_put(obj->btf);
    if (obj->btf_before_ksyms)
        bpfrt_btf_put(obj->btf_before_ksyms);
    if (obj->target_btf)
        bpfrt_btf_put(obj->target_btf);
    free(obj->core_names);
    free(obj->target_btf_path);
    free(obj->func_secs);
    free(obj->line_secs);
    free(obj->core_secs);
    free(obj->funcs);
    free(obj->externs);
    for (uint32_t s = 0; obj->rels && s < obj->elf.nsecs; s++) {
        free(obj->rels[s]);
        free(obj->relo_at[s]);
    }
    for (uint32_t s = 0; obj->sec_insns && s < obj->elf.nsecs; s++)
        free(obj->sec_insns[s]);
    free(obj->sec_insns);
    free(obj->ext_buf);
    free(obj->rels);
    free(obj->nr_rels);
    free(obj->relo_at);
    bpfrt_elf_free(&obj->elf);
    free(obj->buf);
    free(obj->kconfig_opt);
    free(obj);
}

/* ---- accessors ---- */

const char *bpfrt_object_name(const struct bpfrt_object *obj) { return obj->name; }
const char *bpfrt_object_license(const struct bpfrt_object *obj) { return obj->license; }
bool bpfrt_object_gpl_compatible(const struct bpfrt_object *obj)
{
    return bpfrt_license_is_gpl_compatible(obj->license);
}
uint32_t bpfrt_object_kversion(const struct bpfrt_object *obj) { return obj->kversion; }
const struct bpfrt_btf *bpfrt_object_btf(const struct bpfrt_object *obj) { return obj->btf; }
const char *bpfrt_object_notes(const struct bpfrt_object *obj) { return obj->notes; }
int bpfrt_object_btf_handle(const struct bpfrt_object *obj) { return obj->btf_handle; }

uint32_t bpfrt_object_prog_count(const struct bpfrt_object *obj) { return obj->nr_progs; }
struct bpfrt_object_prog *bpfrt_object_prog_at(const struct bpfrt_object *obj, uint32_t i)
{
    return i < obj->nr_progs ? &obj->progs[i] : NULL;
}
struct bpfrt_object_prog *bpfrt_object_find_prog(const struct bpfrt_object *obj, const char *name)
{
    for (uint32_t i = 0; i < obj->nr_progs; i++)
        if (strcmp(obj->progs[i].name, name) == 0)
            return &obj->progs[i];
    return NULL;
}
struct bpfrt_object_prog *bpfrt_object_find_prog_by_section(const struct bpfrt_object *obj,
                                                            const char *sec)
{
    for (uint32_t i = 0; i < obj->nr_progs; i++)
        if (strcmp(obj->progs[i].sec_name, sec) == 0)
            return &obj->progs[i];
    return NULL;
}

const char *bpfrt_object_prog_name(const struct bpfrt_object_prog *p) { return p->name; }
const char *bpfrt_object_prog_section(const struct bpfrt_object_prog *p) { return p->sec_name; }
uint32_t bpfrt_object_prog_type(const struct bpfrt_object_prog *p) { return p->type; }
uint32_t bpfrt_object_prog_attach_type(const struct bpfrt_object_prog *p) { return p->attach_type; }
const char *bpfrt_object_prog_attach_target(const struct bpfrt_object_prog *p) { return p->attach_target; }
int bpfrt_object_prog_handle(const struct bpfrt_object_prog *p) { return p->handle; }
const char *bpfrt_object_prog_log(const struct bpfrt_object_prog *p) { return p->log ? p->log : ""; }
const char *bpfrt_object_prog_error(const struct bpfrt_object_prog *p) { return p->error ? p->error : ""; }
void bpfrt_object_prog_set_autoload(struct bpfrt_object_prog *p, bool autoload) { p->autoload = autoload; }
uint32_t bpfrt_object_prog_flags(const struct bpfrt_object_prog *p) { return p->prog_flags; }
void bpfrt_object_prog_set_flags(struct bpfrt_object_prog *p, uint32_t prog_flags) { p->prog_flags = prog_flags; }

int bpfrt_object_prog_set_type(struct bpfrt_object_prog *p, uint32_t prog_type,
                               uint32_t expected_attach_type)
{
    if (p->obj && p->obj->loaded)
        return -BPFRT_EBUSY;
    if (prog_type == 0 || prog_type >= __MAX_BPF_PROG_TYPE)
        return -BPFRT_EINVAL;
    p->type = prog_type;
    p->attach_type = expected_attach_type;
    p->attach_type_set = expected_attach_type != 0;
    return 0;
}

const struct bpf_insn *bpfrt_object_prog_insns(const struct bpfrt_object_prog *p, uint32_t *cnt)
{
    if (p->insns) {
        *cnt = p->insn_cnt;
        return p->insns;
    }
    *cnt = p->len;
    return p->obj->sec_insns[p->sec] + p->start;
}

const struct bpf_line_info *bpfrt_object_prog_line_info(const struct bpfrt_object_prog *p,
                                                       uint32_t *cnt)
{
    *cnt = p->nr_line_info;
    return p->line_info;
}

const struct bpf_func_info *bpfrt_object_prog_func_info(const struct bpfrt_object_prog *p,
                                                       uint32_t *cnt)
{
    *cnt = p->nr_func_info;
    return p->func_info;
}

const char *bpfrt_object_prog_func_at(const struct bpfrt_object_prog *p, uint32_t insn)
{
    if (!p->origin || insn >= p->insn_cnt)
        return insn == 0 && !p->origin ? p->name : NULL;
    const struct obj_insn_origin o = p->origin[insn];
    for (uint32_t i = 0; i < p->obj->nr_funcs; i++) {
        const struct obj_func *f = &p->obj->funcs[i];
        if (f->sec == o.sec && f->start == o.idx)
            return insn == 0 ? p->name : f->name;
    }
    return NULL;
}

bool bpfrt_object_prog_tail_slot(const struct bpfrt_object_prog *p, uint32_t *map_id,
                                 uint32_t *key)
{
    if (!p->has_tail_slot)
        return false;
    *map_id = p->tail_map_id;
    *key = p->tail_key;
    return true;
}

void bpfrt_obj_prog_reset_reloc(struct bpfrt_object_prog *p)
{
    free_prog_reloc(p);
}
