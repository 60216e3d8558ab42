/* Internal to src/core/verifier: the environment of one verification, the
 * abstract state (registers, stack slots, frames, references) and the
 * functions the files share. Names follow Linux 6.18's kernel/bpf/verifier.c
 * (struct bpf_verifier_env, bpf_reg_state, bpf_func_state,
 * bpf_verifier_state) with a bpfrt_v_ prefix on what crosses files, so each
 * piece can be read next to the Linux function it mirrors. docs/verifier.md
 * describes the design; bpfrt_verify() in verify.h is the entry. */
#ifndef BPFRT_VERIFIER_INTERNAL_H
#define BPFRT_VERIFIER_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/helpers.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "core/lib/vlog.h"
#include "core/core.h"
#include "core/isa/decode.h"
#include "core/prog/prog_types.h"
#include "core/verifier/scalar.h"
#include "core/verifier/verify.h"

/* ---- limits (Linux's names and values) ---- */
#define MAX_BPF_STACK 512
#define MAX_CALL_FRAMES BPFRT_MAX_CALL_FRAMES
#define BPF_REG_SIZE 8
#define MAX_STACK_SLOTS (MAX_BPF_STACK / BPF_REG_SIZE)
#define BPF_COMPLEXITY_LIMIT_INSNS 1000000
#define BPF_COMPLEXITY_LIMIT_JMP_SEQ 8192
#define BPF_MAX_SUBPROGS 256
#define BPF_MAX_VAR_OFF (1 << 29)
#define BPF_MAX_VAR_SIZ (1 << 29)
#define BPF_MAX_LOOPS (8 * 1024 * 1024)
#define BPF_MAIN_FUNC (-1)
#define CALLER_SAVED_REGS 6
#define BPF_REG_FP BPF_REG_10
#define MAX_BPF_FUNC_REG_ARGS 5
#define BPF_LOG_ALIGNMENT 40
#define BPF_LOG_MIN_ALIGNMENT 8
/* id flags: register = linked register + off, by a 64-bit or a 32-bit
 * (zero-extending) add or sub */
#define BPF_ADD_CONST64 (1u << 31)
#define BPF_ADD_CONST32 (1u << 30)
#define BPF_ADD_CONST (BPF_ADD_CONST64 | BPF_ADD_CONST32)

/* ---- register types: Linux's enum bpf_reg_type (base types) ---- */
enum vreg_type {
    NOT_INIT = 0,
    SCALAR_VALUE,
    PTR_TO_CTX,
    CONST_PTR_TO_MAP,
    PTR_TO_MAP_VALUE,
    PTR_TO_MAP_KEY,
    PTR_TO_STACK,
    PTR_TO_PACKET_META,
    PTR_TO_PACKET,
    PTR_TO_PACKET_END,
    PTR_TO_FLOW_KEYS,
    PTR_TO_SOCKET,
    PTR_TO_SOCK_COMMON,
    PTR_TO_TCP_SOCK,
    PTR_TO_TP_BUFFER,
    PTR_TO_XDP_SOCK,
    PTR_TO_BTF_ID,
    PTR_TO_MEM,
    PTR_TO_ARENA,
    PTR_TO_BUF,
    PTR_TO_FUNC,
    PTR_TO_MAP_KEY_UNUSED_,
    CONST_PTR_TO_DYNPTR,  /* a callback's struct bpf_dynptr argument (aux: dynptr type) */
    NR_VREG_TYPES
};
/* Flags on top of the base type (Linux's enum bpf_type_flag, the ones used). */
enum {
    PTR_MAYBE_NULL = 1 << 0,
    MEM_RDONLY = 1 << 1,
    MEM_RINGBUF = 1 << 2,
    PTR_TRUSTED = 1 << 3,   /* PTR_TO_BTF_ID: a kernel object valid for the whole run */
    MEM_RCU = 1 << 4,
    PTR_UNTRUSTED = 1 << 5, /* PTR_TO_BTF_ID: read through fault-safe loads only */
};

/* One register's abstract value (struct bpf_reg_state). Scalars use the
 * bounds; pointers use off (fixed offset) plus the bounds as their variable
 * offset. */
