/* The memory a checked (unverified) run may touch: what the verifier
 * proves statically in Linux (check_mem_access and the pointer types of
 * kernel/bpf/verifier.c) checked at run time against a table of regions
 * with lifetimes (struct bpfrt_run_regions in include/bpfrt/prog.h), plus
 * the inline caches engines test before calling in. Every change that takes
 * memory away resets the caches. */
#include "bpfrt/map.h"
#include "core/core.h"
#include "core/prog/prog.h"
#include "core/prog/prog_types.h"

#define SCOPED_BASE BPFRT_RUN_MAX_REGIONS /* hint values at or above: scoped[] */

static bool region_ok(const struct bpfrt_region *rg, uint64_t addr, uint64_t end, bool write)
{
    return addr >= rg->start && end <= rg->end && (!write || rg->writable);
}

static bool same(const struct bpfrt_region *rg, uintptr_t s, uintptr_t e, bool writable)
{
    return rg->start == s && rg->end == e && rg->writable == writable;
}

/* [start, start+size) as a region; false when it wraps. */
static bool make(const void *start, uint64_t size, bool writable, struct bpfrt_region *out)
{
    uintptr_t s = (uintptr_t)start, e = s + (uintptr_t)size;
    if (e < s || size > UINTPTR_MAX)
        return false;
    *out = (struct bpfrt_region){ s, e, writable };
    return true;
}

/* ---- lookups ---- */

static const struct bpfrt_region *region_at(const struct bpfrt_run *run, uint32_t i)
{
    if (i < run->rgn.nr)
        return &run->regions[i];
    if (i >= SCOPED_BASE && i - SCOPED_BASE < run->rgn.nr_scoped)
        return &run->scoped[i - SCOPED_BASE];
    return NULL;
}

/* Remembers region i for the engine's inline test. */
static void cache_set(struct bpfrt_run *run, uint32_t i, const struct bpfrt_region *rg, bool write)
{
    struct bpfrt_run_regions *g = &run->rgn;
    if (i == g->nocache || rg->end - rg->start < 8)
        return;
    if (write) {
        g->wr_lo = rg->start;
        g->wr_span = rg->end - rg->start;
    } else {
        g->rd_lo = rg->start;
        g->rd_span = rg->end - rg->start;
    }
}

static bool matches(struct bpfrt_run *run, uint32_t i, uint64_t addr, uint64_t end, bool write)
{
    const struct bpfrt_region *rg = region_at(run, i);
    if (!rg || !region_ok(rg, addr, end, write))
        return false;
    run->rgn.hint = i;
    cache_set(run, i, rg, write);
    return true;
}

const struct bpfrt_region *bpfrt_run_region_lookup(struct bpfrt_run *run, uint64_t addr, uint64_t size,
                                                   bool write)
{
    uint64_t end = addr + size;
    if (end < addr)
        return NULL;
    if (matches(run, run->rgn.hint, addr, end, write))
        return region_at(run, run->rgn.hint);
    for (uint32_t i = 0; i < run->rgn.nr; i++)
        if (matches(run, i, addr, end, write))
            return &run->regions[i];
    for (uint32_t i = 0; i < run->rgn.nr_scoped; i++)
        if (matches(run, SCOPED_BASE + i, addr, end, write))
            return &run->scoped[i];
    return NULL;
}

bool bpfrt_run_check_access(const struct bpfrt_run *run, uint64_t addr, uint64_t size, bool write)
{
    if (!run->checked || size == 0)
        return true;
    uint64_t end = addr + size;
    if (end < addr)
        return false;
    for (uint32_t i = 0; i < run->rgn.nr; i++)
        if (region_ok(&run->regions[i], addr, end, write))
            return true;
    for (uint32_t i = 0; i < run->rgn.nr_scoped; i++)
        if (region_ok(&run->scoped[i], addr, end, write))
            return true;
    return false;
}

size_t bpfrt_run_region_span(const struct bpfrt_run *run, const void *p)
{
    if (!run->checked)
        return SIZE_MAX;
    uintptr_t a = (uintptr_t)p;
    size_t best = 0;
    for (uint32_t i = 0; i < run->rgn.nr + run->rgn.nr_scoped; i++) {
        const struct bpfrt_region *r = i < run->rgn.nr ? &run->regions[i] : &run->scoped[i - run->rgn.nr];
        if (a >= r->start && a < r->end && r->end - a > best)
            best = r->end - a;
    }
    return best;
}

