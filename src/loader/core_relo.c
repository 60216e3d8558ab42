/* CO-RE relocations (BTF.ext core_relo records): field offsets, sizes,
 * existence and signedness, type ids/sizes/existence and enum values,
 * resolved against the target BTF (core_target.c: the caller's, else the
 * running kernel's /sys/kernel/btf/vmlinux) by matching names the way
 * libbpf does ("task_struct___v2" matches "task_struct"). Without a target
 * the object's own BTF is the target, so field relocations keep their
 * compiled values (the loader notes that). A relocation that cannot be
 * satisfied poisons its instruction (an invalid helper call, as libbpf
 * does) so the program fails only if it reaches it: in Linux when the
 * verifier finds it reachable, in bpfrt when a run reaches it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/prog.h"
#include "loader/loader.h"

#define CORE_POISON_HELPER 0xbad2310
#define MAX_SPEC 64

/* Name without a ___flavor suffix. */
static size_t essential_len(const char *name)
{
    const char *f = strstr(name, "___");
    return f ? (size_t)(f - name) : strlen(name);
}

static bool names_match(const char *a, const char *b)
{
    size_t la = essential_len(a), lb = essential_len(b);
    return la == lb && strncmp(a, b, la) == 0;
}

struct field_res {
    bool found;
    uint64_t bit_off;
    uint32_t byte_size, bit_size;
    bool is_signed, bitfield;
    uint32_t type_id;
};

/* Finds member `name` in struct/union t (looking through anonymous members). */
static bool find_member(const struct bpfrt_btf *btf, uint32_t tid, const char *name, int depth,
                        uint64_t *bit_off, uint32_t *mtype, uint32_t *bits)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, tid));
    if (!t || depth > 16 || (btf_kind(t) != BTF_KIND_STRUCT && btf_kind(t) != BTF_KIND_UNION))
        return false;
    for (uint32_t i = 0; i < btf_vlen(t); i++) {
        const struct btf_member *m = &btf_members(t)[i];
        const char *mn = bpfrt_btf_str(btf, m->name_off);
        if (mn && *mn) {
            if (names_match(mn, name)) {
                *bit_off += btf_member_bit_offset(t, i);
                *mtype = m->type;
                *bits = btf_member_bitfield_size(t, i);
                return true;
            }
            continue;
        }
        uint64_t sub = *bit_off + btf_member_bit_offset(t, i);
        if (find_member(btf, m->type, name, depth + 1, &sub, mtype, bits)) {
            *bit_off = sub;
            return true;
        }
    }
    return false;
}

/* Walks spec (access indices) over the local type and the same path by
 * names over a target type. */
