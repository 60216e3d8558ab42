/* Checked mode: at run time, what Linux's verifier proves before
 * (check_mem_access, check_ctx_access, check_func_arg in
 * kernel/bpf/verifier.c). The loop tests the stack and the cached regions
 * inline; everything else comes here: the run's regions
 * (src/core/prog/regions.c) and the context through the one access rule.
 * Helper arguments are checked against the prototype before the call and
 * the memory a helper returns becomes a region after it. Also the probes
 * (Linux's BPF_PROBE_MEM loads, arch/x86/net/bpf_jit_comp.c's exception
 * table): loads through kernel pointers, verified or not. */
#include "bpfrt/helpers.h"
#include "core/helpers/helpers_internal.h"
#include "core/interp/interp.h"
#include "core/prog/prog_types.h"

/* Helper work charged to the run per this many bytes of memory arguments. */
#define ARG_BYTES_PER_UNIT 16

void bpfrt_interp_setup_regions(struct interp_exec *ex)
{
    struct bpfrt_run *run = ex->run;
    /* The stack: all frames' (the loop moves its start with calls). */
    int i = bpfrt_run_add_fixed_region(run, ex->stack_top - INTERP_FRAME_SIZE, INTERP_FRAME_SIZE, true);
    ex->stack_region = i >= 0 ? (uint32_t)i : UINT32_MAX;
    run->rgn.nocache = ex->stack_region;
    /* The entry frame's stack is valid for the whole engine run: the inline
     * caches fall back to it, so their test needs no "empty" case. */
    bpfrt_run_regions_home(run, (uintptr_t)(ex->stack_top - INTERP_FRAME_SIZE), INTERP_FRAME_SIZE);
}

static void bad_access(struct interp_exec *ex, uint32_t pc, uint64_t addr, uint32_t size, const char *what)
{
    bool readable = bpfrt_run_region_lookup(ex->run, addr, size, false) != NULL;
    bpfrt_interp_fail(ex, BPFRT_RUN_BAD_ACCESS, pc, addr,
                  "invalid memory access at insn %u: %s of %u bytes at 0x%llx%s", pc, what, size,
                  (unsigned long long)addr,
                  readable ? " (read-only memory)" : "");
}

/* Context accesses through run->ctx_desc: -1 not the context, 0 invalid
 * (error recorded), 1 plain load/store, 2 *val holds the value. The rule
 * is bpfrt_ctx_access_ok's, the one the verifier and the kernel sweep use. */
static int ctx_access(struct interp_exec *ex, uint64_t addr, uint32_t size, bool write, uint64_t *val,
                      uint32_t pc)
{
    const struct bpfrt_run *run = ex->run;
    const struct bpfrt_ctx_desc *desc = run->ctx_desc;
    if (!desc || !run->ctx)
        return -1;
    uintptr_t c = (uintptr_t)run->ctx;
    /* the whole kernel-side struct is the context: bytes past the user
     * view (pointer shadows, unused argument slots) are refused as such */
    if (addr < c || addr >= c + (desc->kern_size > desc->ctx_size ? desc->kern_size : desc->ctx_size))
        return -1;
    uint32_t off = (uint32_t)(addr - c);
    const struct bpfrt_ctx_field *f = bpfrt_ctx_access_ok(desc, off, size, write);
    if (!f) {
        bpfrt_interp_fail(ex, BPFRT_RUN_BAD_ACCESS, pc, addr,
                          "invalid bpf_context access at insn %u: %s off=%u size=%u (%s)", pc,
                          write ? "write" : "read", off, size, desc->ctx_name ? desc->ctx_name : "context");
        return 0;
    }
    if (f->kind == BPFRT_CTX_SCALAR)
        return 1;
    /* A pointer in disguise: read as the kernel-side u64. */
    uint64_t v;
    bpfrt_memcpy(&v, (const void *)(c + f->kern_off), sizeof(v));
    *val = v;
    return 2;
}

