/* OBJ_GET_INFO_BY_FD: bpf_prog_info / bpf_map_info / bpf_btf_info as
 * Linux fills them. The caller's info_len is min'ed with the struct size
 * bpfrt knows (bytes beyond it must be zero: -E2BIG), input fields (array
 * pointers and their lengths) are read from the caller's struct, arrays are
 * copied up to the caller's length and the full length reported.
 * jited_prog_len / jited_prog_insns: the JIT's machine code. */
#include "bpfrt/btf.h"
#include "bpfrt/jit.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "core/bpf/cmd.h"

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* Reads the caller's info (the first *len bytes) into a zeroed struct of
 * `size`; -E2BIG when the caller's bytes past `size` are not zero. */
static int info_in(const union bpf_attr *a, void *info, uint32_t size, uint32_t *len)
{
    const uint8_t *u = u64_to_ptr(a->info.info);
    if (!u)
        return -BPFRT_EFAULT;
    if (a->info.info_len > 4096 && a->info.info_len > size)
        return -BPFRT_E2BIG; /* Linux's bpf_check_uarg_tail_zero: at most a page */
    for (uint32_t i = size; i < a->info.info_len; i++)
        if (u[i])
            return -BPFRT_E2BIG;
    *len = min_u32(a->info.info_len, size);
    bpfrt_memset(info, 0, size);
    bpfrt_memcpy(info, u, *len);
    return 0;
}

static void info_out(struct bpfrt_cmd *c, const void *info, uint32_t len)
{
    bpfrt_memcpy(u64_to_ptr(c->attr->info.info), info, len);
    BPFRT_CMD_PUT_U32(c, info.info_len, len);
}

/* The instructions as the engines run them, with map pointers turned back
 * into map ids (Linux's xlated dump: imm = map id, second imm = offset for
 * value loads). */
static void xlated_insns(const struct bpfrt_prog *prog, struct bpf_insn *out)
{
    bpfrt_memcpy(out, prog->insns, (size_t)prog->len * sizeof(*out));
    for (uint32_t i = 0; i + 1 < prog->len; i++) {
        struct bpf_insn *in = &out[i];
        if (!bpfrt_insn_is_lddw(in))
            continue;
        uint8_t src = in->src_reg;
        bool value = src == BPF_PSEUDO_MAP_VALUE || src == BPF_PSEUDO_MAP_IDX_VALUE;
        if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX || value) {
            uint64_t v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
            for (uint32_t m = 0; m < prog->nr_maps; m++) {
                const struct bpfrt_map *map = prog->maps[m];
                uint64_t base = 0;
                bool hit = false;
                if (!value) {
                    hit = v == (uint64_t)(uintptr_t)map;
                } else if (bpfrt_map_direct_value_addr((struct bpfrt_map *)map, 0, &base) == 0) {
                    hit = v >= base && v < base + map->value_size;
                }
                if (hit) {
                    in[0].src_reg = value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
                    in[0].imm = (int32_t)map->id;
                    in[1].imm = value ? (int32_t)(v - base) : 0;
                    break;
                }
            }
        }
        i++;
    }
}

