/* The ELF reader and object model on hand-built objects: section names ->
 * program types and attach points, iproute2 "ID/KEY" slots, objects without
 * symbols, bpf-to-bpf calls into .text and other code sections,
 * legacy map definitions, relocations the loader must ignore (debug info)
 * or reject (naming the symbol and section), license strings, and header
 * checks. Also the loader's output on compiled corpus objects (relocated
 * instructions, func/line info, map definitions) before anything runs, and
 * the sizes a tool's user space sets before load (in bpfrt and Linux). */
#include "elf_builder.h"
#include "bpfrt/errno.h"
#include "kernel_bpf.h"

/* ---- tests ---- */

static void test_section_types(void)
{
    static const struct {
        const char *sec;
        uint32_t type, attach;
        const char *target;
    } rows[] = {
        {"kprobe/do_exit", BPF_PROG_TYPE_KPROBE, 0, "do_exit"},
        {"kretprobe/vfs_read", BPF_PROG_TYPE_KPROBE, 0, "vfs_read"},
        {"tracepoint/syscalls/sys_enter_read", BPF_PROG_TYPE_TRACEPOINT, 0, "syscalls/sys_enter_read"},
        {"tp/sched/sched_switch", BPF_PROG_TYPE_TRACEPOINT, 0, "sched/sched_switch"},
        {"raw_tracepoint/sched_switch", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "sched_switch"},
        {"raw_tp/sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "sys_enter"},
        {"uprobe/bin:main", BPF_PROG_TYPE_KPROBE, 0, "bin:main"},
        {"perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, ""},
        {"cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, ""},
        {"cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, ""},
        {"sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, ""},
        {"socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, ""},
        {"tc", BPF_PROG_TYPE_SCHED_CLS, 0, ""},
        {"tc/ingress", BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_INGRESS, ""},
        {"classifier", BPF_PROG_TYPE_SCHED_CLS, 0, ""},
        {"action", BPF_PROG_TYPE_SCHED_ACT, 0, ""},
        {"xdp", BPF_PROG_TYPE_XDP, BPF_XDP, ""},
        {"xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP, ""},
        {"xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, ""},
        {"lsm/file_open", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "file_open"},
        {"fentry/do_unlinkat", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "do_unlinkat"},
        {"cgroup/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, ""},
        {"sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, ""},
        {"xdp_prog", BPF_PROG_TYPE_XDP, BPF_XDP, ""}, /* legacy prefix match */
        {"?tc", BPF_PROG_TYPE_SCHED_CLS, 0, ""},       /* not loaded by default */
    };
    struct ebuild b;
    eb_init(&b);
    size_t n = sizeof(rows) / sizeof(rows[0]);
    for (size_t i = 0; i < n && i < MAX_SECS - 1; i++)
        eb_sec(&b, rows[i].sec, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, ret0, sizeof(ret0));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    /* no symbols at all: each section is one program named after it */
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (!obj) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ(bpfrt_object_prog_count(obj), (uint32_t)(n < MAX_SECS - 1 ? n : MAX_SECS - 1));
    for (size_t i = 0; i < n && i < MAX_SECS - 1; i++) {
        struct bpfrt_object_prog *p = bpfrt_object_find_prog_by_section(obj, rows[i].sec);
        test_current = rows[i].sec;
        CHECK(p != NULL);
        if (!p)
            continue;
        CHECK_EQ(bpfrt_object_prog_type(p), rows[i].type);
        CHECK_EQ(bpfrt_object_prog_attach_type(p), rows[i].attach);
        CHECK_STR(bpfrt_object_prog_attach_target(p), rows[i].target);
        CHECK_STR(bpfrt_object_prog_name(p), rows[i].sec);
    }
    test_current = "section types";
    CHECK_STR(bpfrt_object_license(obj), "GPL");
    bpfrt_object_close(obj);
}

static void test_tail_slots_and_default_type(void)
{
    struct ebuild b;
    eb_init(&b);
    eb_ret0_prog(&b, "2/1", "slot_prog");
    eb_ret0_prog(&b, "custom_name", "custom");
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (obj) {
        uint32_t id = 0, key = 0;
        struct bpfrt_object_prog *p = bpfrt_object_find_prog(obj, "slot_prog");
        CHECK(p && bpfrt_object_prog_tail_slot(p, &id, &key));
        CHECK_EQ(id, 2);
        CHECK_EQ(key, 1);
        CHECK_EQ(bpfrt_object_prog_type(p), 0);
        CHECK(!bpfrt_object_prog_tail_slot(bpfrt_object_find_prog(obj, "custom"), &id, &key));
        /* no type: load refuses, naming the section */
        CHECK(bpfrt_object_load(obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "section '2/1' does not name a program type");
        bpfrt_object_close(obj);
    }
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SOCKET_FILTER};
    CHECK_EQ(bpfrt_object_open_mem(crt, b.out, b.size, &o, &obj, err, sizeof(err)), 0);
    if (obj) {
        CHECK_EQ(bpfrt_object_prog_type(bpfrt_object_find_prog(obj, "custom")), BPF_PROG_TYPE_SOCKET_FILTER);
        /* the slot's PROG_ARRAY (legacy id 2) does not exist */
        CHECK(bpfrt_object_load(obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "no PROG_ARRAY map with id 2");
        bpfrt_object_close(obj);
    }
}

/* xdp: r1 = 5; call f (in .text); r0 += 1 via call g (in "helpers"); exit */
static void test_calls_across_sections(void)
{
    static const struct bpf_insn main_code[] = {
        INSN(0xb7, 1, 0, 0, 5),
        INSN(0x85, 0, 1, 0, -1), /* call f: relocated */
        INSN(0xbf, 1, 0, 0, 0),  /* r1 = r0 */
        INSN(0x85, 0, 1, 0, -1), /* call g: relocated */
        INSN(0x95, 0, 0, 0, 0),
    };
    static const struct bpf_insn text[] = {
        INSN(0xb7, 0, 0, 0, 100), /* unrelated function first */
        INSN(0x95, 0, 0, 0, 0),
        INSN(0xbf, 0, 1, 0, 0), /* f: r0 = r1 * 3 */
        INSN(0x27, 0, 0, 0, 3),
        INSN(0x95, 0, 0, 0, 0),
    };
    static const struct bpf_insn helpers[] = {
        INSN(0xbf, 0, 1, 0, 0), /* g: r0 = r1 + 1 */
        INSN(0x07, 0, 0, 0, 1),
        INSN(0x95, 0, 0, 0, 0),
    };
    struct ebuild b;
    eb_init(&b);
    int text_i = eb_sec(&b, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, text, sizeof(text));
    int xdp_i = eb_sec(&b, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, main_code, sizeof(main_code));
    int h_i = eb_sec(&b, ".text.helpers", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, helpers, sizeof(helpers));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "unused", text_i, 0, 16, STT_FUNC, STB_LOCAL);
    int f = eb_sym(&b, "f", text_i, 16, 24, STT_FUNC, STB_LOCAL);
    eb_sym(&b, "prog", xdp_i, 0, sizeof(main_code), STT_FUNC, STB_GLOBAL);
    int g = eb_sym(&b, "g", h_i, 0, sizeof(helpers), STT_FUNC, STB_LOCAL);
    /* debug relocations with nonsense symbol indexes must be ignored */
    static uint8_t dbg[64];
    int d_i = eb_sec(&b, ".debug_info", SHT_PROGBITS, 0, dbg, sizeof(dbg));
    Elf64_Rel rels[2] = {{8, ELF64_R_INFO(f, R_BPF_64_32_)}, {24, ELF64_R_INFO(g, R_BPF_64_32_)}};
    eb_rel(&b, ".relxdp", xdp_i, rels, 2);
    static Elf64_Rel junk[1] = {{4, ELF64_R_INFO(999, 3)}};
    eb_rel(&b, ".rel.debug_info", d_i, junk, 1);
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (!obj) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ(bpfrt_object_prog_count(obj), 1); /* .text and .text.helpers funcs are static */
    CHECK_EQ(bpfrt_object_relocate(obj, err, sizeof(err)), 0);
    uint32_t cnt;
    const struct bpf_insn *in = bpfrt_object_prog_insns(bpfrt_object_find_prog(obj, "prog"), &cnt);
    CHECK_EQ(cnt, 5 + 3 + 3); /* main + f + g; "unused" not appended */
    CHECK_EQ(in[1].imm, 5 - 1 - 1);  /* f placed at 5 */
    CHECK_EQ(in[3].imm, 8 - 3 - 1);  /* g placed at 8 */
    CHECK_EQ(in[5].code, 0xbf);
    CHECK_EQ(in[6].imm, 3);
    CHECK_EQ(in[9].imm, 1);
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "prog", pkt, 60).retval, 16); /* 5*3+1 */
    bpfrt_object_close(obj);
}

/* Legacy bpf_map_def + a map reference and a relocation the loader rejects. */
static void test_legacy_map_and_bad_relocs(void)
{
    static const struct bpf_insn code[] = {
        INSN(0x18, 1, 0, 0, 0), INSN(0, 0, 0, 0, 0), /* r1 = map */
        INSN(0xb7, 0, 0, 0, 2),
        INSN(0x95, 0, 0, 0, 0),
    };
    static const uint32_t def[5] = {BPF_MAP_TYPE_ARRAY, 4, 8, 16, 0};
    struct ebuild b;
    eb_init(&b);
    int x = eb_sec(&b, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, code, sizeof(code));
    int m = eb_sec(&b, "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, def, sizeof(def));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "prog", x, 0, sizeof(code), STT_FUNC, STB_GLOBAL);
    int ms = eb_sym(&b, "counts", m, 0, sizeof(def), STT_OBJECT, STB_GLOBAL);
    Elf64_Rel rel = {0, ELF64_R_INFO(ms, R_BPF_64_64)};
    eb_rel(&b, ".relxdp", x, &rel, 1);
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (obj) {
        struct bpfrt_object_map *mp = bpfrt_object_find_map(obj, "counts");
        CHECK(mp != NULL);
        CHECK(mp && bpfrt_object_map_value_size(mp) == 8 && bpfrt_object_map_max_entries(mp) == 16);
        CHECK_EQ(bpfrt_object_relocate(obj, err, sizeof(err)), 0);
        uint32_t cnt;
        const struct bpf_insn *in = bpfrt_object_prog_insns(bpfrt_object_find_prog(obj, "prog"), &cnt);
        CHECK_EQ(in[0].src_reg, BPF_PSEUDO_MAP_FD);
        CHECK_EQ(in[0].imm, 0); /* the map's index before load */
        CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
        in = bpfrt_object_prog_insns(bpfrt_object_find_prog(obj, "prog"), &cnt);
        CHECK_EQ(in[0].imm, bpfrt_object_map_handle(mp)); /* the handle, as PROG_LOAD saw it */
        bpfrt_object_close(obj);
    }

    /* the same reference typed R_BPF_64_ABS64: rejected naming symbol and section */
    rel.r_info = ELF64_R_INFO(ms, R_BPF_64_ABS64_);
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (obj) {
        CHECK(bpfrt_object_relocate(obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "counts");
        CHECK_CONTAINS(err, "section xdp");
        bpfrt_object_close(obj);
    }
    /* a relocation on a plain ALU instruction */
    rel.r_offset = 16;
    rel.r_info = ELF64_R_INFO(ms, R_BPF_64_32_);
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (obj) {
        CHECK(bpfrt_object_relocate(obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "unsupported relocation");
        CHECK_CONTAINS(err, "counts");
        bpfrt_object_close(obj);
    }
    /* relocation offset not on an instruction boundary */
    rel.r_offset = 4;
    rel.r_info = ELF64_R_INFO(ms, R_BPF_64_64);
    CHECK(eb_open(&b, NULL, &obj, err) < 0);
    CHECK_CONTAINS(err, "not on an instruction boundary");
    /* symbol index out of range */
    rel.r_offset = 0;
    rel.r_info = ELF64_R_INFO(77, R_BPF_64_64);
    CHECK(eb_open(&b, NULL, &obj, err) < 0);
    CHECK_CONTAINS(err, "symbol index 77 out of range");
    /* an undefined __ksym: rejected naming it */
    eb_init(&b);
    x = eb_sec(&b, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, code, sizeof(code));
    eb_sym(&b, "prog", x, 0, sizeof(code), STT_FUNC, STB_GLOBAL);
    int ks = eb_sym(&b, "bpf_prog_active", SHN_UNDEF, 0, 0, STT_NOTYPE, STB_GLOBAL);
    rel = (Elf64_Rel){0, ELF64_R_INFO(ks, R_BPF_64_64)};
    eb_rel(&b, ".relxdp", x, &rel, 1);
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (obj) {
        CHECK(bpfrt_object_relocate(obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "bpf_prog_active");
        CHECK_CONTAINS(err, "__ksym");
        bpfrt_object_close(obj);
    }
}

/* SEC("?xdp"): a program libbpf does not load unless asked */
static void test_optional_programs(void)
{
    struct ebuild b;
    eb_init(&b);
    eb_ret0_prog(&b, "?xdp", "optional");
    eb_ret0_prog(&b, "xdp", "always");
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (!obj)
        return;
    struct bpfrt_object_prog *opt = bpfrt_object_find_prog(obj, "optional");
    CHECK(opt && bpfrt_object_prog_type(opt) == BPF_PROG_TYPE_XDP);
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    CHECK(opt && bpfrt_object_prog_handle(opt) < 0);
    CHECK(bpfrt_object_prog_handle(bpfrt_object_find_prog(obj, "always")) >= 0);
    bpfrt_object_close(obj);
    CHECK_EQ(bpfrt_object_open_mem(crt, b.out, b.size, NULL, &obj, err, sizeof(err)), 0);
    if (obj) {
        opt = bpfrt_object_find_prog(obj, "optional");
        bpfrt_object_prog_set_autoload(opt, true);
        CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
        CHECK(bpfrt_object_prog_handle(opt) >= 0);
        bpfrt_object_close(obj);
    }
}

static void test_headers_and_license(void)
{
    struct ebuild b;
    eb_init(&b);
    eb_sec(&b, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, ret0, sizeof(ret0));
    b.machine = EM_X86_64;
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK(eb_open(&b, NULL, &obj, err) < 0);
    CHECK_CONTAINS(err, "is not BPF");
    b.machine = EM_BPF;
    b.type = ET_EXEC;
    CHECK(eb_open(&b, NULL, &obj, err) < 0);
    CHECK_CONTAINS(err, "not a relocatable object");
    b.type = ET_REL;
    /* a code section whose size is not a whole number of instructions */
    b.secs[0].size = 12;
    CHECK(eb_open(&b, NULL, &obj, err) < 0);
    CHECK_CONTAINS(err, "not a multiple of 8");

    static const char *const ok[] = {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                                     "Dual MIT/GPL", "Dual MPL/GPL"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        CHECK(bpfrt_license_is_gpl_compatible(ok[i]));
    CHECK(!bpfrt_license_is_gpl_compatible("MIT"));
    CHECK(!bpfrt_license_is_gpl_compatible("Proprietary"));
    CHECK(!bpfrt_license_is_gpl_compatible("gpl"));
    CHECK(!bpfrt_license_is_gpl_compatible(""));
}

/* The loader's output on compiled objects, before anything runs. */
static void test_compiled_objects(void)
{
    struct bpfrt_object *obj = open_obj_opts("v3", "subprog_calls", NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    CHECK_EQ(bpfrt_object_prog_count(obj), 2);
    char err[512];
    CHECK_EQ(bpfrt_object_relocate(obj, err, sizeof(err)), 0);
    struct bpfrt_object_prog *a = bpfrt_object_find_prog(obj, "xdp_calls_a");
    uint32_t cnt, nfi, nli;
    const struct bpf_insn *in = bpfrt_object_prog_insns(a, &cnt);
    const struct bpf_func_info *fi = bpfrt_object_prog_func_info(a, &nfi);
    const struct bpf_line_info *li = bpfrt_object_prog_line_info(a, &nli);
    /* xdp_calls_a calls level1 -> level2 -> mix and store: 5 functions */
    CHECK_EQ(nfi, 5);
    CHECK(nfi && fi[0].insn_off == 0);
    for (uint32_t i = 1; i < nfi; i++)
        CHECK(fi[i].insn_off > fi[i - 1].insn_off);
    CHECK(nli > 10);
    for (uint32_t i = 1; i < nli; i++)
        CHECK(li[i].insn_off > li[i - 1].insn_off);
    /* every bpf-to-bpf call lands on a function start */
    int calls = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        if (in[i].code != 0x85 || in[i].src_reg != BPF_PSEUDO_CALL)
            continue;
        calls++;
        uint32_t t = i + 1 + (uint32_t)in[i].imm;
        bool start = false;
        for (uint32_t k = 0; k < nfi; k++)
            start |= fi[k].insn_off == t;
        CHECK(start);
    }
    CHECK(calls >= 4);
    /* map reference to "results" */
    int maprefs = 0;
    for (uint32_t i = 0; i + 1 < cnt; i++)
        if (in[i].code == 0x18 && in[i].src_reg == BPF_PSEUDO_MAP_FD) {
            CHECK_STR(bpfrt_object_map_name(bpfrt_object_map_at(obj, (uint32_t)in[i].imm)), "results");
            maprefs++;
        }
    CHECK_EQ(maprefs, 1);
    bpfrt_object_close(obj);

    obj = open_obj_opts("v3", "global_knobs", NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct bpfrt_object_map *ro = bpfrt_object_find_map(obj, ".rodata");
    CHECK(ro && bpfrt_object_map_kind(ro) == BPFRT_OBJ_MAP_RODATA);
    CHECK(ro && (bpfrt_object_map_flags(ro) & BPF_F_RDONLY_PROG));
    size_t sz = 0;
    uint8_t *img = ro ? bpfrt_object_map_initial_value(ro, &sz) : NULL;
    CHECK_EQ(sz, 16);
    uint32_t v;
    if (img) {
        memcpy(&v, img, 4);
        CHECK_EQ(v, 60); /* min_len */
        CHECK_EQ(memcmp(img + 8, "knobs", 6), 0);
    }
    struct bpfrt_object_map *m;
    uint32_t off, size;
    CHECK_EQ(bpfrt_object_find_global(obj, "verdict_short", &m, &off, &size), 0);
    CHECK_EQ(off, 4);
    CHECK_EQ(size, 4);
    CHECK(bpfrt_object_find_map(obj, ".bss") != NULL);
    CHECK(bpfrt_object_find_map(obj, ".data") != NULL);
    bpfrt_object_close(obj);

    obj = open_obj_opts("v3", "map_in_map", NULL);
    if (obj) {
        struct bpfrt_object_map *outer = bpfrt_object_find_map(obj, "by_parity");
        const struct bpfrt_object_map *inner = outer ? bpfrt_object_map_inner(outer) : NULL;
        CHECK(inner != NULL);
        CHECK(inner && bpfrt_object_map_type(inner) == BPF_MAP_TYPE_ARRAY &&
              bpfrt_object_map_max_entries(inner) == 2 && bpfrt_object_map_value_size(inner) == 8);
        CHECK(outer && bpfrt_object_map_value_size(outer) == 4);
        bpfrt_object_close(obj);
    }
    /* without -g, .maps cannot be understood: a clear error */
    struct bpfrt_object *nog = NULL;
    char e2[512];
    CHECK(bpfrt_object_open_file(crt, prog_path("nog", "xdp_rules_hash"), NULL, &nog, e2, sizeof(e2)) < 0);
    CHECK_CONTAINS(e2, "needs BTF");
}

/* bpfrt_object_map_set_value_size / _set_max_entries, as libbpf-tools size
 * their stack maps: the new sizes reach MAP_CREATE (Linux accepts them
 * too); global data keeps its section's size; nothing changes after load. */
static void test_user_space_sizes(void)
{
    for (int k = 0; k < 2; k++) {
        bool kernel = k == 1;
        if (kernel && !kbpf_available())
            return;
        struct bpfrt_object_opts o = { 0 };
        if (kernel)
            o.bpf_fn = kbpf_loader_bpf, o.close_fn = kbpf_loader_close;
        struct bpfrt_object *obj = open_obj_opts("v3", "stack_ids", &o);
        CHECK(obj != NULL);
        if (!obj)
            return;
        struct bpfrt_object_map *stacks = bpfrt_object_find_map(obj, "stacks"), *bss = NULL;
        for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++)
            if (bpfrt_object_map_kind(bpfrt_object_map_at(obj, i)) == BPFRT_OBJ_MAP_BSS)
                bss = bpfrt_object_map_at(obj, i);
        CHECK(stacks && bss);
        if (!stacks || !bss) {
            bpfrt_object_close(obj);
            return;
        }
        CHECK_EQ(bpfrt_object_map_set_value_size(stacks, 32 * 8), 0);
        CHECK_EQ(bpfrt_object_map_set_max_entries(stacks, 16), 0);
        CHECK_EQ(bpfrt_object_map_set_value_size(bss, 8), -BPFRT_EINVAL);
        char err[512] = "";
        CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
        CHECK_EQ(bpfrt_object_map_set_value_size(stacks, 8), -BPFRT_EBUSY);
        struct bpf_map_info info;
        memset(&info, 0, sizeof(info));
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.info.bpf_fd = (uint32_t)bpfrt_object_map_handle(stacks);
        a.info.info_len = sizeof(info);
        a.info.info = (uint64_t)(uintptr_t)&info;
        CHECK_EQ(kernel ? kbpf(BPF_OBJ_GET_INFO_BY_FD, &a) : bpfrt_bpf(crt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
        CHECK_EQ(info.value_size, 32 * 8);
        CHECK_EQ(info.max_entries, 16);
        bpfrt_object_close(obj);
    }
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    RUN(test_section_types);
    RUN(test_tail_slots_and_default_type);
    RUN(test_calls_across_sections);
    RUN(test_legacy_map_and_bad_relocs);
    RUN(test_optional_programs);
    RUN(test_headers_and_license);
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (dir_exists(path)) {
        RUN(test_compiled_objects);
        RUN(test_user_space_sizes);
    } else
        printf("corpus not built: compiled-object checks skipped\n");
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
