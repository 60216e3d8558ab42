/* PROG_LOAD: Linux's attribute checks, the verifier log, debug info
 * (prog_btf_fd, func_info, line_info), map references in ld_imm64
 * (resolved to map pointers or value addresses, the maps referenced held by
 * the program), the verifier (src/core/verifier/, in Linux 6.18's bpf_check
 * order), then the program object.
 *
 * BPFRT_LOG_JSON in log_level gives the log as a JSON document
 * (src/core/verifier/log_json.c); BPFRT_PROG_F_UNPRIV verifies as for an
 * unprivileged loader (src/core/verifier/unpriv.c).
 * With BPFRT_PROG_F_NO_VERIFY a program is only validated structurally
 * (bpfrt_isa_validate) and by the helper checks here, and runs in the
 * engines' checked mode. */
#include "bpfrt/asm.h"
#include "bpfrt/diag.h"
#include "core/isa/isa.h"
#include "core/prog/prog.h"
#include "bpfrt/btf.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "core/bpf/cmd.h"
#include "core/lib/vlog.h"
#include "core/prog/prog_types.h"
#include "core/verifier/verify.h"

#define MAX_USED_MAPS 64
#define MAX_VAR_OFF (1u << 29)
#define LICENSE_MAX 128
#define MAX_FUNCINFO_REC_SIZE 252
#define MAX_SUBPROGS 256
#define JSON_TEXT_LOG (64 * 1024) /* the text log inside a JSON log: its tail is kept */

#define KNOWN_PROG_FLAGS                                                                       \
    (BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_RND_HI32 | BPF_F_TEST_STATE_FREQ | \
     BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS | BPF_F_XDP_DEV_BOUND_ONLY | BPF_F_TEST_REG_INVARIANTS | \
     BPFRT_PROG_F_ENGINE_MASK | BPFRT_PROG_F_NO_VERIFY | BPFRT_PROG_F_UNPRIV)

/* Everything one load collects before the program object exists. */
struct load {
    struct bpfrt_cmd *c;
    struct bpfrt_runtime *rt;
    const union bpf_attr *attr;
    struct bpfrt_vlog log;
    struct bpf_insn *insns; /* working copy, rewritten in place */
    uint32_t cnt;
    bool gpl;
    struct bpfrt_map *maps[MAX_USED_MAPS];
    uint32_t nr_maps;
    struct bpfrt_btf *btf;
    struct bpf_func_info *func_info;
    uint32_t nr_func_info;
    struct bpf_line_info *line_info;
    uint32_t nr_line_info;
    uint32_t subprogs[MAX_SUBPROGS]; /* start index of each subprogram, sorted */
    uint32_t nr_subprogs;
    struct venv *venv;               /* the verifier, NULL with BPFRT_PROG_F_NO_VERIFY */
    struct bpfrt_verify_args vargs;
    struct bpfrt_verify_result vres;
    struct bpfrt_ctx_desc *btf_ctx; /* BTF-typed tracing: the program's own context */
    struct bpfrt_btf *attach_btf;   /* and the BTF of its target (a reference) */
};

static const char *const gpl_licenses[] = {
    "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
};

static bool license_is_gpl_compatible(const char *license)
{
    for (size_t i = 0; i < sizeof(gpl_licenses) / sizeof(gpl_licenses[0]); i++)
        if (bpfrt_strcmp(license, gpl_licenses[i]) == 0)
            return true;
    return false;
}

/* Adds a map to the program's set (one reference per distinct map). */
static int use_map(struct load *ld, struct bpfrt_map *map)
{
    for (uint32_t i = 0; i < ld->nr_maps; i++) {
        if (ld->maps[i] == map) {
            bpfrt_map_put(map);
            return 0;
        }
    }
    if (ld->nr_maps >= MAX_USED_MAPS) {
        bpfrt_map_put(map);
        bpfrt_vlog_printf(&ld->log, "The total number of maps per program has reached the limit of %u\n",
                          MAX_USED_MAPS);
        return -BPFRT_E2BIG;
    }
    ld->maps[ld->nr_maps++] = map;
    return 0;
}

