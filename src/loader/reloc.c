/* Relocation: turns a program's code in its section into the instruction
 * array PROG_LOAD takes, as libbpf does. Every subprogram the program calls
 * (bpf-to-bpf calls into .text or any other code section, and callbacks
 * passed as function pointers to bpf_loop / bpf_for_each_map_elem) is
 * appended once and the call's offset fixed; ld_imm64 references to maps
 * become BPF_PSEUDO_MAP_FD and references to global data BPF_PSEUDO_MAP_VALUE
 * (imm = the map's index in the object until load puts the handle there);
 * func_info and line_info records follow their instructions. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

#define LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW)

struct builder {
    struct bpfrt_object *obj;
    struct bpfrt_object_prog *p;
    struct bpf_insn *out;
    struct obj_insn_origin *org;
    uint32_t cnt, cap;
    int32_t *placed; /* per obj->funcs: first instruction in out, or -1 */
    struct obj_err *e;
};

static int find_func(const struct bpfrt_object *obj, uint32_t sec, uint32_t idx)
{
    for (uint32_t i = 0; i < obj->nr_funcs; i++) {
        const struct obj_func *f = &obj->funcs[i];
        if (f->sec == sec && idx >= f->start && idx < f->start + f->len)
            return (int)i;
    }
    return -1;
}

static int append_func(struct builder *b, int fi)
{
    const struct obj_func *f = &b->obj->funcs[fi];
    if ((uint64_t)b->cnt + f->len > BPFRT_MAX_INSNS)
        return bpfrt_obj_fail(b->e, -BPFRT_E2BIG, "program %s: more than %u instructions with its subprograms",
                        b->p->name, BPFRT_MAX_INSNS);
    if (b->cnt + f->len > b->cap) {
        uint32_t cap = b->cap ? b->cap : 64;
        while (cap < b->cnt + f->len)
            cap *= 2;
        struct bpf_insn *out = realloc(b->out, cap * sizeof(*out));
        if (!out)
            return -BPFRT_ENOMEM;
        b->out = out;
        struct obj_insn_origin *org = realloc(b->org, cap * sizeof(*org));
        if (!org)
            return -BPFRT_ENOMEM;
        b->org = org;
        b->cap = cap;
    }
    memcpy(b->out + b->cnt, b->obj->sec_insns[f->sec] + f->start, f->len * sizeof(struct bpf_insn));
    for (uint32_t k = 0; k < f->len; k++)
        b->org[b->cnt + k] = (struct obj_insn_origin){f->sec, f->start + k};
    b->placed[fi] = (int32_t)b->cnt;
    b->cnt += f->len;
    return 0;
}

static const char *sec_name(const struct bpfrt_object *obj, uint32_t sec)
{
    return sec < obj->elf.nsecs ? obj->elf.secs[sec].name : "?";
}

/* Makes sure the function holding (sec, idx) is in the program and returns
 * the pc-relative offset from instruction i to it. */
static int link_target(struct builder *b, uint32_t i, uint32_t sec, int64_t idx, int32_t *rel)
{
    const struct bpfrt_object *obj = b->obj;
    const struct obj_insn_origin o = b->org[i];
    if (!bpfrt_obj_sec_is_prog(obj, sec) || idx < 0 || (uint64_t)idx >= obj->elf.secs[sec].size / 8)
        return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: call or function pointer to instruction %lld of section %s is out of range",
                        sec_name(obj, o.sec), o.idx, (long long)idx, sec_name(obj, sec));
    int fi = find_func(obj, sec, (uint32_t)idx);
    if (fi < 0)
        return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: target %lld in section %s is not inside a function",
                        sec_name(obj, o.sec), o.idx, (long long)idx, sec_name(obj, sec));
    if (b->placed[fi] < 0) {
        int rc = append_func(b, fi);
        if (rc)
            return rc;
    }
    int64_t target = b->placed[fi] + ((uint32_t)idx - obj->funcs[fi].start);
    *rel = (int32_t)(target - (int64_t)i - 1);
    return 0;
}

static int map_index(const struct bpfrt_object *obj, const struct bpfrt_object_map *m)
{
    return (int)(m - obj->maps);
}