int bpfrt_interp_check_load(struct interp_exec *ex, uint64_t addr, uint32_t size, uint64_t *val, uint32_t pc)
{
    int c = ctx_access(ex, addr, size, false, val, pc);
    if (c >= 0)
        return c;
    if (bpfrt_run_region_lookup(ex->run, addr, size, false))
        return 1;
    /* BTF-typed tracing programs read kernel objects through the typed
     * pointers of their arguments (Linux's PTR_TO_BTF_ID, BPF_PROBE_MEM):
     * unverified, any load of theirs may be such a read - a probe. */
    if (ex->run->prog && (ex->run->prog->ctx_desc || ex->run->prog->probe_mem)) {
        *val = bpfrt_interp_probe_load(ex, addr, size, false);
        return 2;
    }
    bad_access(ex, pc, addr, size, "read");
    return 0;
}

static bool within(uint64_t addr, uint32_t size, uintptr_t lo, uintptr_t hi)
{
    return addr >= lo && addr < hi && hi - addr >= size;
}

/* Whether [addr, +size) is a kernel object the runtime made; remembers it
 * for the next probe (a program reads several fields of one task). */
static bool kernel_object(struct interp_exec *ex, uint64_t addr, uint32_t size)
{
    size_t len = 0;
    if (within(addr, size, ex->probe_lo, ex->probe_hi))
        return true;
    if (!bpfrt_kernel_object_range(ex->run->rt, (const void *)(uintptr_t)addr, &len) || len < size)
        return false;
    ex->probe_lo = (uintptr_t)addr; /* the object's start is not known: from here on */
    ex->probe_hi = (uintptr_t)addr + len;
    return true;
}

/* What a probe may read, as Linux's exception table makes a faulting
 * BPF_PROBE_MEM load read 0: the run's own memory - a checked run's
 * regions, the engine's stack, the kernel objects the runtime made for
 * programs (a task_struct and what it points to), all read directly - and
 * what the host-read policy allows (docs/sandbox.md), through the
 * platform's fault-safe copy. Nothing else, whatever address a kernel
 * object's field held. */
uint64_t bpfrt_interp_probe_load(struct interp_exec *ex, uint64_t addr, uint32_t size, bool sign)
{
    struct bpfrt_run *run = ex->run;
    const void *p = (const void *)(uintptr_t)addr;
    uint64_t v = 0; /* little-endian: the bytes read are its low ones */
    if (addr + size < addr || size > sizeof(v))
        return 0;
    if (kernel_object(ex, addr, size) || within(addr, size, run->stack_lo, run->stack_hi) ||
        (run->checked && bpfrt_run_region_lookup(run, addr, size, false)))
        bpfrt_memcpy(&v, p, size);
    else if (bpfrt_runtime_host_reads(run->rt) == BPFRT_HOST_READS_NONE) /* nothing more than the above */
        return 0;
    else if (bpfrt_host_read(run, &v, p, size, false) < 0)
        return 0;
    return sign ? bpfrt_sign_extend(v, size) : v;
}

bool bpfrt_interp_check_store(struct interp_exec *ex, uint64_t addr, uint32_t size, uint32_t pc)
{
    uint64_t unused;
    int c = ctx_access(ex, addr, size, true, &unused, pc);
    if (c >= 0)
        return c == 1;
    if (bpfrt_run_region_lookup(ex->run, addr, size, true))
        return true;
    bad_access(ex, pc, addr, size, "write");
    return false;
}

bool bpfrt_interp_check_rmw(struct interp_exec *ex, uint64_t addr, uint32_t size, uint32_t pc)
{
    const struct bpfrt_run *run = ex->run;
    if (run->ctx_desc && run->ctx && addr >= (uintptr_t)run->ctx &&
        addr < (uintptr_t)run->ctx + run->ctx_desc->ctx_size) {
        bpfrt_interp_fail(ex, BPFRT_RUN_BAD_ACCESS, pc, addr,
                      "invalid memory access at insn %u: atomic operation on the context", pc);
        return false;
    }
    if (bpfrt_run_region_lookup(ex->run, addr, size, true))
        return true;
    bad_access(ex, pc, addr, size, "atomic update");
    return false;
}

/* ---- helper arguments ---- */

static bool extra_map(const struct interp_exec *ex, uintptr_t m)
{
    for (uint32_t i = 0; i < ex->nr_extra_maps; i++)
        if (ex->extra_maps[i] == m)
            return true;
    return false;
}