/* fd_array with fd_array_cnt: every map in it is bound to the program. */
static int process_fd_array(struct load *ld)
{
    const union bpf_attr *a = ld->attr;
    if (!a->fd_array_cnt)
        return 0;
    if (!a->fd_array)
        return -BPFRT_EINVAL;
    const int32_t *fds = u64_to_ptr(a->fd_array);
    for (uint32_t i = 0; i < a->fd_array_cnt; i++) {
        void *obj;
        enum bpfrt_obj_kind kind = bpfrt_objtab_get_any(ld->rt, fds[i], &obj);
        if (kind == BPFRT_OBJ_MAP) {
            int err = use_map(ld, obj);
            if (err)
                return err;
            continue;
        }
        if (kind != BPFRT_OBJ_NONE)
            bpfrt_obj_put(kind, obj);
        if (kind == BPFRT_OBJ_BTF)
            continue;
        bpfrt_vlog_printf(&ld->log, "fd %d is not pointing to valid bpf_map or btf\n", fds[i]);
        return kind == BPFRT_OBJ_NONE ? -BPFRT_EBADF : -BPFRT_EINVAL;
    }
    return 0;
}

/* The map an ld_imm64 names, with a reference. */
static int ldimm64_map(struct load *ld, const struct bpf_insn *insn, struct bpfrt_map **out)
{
    const union bpf_attr *a = ld->attr;
    int32_t fd = insn->imm;
    bool by_idx = insn->src_reg == BPF_PSEUDO_MAP_IDX || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE;
    if (by_idx) {
        if (!a->fd_array) {
            bpfrt_vlog_printf(&ld->log, "fd_idx without fd_array is invalid\n");
            return -BPFRT_EPROTO;
        }
        if (insn->imm < 0 || (a->fd_array_cnt && (uint32_t)insn->imm >= a->fd_array_cnt)) {
            bpfrt_vlog_printf(&ld->log, "fd_idx %d is out of fd_array bounds\n", insn->imm);
            return -BPFRT_EINVAL;
        }
        fd = ((const int32_t *)u64_to_ptr(a->fd_array))[insn->imm];
    }
    int err = bpfrt_objtab_get(ld->rt, fd, BPFRT_OBJ_MAP, (void **)out);
    if (err) {
        if (by_idx && a->fd_array_cnt)
            bpfrt_vlog_printf(&ld->log, "fd %d is not pointing to valid bpf_map or btf\n", fd);
        else
            bpfrt_vlog_printf(&ld->log, "fd %d is not pointing to valid bpf_map\n", fd);
    }
    return err;
}

/* Linux's resolve_pseudo_ldimm64: map fd/idx -> map pointer, map value ->
 * value address (+ offset from the second imm). */
static int resolve_ldimm64(struct load *ld)
{
    for (uint32_t i = 0; i < ld->cnt; i++) {
        struct bpf_insn *insn = &ld->insns[i];
        if (!bpfrt_insn_is_lddw(insn)) {
            /* Linux checks each instruction's opcode in this same loop */
            int err = ld->venv ? bpfrt_verify_check_opcode(ld->venv, i) : 0;
            if (err)
                return err;
            continue;
        }
        if (i + 1 >= ld->cnt || insn[1].code || insn[1].dst_reg || insn[1].src_reg || insn[1].off) {
            bpfrt_vlog_printf(&ld->log, "invalid bpf_ld_imm64 insn\n");
            return -BPFRT_EINVAL;
        }
        uint8_t src = insn->src_reg;
        if (src == 0 || src == BPF_PSEUDO_FUNC) {
            i++;
            continue;
        }
        if (src == BPF_PSEUDO_BTF_ID) {
            bpfrt_vlog_printf(&ld->log, "kernel is missing BTF, make sure CONFIG_DEBUG_INFO_BTF=y "
                                        "is specified in Kconfig.\n");
            return -BPFRT_EINVAL;
        }
        bool value = src == BPF_PSEUDO_MAP_VALUE || src == BPF_PSEUDO_MAP_IDX_VALUE;
        if ((src != BPF_PSEUDO_MAP_FD && src != BPF_PSEUDO_MAP_IDX && !value) ||
            (!value && insn[1].imm != 0)) {
            bpfrt_vlog_printf(&ld->log, "unrecognized bpf_ld_imm64 insn\n");
            return -BPFRT_EINVAL;
        }
        struct bpfrt_map *map;
        int err = ldimm64_map(ld, insn, &map);
        if (err)
            return err;
        err = ld->venv ? bpfrt_verify_check_map(ld->venv, map) : 0;
        if (err) {
            bpfrt_map_put(map);
            return err;
        }
        uint64_t addr = (uint64_t)(uintptr_t)map;
        uint32_t value_off = value ? (uint32_t)insn[1].imm : 0;
        if (value) {
            uint32_t off = (uint32_t)insn[1].imm;
            if (off >= MAX_VAR_OFF) {
                bpfrt_vlog_printf(&ld->log, "direct value offset of %u is not allowed\n", off);
                err = -BPFRT_EINVAL;
            } else if (map->map_type != BPF_MAP_TYPE_ARRAY) {
                bpfrt_vlog_printf(&ld->log, "no direct value access support for this map type\n");
                err = -BPFRT_EINVAL;
            } else {
                /* the map gives the value's base (checking off), as Linux's
                 * map_direct_value_addr; the offset is added here */
                err = bpfrt_map_direct_value_addr(map, off, &addr);
                addr += off;
                if (err)
                    bpfrt_vlog_printf(&ld->log,
                                      "invalid access to map value pointer, value_size=%u off=%u\n",
                                      map->value_size, off);
            }
        }
        if (err) {
            bpfrt_map_put(map);
            return err;
        }
        insn[0].imm = (int32_t)(uint32_t)addr;
        insn[1].imm = (int32_t)(uint32_t)(addr >> 32);
        if (ld->venv)
            bpfrt_verify_set_ldimm(ld->venv, i, map, value_off);
        err = use_map(ld, map);
        if (err)
            return err;
        i++;
    }
    return 0;
}