struct vreg {
    struct bpfrt_bounds s;      /* var_off and the 64/32-bit signed/unsigned bounds */
    int32_t off;           /* fixed offset of a pointer */
    uint32_t id;           /* null-check / packet-range / linked-scalar identity */
    uint32_t ref_obj_id;   /* acquired reference this pointer holds */
    uint8_t type;          /* enum vreg_type */
    uint8_t flags;         /* PTR_MAYBE_NULL, MEM_RDONLY, MEM_RINGBUF */
    uint8_t frameno;       /* PTR_TO_STACK: the frame the pointer points into */
    bool precise;
    bool map_anon;         /* map is a map-in-map's inner template: printed without its name */
    bool dynptr_first;     /* a STACK_DYNPTR slot's spilled_ptr: the dynptr's first (upper) slot */
    int32_t aux;           /* pkt: range (negative: at/beyond pkt_end); mem: size; func: subprogram;
                              btf_id: the kernel BTF type; dynptr: its type */
    const struct bpfrt_map *map;  /* map ptr / key / value */
};
#define reg_range aux
#define reg_mem_size aux
#define reg_subprogno aux
#define reg_btf_id aux
#define reg_dynptr_type aux

/* Stack slot byte kinds (enum bpf_stack_slot_type). */
enum { STACK_INVALID = 0, STACK_SPILL, STACK_MISC, STACK_ZERO, STACK_DYNPTR };

/* enum bpf_dynptr_type */
enum { BPF_DYNPTR_TYPE_INVALID, BPF_DYNPTR_TYPE_LOCAL, BPF_DYNPTR_TYPE_RINGBUF, BPF_DYNPTR_TYPE_SKB,
       BPF_DYNPTR_TYPE_XDP };

struct vslot {
    struct vreg spilled_ptr;
    uint8_t slot_type[BPF_REG_SIZE];
};

/* One call frame (struct bpf_func_state). */
struct vframe {
    struct vreg regs[MAX_BPF_REG];
    int32_t callsite;            /* call insn, BPF_MAIN_FUNC for the entry frame */
    uint32_t frameno;
    uint32_t subprogno;
    bool in_callback_fn;
    int32_t cb_ret_min, cb_ret_max; /* callback_ret_range */
    uint32_t callback_depth;
    uint32_t nslots;             /* allocated_stack / 8 */
    uint64_t odd_slots;          /* explored states: slots with a byte not INVALID or MISC (states.c) */
    struct vslot *stack;         /* stack[i] covers fp-8*(i+1) .. fp-8*i-1 */
};

enum vref_type { REF_TYPE_PTR = 1, REF_TYPE_LOCK = 2 };

struct vref {
    uint32_t id;
    uint32_t insn_idx;
    uint8_t type;                /* enum vref_type */
    const void *ptr;             /* lock: the map or identity the lock lives in */
};

/* One entry of the path history precision tracking walks back
 * (struct bpf_insn_hist_entry). */
#define INSN_F_FRAMENO_MASK 0x7
#define INSN_F_SPI_SHIFT 3
#define INSN_F_STACK_ACCESS (1u << 9)
struct vhist {
    int32_t idx, prev_idx;
    uint32_t flags;
    uint64_t linked_regs;
};

/* A whole machine state (struct bpf_verifier_state). */
struct vstate {
    struct vframe *frame[MAX_CALL_FRAMES];
    uint32_t curframe;
    struct vref *refs;
    uint32_t acquired_refs, refs_cap;
    uint32_t active_locks;
    uint32_t active_lock_id;
    const void *active_lock_ptr;
    struct vstate *parent;       /* explored state this one descends from */
    uint32_t branches;           /* in-progress children (update_branch_counts) */
    int32_t insn_idx, first_insn_idx, last_insn_idx;
    uint32_t may_goto_depth;
    uint32_t callback_unroll_depth;
    uint32_t dfs_depth;
    uint32_t insn_hist_start, insn_hist_end; /* this state's part of env->insn_hist */
    bool used_as_loop_entry;
    bool in_free_list;           /* evicted but still someone's parent (counted in peak_states) */
    bool cleaned;                /* clean_live_states forgot its dead registers and slots */
};

