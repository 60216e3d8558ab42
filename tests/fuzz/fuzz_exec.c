/* Fuzz target: checked-mode execution of arbitrary bytecode. The input
 * (layout in fuzz_util.h) picks a program type, a packet or raw memory,
 * optionally ctx_in, and the instructions. Socket filter, XDP and tc
 * programs go through PROG_LOAD and PROG_TEST_RUN as a user's would
 * (Linux's bpf_prog_load and bpf_prog_test_run; the test run through its
 * typed front, bpfrt_prog_test_run, which takes a budget); the raw mode runs
 * bpf_conformance's model through bpfrt_prog_create/bpfrt_prog_run. Six
 * maps (array, hash, ring buffer, a prog array holding the program itself,
 * .data and a frozen .rodata with format strings) are there for the
 * program to use. Whatever the program does, the host must see no
 * sanitizer report, no hang and no leak. */
#include "fuzz_util.h"

#include "bpfrt/hooks.h"
#include "bpfrt/insn.h"
#include "bpfrt/map.h"

struct exec_input {
    uint32_t mode, flags;
    const uint8_t *data, *ctx;
    uint32_t data_len, ctx_len;
    struct bpf_insn *insns;     /* malloc'd copy: map references get rewritten */
    uint32_t cnt;
};

static uint32_t take(size_t *avail, uint32_t want)
{
    uint32_t n = *avail < want ? (uint32_t)*avail : want;
    *avail -= n;
    return n;
}

/* Helper calls name ids 0..FUZZ_EXEC_HELPER_IDS-1 (random immediates would
 * almost never name a helper). */
static void remap_helpers(struct exec_input *in)
{
    for (uint32_t i = 0; i < in->cnt; i++) {
        struct bpf_insn *insn = &in->insns[i];
        if (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == 0)
            insn->imm = (int32_t)((uint32_t)insn->imm % FUZZ_EXEC_HELPER_IDS);
    }
}

static bool parse(const uint8_t *d, size_t size, struct exec_input *in)
{
    if (size < FUZZ_EXEC_HDR + 8)
        return false;
    memset(in, 0, sizeof(*in));
    in->mode = d[0] % FUZZ_EXEC_NR_MODES;
    in->flags = d[1];
    uint32_t data_len = fuzz_get_le16(d + 2) % (FUZZ_EXEC_MAX_DATA + 1);
    uint32_t ctx_len = in->flags & FUZZ_EXEC_F_CTX ? fuzz_get_le16(d + 4) % (FUZZ_EXEC_MAX_CTX + 1) : 0;
    size_t avail = size - FUZZ_EXEC_HDR;
    const uint8_t *p = d + FUZZ_EXEC_HDR;
    in->data = p;
    in->data_len = take(&avail, data_len);
    p += in->data_len;
    in->ctx = p;
    in->ctx_len = take(&avail, ctx_len);
    p += in->ctx_len;
    in->cnt = (uint32_t)(avail / 8);
    if (in->cnt == 0 || in->cnt > FUZZ_EXEC_MAX_INSNS)
        return false;
    in->insns = malloc((size_t)in->cnt * 8);
    if (!in->insns)
        return false;
    memcpy(in->insns, p, (size_t)in->cnt * 8);
    remap_helpers(in);
    return true;
}

static bool is_map_ref(const struct bpf_insn *insn)
{
    uint8_t src = insn->src_reg;
    return bpfrt_insn_is_lddw(insn) &&
           (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_VALUE ||
            src == BPF_PSEUDO_MAP_IDX_VALUE);
}

static long bpf(struct bpfrt_runtime *rt, int cmd, union bpf_attr *attr)
{
    return bpfrt_bpf(rt, cmd, attr, sizeof(*attr));
}

static long bpf_map(struct bpfrt_runtime *rt, int cmd, int fd, const void *key, const void *value)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)fd;
    a.key = (uintptr_t)key;
    a.value = (uintptr_t)value;
    return bpf(rt, cmd, &a);
}

static int create_map(struct bpfrt_runtime *rt, uint32_t type, uint32_t key, uint32_t value, uint32_t max,
                      uint32_t flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = max;
    a.map_flags = flags;
    long fd = bpf(rt, BPF_MAP_CREATE, &a);
    if (fd < 0) {
        fprintf(stderr, "fuzz_exec: MAP_CREATE type %u failed: %ld\n", type, fd);
        abort();
    }
    return (int)fd;
}

/* What .rodata holds: format strings for bpf_snprintf, bpf_trace_printk
 * and bpf_seq_printf-style helpers (constant strings must sit in frozen
 * read-only memory), one every 64 bytes. */
static const char *const rodata_strings[] = {
    "%d %u %x %llx", "%s|%c|%%", "%pI4 %pI6", "%16lld %-8x %08llu", "%pks %pus", "%p %pK", "%lu %ld %i",
    "fuzz",
};