static bool arg_fail(struct interp_exec *ex, const struct bpfrt_helper_proto *p, uint32_t pc, int reg,
                     uint64_t addr, const char *why)
{
    bpfrt_interp_fail(ex, BPFRT_RUN_BAD_HELPER_ARG, pc, addr,
                  "invalid helper argument at insn %u: %s#%u R%d %s", pc,
                  p->name ? p->name : "helper", p->id, reg, why);
    return false;
}

static bool arg_mem(struct interp_exec *ex, const struct bpfrt_helper_proto *p, uint32_t pc, int reg,
                    uint64_t addr, uint64_t size, bool write)
{
    if (size == 0)
        return true;
    if (bpfrt_run_region_lookup(ex->run, addr, size, write))
        return true;
    char why[96];
    bpfrt_snprintf(why, sizeof(why), "%llu %s bytes at 0x%llx are not accessible",
                   (unsigned long long)size, write ? "writable" : "readable", (unsigned long long)addr);
    return arg_fail(ex, p, pc, reg, addr, why);
}

/* A bpf_spin_lock argument must be the lock of a map value this run looked
 * up (the map's spin_lock_off): locking arbitrary memory could spin forever.
 * At most one lock is held, and only the held lock can be unlocked, so a
 * program cannot deadlock itself. */
static bool spin_lock_arg(struct interp_exec *ex, const struct bpfrt_helper_proto *p, uint32_t pc, int reg,
                          uint64_t v)
{
    bool found = false;
    for (uint32_t i = 0; i < ex->nr_values && !found; i++) {
        const struct bpfrt_map *m = ex->values[i].map;
        found = m->spin_lock_off >= 0 && v == ex->values[i].value + (uint64_t)m->spin_lock_off;
    }
    if (!found)
        return arg_fail(ex, p, pc, reg, v, "is not the bpf_spin_lock of a map value this program looked up");
    if (p->id == BPF_FUNC_spin_lock && ex->held_lock)
        return arg_fail(ex, p, pc, reg, v, "takes a second bpf_spin_lock while one is held");
    if (p->id == BPF_FUNC_spin_unlock && ex->held_lock != v)
        return arg_fail(ex, p, pc, reg, v, "unlocks a bpf_spin_lock that is not held");
    return true;
}

void bpfrt_interp_finish_checked(struct interp_exec *ex, int *rc)
{
    if (!ex->held_lock)
        return;
    bpfrt_spin_unlock((struct bpf_spin_lock *)ex->held_lock);
    ex->held_lock = 0;
    if (*rc == 0) {
        bpfrt_interp_fail(ex, BPFRT_RUN_BAD_HELPER_ARG, ex->exit_pc, 0,
                      "the program exited holding a bpf_spin_lock (bpf_spin_unlock is missing)");
        *rc = bpfrt_run_errno(BPFRT_RUN_BAD_HELPER_ARG);
    }
}

bool bpfrt_interp_helper_needs_checks(const struct bpfrt_helper_proto *p)
{
    if (p->ret_type != RET_INTEGER && p->ret_type != RET_VOID)
        return true;
    for (int i = 0; i < 5; i++) {
        uint8_t t = p->arg_type[i];
        if (t != ARG_DONTCARE && t != ARG_ANYTHING && t != ARG_CONST_SIZE && t != ARG_CONST_SIZE_OR_ZERO &&
            t != ARG_CONST_ALLOC_SIZE_OR_ZERO)
            return true;
    }
    return false;
}