/* ---- per-instruction data (struct bpf_insn_aux_data) ---- */
enum { AUX_PRUNE = 1, AUX_JMP_POINT = 2, AUX_FORCE_CHECKPOINT = 4, AUX_CALLS_CALLBACK = 8, AUX_IN_LOOP = 16,
       AUX_FIELDS_OK = 32 /* explore.c: the reserved-field checks passed once */ };

struct vaux {
    uint8_t flags;               /* AUX_* */
    bool seen;
    bool ptr_type_set;
    bool probe_load;             /* a load through a BTF-typed kernel pointer (BPF_PROBE_MEM) */
    bool plain_load;             /* a load through any other pointer (never both: memops.c) */
    uint8_t ptr_type;            /* the pointer kind this memory insn accessed */
    uint8_t cfg_state;           /* check_cfg walk */
    bool branch_taken_set[2];    /* per cond jump: the branch the walk ever took (dead-branch fixup) */
    uint16_t live_regs_before;   /* compute_live_registers */
    uint16_t ctx_field_size;     /* ctx access: size of the field touched */
    int32_t ctx_field_off;       /* -1: none */
    const struct bpfrt_map *map; /* ld_imm64 map / map value; helper call's map */
    uint32_t map_off;            /* ld_imm64 map value offset */
    uint32_t subprog;            /* index of the subprogram the insn belongs to */
    uint8_t alu_state;           /* unprivileged pointer add/sub: its masking (unpriv.c) */
    bool map_poisoned;           /* helper call: paths passed different maps (bpf_map_ptr_poisoned) */
    uint32_t alu_limit;
};

/* ---- subprograms (struct bpf_subprog_info) ---- */
/* a global function's argument kinds; GARG_BTF: a kernel object (__arg_trusted,
 * __arg_untrusted), its struct's kernel BTF id in mem_size and its flags
 * (PTR_TRUSTED or PTR_UNTRUSTED, PTR_MAYBE_NULL) in flags; GARG_UNTRUSTED_MEM:
 * __arg_untrusted void or primitive memory (rdonly_untrusted_mem, size 0) */
enum { GARG_SCALAR = 0, GARG_CTX, GARG_MEM_OR_NULL, GARG_MEM, GARG_BTF, GARG_UNTRUSTED_MEM };
struct vsubprog {
    struct { uint8_t kind, flags; uint32_t mem_size; } args[MAX_BPF_FUNC_REG_ARGS];
    uint32_t arg_cnt;
    bool args_cached;
    bool verified;
    uint32_t start;
    uint32_t stack_depth;        /* max over the paths the walk explored */
    bool has_tail_call;
    bool has_ld_abs;
    bool is_cb;
    bool is_async_cb;
    bool tail_call_reachable;
    bool changes_pkt_data;
    bool called;
    uint32_t linkage;            /* BTF_FUNC_STATIC / GLOBAL (from func_info) */
};

/* Explored states kept at a prune point. */
struct vstate_list {
    struct vstate state;
    struct vstate_list *next;
    struct vstate_list *free_prev; /* on env->free_list: the one before (states.c) */
    uint32_t miss_cnt, hit_cnt;
    uint32_t hint_frame, hint_idx; /* states.c: where the last comparison failed */
};

/* A branch waiting to be explored (struct bpf_verifier_stack_elem). */
struct vstack_elem {
    struct vstate st;
    int32_t insn_idx, prev_insn_idx;
    uint64_t log_pos;
    struct vstack_elem *next;
};

/* ---- the environment (struct bpf_verifier_env) ---- */
struct venv {
    struct bpfrt_runtime *rt;
    const struct bpfrt_verify_args *args;
    struct bpfrt_vlog *log;
    const struct bpf_insn *insns;
    uint32_t len;
    struct bpfrt_dinsn *di;      /* decoded instructions */
    struct vaux *aux;
    const struct bpfrt_ctx_desc *ctx_desc;
    uint32_t prog_type;