static bool resolve_field(const struct bpfrt_btf *lbtf, uint32_t lroot, const uint32_t *spec,
                          int nspec, const struct bpfrt_btf *tbtf, uint32_t troot,
                          struct field_res *res)
{
    uint32_t lt = lroot, tt = troot, bits = 0;
    long tsize = bpfrt_btf_type_size(tbtf, troot);
    if (tsize < 0)
        return false;
    uint64_t off = (uint64_t)spec[0] * (uint64_t)tsize * 8;
    for (int k = 1; k < nspec; k++) {
        const struct btf_type *l = bpfrt_btf_type_by_id(lbtf, bpfrt_btf_skip_mods(lbtf, lt));
        const struct btf_type *t = bpfrt_btf_type_by_id(tbtf, bpfrt_btf_skip_mods(tbtf, tt));
        if (!l || !t)
            return false;
        if (btf_kind(l) == BTF_KIND_STRUCT || btf_kind(l) == BTF_KIND_UNION) {
            if (spec[k] >= btf_vlen(l))
                return false;
            const char *mn = bpfrt_btf_str(lbtf, btf_members(l)[spec[k]].name_off);
            uint32_t lm = btf_members(l)[spec[k]].type;
            if ((!mn || !*mn) && k + 1 < nspec) {
                /* an anonymous struct/union on the way: libbpf matches by
                 * names only, and the next named member is searched for
                 * through the target's anonymous members wherever they sit
                 * (the kernel's sock_common nests skc_daddr one union
                 * deeper than a local copy may) */
            } else if (!mn || !*mn) {
                /* the anonymous member itself is accessed: by position */
                if (btf_kind(t) != btf_kind(l) || spec[k] >= btf_vlen(t))
                    return false;
                off += btf_member_bit_offset(t, spec[k]);
                tt = btf_members(t)[spec[k]].type;
                bits = btf_member_bitfield_size(t, spec[k]);
            } else if (!find_member(tbtf, tt, mn, 0, &off, &tt, &bits)) {
                return false;
            }
            lt = lm;
        } else if (btf_kind(l) == BTF_KIND_ARRAY) {
            if (btf_kind(t) != BTF_KIND_ARRAY)
                return false;
            const struct btf_array *ta = btf_type_extra(t);
            if (spec[k] >= ta->nelems && ta->nelems > 1)
                return false;
            long es = bpfrt_btf_type_size(tbtf, ta->type);
            if (es < 0)
                return false;
            off += (uint64_t)spec[k] * (uint64_t)es * 8;
            lt = ((const struct btf_array *)btf_type_extra(l))->type;
            tt = ta->type;
            bits = 0;
        } else {
            return false;
        }
    }
    const struct btf_type *ft = bpfrt_btf_type_by_id(tbtf, bpfrt_btf_skip_mods(tbtf, tt));
    long fsize = bpfrt_btf_type_size(tbtf, tt);
    if (!ft || fsize < 0)
        return false;
    res->found = true;
    res->bit_off = off;
    res->byte_size = (uint32_t)fsize;
    res->bitfield = bits != 0;
    res->bit_size = bits ? bits : (uint32_t)fsize * 8;
    res->is_signed = (btf_kind(ft) == BTF_KIND_INT &&
                      (BTF_INT_ENCODING(*(const uint32_t *)btf_type_extra(ft)) & BTF_INT_SIGNED)) ||
                     (btf_kind(ft) == BTF_KIND_ENUM && btf_kflag(ft));
    res->type_id = tt;
    return true;
}

static int parse_spec(const char *s, uint32_t *spec)
{
    int n = 0;
    while (*s && n < MAX_SPEC) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > UINT32_MAX)
            return -1;
        spec[n++] = (uint32_t)v;
        if (*end == ':')
            end++;
        else if (*end)
            return -1;
        s = end;
    }
    return *s ? -1 : n;
}

/* The target type a local type stands for: itself when the object is its
 * own target, else the first target type of the same essential name and a
 * compatible kind (libbpf's candidate search). */
static uint32_t find_target(const struct bpfrt_object *obj, const struct bpfrt_btf *lbtf, uint32_t lid,
                            const struct bpfrt_btf *tbtf)
{
    uint32_t l = bpfrt_btf_skip_mods(lbtf, lid);
    const struct btf_type *lt = bpfrt_btf_type_by_id(lbtf, l);
    if (!lt)
        return 0;
    if (lbtf == tbtf)
        return l;
    const char *name = bpfrt_btf_name(lbtf, l);
    return *name ? bpfrt_obj_core_candidate(obj, name, btf_kind(lt)) : 0;
}

static bool enum_value(const struct bpfrt_btf *btf, uint32_t id, const char *name, uint32_t idx,
                       bool by_name, uint64_t *val, const char **lname)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, id));
    if (!t || (btf_kind(t) != BTF_KIND_ENUM && btf_kind(t) != BTF_KIND_ENUM64))
        return false;
    for (uint32_t i = 0; i < btf_vlen(t); i++) {
        uint32_t noff;
        uint64_t v;
        if (btf_kind(t) == BTF_KIND_ENUM) {
            const struct btf_enum *e = &((const struct btf_enum *)btf_type_extra(t))[i];
            noff = e->name_off;
            v = (uint64_t)(int64_t)e->val;
        } else {
            const struct btf_enum64 *e = &((const struct btf_enum64 *)btf_type_extra(t))[i];
            noff = e->name_off;
            v = (uint64_t)e->val_hi32 << 32 | e->val_lo32;
        }
        const char *n = bpfrt_btf_str(btf, noff);
        if ((by_name && n && names_match(n, name)) || (!by_name && i == idx)) {
            *val = v;
            if (lname)
                *lname = n;
            return true;
        }
    }
    return false;
}

/* Computes the relocated value; false when the target lacks what the
 * relocation needs. */
