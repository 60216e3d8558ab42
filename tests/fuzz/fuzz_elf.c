/* Fuzz target: the ELF/BTF object loader (libbpf's bpf_object__open_mem and
 * bpf_object__load). The input is an object file: it is opened from memory,
 * every accessor is read (names, sections, maps, instructions, line and
 * func info), it is relocated, then loaded into a fresh in-process runtime
 * (BTF_LOAD, MAP_CREATE, PROG_LOAD through bpfrt_bpf), and each loaded
 * packet program is test-run once on a small frame under the fuzz budget,
 * so the maps and relocations the loader built are used for real. Errors
 * are fine; crashes, sanitizer reports, hangs and leaks are not. */
#include "fuzz_util.h"

#include "bpfrt/hooks.h"
#include "bpfrt/object.h"

/* A 64-byte Ethernet/IPv4/TCP frame to port 80. */
static const uint8_t frame[64] = {
    0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,                   /* eth */
    0x45, 0, 0, 50, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,            /* ipv4 */
    0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0,   /* tcp */
    'f', 'u', 'z', 'z', 'i', 'n', 'g', '!', 0, 0,
};

/* Reads every string an accessor hands out, so ASan checks each lies in
 * the object's memory and is terminated. */
static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static void walk(struct bpfrt_object *obj)
{
    size_t sink = touch(bpfrt_object_name(obj)) + touch(bpfrt_object_license(obj)) +
                  touch(bpfrt_object_notes(obj)) + bpfrt_object_kversion(obj) +
                  bpfrt_object_gpl_compatible(obj);
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        sink += touch(bpfrt_object_prog_name(p)) + touch(bpfrt_object_prog_section(p)) +
                touch(bpfrt_object_prog_attach_target(p)) + bpfrt_object_prog_type(p) +
                bpfrt_object_prog_attach_type(p);
        uint32_t cnt = 0, key, id;
        const struct bpf_insn *insns = bpfrt_object_prog_insns(p, &cnt);
        for (uint32_t j = 0; insns && j < cnt; j++)
            sink += insns[j].code;
        sink += bpfrt_object_prog_tail_slot(p, &id, &key);
        if (bpfrt_object_find_prog(obj, bpfrt_object_prog_name(p)) == NULL)
            abort(); /* every program is found by its own name */
    }
    for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++) {
        struct bpfrt_object_map *m = bpfrt_object_map_at(obj, i);
        size_t size = 0;
        const uint8_t *init = bpfrt_object_map_initial_value(m, &size);
        if (init && size) /* a .bss may be huge: its ends are what ASan needs */
            sink += init[0] + init[size - 1];
        sink += touch(bpfrt_object_map_name(m)) + bpfrt_object_map_kind(m) + bpfrt_object_map_type(m) +
                bpfrt_object_map_key_size(m) + bpfrt_object_map_value_size(m) +
                bpfrt_object_map_max_entries(m) + bpfrt_object_map_flags(m) +
                bpfrt_object_map_btf_key_type(m) + bpfrt_object_map_btf_value_type(m) +
                bpfrt_object_map_pinning(m) + bpfrt_object_map_legacy_id(m) +
                (bpfrt_object_map_inner(m) != NULL);
    }
    volatile size_t keep = sink;
    (void)keep;
}

/* After relocation: line and func info records of each program. */
static void walk_relocated(struct bpfrt_object *obj)
{
    size_t sink = 0;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        uint32_t n = 0;
        const struct bpf_line_info *li = bpfrt_object_prog_line_info(p, &n);
        for (uint32_t j = 0; li && j < n; j++)
            sink += li[j].insn_off + li[j].line_off;
        const struct bpf_func_info *fi = bpfrt_object_prog_func_info(p, &n);
        for (uint32_t j = 0; fi && j < n; j++)
            sink += fi[j].insn_off + fi[j].type_id;
    }
    volatile size_t keep = sink;
    (void)keep;
}

static bool is_packet_type(uint32_t type)
{
    return type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT ||
           type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_CGROUP_SKB;
}

static void run_progs(struct bpfrt_runtime *rt, struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        struct bpfrt_prog *prog = bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p));
        if (!prog || !is_packet_type(bpfrt_object_prog_type(p)))
            continue;
        uint8_t out[sizeof(frame) + 512];
        struct bpfrt_test_run_opts o = {
            .data_in = frame, .data_size_in = sizeof(frame),
            .data_out = out, .data_size_out = sizeof(out),
            .insn_budget = FUZZ_BUDGET, /* tail calls into the object's other programs included */
        };
        struct bpfrt_test_run_result res;
        memset(&res, 0, sizeof(res));
        bpfrt_prog_test_run(rt, prog, &o, &res);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bpfrt_runtime *rt = fuzz_runtime();
    struct bpfrt_object_opts opts = {
        .name = "fuzz",
        .default_prog_type = BPF_PROG_TYPE_SCHED_CLS, /* iproute2-style "ID/KEY" sections */
        .pin_root_path = "/fuzz/pins",                /* the runtime's own pin name space */
        .target_btf_path = "", /* CO-RE against the object's own BTF, not the host's vmlinux */
    };
    struct bpfrt_object *obj = NULL;
    char err[256];
    if (bpfrt_object_open_mem(rt, data, size, &opts, &obj, err, sizeof(err)) == 0) {
        walk(obj);
        if (bpfrt_object_relocate(obj, err, sizeof(err)) == 0)
            walk_relocated(obj);
        if (bpfrt_object_load(obj, err, sizeof(err)) == 0) {
            walk(obj);
            run_progs(rt, obj);
        }
        for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++)
            touch(bpfrt_object_prog_log(bpfrt_object_prog_at(obj, i)));
        bpfrt_object_close(obj);
    }
    bpfrt_runtime_destroy(rt);
    return 0;
}