    struct vsubprog subprog[BPF_MAX_SUBPROGS + 1];
    uint32_t subprog_cnt;
    uint32_t *subprog_starts;    /* copy handed to PROG_LOAD */

    struct vstate *cur_state;
    struct vstack_elem *head;    /* branches to explore */
    uint32_t stack_size;
    struct vstate_list **explored;  /* per insn */
    struct vstate_list *free_list;
    struct vframe *frame_cache;  /* states.c: freed frames and stacks (by slot count) to reuse */
    struct vslot *stack_cache[MAX_STACK_SLOTS + 1];
    uint32_t frame_cache_cnt, stack_cache_cnt;
    void *idmap_scratch;         /* states.c's id map for comparisons */
    struct vliveness *live;      /* liveness.c: stack slots read and written per call chain */

    int32_t insn_idx, prev_insn_idx;
    uint32_t id_gen;
    struct vhist *insn_hist;     /* path history for precision tracking */
    uint32_t insn_hist_cap;
    struct vhist *cur_hist_ent;  /* the entry of the instruction being checked */
    uint32_t insn_processed, prev_insn_processed;
    uint32_t jmps_processed, prev_jmps_processed;
    uint32_t total_states, peak_states, explored_states_size, free_list_size, max_states_per_insn;
    uint32_t pass_cnt;

    /* log */
    uint64_t prev_log_pos, prev_insn_print_pos;
    const struct bpf_line_info *prev_linfo;
    uint32_t scratched_regs;
    uint64_t scratched_stack_slots;
    bool cur_state_scratched_all;
    char tmp_str[128];

    /* results of the walk the fixups and engines use */
    bool seen_direct_write;
    uint32_t max_ctx_offset;
    bool changes_pkt_data;
    struct bpfrt_btf *platform_btf; /* the platform's kernel BTF, parsed for this load when the
                                       runtime has none (btf_ptr.c) */
    int err_alloc;               /* -ENOMEM seen while copying states */
    bool unpriv;                 /* BPFRT_PROG_F_UNPRIV: !bpf_capable, !allow_ptr_leaks (unpriv.c) */
    uint32_t json_path;          /* the JSON log's path number (log_json.c) */
    bool explore_alu_limits;     /* unpriv.c: a pointer moved by an unknown scalar (prune exactly) */
};

/* ---- register type helpers ---- */
static inline bool type_may_be_null(uint8_t flags)
{
    return flags & PTR_MAYBE_NULL;
}
static inline bool type_is_pkt_pointer(uint8_t t)
{
    return t == PTR_TO_PACKET || t == PTR_TO_PACKET_META;
}
static inline bool reg_is_pkt_pointer_any(const struct vreg *r)
{
    return type_is_pkt_pointer(r->type) || r->type == PTR_TO_PACKET_END;
}
static inline bool type_is_sk_pointer(uint8_t t)
{
    return t == PTR_TO_SOCKET || t == PTR_TO_SOCK_COMMON || t == PTR_TO_TCP_SOCK || t == PTR_TO_XDP_SOCK;
}
static inline bool register_is_null(const struct vreg *r)
{
    return r->type == SCALAR_VALUE && bpfrt_tnum_equals_const(r->s.var_off, 0);
}
static inline bool register_is_const(const struct vreg *r)
{
    return r->type == SCALAR_VALUE && bpfrt_tnum_is_const(r->s.var_off);
}
static inline struct vframe *cur_func(struct venv *env)
{
    return env->cur_state->frame[env->cur_state->curframe];
}
static inline struct vreg *cur_regs(struct venv *env)
{
    return cur_func(env)->regs;
}
static inline bool log_level(const struct venv *env, uint32_t bits)
{
    return env->log && (env->log->level & bits);
}