static bool core_value(const struct bpfrt_object *obj, const struct bpfrt_btf *lbtf, const struct bpfrt_btf *tbtf,
                       const struct bpf_core_relo *r, const uint32_t *spec, int nspec, uint64_t *val)
{
    uint32_t troot = find_target(obj, lbtf, r->type_id, tbtf);
    switch (r->kind) {
    case BPF_CORE_TYPE_ID_LOCAL:
        *val = r->type_id;
        return true;
    case BPF_CORE_TYPE_ID_TARGET:
        *val = troot;
        return troot != 0;
    case BPF_CORE_TYPE_EXISTS:
    case BPF_CORE_TYPE_MATCHES:
        *val = troot != 0;
        return true;
    case BPF_CORE_TYPE_SIZE: {
        long sz = troot ? bpfrt_btf_type_size(tbtf, troot) : -1;
        *val = sz < 0 ? 0 : (uint64_t)sz;
        return sz >= 0;
    }
    case BPF_CORE_ENUMVAL_EXISTS:
    case BPF_CORE_ENUMVAL_VALUE: {
        const char *lname = NULL;
        uint64_t lv;
        if (nspec < 1 || !enum_value(lbtf, r->type_id, NULL, spec[0], false, &lv, &lname))
            return false;
        uint64_t tv;
        bool ok = troot && enum_value(tbtf, troot, lname, 0, true, &tv, NULL);
        if (r->kind == BPF_CORE_ENUMVAL_EXISTS) {
            *val = ok;
            return true;
        }
        *val = tv;
        return ok;
    }
    default: {
        struct field_res f = {0};
        bool ok = troot && nspec >= 1 &&
                  resolve_field(lbtf, r->type_id, spec, nspec, tbtf, troot, &f);
        switch (r->kind) {
        case BPF_CORE_FIELD_EXISTS:
            *val = ok;
            return true;
        case BPF_CORE_FIELD_BYTE_OFFSET:
            *val = f.bitfield ? (f.bit_off / 8) & ~(uint64_t)(f.byte_size - 1) : f.bit_off / 8;
            return ok;
        case BPF_CORE_FIELD_BYTE_SIZE:
            *val = f.byte_size;
            return ok;
        case BPF_CORE_FIELD_SIGNED:
            *val = f.is_signed;
            return ok;
        case BPF_CORE_FIELD_LSHIFT_U64: {
            uint64_t in_word = f.bit_off - ((f.bit_off / 8) & ~(uint64_t)(f.byte_size - 1)) * 8;
            *val = 64 - (in_word + f.bit_size);
            return ok;
        }
        case BPF_CORE_FIELD_RSHIFT_U64:
            *val = 64 - f.bit_size;
            return ok;
        default:
            return false;
        }
    }
    }
}

static void patch_insn(struct bpf_insn *insns, uint32_t idx, uint32_t cnt, uint32_t kind, uint64_t v,
                       bool ok)
{
    struct bpf_insn *in = &insns[idx];
    if (!ok) {
        /* an ld_imm64's second half becomes a no-op jump so the code stays valid */
        if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && idx + 1 < cnt) {
            in[1].code = BPF_JMP | BPF_JA;
            in[1].dst_reg = in[1].src_reg = 0;
            in[1].off = 0;
            in[1].imm = 0;
        }
        in->code = BPF_JMP | BPF_CALL;
        in->dst_reg = in->src_reg = 0;
        in->off = 0;
        in->imm = CORE_POISON_HELPER;
        return;
    }
    uint8_t cls = BPF_CLASS(in->code);
    if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && idx + 1 < cnt) {
        in[0].imm = (int32_t)(uint32_t)v;
        in[1].imm = (int32_t)(uint32_t)(v >> 32);
    } else if (cls == BPF_ALU || cls == BPF_ALU64) {
        if (BPF_SRC(in->code) == BPF_K)
            in->imm = (int32_t)v;
    } else if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) {
        if (kind == BPF_CORE_FIELD_BYTE_OFFSET)
            in->off = (int16_t)v;
    }
}

/* The poison as this runtime runs it: Linux's verifier refuses a poisoned
 * instruction it can reach and drops a dead one; bpfrt, which does not
 * prove reachability at load, registers the poison id as a helper that
 * stops the run when (and only when) it is reached. */