static int reloc_ld_imm64(struct builder *b, uint32_t i, const struct elf_rel *r)
{
    struct bpfrt_object *obj = b->obj;
    struct bpf_insn *insn = &b->out[i];
    const struct obj_insn_origin o = b->org[i];
    const struct elf_sym *y = bpfrt_obj_sym(obj, r->sym);
    if (r->type != R_BPF_64_64)
        return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: relocation type %u against %s is not supported on ld_imm64",
                        sec_name(obj, o.sec), o.idx, r->type, y->name);
    int64_t addend = insn[0].imm;
    if (y->shndx == SHN_UNDEF) {
        const struct obj_extern *x = bpfrt_obj_extern_by_sym(obj, r->sym);
        if (!x)
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: reference to undefined symbol %s",
                            sec_name(obj, o.sec), o.idx, y->name);
        if (x->kconfig) {
            struct bpfrt_object_map *km = bpfrt_obj_kconfig_map(obj);
            insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
            insn[0].imm = map_index(obj, km);
            insn[1].imm = (int32_t)x->off;
            return 0;
        }
        if (x->weak) { /* unresolved weak __ksym: NULL, as libbpf */
            insn[0].src_reg = 0;
            insn[0].imm = 0;
            insn[1].imm = 0;
            return 0;
        }
        return bpfrt_obj_fail(b->e, -BPFRT_ENOTSUPP, "extern %s (__ksym) in section %s names a kernel symbol; it has no meaning outside a kernel",
                        y->name, sec_name(obj, o.sec));
    }
    if (y->shndx >= obj->elf.nsecs)
        return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: symbol %s has special section index 0x%x",
                        sec_name(obj, o.sec), o.idx, y->name, y->shndx);
    if ((obj->maps_sec && y->shndx == obj->maps_sec) || bpfrt_obj_sec_is_legacy_maps(obj, y->shndx)) {
        uint64_t off = y->type == STT_SECTION ? (uint64_t)addend : y->value;
        struct bpfrt_object_map *m = bpfrt_obj_map_by_sec(obj, y->shndx, off);
        if (!m)
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: %s at offset %llu of %s is not a map definition",
                            sec_name(obj, o.sec), o.idx, y->name, (unsigned long long)off, sec_name(obj, y->shndx));
        insn[0].src_reg = BPF_PSEUDO_MAP_FD;
        insn[0].imm = map_index(obj, m);
        insn[1].imm = 0;
        return 0;
    }
    if (bpfrt_obj_sec_is_prog(obj, y->shndx)) { /* function pointer (callback) */
        int64_t byte = (int64_t)(y->value + (uint64_t)addend); /* wraps, never overflows */
        if (byte % 8)
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: function pointer to %s is misaligned",
                            sec_name(obj, o.sec), o.idx, y->name);
        int32_t rel;
        int rc = link_target(b, i, y->shndx, byte / 8, &rel);
        if (rc)
            return rc;
        insn = &b->out[i]; /* out may have moved */
        insn[0].src_reg = BPF_PSEUDO_FUNC;
        insn[0].imm = rel;
        insn[1].imm = 0;
        return 0;
    }
    struct bpfrt_object_map *dm = bpfrt_obj_map_by_sec(obj, y->shndx, 0);
    if (dm && dm->data) {
        int64_t off = (int64_t)(y->value + (uint64_t)addend); /* wraps, never overflows */
        if (off < 0 || (uint64_t)off >= dm->value_size)
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: %s+%lld is outside %s (%u bytes)",
                            sec_name(obj, o.sec), o.idx, y->name, (long long)addend, dm->name, dm->value_size);
        insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
        insn[0].imm = map_index(obj, dm);
        insn[1].imm = (int32_t)off;
        return 0;
    }
    return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: relocation against %s in section %s, which is neither a map, global data nor code",
                    sec_name(obj, o.sec), o.idx, y->name, sec_name(obj, y->shndx));
}

static int reloc_call(struct builder *b, uint32_t i, const struct elf_rel *r)
{
    struct bpfrt_object *obj = b->obj;
    struct bpf_insn insn = b->out[i];
    const struct obj_insn_origin o = b->org[i];
    uint32_t sec = o.sec;
    int64_t target;
    if (r) {
        const struct elf_sym *y = bpfrt_obj_sym(obj, r->sym);
        if (y->shndx == SHN_UNDEF) {
            const struct obj_extern *x = bpfrt_obj_extern_by_sym(obj, r->sym);
            if (x && x->btf_var && !x->kconfig) /* declared __ksym: a kernel function */
                return bpfrt_obj_fail(b->e, -BPFRT_ENOTSUPP, "section %s, instruction %u: kfunc %s is not provided (kernel functions exist only in a kernel)",
                                      sec_name(obj, o.sec), o.idx, y->name);
            return bpfrt_obj_fail(b->e, -BPFRT_ENOTSUPP, "section %s, instruction %u: call to %s, which nothing defines "
                                  "(clang emits such calls for a memset/memcpy it could not inline; Linux's loaders refuse them too)",
                                  sec_name(obj, o.sec), o.idx, y->name);
        }
        if (r->type != R_BPF_64_32)
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: relocation type %u against %s is not supported on a call",
                            sec_name(obj, o.sec), o.idx, r->type, y->name);
        if (insn.src_reg != BPF_PSEUDO_CALL)
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: relocated call to %s is not a bpf-to-bpf call",
                            sec_name(obj, o.sec), o.idx, y->name);
        if (y->value % 8)
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: call target %s is misaligned",
                            sec_name(obj, o.sec), o.idx, y->name);
        sec = y->shndx;
        target = (int64_t)(y->value / 8) + insn.imm + 1;
    } else {
        target = (int64_t)o.idx + insn.imm + 1;
    }
    int32_t rel;
    int rc = link_target(b, i, sec, target, &rel);
    if (rc)
        return rc;
    b->out[i].imm = rel;
    return 0;
}