static void create_maps(struct bpfrt_runtime *rt, int fds[FUZZ_EXEC_NR_MAPS])
{
    fds[FUZZ_MAP_ARRAY] = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 64, 4, 0);
    fds[FUZZ_MAP_HASH] = create_map(rt, BPF_MAP_TYPE_HASH, 8, 16, 16, 0);
    fds[FUZZ_MAP_RINGBUF] = create_map(rt, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    fds[FUZZ_MAP_PROG_ARRAY] = create_map(rt, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0);
    fds[FUZZ_MAP_DATA] = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 1024, 1, 0);
    fds[FUZZ_MAP_RODATA] = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 1024, 1, BPF_F_RDONLY_PROG);
    static char rodata[1024];
    for (size_t i = 0; i < sizeof(rodata_strings) / sizeof(rodata_strings[0]); i++)
        snprintf(rodata + 64 * i, 64, "%s", rodata_strings[i]);
    uint32_t zero = 0;
    if (bpf_map(rt, BPF_MAP_UPDATE_ELEM, fds[FUZZ_MAP_RODATA], &zero, rodata) != 0 ||
        bpf_map(rt, BPF_MAP_FREEZE, fds[FUZZ_MAP_RODATA], NULL, NULL) != 0) {
        fprintf(stderr, "fuzz_exec: cannot fill .rodata\n");
        abort();
    }
}

/* The map a reference names (see fuzz_util.h). */
static uint32_t map_index(const struct bpf_insn *insn)
{
    bool value = insn->src_reg == BPF_PSEUDO_MAP_VALUE || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE;
    uint32_t imm = (uint32_t)insn->imm;
    return value ? FUZZ_MAP_DATA + imm % 2 : imm % FUZZ_EXEC_NR_MAPS;
}

/* PROG_LOAD gets the fd (or the fd_array index). */
static void remap_fds(struct exec_input *in, const int fds[FUZZ_EXEC_NR_MAPS])
{
    for (uint32_t i = 0; i + 1 < in->cnt; i++) {
        struct bpf_insn *insn = &in->insns[i];
        if (!is_map_ref(insn))
            continue;
        uint32_t m = map_index(insn);
        bool by_idx = insn->src_reg == BPF_PSEUDO_MAP_IDX || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE;
        insn->imm = by_idx ? (int32_t)m : fds[m];
        i++;
    }
}

static const uint32_t prog_types[] = {
    [FUZZ_EXEC_SOCKET_FILTER] = BPF_PROG_TYPE_SOCKET_FILTER,
    [FUZZ_EXEC_XDP] = BPF_PROG_TYPE_XDP,
    [FUZZ_EXEC_SCHED_CLS] = BPF_PROG_TYPE_SCHED_CLS,
};
static const char *const prog_type_names[] = { "socket_filter", "xdp", "sched_cls", "raw" };

/* PROG_LOAD, the program into its own prog array (tail calls), then a
 * test run on the packet under the fuzz budget. */
static void run_loaded(struct bpfrt_runtime *rt, const struct exec_input *in, const int fds[FUZZ_EXEC_NR_MAPS])
{
    static char log[4096];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = prog_types[in->mode];
    a.insn_cnt = in->cnt;
    a.insns = (uintptr_t)in->insns;
    a.license = (uintptr_t)(in->flags & FUZZ_EXEC_F_NON_GPL ? "Proprietary" : "GPL");
    a.log_level = 1;
    a.log_buf = (uintptr_t)log;
    a.log_size = sizeof(log);
    a.fd_array = (uintptr_t)fds;
    a.fd_array_cnt = FUZZ_EXEC_NR_MAPS;
    long prog_fd = bpf(rt, BPF_PROG_LOAD, &a);
    if (fuzz_verbose())
        fprintf(stderr, "fuzz_exec: %s, %u insns: PROG_LOAD %ld%s%.200s\n", prog_type_names[in->mode], in->cnt,
                prog_fd, prog_fd < 0 ? ": " : "", prog_fd < 0 ? log : "");
    if (prog_fd < 0)
        return;

    uint32_t key = 0, val = (uint32_t)prog_fd;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)fds[FUZZ_MAP_PROG_ARRAY];
    a.key = (uintptr_t)&key;
    a.value = (uintptr_t)&val;
    bpf(rt, BPF_MAP_UPDATE_ELEM, &a);

    /* Exact-size heap copies: ASan sees any byte read past the input. */
    void *data = malloc(in->data_len ? in->data_len : 1);
    void *ctx = malloc(in->ctx_len ? in->ctx_len : 1);
    uint32_t out_size = in->data_len + 4096;
    void *out = malloc(out_size);
    void *ctx_out = malloc(FUZZ_EXEC_MAX_CTX);
    if (data && ctx && out && ctx_out) {
        memcpy(data, in->data, in->data_len);
        memcpy(ctx, in->ctx, in->ctx_len);
        /* PROG_TEST_RUN's typed front (same code as the attr one), for its
         * budget */
        struct bpfrt_test_run_opts o = {
            .data_in = data, .data_size_in = in->data_len,
            .data_out = out, .data_size_out = out_size,
            .repeat = in->flags & FUZZ_EXEC_F_REPEAT ? 2 : 1,
            .insn_budget = FUZZ_BUDGET,
        };
        if (in->flags & FUZZ_EXEC_F_CTX) {
            o.ctx_in = ctx;
            o.ctx_size_in = in->ctx_len;
            o.ctx_out = ctx_out;
            o.ctx_size_out = FUZZ_EXEC_MAX_CTX;
        }
        struct bpfrt_test_run_result res;
        memset(&res, 0, sizeof(res));
        int rc = bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)prog_fd), &o, &res);
        if (fuzz_verbose())
            fprintf(stderr, "fuzz_exec: test run %d, retval %u %s\n", rc, res.retval, res.error_msg);
    }
    free(data);
    free(ctx);
    free(out);
    free(ctx_out);
}