static long prog_info(struct bpfrt_cmd *c, struct bpfrt_prog *prog)
{
    struct bpf_prog_info info;
    uint32_t len;
    int err = info_in(c->attr, &info, sizeof(info), &len);
    if (err)
        return err;
    uint32_t u_xlated_len = info.xlated_prog_len, u_nr_map_ids = info.nr_map_ids;
    uint32_t u_jited_len = info.jited_prog_len;
    uint64_t u_jited = info.jited_prog_insns;
    uint32_t u_nr_func_info = info.nr_func_info, u_func_rec = info.func_info_rec_size;
    uint32_t u_nr_line_info = info.nr_line_info, u_line_rec = info.line_info_rec_size;
    uint64_t u_xlated = info.xlated_prog_insns, u_map_ids = info.map_ids;
    uint64_t u_func_info = info.func_info, u_line_info = info.line_info;

    struct bpf_prog_info out;
    bpfrt_memset(&out, 0, sizeof(out));
    out.type = prog->type;
    out.id = prog->id;
    bpfrt_memcpy(out.tag, prog->tag, BPF_TAG_SIZE);
    out.load_time = prog->load_time_ns;
    out.created_by_uid = 0;
    bpfrt_memcpy(out.name, prog->name, BPF_OBJ_NAME_LEN);
    out.gpl_compatible = prog->gpl_compatible;
    /* counted while stats are enabled (BPF_ENABLE_STATS), by runs in progress */
    out.run_time_ns = __atomic_load_n(&prog->run_time_ns, __ATOMIC_RELAXED);
    out.run_cnt = __atomic_load_n(&prog->run_cnt, __ATOMIC_RELAXED);
    out.verified_insns = prog->verified_insns;
    out.btf_id = prog->btf ? bpfrt_btf_id(prog->btf) : 0;

    /* Arrays are kept as the caller described them (pointer and length in,
     * full length out), as Linux does. */
    out.xlated_prog_insns = u_xlated;
    out.xlated_prog_len = prog->len * (uint32_t)sizeof(struct bpf_insn);
    if (u_xlated && u_xlated_len) {
        struct bpf_insn *x = bpfrt_zalloc(c->rt, (size_t)prog->len * sizeof(*x));
        if (!x)
            return -BPFRT_ENOMEM;
        xlated_insns(prog, x);
        bpfrt_memcpy(u64_to_ptr(u_xlated), x, min_u32(u_xlated_len, out.xlated_prog_len));
        bpfrt_free(c->rt, x, (size_t)prog->len * sizeof(*x));
    }
    /* The machine code, for a JIT-compiled program (0 bytes otherwise, as
     * Linux reports an interpreted one). */
    const void *image = NULL;
    uint32_t image_len = 0;
    out.jited_prog_insns = u_jited;
    if (bpfrt_jit_image(prog, &image, &image_len))
        out.jited_prog_len = image_len;
    if (u_jited && u_jited_len && image_len)
        bpfrt_memcpy(u64_to_ptr(u_jited), image, min_u32(u_jited_len, image_len));
    out.map_ids = u_map_ids;
    out.nr_map_ids = prog->nr_maps;
    if (u_map_ids) {
        uint32_t *ids = u64_to_ptr(u_map_ids);
        for (uint32_t i = 0; i < min_u32(u_nr_map_ids, prog->nr_maps); i++)
            ids[i] = prog->maps[i]->id;
    }
    out.func_info = u_func_info;
    out.nr_func_info = prog->nr_func_info;
    out.func_info_rec_size = sizeof(struct bpf_func_info);
    if (u_func_info && u_nr_func_info) {
        if (u_func_rec != sizeof(struct bpf_func_info))
            return -BPFRT_EINVAL;
        bpfrt_memcpy(u64_to_ptr(u_func_info), prog->func_info,
                     (size_t)min_u32(u_nr_func_info, prog->nr_func_info) * sizeof(struct bpf_func_info));
    }
    out.line_info = u_line_info;
    out.nr_line_info = prog->nr_line_info;
    out.line_info_rec_size = sizeof(struct bpf_line_info);
    if (u_line_info && u_nr_line_info) {
        if (u_line_rec != sizeof(struct bpf_line_info))
            return -BPFRT_EINVAL;
        bpfrt_memcpy(u64_to_ptr(u_line_info), prog->line_info,
                     (size_t)min_u32(u_nr_line_info, prog->nr_line_info) * sizeof(struct bpf_line_info));
    }
    info_out(c, &out, len);
    return 0;
}

static long map_info(struct bpfrt_cmd *c, struct bpfrt_map *map)
{
    struct bpf_map_info info;
    uint32_t len;
    int err = info_in(c->attr, &info, sizeof(info), &len);
    if (err)
        return err;
    bpfrt_memset(&info, 0, sizeof(info));
    info.type = map->map_type;
    info.id = map->id;
    info.key_size = map->key_size;
    info.value_size = map->value_size;
    info.max_entries = map->max_entries;
    info.map_flags = map->map_flags;
    bpfrt_memcpy(info.name, map->name, BPF_OBJ_NAME_LEN);
    if (map->btf) {
        info.btf_id = bpfrt_btf_id(map->btf);
        info.btf_key_type_id = map->btf_key_type_id;
        info.btf_value_type_id = map->btf_value_type_id;
    }
    info.map_extra = map->map_extra;
    info_out(c, &info, len);
    return 0;
}

static long btf_info(struct bpfrt_cmd *c, struct bpfrt_btf *btf)
{
    struct bpf_btf_info info;
    uint32_t len;
    int err = info_in(c->attr, &info, sizeof(info), &len);
    if (err)
        return err;
    uint32_t size = 0;
    const void *data = bpfrt_btf_data(btf, &size);
    info.id = bpfrt_btf_id(btf);
    if (info.btf)
        bpfrt_memcpy(u64_to_ptr(info.btf), data, min_u32(size, info.btf_size));
    info.btf_size = size;
    info.kernel_btf = 0;
    /* User BTF has no name: name_len 0, an empty string if a buffer came. */
    if (!info.name != !info.name_len)
        return -BPFRT_EINVAL;
    if (info.name)
        *(char *)u64_to_ptr(info.name) = '\0';
    info.name_len = 0;
    info_out(c, &info, len);
    return 0;
}

long bpfrt_cmd_obj_get_info_by_fd(struct bpfrt_cmd *c)
{
    void *obj;
    enum bpfrt_obj_kind kind = bpfrt_objtab_get_any(c->rt, (int)c->attr->info.bpf_fd, &obj);
    if (kind == BPFRT_OBJ_NONE)
        return -BPFRT_EBADF;
    long err;
    switch (kind) {
    case BPFRT_OBJ_PROG: err = prog_info(c, obj); break;
    case BPFRT_OBJ_MAP: err = map_info(c, obj); break;
    case BPFRT_OBJ_BTF: err = btf_info(c, obj); break;
    default: err = -BPFRT_EINVAL; break;
    }
    bpfrt_obj_put(kind, obj);
    return err;
}