static int build_insns(struct builder *b)
{
    struct bpfrt_object *obj = b->obj;
    for (uint32_t i = 0; i < b->cnt; i++) {
        const struct obj_insn_origin o = b->org[i];
        int32_t ri = obj->relo_at && obj->relo_at[o.sec] ? obj->relo_at[o.sec][o.idx] : -1;
        const struct elf_rel *r = ri >= 0 ? &obj->rels[o.sec][ri] : NULL;
        struct bpf_insn insn = b->out[i];
        int rc = 0;
        if (insn.code == LD_IMM64) {
            if (i + 1 >= b->cnt || b->org[i + 1].sec != o.sec || b->org[i + 1].idx != o.idx + 1)
                return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: ld_imm64 is cut off at the end of its function",
                                sec_name(obj, o.sec), o.idx);
            if (r)
                rc = reloc_ld_imm64(b, i, r);
            else if (insn.src_reg == BPF_PSEUDO_FUNC) {
                int32_t rel;
                rc = link_target(b, i, o.sec, (int64_t)o.idx + insn.imm + 1, &rel);
                if (!rc)
                    b->out[i].imm = rel;
            } else if (insn.src_reg != 0)
                rc = bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: ld_imm64 with src_reg %u but no relocation",
                              sec_name(obj, o.sec), o.idx, insn.src_reg);
            if (rc)
                return rc;
            i++;
            continue;
        }
        if (bpfrt_insn_is_call(&insn) && (r || insn.src_reg == BPF_PSEUDO_CALL)) {
            if ((rc = reloc_call(b, i, r)))
                return rc;
            continue;
        }
        if (bpfrt_insn_is_call(&insn) && insn.src_reg == BPF_PSEUDO_KFUNC_CALL)
            return bpfrt_obj_fail(b->e, -BPFRT_ENOTSUPP, "section %s, instruction %u: kfunc call without a relocation",
                            sec_name(obj, o.sec), o.idx);
        if (r) {
            const struct elf_sym *y = bpfrt_obj_sym(obj, r->sym);
            return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, "section %s, instruction %u: unsupported relocation (type %u) against symbol %s",
                            sec_name(obj, o.sec), o.idx, r->type, y->name);
        }
    }
    return 0;
}

static int rec_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Copies the BTF.ext records of every placed function, renumbered. */
static int map_ext_records(struct builder *b, const struct obj_ext_sec *secs, uint32_t nr_secs,
                           size_t out_rec, void **out, uint32_t *nr_out, const char *what)
{
    struct bpfrt_object *obj = b->obj;
    uint32_t n = 0, cap = 0;
    uint8_t *recs = NULL;
    for (uint32_t s = 0; s < nr_secs; s++) {
        for (uint32_t k = 0; k < secs[s].nr; k++) {
            uint32_t rec[4] = {0};
            memcpy(rec, secs[s].recs + (size_t)k * secs[s].rec_size, out_rec);
            if (rec[0] % 8) {
                free(recs);
                return bpfrt_obj_fail(b->e, -BPFRT_EINVAL, ".BTF.ext %s for section %s: insn_off %u is not a multiple of 8",
                                what, secs[s].sec_name, rec[0]);
            }
            uint32_t idx = rec[0] / 8;
            for (uint32_t fi = 0; fi < obj->nr_funcs; fi++) {
                const struct obj_func *f = &obj->funcs[fi];
                if (b->placed[fi] < 0 || idx < f->start || idx >= f->start + f->len ||
                    strcmp(obj->elf.secs[f->sec].name, secs[s].sec_name) != 0)
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 32;
                    uint8_t *nr = realloc(recs, cap * out_rec);
                    if (!nr) {
                        free(recs);
                        return -BPFRT_ENOMEM;
                    }
                    recs = nr;
                }
                rec[0] = (uint32_t)b->placed[fi] + (idx - f->start);
                memcpy(recs + (size_t)n * out_rec, rec, out_rec);
                n++;
            }
        }
    }
    if (n)
        qsort(recs, n, out_rec, rec_cmp);
    /* Linux wants strictly increasing insn_off */
    uint32_t w = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t off;
        memcpy(&off, recs + (size_t)k * out_rec, 4);
        if (w) {
            uint32_t prev;
            memcpy(&prev, recs + (size_t)(w - 1) * out_rec, 4);
            if (prev == off)
                continue;
        }
        memmove(recs + (size_t)w * out_rec, recs + (size_t)k * out_rec, out_rec);
        w++;
    }
    *out = recs;
    *nr_out = w;
    return 0;
}