/* Subprogram starts: the entry, every bpf-to-bpf call target and every
 * BPF_PSEUDO_FUNC target (insns are structurally valid here). */
static int find_subprogs(struct load *ld)
{
    ld->subprogs[0] = 0;
    ld->nr_subprogs = 1;
    for (uint32_t i = 0; i < ld->cnt; i++) {
        const struct bpf_insn *insn = &ld->insns[i];
        bool call = bpfrt_insn_is_call(insn) && insn->src_reg == BPF_PSEUDO_CALL;
        bool func = bpfrt_insn_is_lddw(insn) && insn->src_reg == BPF_PSEUDO_FUNC;
        if (!call && !func)
            continue;
        int64_t target = (int64_t)i + insn->imm + 1;
        if (target < 0 || target >= ld->cnt)
            continue; /* the structural check reports it */
        uint32_t t = (uint32_t)target, pos = ld->nr_subprogs;
        bool dup = false;
        for (uint32_t k = 0; k < ld->nr_subprogs; k++)
            dup |= ld->subprogs[k] == t;
        if (dup)
            continue;
        if (ld->nr_subprogs >= MAX_SUBPROGS) {
            bpfrt_vlog_printf(&ld->log, "too many subprograms\n");
            return -BPFRT_E2BIG;
        }
        while (pos > 0 && ld->subprogs[pos - 1] > t) {
            ld->subprogs[pos] = ld->subprogs[pos - 1];
            pos--;
        }
        ld->subprogs[pos] = t;
        ld->nr_subprogs++;
    }
    return 0;
}

/* Helper calls: known id, allowed for the program type, GPL rule. */
static int check_helper_calls(struct load *ld)
{
    uint32_t type = ld->attr->prog_type;
    for (uint32_t i = 0; i < ld->cnt; i++) {
        const struct bpf_insn *insn = &ld->insns[i];
        if (bpfrt_insn_is_lddw(insn)) {
            i++;
            continue;
        }
        if (!bpfrt_insn_is_call(insn))
            continue;
        if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
            bpfrt_vlog_printf(&ld->log, "calling kernel function is not supported without "
                                        "CONFIG_DEBUG_INFO_BTF\n");
            return -BPFRT_ENOTSUPP;
        }
        if (insn->src_reg != 0)
            continue;
        const struct bpfrt_helper_proto *h;
        char why[128];
        int err = bpfrt_helper_allowed(ld->rt, (uint32_t)insn->imm, type, ld->gpl, &h, why, sizeof(why));
        if (err) {
            bpfrt_vlog_printf(&ld->log, "%s\n", why);
            return err;
        }
    }
    return 0;
}

/* Copies user records of rec_size bytes (>= the kernel struct) into an
 * array of `elem` bytes each. */