static uint64_t core_unresolved(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                struct bpfrt_run *run)
{
    (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
    bpfrt_run_fail(run, BPFRT_RUN_ABORTED, 0,
                   "reached an instruction whose CO-RE relocation has no match in the target BTF");
    return 0;
}

static int register_poison(struct bpfrt_object *obj)
{
    if (obj->opts.bpf_fn || bpfrt_helper_find(obj->rt, CORE_POISON_HELPER))
        return 0;
    struct bpfrt_helper_proto p = {.id = CORE_POISON_HELPER, .name = "bpfrt_core_unresolved",
                                   .fn = core_unresolved, .ret_type = RET_INTEGER,
                                   .prog_types = BPFRT_ALL_PROG_TYPES};
    return bpfrt_helper_register(obj->rt, &p);
}

static void describe(const struct bpfrt_btf *btf, const struct bpf_core_relo *r, const char *acc, char *out,
                     size_t size)
{
    static const char *const kinds[] = {"field offset", "field size", "field exists", "field signedness",
                                        "field lshift", "field rshift", "local type id", "target type id",
                                        "type exists", "type size", "enum value exists", "enum value",
                                        "type matches"};
    const char *tn = bpfrt_btf_name(btf, bpfrt_btf_skip_mods(btf, r->type_id));
    snprintf(out, size, "%s of %s (access %s)", r->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[r->kind] : "?",
             *tn ? tn : "an anonymous type", acc);
}

int bpfrt_obj_core_relocate(struct bpfrt_object *obj, struct bpfrt_object_prog *unused, struct obj_err *e)
{
    (void)unused;
    if (obj->core_done || !obj->nr_core_secs || !obj->btf)
        return 0;
    const struct bpfrt_btf *target = bpfrt_obj_core_target(obj);
    const struct bpfrt_btf *tbtf = target ? target : obj->btf;
    uint32_t nfield = 0, unresolved = 0;
    char first[256] = "";
    for (uint32_t s = 0; s < obj->nr_core_secs; s++) {
        const struct obj_ext_sec *cs = &obj->core_secs[s];
        const struct elf_sec *sec = bpfrt_elf_find_sec(&obj->elf, cs->sec_name);
        if (!sec || !bpfrt_obj_sec_is_prog(obj, sec->index))
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, "CO-RE relocations for section %s, which is not a program section",
                            cs->sec_name);
        struct bpf_insn *insns = obj->sec_insns[sec->index];
        uint32_t cnt = (uint32_t)(sec->size / 8);
        for (uint32_t k = 0; k < cs->nr; k++) {
            struct bpf_core_relo r;
            memcpy(&r, cs->recs + (size_t)k * cs->rec_size, sizeof(r));
            const char *acc = bpfrt_btf_str(obj->btf, r.access_str_off);
            if (r.insn_off % 8 || r.insn_off / 8 >= cnt || !acc ||
                !bpfrt_btf_type_by_id(obj->btf, r.type_id) || r.kind > BPF_CORE_TYPE_MATCHES)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: CO-RE relocation %u is malformed (insn_off %u, type %u, kind %u)",
                                cs->sec_name, k, r.insn_off, r.type_id, r.kind);
            uint32_t spec[MAX_SPEC];
            int nspec = parse_spec(acc, spec);
            if (nspec < 0)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "section %s: CO-RE relocation %u: bad access string '%s'",
                                cs->sec_name, k, acc);
            if (r.kind <= BPF_CORE_FIELD_RSHIFT_U64)
                nfield++;
            uint64_t v = 0;
            bool ok = core_value(obj, obj->btf, tbtf, &r, spec, nspec, &v);
            patch_insn(insns, r.insn_off / 8, cnt, r.kind, v, ok);
            if (!ok && unresolved++ == 0) {
                char what[200];
                describe(obj->btf, &r, acc, what, sizeof(what));
                snprintf(first, sizeof(first), "section %s, instruction %u: %s", cs->sec_name, r.insn_off / 8, what);
            }
        }
    }
    if (!target && nfield)
        bpfrt_obj_note(obj, "%u CO-RE field relocation(s) kept their compiled values: no target BTF "
                       "(/sys/kernel/btf/vmlinux unreadable or not wanted; --btf FILE)", nfield);
    if (unresolved) {
        bpfrt_obj_note(obj, "%u CO-RE relocation(s) have no match in the target BTF (first: %s); their "
                       "instructions fail if reached", unresolved, first);
        int rc = register_poison(obj);
        if (rc)
            return bpfrt_obj_fail(e, rc, "registering the CO-RE poison helper failed");
    }
    obj->core_done = true;
    return 0;
}