bool bpfrt_interp_check_helper_args(struct interp_exec *ex, const struct bpfrt_helper_proto *p,
                                const uint64_t *regs, uint32_t pc, uint64_t *alloc_size,
                                struct bpfrt_map **map_out)
{
    struct bpfrt_run *run = ex->run;
    const struct interp_code *code = ex->frames[ex->depth].code;
    struct bpfrt_map *map = NULL;
    uint64_t bytes = 0; /* memory the helper may touch: its work, charged */
    /* Linux's verifier: "function calls are not allowed while holding a
     * lock" - a helper could take the same lock (BPF_F_LOCK) or call back
     * into code that does. (A second bpf_spin_lock gets its own message
     * from spin_lock_arg.) */
    if (ex->held_lock && p->id != BPF_FUNC_spin_unlock && p->id != BPF_FUNC_spin_lock) {
        bpfrt_interp_fail(ex, BPFRT_RUN_BAD_HELPER_ARG, pc, ex->held_lock,
                          "invalid helper call at insn %u: %s#%u: function calls are not allowed while holding a lock",
                          pc, p->name ? p->name : "helper", p->id);
        return false;
    }
    for (int i = 0; i < 5; i++) {
        int reg = i + 1;
        uint64_t v = regs[reg];
        uint8_t t = p->arg_type[i];
        uint8_t next = i < 4 ? p->arg_type[i + 1] : ARG_DONTCARE;
        bool sized = next == ARG_CONST_SIZE || next == ARG_CONST_SIZE_OR_ZERO;
        uint64_t size = sized ? regs[reg + 1] : p->arg_size[i] ? p->arg_size[i] : 1; /* MEM_FIXED_SIZE */
        /* Memory the helper only reads is marked MEM_RDONLY (arg_rdonly);
         * any other memory argument may be written. */
        bool helper_writes = !(p->arg_rdonly & (1u << i));
        switch (t) {
        case ARG_CONST_MAP_PTR:
            if (!bpfrt_interp_code_has_map(code, (uintptr_t)v) && !extra_map(ex, (uintptr_t)v))
                return arg_fail(ex, p, pc, reg, v, "is not a map this program references");
            map = (struct bpfrt_map *)(uintptr_t)v;
            break;
        case ARG_PTR_TO_MAP_KEY:
        case ARG_PTR_TO_MAP_VALUE:
        case ARG_PTR_TO_UNINIT_MAP_VALUE:
            if (!map)
                return arg_fail(ex, p, pc, reg, v, "needs a map argument before it");
            size = t == ARG_PTR_TO_MAP_KEY ? map->key_size : map->value_size;
            if (!arg_mem(ex, p, pc, reg, v, size, t == ARG_PTR_TO_UNINIT_MAP_VALUE))
                return false;
            bytes += size;
            break;
        case ARG_PTR_TO_MEM_OR_NULL:
            if (v == 0) {
                /* NULL implies size 0: the helper would use it as memory */
                if (sized && size != 0)
                    return arg_fail(ex, p, pc, reg, 0, "is NULL with a non-zero size");
                break;
            }
            /* fall through */
        case ARG_PTR_TO_MEM:
        case ARG_PTR_TO_UNINIT_MEM:
            if (sized && next == ARG_CONST_SIZE && size == 0)
                return arg_fail(ex, p, pc, reg + 1, 0, "invalid zero-sized access");
            if (!arg_mem(ex, p, pc, reg, v, size, t == ARG_PTR_TO_UNINIT_MEM || helper_writes))
                return false;
            bytes += size;
            break;
        case ARG_PTR_TO_CTX:
            if (v != (uint64_t)(uintptr_t)run->ctx)
                return arg_fail(ex, p, pc, reg, v, "is not the program's context");
            break;
        case ARG_PTR_TO_CONST_STR: {
            /* Constant: in read-only memory (Linux: a frozen read-only map
             * value), so nothing the helper writes can change it. */
            const struct bpfrt_region *rg = bpfrt_run_region_lookup(run, v, 1, false);
            if (!rg)
                return arg_mem(ex, p, pc, reg, v, 1, false);
            if (bpfrt_run_region_lookup(run, v, 1, true))
                return arg_fail(ex, p, pc, reg, v, "is not a constant string in read-only memory");
            const char *s = (const char *)(uintptr_t)v;
            uint64_t avail = rg->end - v;
            size_t len = bpfrt_strnlen(s, (size_t)avail);
            if (len >= avail)
                return arg_fail(ex, p, pc, reg, v, "string is not NUL-terminated");
            bytes += len;
            break;
        }
        case ARG_PTR_TO_SPIN_LOCK:
            if (!spin_lock_arg(ex, p, pc, reg, v))
                return false;
            break;
        case ARG_PTR_TO_RINGBUF_MEM:
            if (!bpfrt_run_ref_held(run, (const void *)(uintptr_t)v))
                return arg_fail(ex, p, pc, reg, v, "is not a ring buffer record reserved in this run");
            break;
        case ARG_CONST_ALLOC_SIZE_OR_ZERO:
            *alloc_size = v;
            break;
        case ARG_PTR_TO_FUNC: {
            uintptr_t first = (uintptr_t)code->slots;
            if (v < first || v >= (uintptr_t)(code->slots + code->len) ||
                (v - first) % sizeof(struct interp_slot) != 0 ||
                !bpfrt_interp_code_has_func(code, (uint32_t)((v - first) / sizeof(struct interp_slot))))
                return arg_fail(ex, p, pc, reg, v, "is not a function of this program");
            break;
        }
        case ARG_PTR_TO_STACK_OR_NULL:
            if (v != 0 && !arg_mem(ex, p, pc, reg, v, 1, false))
                return false;
            break;
        case ARG_PTR_TO_MAP_VALUE_OR_NULL:
            if (v == 0)
                break;
            if (!map)
                return arg_fail(ex, p, pc, reg, v, "needs a map argument before it");
            if (!arg_mem(ex, p, pc, reg, v, map->value_size, false))
                return false;
            break;
        case ARG_PTR_TO_DYNPTR:
        case ARG_PTR_TO_UNINIT_DYNPTR:
            if (!arg_mem(ex, p, pc, reg, v, 16, t == ARG_PTR_TO_UNINIT_DYNPTR))
                return false;
            break;
        case ARG_PTR_TO_LONG:
            if (!arg_mem(ex, p, pc, reg, v, 8, true))
                return false;
            break;
        case ARG_PTR_TO_INT:
            if (!arg_mem(ex, p, pc, reg, v, 4, true))
                return false;
            break;
        default: /* ARG_DONTCARE, ARG_ANYTHING, sizes (checked with their pointer); kernel
                  * objects (sockets, tasks) are checked by the helper that takes them */
            break;
        }
    }
    if (bytes && !bpfrt_run_charge(run, bytes / ARG_BYTES_PER_UNIT)) {
        run->error_insn = pc;
        return false;
    }
    *map_out = map;
    return true;
}