/* ---- fixed and run-lifetime regions ---- */

int bpfrt_run_add_region(struct bpfrt_run *run, const void *start, uint64_t size, bool writable)
{
    struct bpfrt_run_regions *g = &run->rgn;
    struct bpfrt_region nr;
    if (!run->checked || size == 0)
        return 0;
    if (!make(start, size, writable, &nr))
        return -BPFRT_EINVAL;
    for (uint32_t i = 0; i < g->nr; i++)
        if (same(&run->regions[i], nr.start, nr.end, writable))
            return 0;
    if (g->nr < BPFRT_RUN_MAX_REGIONS) {
        run->regions[g->nr++] = nr;
        return 0;
    }
    /* Full: recycle the oldest run-lifetime region (a long loop of map
     * lookups must not exhaust the table). Its memory stays valid for the
     * run, so nothing the program could still reach is lost - a later access
     * to it is refused, which is the safe side. */
    if (g->nr_fixed >= BPFRT_RUN_MAX_REGIONS)
        return -BPFRT_E2BIG;
    if (g->recycle < g->nr_fixed || g->recycle >= BPFRT_RUN_MAX_REGIONS)
        g->recycle = g->nr_fixed;
    run->regions[g->recycle++] = nr;
    bpfrt_run_regions_cache_reset(run);
    return 0;
}

int bpfrt_run_add_fixed_region(struct bpfrt_run *run, const void *start, uint64_t size, bool writable)
{
    struct bpfrt_run_regions *g = &run->rgn;
    struct bpfrt_region nr;
    if (!run->checked || size == 0)
        return -BPFRT_ENOENT;
    if (!make(start, size, writable, &nr))
        return -BPFRT_EINVAL;
    for (uint32_t i = 0; i < g->nr_fixed; i++)
        if (same(&run->regions[i], nr.start, nr.end, writable))
            return (int)i;
    if (g->nr_fixed >= BPFRT_RUN_MAX_REGIONS)
        return -BPFRT_E2BIG;
    if (g->nr > g->nr_fixed) {
        /* The fixed ones stay below the run-lifetime ones: the first of
         * those moves to the end or, when the table is full, gives its
         * slot up (its memory stays valid; a later access is refused). */
        if (g->nr < BPFRT_RUN_MAX_REGIONS)
            run->regions[g->nr++] = run->regions[g->nr_fixed];
        bpfrt_run_regions_cache_reset(run);
    } else {
        g->nr++;
    }
    run->regions[g->nr_fixed] = nr;
    return (int)g->nr_fixed++;
}

void bpfrt_run_remove_region(struct bpfrt_run *run, const void *start)
{
    struct bpfrt_run_regions *g = &run->rgn;
    for (uint32_t i = g->nr_fixed; i < g->nr;) {
        if (run->regions[i].start == (uintptr_t)start)
            run->regions[i] = run->regions[--g->nr];
        else
            i++;
    }
    bpfrt_run_regions_cache_reset(run);
}

int bpfrt_map_value_regions(const struct bpfrt_map *map, const void *value, struct bpfrt_region out[2])
{
    uintptr_t v = (uintptr_t)value;
    bool writable = !(map->map_flags & BPF_F_RDONLY_PROG);
    int32_t lock = map->spin_lock_off;
    if (lock < 0 || (uint32_t)lock >= map->value_size) {
        out[0] = (struct bpfrt_region){ v, v + map->value_size, writable };
        return 1;
    }
    uint32_t after = (uint32_t)lock + (uint32_t)sizeof(struct bpf_spin_lock);
    int n = 0;
    if (lock > 0)
        out[n++] = (struct bpfrt_region){ v, v + (uint32_t)lock, writable };
    if (after < map->value_size)
        out[n++] = (struct bpfrt_region){ v + after, v + map->value_size, writable };
    return n;
}

void bpfrt_run_add_prog_regions(struct bpfrt_run *run, const struct bpfrt_prog *prog)
{
    if (!run->checked)
        return;
    /* Global data (.data/.rodata/.bss): single-value arrays a ld_imm64
     * MAP_VALUE points into. */
    for (uint32_t i = 0; i < prog->nr_maps; i++) {
        struct bpfrt_map *map = prog->maps[i];
        uint64_t addr;
        if (!map || map->map_type != BPF_MAP_TYPE_ARRAY)
            continue;
        if (bpfrt_map_direct_value_addr(map, 0, &addr) != 0 || !addr)
            continue;
        struct bpfrt_region parts[2];
        int n = bpfrt_map_value_regions(map, (const void *)(uintptr_t)addr, parts);
        for (int k = 0; k < n; k++)
            bpfrt_run_add_fixed_region(run, (const void *)parts[k].start, parts[k].end - parts[k].start,
                                       parts[k].writable);
    }
}