static void *copy_records(struct load *ld, uint64_t uptr, uint32_t cnt, uint32_t rec_size, size_t elem)
{
    size_t bytes;
    if (bpfrt_mul_overflow(cnt, elem, &bytes))
        return NULL;
    uint8_t *dst = bpfrt_zalloc(ld->rt, bytes);
    if (!dst)
        return NULL;
    const uint8_t *src = u64_to_ptr(uptr);
    for (uint32_t i = 0; i < cnt; i++)
        bpfrt_memcpy(dst + i * elem, src + (size_t)i * rec_size, elem);
    return dst;
}

/* Linux's check_btf_info: func_info and line_info need prog_btf_fd, valid
 * record sizes, increasing offsets inside the program, FUNC types, and one
 * func_info per subprogram. */
static int check_btf_info(struct load *ld)
{
    const union bpf_attr *a = ld->attr;
    if (!a->func_info_cnt && !a->line_info_cnt)
        return 0;
    if (!a->prog_btf_fd)
        return -BPFRT_EINVAL; /* debug info without BTF */
    int err = bpfrt_objtab_get(ld->rt, (int)a->prog_btf_fd, BPFRT_OBJ_BTF, (void **)&ld->btf);
    if (err)
        return err;
    if (a->func_info_cnt) {
        uint32_t rs = a->func_info_rec_size;
        if (rs < sizeof(struct bpf_func_info) || rs > MAX_FUNCINFO_REC_SIZE || rs % 4) {
            bpfrt_vlog_printf(&ld->log, "invalid func info rec size %u\n", rs);
            return -BPFRT_EINVAL;
        }
        if (a->func_info_cnt != ld->nr_subprogs) {
            bpfrt_vlog_printf(&ld->log, "number of funcs in func_info doesn't match number of subprogs\n");
            return -BPFRT_EINVAL;
        }
        if (!a->func_info)
            return -BPFRT_EFAULT;
        ld->func_info = copy_records(ld, a->func_info, a->func_info_cnt, rs, sizeof(struct bpf_func_info));
        if (!ld->func_info)
            return -BPFRT_ENOMEM;
        ld->nr_func_info = a->func_info_cnt;
        for (uint32_t i = 0; i < ld->nr_func_info; i++) {
            const struct bpf_func_info *fi = &ld->func_info[i];
            if (i == 0 && fi->insn_off) {
                bpfrt_vlog_printf(&ld->log, "nonzero insn_off %u for the first func info record\n",
                                  fi->insn_off);
                return -BPFRT_EINVAL;
            }
            if (i > 0 && fi->insn_off <= ld->func_info[i - 1].insn_off) {
                bpfrt_vlog_printf(&ld->log,
                                  "same or smaller insn offset (%u) than previous func info record (%u)",
                                  fi->insn_off, ld->func_info[i - 1].insn_off);
                return -BPFRT_EINVAL;
            }
            if (fi->insn_off != ld->subprogs[i]) {
                bpfrt_vlog_printf(&ld->log, "func_info BTF section doesn't match subprog layout in BPF program\n");
                return -BPFRT_EINVAL;
            }
            const struct btf_type *t = bpfrt_btf_type_by_id(ld->btf, fi->type_id);
            if (!t || btf_kind(t) != BTF_KIND_FUNC) {
                bpfrt_vlog_printf(&ld->log, "invalid type id %d\n", fi->type_id);
                return -BPFRT_EINVAL;
            }
        }
    }
    if (a->line_info_cnt) {
        uint32_t rs = a->line_info_rec_size;
        if (rs < sizeof(struct bpf_line_info) || rs > MAX_FUNCINFO_REC_SIZE || rs % 4) {
            bpfrt_vlog_printf(&ld->log, "invalid line info rec size %u\n", rs);
            return -BPFRT_EINVAL;
        }
        if (!a->line_info)
            return -BPFRT_EFAULT;
        if (a->line_info_cnt > ld->cnt) {
            /* offsets must increase inside the program: no more records than insns */
            bpfrt_vlog_printf(&ld->log, "Invalid line_info_cnt %u (prog->len:%u)\n", a->line_info_cnt, ld->cnt);
            return -BPFRT_EINVAL;
        }
        ld->line_info = copy_records(ld, a->line_info, a->line_info_cnt, rs, sizeof(struct bpf_line_info));
        if (!ld->line_info)
            return -BPFRT_ENOMEM;
        ld->nr_line_info = a->line_info_cnt;
        for (uint32_t i = 0; i < ld->nr_line_info; i++) {
            const struct bpf_line_info *li = &ld->line_info[i];
            uint32_t prev = i ? ld->line_info[i - 1].insn_off : 0;
            if ((i && li->insn_off <= prev) || li->insn_off >= ld->cnt) {
                bpfrt_vlog_printf(&ld->log, "Invalid line_info[%u].insn_off:%u (prev_offset:%u prog->len:%u)\n",
                                  i, li->insn_off, prev, ld->cnt);
                return -BPFRT_EINVAL;
            }
            if (!bpfrt_btf_str(ld->btf, li->line_off) || !bpfrt_btf_str(ld->btf, li->file_name_off)) {
                bpfrt_vlog_printf(&ld->log, "Invalid line_info[%u].line_off or .file_name_off\n", i);
                return -BPFRT_EINVAL;
            }
        }
    }
    return 0;
}