static int relocate_prog(struct bpfrt_object *obj, struct bpfrt_object_prog *p, struct obj_err *e)
{
    bpfrt_obj_prog_reset_reloc(p);
    struct builder b = {.obj = obj, .p = p, .e = e};
    b.placed = malloc((obj->nr_funcs ? obj->nr_funcs : 1) * sizeof(*b.placed));
    if (!b.placed)
        return -BPFRT_ENOMEM;
    for (uint32_t i = 0; i < obj->nr_funcs; i++)
        b.placed[i] = -1;
    int fi = find_func(obj, p->sec, p->start);
    int rc = fi < 0 ? bpfrt_obj_fail(e, -BPFRT_EINVAL, "program %s: no function at its start", p->name)
                    : append_func(&b, fi);
    if (!rc)
        rc = build_insns(&b);
    if (!rc && obj->btf) {
        void *fi_recs = NULL, *li_recs = NULL;
        uint32_t nfi = 0, nli = 0;
        rc = map_ext_records(&b, obj->func_secs, obj->nr_func_secs, sizeof(struct bpf_func_info),
                             &fi_recs, &nfi, "func_info");
        if (!rc)
            rc = map_ext_records(&b, obj->line_secs, obj->nr_line_secs, sizeof(struct bpf_line_info),
                                 &li_recs, &nli, "line_info");
        uint32_t placed_funcs = 0;
        for (uint32_t i = 0; i < obj->nr_funcs; i++)
            placed_funcs += b.placed[i] >= 0;
        if (!rc && nfi && nfi != placed_funcs) {
            bpfrt_obj_note(obj, "program %s: func_info does not cover every function; debug info not passed to the verifier",
                     p->name);
            free(fi_recs);
            free(li_recs);
            fi_recs = li_recs = NULL;
            nfi = nli = 0;
        }
        p->func_info = fi_recs;
        p->nr_func_info = nfi;
        p->line_info = li_recs;
        p->nr_line_info = nli;
    }
    free(b.placed);
    if (rc) {
        free(b.out);
        free(b.org);
        bpfrt_obj_prog_reset_reloc(p);
        return rc;
    }
    p->insns = b.out;
    p->origin = b.org;
    p->insn_cnt = b.cnt;
    return 0;
}

int bpfrt_obj_relocate_prog(struct bpfrt_object *obj, struct bpfrt_object_prog *p, struct obj_err *e)
{
    /* CO-RE patches the section copies once; every program sees them. */
    int rc = bpfrt_obj_core_relocate(obj, NULL, e);
    return rc ? rc : relocate_prog(obj, p, e);
}

int bpfrt_obj_relocate(struct bpfrt_object *obj, struct obj_err *e)
{
    int first = bpfrt_obj_core_relocate(obj, NULL, e);
    if (first)
        return first;
    for (uint32_t i = 0; i < obj->nr_progs; i++) {
        struct bpfrt_object_prog *p = &obj->progs[i];
        char cause[768] = "";
        struct obj_err pe = {cause, sizeof(cause)};
        free(p->error);
        p->error = NULL;
        p->error_code = relocate_prog(obj, p, &pe);
        if (!p->error_code)
            continue;
        p->error = bpfrt_obj_strdup(cause);
        if (!first)
            first = bpfrt_obj_fail(e, p->error_code, "program %s (section %s): %s", p->name, p->sec_name, cause);
    }
    return first;
}

int bpfrt_object_relocate(struct bpfrt_object *obj, char *err, size_t err_size)
{
    struct obj_err e = {err, err_size};
    if (obj->loaded)
        return 0;
    return bpfrt_obj_relocate(obj, &e);
}