/* The raw model: map references resolved here as PROG_LOAD would resolve
 * them (bpfrt_prog_create trusts them), then one run on a copy of the memory. */
static void run_raw(struct bpfrt_runtime *rt, struct exec_input *in, const int fds[FUZZ_EXEC_NR_MAPS])
{
    struct bpfrt_map *maps[FUZZ_EXEC_NR_MAPS];
    for (int i = 0; i < FUZZ_EXEC_NR_MAPS; i++)
        maps[i] = bpfrt_map_from_handle(rt, fds[i]);
    for (uint32_t i = 0; i + 1 < in->cnt; i++) {
        struct bpf_insn *insn = &in->insns[i];
        if (!is_map_ref(insn))
            continue;
        struct bpfrt_map *map = maps[map_index(insn)];
        uint64_t v = (uintptr_t)map;
        if (insn->src_reg == BPF_PSEUDO_MAP_VALUE || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
            if (bpfrt_map_direct_value_addr(map, (uint32_t)insn[1].imm, &v) != 0)
                return; /* PROG_LOAD refuses it too */
        }
        insn[0].imm = (int32_t)(uint32_t)v;
        insn[1].imm = (int32_t)(uint32_t)(v >> 32);
        i++;
    }
    char msg[256];
    struct bpfrt_prog *prog = NULL;
    int err = bpfrt_prog_create(rt, in->insns, in->cnt, BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &prog);
    if (fuzz_verbose())
        fprintf(stderr, "fuzz_exec: raw, %u insns: create %d %s\n", in->cnt, err, msg);
    if (err)
        return;
    const struct bpfrt_platform *plat = bpfrt_runtime_platform(rt);
    prog->maps = plat->alloc(plat->ctx, sizeof(maps), 16);
    if (prog->maps) {
        for (int i = 0; i < FUZZ_EXEC_NR_MAPS; i++) {
            bpfrt_map_get(maps[i]);
            prog->maps[i] = maps[i];
        }
        prog->nr_maps = FUZZ_EXEC_NR_MAPS;
    }
    uint8_t *mem = in->data_len ? malloc(in->data_len) : NULL;
    struct bpfrt_run *run = calloc(1, sizeof(*run));
    if (run && (mem || !in->data_len)) {
        if (mem)
            memcpy(mem, in->data, in->data_len);
        run->ctx = mem;
        run->ctx_size = in->data_len;
        bpfrt_run_begin(run, prog);
        run->insn_budget = FUZZ_BUDGET;
        uint64_t r0;
        err = bpfrt_prog_run(prog, run, (uintptr_t)mem, in->data_len, &r0);
        bpfrt_run_end(run);
        if (fuzz_verbose())
            fprintf(stderr, "fuzz_exec: run %d, r0 %#llx %s\n", err, (unsigned long long)r0, run->error_msg);
    }
    free(run);
    free(mem);
    bpfrt_prog_put(prog);
}

/* Records left in the ring buffer are read back as a user would. */
static int drop_record(void *arg, const void *data, size_t size)
{
    const volatile uint8_t *p = data;
    for (size_t i = 0; i < size; i++)
        (void)p[i]; /* ASan checks the record lies in the ring */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct exec_input in;
    if (!parse(data, size, &in))
        return 0;
    struct bpfrt_runtime *rt = fuzz_runtime();
    int fds[FUZZ_EXEC_NR_MAPS];
    create_maps(rt, fds);
    if (in.mode == FUZZ_EXEC_RAW) {
        run_raw(rt, &in, fds);
    } else {
        remap_fds(&in, fds);
        run_loaded(rt, &in, fds);
    }
    bpfrt_ringbuf_consume(bpfrt_map_from_handle(rt, fds[FUZZ_MAP_RINGBUF]), drop_record, NULL);
    bpfrt_runtime_destroy(rt);
    free(in.insns);
    return 0;
}