/* Linux's per-type load rules that do not need the verifier. */
static int check_type_rules(struct load *ld)
{
    const union bpf_attr *a = ld->attr;
    bool sleepable = a->prog_flags & BPF_F_SLEEPABLE;
    uint8_t may = bpfrt_prog_type_row(a->prog_type)->sleepable; /* a known type: it has a row */
    if (may == BPFRT_SLEEPABLE_MUST && !sleepable) {
        bpfrt_vlog_printf(&ld->log, "Syscall programs can only be sleepable\n");
        return -BPFRT_EINVAL;
    }
    if (sleepable && may == BPFRT_SLEEPABLE_NO) {
        bpfrt_vlog_printf(&ld->log, "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops "
                                    "programs can be sleepable\n");
        return -BPFRT_EINVAL;
    }
    return 0;
}

/* BTF-typed tracing and LSM (Linux's bpf_check_attach_target): the target
 * is attach_btf_id in the BTF of attach_btf_obj_fd, or in the runtime's
 * kernel BTF; its arguments become the program's context. */
static int resolve_attach_btf(struct load *ld)
{
    const union bpf_attr *a = ld->attr;
    if (!bpfrt_prog_type_row(a->prog_type)->btf_ctx)
        return 0;
    if (!a->attach_btf_id) {
        bpfrt_vlog_printf(&ld->log, "Tracing programs must provide btf_id\n");
        return -BPFRT_EINVAL;
    }
    struct bpfrt_btf *btf = NULL;
    if (a->attach_btf_obj_fd) {
        int err = bpfrt_objtab_get(ld->rt, (int)a->attach_btf_obj_fd, BPFRT_OBJ_BTF, (void **)&btf);
        if (err)
            return err;
    } else if (ld->rt->kernel_btf) {
        btf = ld->rt->kernel_btf;
        bpfrt_btf_get(btf);
    } else {
        bpfrt_vlog_printf(&ld->log, "attach_btf_id %u: this runtime has no kernel BTF to find it in "
                                    "(bpfrt_runtime_set_kernel_btf, --btf)\n", a->attach_btf_id);
        return -BPFRT_EINVAL;
    }
    char msg[160];
    int err = bpfrt_ctx_desc_btf(ld->rt, btf, a->prog_type, a->expected_attach_type, a->attach_btf_id, msg,
                                 sizeof(msg), &ld->btf_ctx);
    if (err) {
        bpfrt_vlog_printf(&ld->log, "%s\n", msg);
        bpfrt_btf_put(btf);
    } else {
        ld->attach_btf = btf; /* the verifier types the arguments' pointers by it */
    }
    return err;
}

static void load_cleanup(struct load *ld)
{
    bpfrt_verify_end(ld->venv);
    bpfrt_ctx_desc_btf_free(ld->rt, ld->btf_ctx);
    if (ld->attach_btf)
        bpfrt_btf_put(ld->attach_btf);
    for (uint32_t i = 0; i < ld->nr_maps; i++)
        bpfrt_map_put(ld->maps[i]);
    if (ld->btf)
        bpfrt_btf_put(ld->btf);
    bpfrt_free(ld->rt, ld->func_info, (size_t)ld->nr_func_info * sizeof(*ld->func_info));
    bpfrt_free(ld->rt, ld->line_info, (size_t)ld->nr_line_info * sizeof(*ld->line_info));
    bpfrt_free(ld->rt, ld->insns, (size_t)ld->cnt * sizeof(*ld->insns));
}