/* ---- the packet ---- */

/* What the program's type may do with the packet through its data
 * pointers (Linux's may_access_direct_pkt_data): nothing (socket filters
 * read it with LD_ABS and helpers), read (cgroup_skb, lwt_in/out), or read
 * and write. Programs without a described context (bpfrt's plain-memory
 * model) read and write it. */
static uint8_t packet_access(const struct bpfrt_run *run)
{
    const struct bpfrt_prog_type_row *row = run->prog ? bpfrt_prog_type_row(run->prog->type) : NULL;
    return row && row->ctx ? row->pkt : BPFRT_PKT_READ_WRITE;
}

/* The packet as the program may see it now: [data_meta (or data),
 * data_end) - not the headroom and tailroom around it, which are the
 * helpers' to hand out. False when there is nothing to see. */
static bool packet_region(const struct bpfrt_run *run, struct bpfrt_region *out)
{
    const struct bpfrt_pkt *pkt = run->pkt;
    const uint8_t *lo = pkt->data_meta ? pkt->data_meta : pkt->data;
    uint8_t access = packet_access(run);
    if (access == BPFRT_PKT_NONE || !lo || pkt->data_end <= lo)
        return false;
    *out = (struct bpfrt_region){ (uintptr_t)lo, (uintptr_t)pkt->data_end, access == BPFRT_PKT_READ_WRITE };
    return true;
}

static void add_packet_region(struct bpfrt_run *run)
{
    struct bpfrt_region pr;
    if (!packet_region(run, &pr))
        return;
    int i = bpfrt_run_add_fixed_region(run, (const void *)pr.start, pr.end - pr.start, pr.writable);
    if (i >= 0)
        run->rgn.packet = (uint32_t)i;
}

void bpfrt_run_add_start_regions(struct bpfrt_run *run, const struct bpfrt_prog *prog)
{
    if (!run->checked)
        return;
    /* A plain-memory context (the conformance model, syscall programs):
     * all of its bytes. Contexts with a description are checked field by
     * field instead. */
    if (!run->ctx_desc && run->ctx && run->ctx_size)
        bpfrt_run_add_fixed_region(run, run->ctx, run->ctx_size, true);
    if (run->pkt && run->rgn.packet == UINT32_MAX)
        add_packet_region(run);
    if (prog->nr_maps)
        bpfrt_run_add_prog_regions(run, prog);
}

void bpfrt_run_packet_moved(struct bpfrt_run *run)
{
    if (!run->checked || !run->pkt)
        return;
    if (run->rgn.packet < run->rgn.nr) {
        struct bpfrt_region pr = { 0, 0, false };
        packet_region(run, &pr); /* an empty packet leaves an empty region */
        run->regions[run->rgn.packet] = pr;
    } else {
        add_packet_region(run);
    }
    bpfrt_run_regions_cache_reset(run);
}

/* ---- scoped regions ---- */

uint32_t bpfrt_run_scope_begin(const struct bpfrt_run *run)
{
    return run->rgn.nr_scoped;
}

int bpfrt_run_scope_add(struct bpfrt_run *run, const void *start, uint64_t size, bool writable)
{
    struct bpfrt_region nr;
    if (!run->checked || size == 0)
        return 0;
    if (!make(start, size, writable, &nr))
        return -BPFRT_EINVAL;
    if (run->rgn.nr_scoped >= BPFRT_RUN_MAX_SCOPED) {
        bpfrt_run_fail(run, BPFRT_RUN_CALL_DEPTH, nr.start,
                       "helper calls in progress lend more than %u regions", BPFRT_RUN_MAX_SCOPED);
        return -BPFRT_E2BIG;
    }
    run->scoped[run->rgn.nr_scoped++] = nr;
    return 0;
}

void bpfrt_run_scope_end(struct bpfrt_run *run, uint32_t mark)
{
    if (mark < run->rgn.nr_scoped)
        run->rgn.nr_scoped = mark;
    bpfrt_run_regions_cache_reset(run);
}