void bpfrt_interp_helper_returned(struct interp_exec *ex, const struct bpfrt_helper_proto *p,
                              const uint64_t *regs, uint64_t ret, uint64_t alloc_size,
                              struct bpfrt_map *map)
{
    if (p->id == BPF_FUNC_spin_lock && ex->run->error == BPFRT_RUN_OK) /* taken */
        ex->held_lock = (uintptr_t)regs[1];
    else if (p->id == BPF_FUNC_spin_unlock)
        ex->held_lock = 0;
    if (ret == 0)
        return;
    switch (p->ret_type) {
    case RET_PTR_TO_MAP_VALUE_OR_NULL:
    case RET_PTR_TO_MAP_VALUE:
        if (!map)
            break;
        if (map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS || map->map_type == BPF_MAP_TYPE_HASH_OF_MAPS) {
            /* The value is the inner map itself: usable as a map argument. */
            if (!extra_map(ex, (uintptr_t)ret)) {
                if (ex->nr_extra_maps < INTERP_MAX_EXTRA_MAPS)
                    ex->extra_maps[ex->nr_extra_maps++] = (uintptr_t)ret;
                else
                    ex->extra_maps[ret % INTERP_MAX_EXTRA_MAPS] = (uintptr_t)ret;
            }
            break;
        }
        struct bpfrt_region parts[2];
        int n = bpfrt_map_value_regions(map, (const void *)(uintptr_t)ret, parts);
        for (int k = 0; k < n; k++)
            bpfrt_run_add_region(ex->run, (const void *)parts[k].start, parts[k].end - parts[k].start,
                                 parts[k].writable);
        if (map->spin_lock_off >= 0) {
            uint32_t slot = ex->nr_values < INTERP_MAX_VALUES ? ex->nr_values++ : ex->next_value++ % INTERP_MAX_VALUES;
            ex->values[slot].value = (uintptr_t)ret;
            ex->values[slot].map = map;
        }
        break;
    case RET_PTR_TO_MEM_OR_NULL:
        if (alloc_size == 0)
            break;
        bpfrt_run_add_region(ex->run, (const void *)(uintptr_t)ret, alloc_size, true);
        break;
    default:
        break;
    }
}