/* ---- log.c (kernel/bpf/log.c) ---- */
void bpfrt_v_verbose(struct venv *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *bpfrt_v_reg_type_str(struct venv *env, uint8_t type, uint8_t flags);
void bpfrt_v_print_verifier_state(struct venv *env, const struct vstate *st, uint32_t frameno, bool print_all);
void bpfrt_v_print_insn_state(struct venv *env, const struct vstate *st, uint32_t frameno);
void bpfrt_v_verbose_linfo(struct venv *env, uint32_t insn_off, const char *prefix);
void bpfrt_v_verbose_insn(struct venv *env, uint32_t idx);
void bpfrt_v_tnum_str(char *buf, size_t size, struct bpfrt_tnum t);
int bpfrt_v_insn_text(const struct venv *env, uint32_t idx, char *buf, size_t size);
void bpfrt_v_mark_reg_scratched(struct venv *env, uint32_t regno);
void bpfrt_v_mark_stack_slot_scratched(struct venv *env, uint32_t spi);
void bpfrt_v_mark_state_scratched(struct venv *env);
void bpfrt_v_mark_state_clean(struct venv *env);
bool bpfrt_v_state_scratched(const struct venv *env);
#define verbose bpfrt_v_verbose

/* ---- log_json.c (the JSON log: one step per processed instruction) ---- */
enum bpfrt_v_json_kind { VJSON_INSN, VJSON_PATH, VJSON_SAFE, VJSON_REFUSED };
void bpfrt_v_json_step(struct venv *env, uint32_t idx, int32_t from, enum bpfrt_v_json_kind kind);

/* ---- subprog.c (add_subprog_and_kfunc, check_subprogs, check_max_stack_depth) ---- */
int bpfrt_v_add_subprogs(struct venv *env);
int bpfrt_v_check_subprogs(struct venv *env);
int bpfrt_v_find_subprog(const struct venv *env, uint32_t off);
bool bpfrt_v_helper_changes_pkt_data(int32_t id); /* call.c */
int bpfrt_v_check_max_stack_depth(struct venv *env);
int bpfrt_v_check_btf_func(struct venv *env);
void bpfrt_v_mark_insn_subprogs(struct venv *env);

/* ---- cfg.c (check_cfg, compute_live_registers) ---- */
int bpfrt_v_check_cfg(struct venv *env);
/* Linux's bpf_insn_successors: the instructions after insn i inside its
 * subprogram (a call falls through), into succ; how many (0-2). */
uint32_t bpfrt_v_insn_successors(const struct venv *env, uint32_t i, uint32_t succ[2]);
int bpfrt_v_compute_live_registers(struct venv *env);

/* ---- regs.c (mark_reg_*, ids) ---- */
void bpfrt_v_mark_reg_not_init(struct vreg *reg);
void bpfrt_v_mark_reg_unknown(struct vreg *reg);
void bpfrt_v_mark_reg_known(struct vreg *reg, uint64_t imm);
void bpfrt_v_mark_reg_known_zero(struct vreg *reg);
void bpfrt_v_mark_reg_const_zero(struct vreg *reg);
void bpfrt_v_init_func_state(struct venv *env, struct vframe *f, int32_t callsite, uint32_t frameno,
                             uint32_t subprogno);
int bpfrt_v_check_reg_arg(struct venv *env, uint32_t regno, int t);
enum { SRC_OP, DST_OP, DST_OP_NO_MARK };
bool bpfrt_v_is_pointer_value(struct venv *env, uint32_t regno);
bool bpfrt_v_reg_is_init_pkt_pointer(const struct vreg *reg, uint8_t which);
void bpfrt_v_mark_ptr_not_null_reg(struct vreg *reg);
uint32_t bpfrt_v_new_id(struct venv *env);
/* alu.c: gives a scalar an id before a copy, so the copy stays linked. */
void bpfrt_v_assign_scalar_id_before_mov(struct venv *env, struct vreg *src);
void bpfrt_v_copy_register_state(struct vreg *dst, const struct vreg *src);
void bpfrt_v_clear_all_pkt_pointers(struct venv *env);
void bpfrt_v_invalidate_reg(struct venv *env, struct vreg *reg);
bool bpfrt_v_reg_is_const_scalar(const struct vreg *r, uint64_t *val);
void bpfrt_v_reg_bounds_sanity_check(struct venv *env, struct vreg *reg, const char *ctx);
/* Calls fn on every register and spilled register of every frame. */
typedef void (*bpfrt_v_reg_fn)(struct venv *env, struct vreg *reg, void *arg);
void bpfrt_v_for_each_reg(struct venv *env, struct vstate *st, bpfrt_v_reg_fn fn, void *arg);

/* ---- alu.c (check_alu_op, adjust_*_min_max_vals) ---- */
int bpfrt_v_check_alu_op(struct venv *env, const struct bpfrt_dinsn *d);

/* ---- branch.c (check_cond_jmp_op, may_goto) ---- */
int bpfrt_v_check_cond_jmp_op(struct venv *env, const struct bpfrt_dinsn *d, int32_t *insn_idx);

/* ---- stack.c (check_stack_read/write, stack growth) ---- */
int bpfrt_v_grow_stack(struct venv *env, struct vframe *f, int32_t size);
int bpfrt_v_check_stack_write(struct venv *env, uint32_t ptr_regno, int32_t off, int size,
                              int value_regno, int insn_idx);
int bpfrt_v_check_stack_read(struct venv *env, uint32_t ptr_regno, int32_t off, int size, int dst_regno);
int bpfrt_v_check_stack_range_initialized(struct venv *env, uint32_t regno, int32_t off, int access_size,
                                          bool zero_size_allowed, bool write, bool raw_mode);
int bpfrt_v_check_stack_access_within_bounds(struct venv *env, uint32_t regno, int32_t off, int size,
                                             bool write);
void bpfrt_v_update_stack_depth(struct venv *env, const struct vframe *f, int32_t off);
bool bpfrt_v_is_spilled_reg(const struct vslot *s);
bool bpfrt_v_is_spilled_scalar_reg(const struct vslot *s);

/* ---- mem.c (check_mem_access and its per-region checks) ---- */
int bpfrt_v_check_mem_access(struct venv *env, int insn_idx, uint32_t regno, int32_t off, int size,
                             bool write, int value_regno, bool strict_align, bool is_ldsx);
int bpfrt_v_check_load_store(struct venv *env, const struct bpfrt_dinsn *d);
int bpfrt_v_check_atomic(struct venv *env, const struct bpfrt_dinsn *d);
int bpfrt_v_check_ld_abs(struct venv *env, const struct bpfrt_dinsn *d);
int bpfrt_v_check_ld_imm(struct venv *env, const struct bpfrt_dinsn *d);
int bpfrt_v_check_map_access(struct venv *env, uint32_t regno, int32_t off, int size, bool zero_size_allowed,
                             bool helper);
int bpfrt_v_check_packet_access(struct venv *env, uint32_t regno, int32_t off, int size,
                                bool zero_size_allowed);
int bpfrt_v_check_mem_region_access(struct venv *env, uint32_t regno, int32_t off, int size, uint32_t mem_size,
                                    bool zero_size_allowed);
bool bpfrt_v_may_access_direct_pkt_data(struct venv *env, bool write);

/* ---- sock.c (check_sock_access) ---- */
int bpfrt_v_check_sock_access(struct venv *env, uint32_t regno, int32_t off, int size);

/* ---- dynptr.c (process_dynptr_func and the STACK_DYNPTR slots) ---- */
const char *bpfrt_v_dynptr_type_str(int32_t type);
int bpfrt_v_process_dynptr_arg(struct venv *env, uint32_t regno, bool uninit, bool rdonly, int32_t type);
int bpfrt_v_check_dynptr_release_arg(struct venv *env, uint32_t regno);
int bpfrt_v_unmark_dynptr(struct venv *env, uint32_t regno);
uint32_t bpfrt_v_dynptr_ref_obj_id(struct venv *env, const struct vreg *reg);
void bpfrt_v_mark_dynptr_cb_reg(struct venv *env, struct vreg *reg, int32_t type);
int bpfrt_v_destroy_if_dynptr_stack_slot(struct venv *env, struct vframe *f, int spi);
int bpfrt_v_check_raw_write_over_dynptr(struct venv *env, const struct vframe *f, int64_t min_off,
                                        int64_t max_off);

/* ---- btf_ptr.c (PTR_TO_BTF_ID: check_ptr_to_btf_access, btf_struct_access) ---- */
int bpfrt_v_check_btf_arg(struct venv *env, uint32_t regno, const struct vreg *reg, bool arg_maybe_null,
                          bool release, const char *want);
const char *bpfrt_v_btf_type_name(const struct venv *env, uint32_t btf_id);
int bpfrt_v_btf_ctx_load(struct venv *env, int32_t off, struct vreg *dst);
/* Whether loads through reg are probes (Linux's BPF_PROBE_MEM): reg points
 * to a kernel object the verifier cannot vouch for at run time. */
bool bpfrt_v_probe_ptr(const struct vreg *reg);
int bpfrt_v_check_ptr_to_btf_access(struct venv *env, uint32_t regno, int32_t off, int size, bool write,
                                    int value_regno);
int bpfrt_v_ret_task_btf(struct venv *env, struct vreg *r0);
/* The kernel BTF's struct named name (a CO-RE flavour's ___suffix ignored):
 * its id, or a negative errno when there is none or more than one. */
long bpfrt_v_kernel_struct_id(struct venv *env, const char *name);

/* ---- call.c (check_helper_call, check_func_arg) ---- */
int bpfrt_v_check_helper_call(struct venv *env, const struct bpfrt_dinsn *d, int32_t *insn_idx);
/* A global function's __arg_trusted argument: a trusted kernel object
 * whose struct starts with btf_struct (or NULL, when nullable). */
int bpfrt_v_check_trusted_arg(struct venv *env, uint32_t regno, bool nullable, const char *btf_struct);
int bpfrt_v_check_mem_size_reg(struct venv *env, uint32_t regno, bool zero_size_allowed, bool write,
                               bool raw_mode, uint64_t *msize_max);

/* ---- mapfunc.c (check_map_func_compatibility) ---- */
int bpfrt_v_check_map_func_compatibility(struct venv *env, const struct bpfrt_map *map, int32_t id);

/* ---- subcall.c (check_func_call, callbacks, exit, references) ---- */
int bpfrt_v_check_func_call(struct venv *env, const struct bpfrt_dinsn *d, int32_t *insn_idx);
int bpfrt_v_push_callback_call(struct venv *env, uint32_t insn_idx, uint32_t subprog, uint32_t func_id);
int bpfrt_v_process_exit(struct venv *env, bool *do_print_state, bool *exit_path);
int bpfrt_v_tail_call_return(struct venv *env, int32_t *insn_idx);
int bpfrt_v_acquire_reference(struct venv *env, uint32_t insn_idx);
int bpfrt_v_release_reference(struct venv *env, uint32_t ref_obj_id);
int bpfrt_v_check_resource_leak(struct venv *env, bool exception_exit, bool check_lock, const char *prefix);
int bpfrt_v_process_spin_lock(struct venv *env, uint32_t regno, bool is_lock);

/* ---- explore.c (do_check, push_stack, pop_stack) ---- */
int bpfrt_v_do_check_common(struct venv *env, uint32_t subprog);
struct vstate *bpfrt_v_push_stack(struct venv *env, int32_t insn_idx, int32_t prev_insn_idx);

/* ---- states.c (is_state_visited, states_equal, state copies) ---- */
int bpfrt_v_is_state_visited(struct venv *env, int32_t insn_idx);
int bpfrt_v_copy_verifier_state(struct venv *env, struct vstate *dst, const struct vstate *src);
void bpfrt_v_move_verifier_state(struct venv *env, struct vstate *dst, struct vstate *src);
void bpfrt_v_free_verifier_state(struct venv *env, struct vstate *st, bool free_self);
int bpfrt_v_copy_func_state(struct venv *env, struct vframe *dst, const struct vframe *src);
struct vframe *bpfrt_v_alloc_frame(struct venv *env);
void bpfrt_v_free_frame(struct venv *env, struct vframe *f);
void bpfrt_v_update_branch_counts(struct venv *env, struct vstate *st);
void bpfrt_v_free_explored(struct venv *env);
/* Both states are in the same frames, called from the same call sites. */
bool bpfrt_v_same_callsites(const struct vstate *a, const struct vstate *b);

/* ---- liveness.c (Linux 6.18 kernel/bpf/liveness.c: stack slot liveness per call chain) ---- */
struct vliveness;
void bpfrt_v_mark_stack_read(struct venv *env, uint32_t frameno, int64_t min_off, int64_t max_off);
void bpfrt_v_mark_stack_written(struct venv *env, uint32_t frameno, int32_t off, int size);
void bpfrt_v_live_insn_begin(struct venv *env);
void bpfrt_v_live_insn_commit(struct venv *env, bool chain_changed);
void bpfrt_v_update_live_stack(struct venv *env);
int bpfrt_v_live_query_init(struct venv *env, const struct vstate *st);
uint64_t bpfrt_v_live_slots(struct venv *env, uint32_t frameno);
void bpfrt_v_free_liveness(struct venv *env);

/* ---- funcs.c (global functions) ---- */
bool bpfrt_v_subprog_is_global(const struct venv *env, uint32_t sub);
const char *bpfrt_v_subprog_name(const struct venv *env, uint32_t sub);
int bpfrt_v_call_global(struct venv *env, uint32_t sub);
int bpfrt_v_init_global_args(struct venv *env, uint32_t sub, struct vreg *regs);
int bpfrt_v_do_check_subprogs(struct venv *env);
int bpfrt_v_check_global_mem_arg(struct venv *env, uint32_t regno, uint32_t mem_size);

/* ---- backtrack.c (precision tracking) ---- */
int bpfrt_v_push_insn_history(struct venv *env, struct vstate *cur, uint32_t flags, uint64_t linked_regs);
int bpfrt_v_mark_chain_precision(struct venv *env, int regno);
int bpfrt_v_mark_stack_slot_precise(struct venv *env, uint32_t frameno, uint32_t spi);
int bpfrt_v_propagate_precision(struct venv *env, const struct vstate *old);
void bpfrt_v_mark_all_scalars_imprecise(struct vstate *st);
const struct vstate *bpfrt_v_find_prev_entry(struct venv *env, const struct vstate *cur, int32_t insn_idx);
void bpfrt_v_widen_imprecise_scalars(const struct vstate *old, struct vstate *cur);

/* ---- unpriv.c (a loader without CAP_BPF: pointer leaks, Spectre v1 limits) ---- */
struct vsanitize {               /* struct bpf_sanitize_info */
    uint8_t alu_state;
    uint32_t alu_limit;
    bool mask_to_left;
};
int bpfrt_v_unpriv_leak(struct venv *env, int regno, const char *how);
int bpfrt_v_unpriv_store(struct venv *env, const struct vreg *ptr, bool write, int value_regno);
int bpfrt_v_unpriv_alu(struct venv *env, const struct bpfrt_dinsn *d);
int bpfrt_v_unpriv_val_alu(struct venv *env, const struct bpfrt_dinsn *d);
int bpfrt_v_unpriv_ptr_alu(struct venv *env, const struct bpfrt_dinsn *d, const struct vreg *ptr,
                           const struct vreg *off, bool ptr_is_dst, struct vsanitize *info, bool commit);
int bpfrt_v_unpriv_check_bounds(struct venv *env, uint32_t regno);
int bpfrt_v_unpriv_cmp(struct venv *env, uint32_t regno);
int bpfrt_v_unpriv_back_edge(struct venv *env, uint32_t from, uint32_t to);
int bpfrt_v_unpriv_call(struct venv *env);
int bpfrt_v_unpriv_check_tail_calls(struct venv *env);
bool bpfrt_v_unpriv_helper_denied(const struct venv *env, int32_t id);

/* ---- fixups.c (after verification) ---- */
int bpfrt_v_fixups(struct venv *env, struct bpfrt_verify_result *res);

/* ---- small utilities ---- */
static inline int64_t vmin_s64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t vmax_s64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline uint64_t vmin_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t vmax_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
void *bpfrt_v_zalloc(struct venv *env, size_t size);
void bpfrt_v_free(struct venv *env, void *p, size_t size);

#endif