/* Moves what the load collected into the program. */
static int hand_over(struct load *ld, struct bpfrt_prog *prog, const char *name)
{
    const union bpf_attr *a = ld->attr;
    if (ld->nr_maps) {
        prog->maps = bpfrt_zalloc(ld->rt, (size_t)ld->nr_maps * sizeof(*prog->maps));
        if (!prog->maps)
            return -BPFRT_ENOMEM;
        bpfrt_memcpy(prog->maps, ld->maps, (size_t)ld->nr_maps * sizeof(*prog->maps));
        prog->nr_maps = ld->nr_maps;
        ld->nr_maps = 0;
    }
    prog->btf = ld->btf;
    ld->btf = NULL;
    prog->func_info = ld->func_info;
    prog->nr_func_info = ld->nr_func_info;
    ld->func_info = NULL;
    ld->nr_func_info = 0;
    prog->line_info = ld->line_info;
    prog->nr_line_info = ld->nr_line_info;
    ld->line_info = NULL;
    ld->nr_line_info = 0;
    prog->expected_attach_type = a->expected_attach_type;
    if (ld->btf_ctx) {
        prog->attach_btf_id = a->attach_btf_id;
        prog->ctx_desc = ld->btf_ctx;
        ld->btf_ctx = NULL;
    }
    prog->prog_flags = a->prog_flags & ~(BPFRT_PROG_F_ENGINE_MASK | BPFRT_PROG_F_NO_VERIFY | BPFRT_PROG_F_UNPRIV); /* Linux's flags only */
    prog->gpl_compatible = ld->gpl;
    bpfrt_memcpy(prog->name, name, BPF_OBJ_NAME_LEN);
    /* orig_insns: the program as the caller loaded it (map fds intact). */
    bpfrt_memcpy(prog->orig_insns, u64_to_ptr(a->insns), (size_t)ld->cnt * sizeof(struct bpf_insn));
    return 0;
}

/* The instructions were validated once, before map references were
 * rewritten; the engine comes from bpfrt's bits of prog_flags (none: the
 * runtime's default). */
static int create_prog(struct load *ld, bool verified, struct bpfrt_diag *diag, struct bpfrt_prog **out)
{
    struct bpfrt_prog_create_opts opts = {
        .prog_type = ld->attr->prog_type,
        .engine = (enum bpfrt_engine_kind)((ld->attr->prog_flags & BPFRT_PROG_F_ENGINE_MASK) >>
                                           BPFRT_PROG_F_ENGINE_SHIFT),
    };
    /* what the verifier proved goes to the engine (src/core/prog/facts.h) */
    struct bpfrt_prog_facts *facts = verified ? bpfrt_verify_facts(ld->venv) : NULL;
    if (verified && !facts && ld->vres.probe_loads)
        return -BPFRT_ENOMEM; /* its probes are facts: without them, plain loads */
    return bpfrt_prog_new_facts(ld->rt, ld->insns, ld->cnt, &opts,
                                BPFRT_PROG_NEW_VALIDATED | (verified ? BPFRT_PROG_NEW_VERIFIED : 0u), facts, diag,
                                out);
}

void bpfrt_prog_calc_tag(const struct bpf_insn *insns, uint32_t cnt, uint8_t tag[BPF_TAG_SIZE]);

long bpfrt_cmd_prog_load(struct bpfrt_cmd *c)
{
    const union bpf_attr *a = c->attr;
    struct bpfrt_runtime *rt = c->rt;
    struct load ld;
    bpfrt_memset(&ld, 0, sizeof(ld));
    ld.c = c;
    ld.rt = rt;
    ld.attr = a;

    if (a->prog_flags & ~(uint32_t)KNOWN_PROG_FLAGS)
        return -BPFRT_EINVAL;
    bool unpriv = a->prog_flags & BPFRT_PROG_F_UNPRIV;
    if (unpriv && (a->prog_flags & BPFRT_PROG_F_NO_VERIFY))
        return -BPFRT_EINVAL; /* an unprivileged load is always verified */
    if (a->prog_token_fd || a->signature || a->signature_size || a->keyring_id)
        return -BPFRT_EINVAL; /* no tokens or signed programs in bpfrt */
    if (a->core_relo_cnt || a->core_relos)
        return -BPFRT_EINVAL; /* CO-RE relocations are applied by the loader */
    if (!bpfrt_prog_type_known(a->prog_type))
        return -BPFRT_EINVAL;
    /* bpf_prog_load_check_attach: the attach types the type's row allows */
    if (!bpfrt_prog_type_attach_ok(a->prog_type, a->expected_attach_type))
        return -BPFRT_EINVAL;
    if (a->insn_cnt == 0 || a->insn_cnt > BPFRT_MAX_INSNS)
        return -BPFRT_E2BIG;
    if (unpriv) { /* bpf_prog_load without CAP_BPF */
        int uerr = bpfrt_verify_unpriv_load_check(a->prog_type, a->insn_cnt);
        if (uerr)
            return uerr;
    }
    if (!a->license || !a->insns)
        return -BPFRT_EFAULT;
    /* strncpy_from_user-like: at most LICENSE_MAX-1 bytes are looked at */
    char license[LICENSE_MAX];
    const char *ulic = u64_to_ptr(a->license);
    size_t lic_len = bpfrt_strnlen(ulic, sizeof(license) - 1);
    bpfrt_memcpy(license, ulic, lic_len);
    license[lic_len] = '\0';
    ld.gpl = license_is_gpl_compatible(license);
    char name[BPF_OBJ_NAME_LEN];
    if (bpfrt_obj_name_cpy(name, a->prog_name))
        return -BPFRT_EINVAL;
    /* BPFRT_LOG_JSON: the caller's buffer gets the JSON document; the text
     * log (level 1) goes to a scratch buffer and into the document */
    struct bpfrt_vjson json;
    bool want_json = a->log_level & BPFRT_LOG_JSON;
    char *text = NULL;
    int err;
    if (want_json) {
        if (a->log_level & ~BPFRT_LOG_JSON & ~(uint32_t)BPF_LOG_MASK)
            return -BPFRT_EINVAL;
        text = bpfrt_zalloc(rt, JSON_TEXT_LOG);
        if (!text)
            return -BPFRT_ENOMEM;
        err = bpfrt_vlog_init(&ld.log, BPF_LOG_LEVEL1 | (a->log_level & BPF_LOG_STATS), text, JSON_TEXT_LOG);
        if (!err)
            err = bpfrt_vjson_begin(&json, u64_to_ptr(a->log_buf), a->log_size);
    } else {
        err = bpfrt_vlog_init(&ld.log, a->log_level, u64_to_ptr(a->log_buf), a->log_size);
    }
    if (err) {
        bpfrt_free(rt, text, JSON_TEXT_LOG);
        return err;
    }

    uint64_t t0 = rt->plat->ktime_ns ? rt->plat->ktime_ns(rt->plat->ctx) : 0;
    ld.cnt = a->insn_cnt;
    ld.insns = bpfrt_zalloc(rt, (size_t)ld.cnt * sizeof(struct bpf_insn));
    if (!ld.insns)
        return -BPFRT_ENOMEM;
    bpfrt_memcpy(ld.insns, u64_to_ptr(a->insns), (size_t)ld.cnt * sizeof(struct bpf_insn));

    char msg[256];
    bool accepted = false;
    bool verify = !(a->prog_flags & BPFRT_PROG_F_NO_VERIFY);
    err = check_type_rules(&ld);
    if (!err)
        err = resolve_attach_btf(&ld);
    if (!err)
        err = process_fd_array(&ld);
    if (!err && verify) {
        /* Linux's bpf_check order: subprograms and jump ranges, BTF info,
         * ld_imm64 (with each opcode), then CFG and the walk */
        ld.vargs = (struct bpfrt_verify_args){
            .rt = rt, .log = &ld.log, .insns = ld.insns, .len = ld.cnt, .prog_type = a->prog_type,
            .expected_attach_type = a->expected_attach_type, .prog_flags = a->prog_flags, .gpl = ld.gpl,
            .ctx_desc = ld.btf_ctx, .attach_btf = ld.attach_btf, .attach_btf_id = a->attach_btf_id,
            .json = want_json ? &json : NULL,
        };
        err = bpfrt_verify_begin(&ld.vargs, &ld.venv);
        if (!err) {
            const uint32_t *starts;
            ld.nr_subprogs = bpfrt_verify_subprogs(ld.venv, &starts);
            bpfrt_memcpy(ld.subprogs, starts, ld.nr_subprogs * sizeof(uint32_t));
            err = check_btf_info(&ld);
        }
        if (!err)
            err = resolve_ldimm64(&ld);
        if (!err) {
            ld.vargs.btf = ld.btf;
            ld.vargs.func_info = ld.func_info;
            ld.vargs.nr_func_info = ld.nr_func_info;
            ld.vargs.line_info = ld.line_info;
            ld.vargs.nr_line_info = ld.nr_line_info;
            err = bpfrt_verify_run(ld.venv, &ld.vres);
        }
    } else if (!err) {
        /* Linux's log line for these checks is the bare message. */
        struct bpfrt_diag diag;
        bpfrt_diag_init(&diag, msg, sizeof(msg));
        err = bpfrt_isa_validate(ld.insns, ld.cnt, &diag);
        if (err)
            bpfrt_vlog_printf(&ld.log, "%s\n", msg);
        if (!err)
            err = find_subprogs(&ld);
        if (!err)
            err = check_btf_info(&ld);
        if (!err)
            err = resolve_ldimm64(&ld);
        if (!err)
            err = check_helper_calls(&ld);
    }
    struct bpfrt_prog *prog = NULL;
    if (!err) {
        struct bpfrt_diag diag;
        bpfrt_diag_init(&diag, msg, sizeof(msg));
        err = create_prog(&ld, verify, &diag, &prog);
        if (err || msg[0]) /* the error, or a note on the engine */
            bpfrt_vlog_printf(&ld.log, "%s\n", msg);
        accepted = !err;
    }
    if (prog && verify) {
        prog->probe_mem = ld.vres.probe_loads != 0;
        prog->stack_depth = ld.vres.prog_stack_depth;
        prog->verified_insns = ld.vres.insn_processed;
        prog->max_ctx_offset = ld.vres.max_ctx_offset;
    }

    uint32_t depths[MAX_SUBPROGS] = { 0 };
    if (verify)
        bpfrt_memcpy(depths, ld.vres.stack_depth, sizeof(depths));
    struct bpfrt_vlog_stats st = {
        .verification_time_ns = (rt->plat->ktime_ns ? rt->plat->ktime_ns(rt->plat->ctx) : t0) - t0,
        .stack_depths = depths,
        .nr_subprogs = ld.nr_subprogs ? ld.nr_subprogs : 1,
        /* unverified loads count each instruction of an accepted program once */
        .insn_processed = verify ? ld.vres.insn_processed : accepted ? ld.cnt : 0,
        .max_states_per_insn = ld.vres.max_states_per_insn,
        .total_states = ld.vres.total_states,
        .peak_states = ld.vres.peak_states,
    };
    bpfrt_vlog_print_stats(&ld.log, &st);
    uint32_t true_size = 0;
    int lerr = bpfrt_vlog_finalize(&ld.log, &true_size);
    if (want_json) {
        lerr = bpfrt_vjson_end(&json, err, text, &st, &true_size); /* the text's own overflow is no error */
        bpfrt_free(rt, text, JSON_TEXT_LOG);
    }
    BPFRT_CMD_PUT_U32(c, log_true_size, true_size);
    if (lerr)
        err = lerr;

    if (!err)
        err = hand_over(&ld, prog, name);
    /* Linux's bpf_check_tail_call: every PROG_ARRAY the program uses must
     * hold programs of its type and engine (the first user fixes them). */
    for (uint32_t i = 0; !err && i < prog->nr_maps; i++)
        if (prog->maps[i]->map_type == BPF_MAP_TYPE_PROG_ARRAY)
            err = bpfrt_map_prog_array_compatible(prog->maps[i], prog);
    if (!err) {
        bpfrt_prog_calc_tag(prog->orig_insns, prog->len, prog->tag);
        int h = bpfrt_objtab_install(rt, BPFRT_OBJ_PROG, prog);
        if (h >= 0) {
            load_cleanup(&ld);
            return h;
        }
        err = h;
    }
    if (prog)
        bpfrt_prog_put(prog);
    load_cleanup(&ld);
    return err;
}
