/* The conventions of objects other loaders wrote, on hand-built objects:
 * iproute2's 28-byte struct bpf_elf_map with "ID/KEY" tail-call sections
 * (hex keys too) and code sections without function symbols, samples/bpf's
 * 28-byte bpf_map_def with a map-in-map of value_size 0, "maps/NAME"
 * sections, static functions in program sections, .text-only objects, BTF
 * maps with cilium's pinning 16 and typed ring buffers; partial loads (a
 * missing map type or an undefined call fails only the programs that use
 * it) and failures that name what is missing. Where bpf(2) is available the
 * iproute2 and samples/bpf objects are also loaded into Linux. */
#include <unistd.h>

#include "bpfrt/btf.h"
#include "bpfrt/errno.h"
#include "bpfrt/prog.h"
#include "elf_builder.h"
#include "kernel_bpf.h"

/* Loads the built object into Linux too (when it can be asked) and returns
 * the test-run result of program `prog` there, or -1. */
static long kernel_retval(struct ebuild *b, uint32_t def_type, const char *prog)
{
    if (!kbpf_available())
        return -1;
    struct bpfrt_object_opts o = {.default_prog_type = def_type, .bpf_fn = kbpf_loader_bpf, .close_fn = kbpf_loader_close};
    struct bpfrt_object *obj;
    char err[512];
    CHECK_EQ(bpfrt_object_open_mem(crt, b->out, b->size, &o, &obj, err, sizeof(err)), 0);
    if (!obj)
        return -1;
    long ret = -1;
    int rc = bpfrt_object_load(obj, err, sizeof(err));
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "kernel: %s\n", err);
    struct bpfrt_object_prog *p = bpfrt_object_find_prog(obj, prog);
    if (!rc && p) {
        uint8_t pkt[64] = {0}, out[128];
        uint32_t out_len = sizeof(out), retval = 0;
        if (kbpf_test_run(bpfrt_object_prog_handle(p), pkt, sizeof(pkt), out, &out_len, &retval) == 0)
            ret = retval;
    }
    bpfrt_object_close(obj);
    return ret;
}

/* cilium's tc objects: 28-byte bpf_elf_map {type, key, value, max, flags,
 * id, pinning}, code in sections named "from-container" and "ID/KEY"
 * without function symbols; the entry tail-calls slot 1 of map id 2. */
static void test_iproute2_tc_object(void)
{
    static const struct bpf_insn entry[] = {
        INSN(0x18, 2, 0, 0, 0), INSN(0, 0, 0, 0, 0), /* r2 = map jmp */
        INSN(0xb7, 3, 0, 0, 1),                      /* r3 = 1 */
        INSN(0x85, 0, 0, 0, 12),                     /* tail_call */
        INSN(0xb7, 0, 0, 0, 99),
        INSN(0x95, 0, 0, 0, 0),
    };
    static const struct bpf_insn slot1[] = {INSN(0xb7, 0, 0, 0, 7), INSN(0x95, 0, 0, 0, 0)};
    static const struct bpf_insn slot3[] = {INSN(0xb7, 0, 0, 0, 3), INSN(0x95, 0, 0, 0, 0)};
    static const uint32_t maps[14] = {BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 2, 2,
                                      BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 3, 0};
    struct ebuild b;
    eb_init(&b);
    int e = eb_sec(&b, "from-container", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, entry, sizeof(entry));
    eb_sec(&b, "2/0x1", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, slot1, sizeof(slot1));
    eb_sec(&b, "2/3", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, slot3, sizeof(slot3));
    int m = eb_sec(&b, "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, maps, sizeof(maps));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    int jmp = eb_sym(&b, "jmp", m, 0, 0, STT_NOTYPE, STB_GLOBAL);
    eb_sym(&b, "counts", m, 28, 0, STT_NOTYPE, STB_GLOBAL);
    Elf64_Rel rel = {0, ELF64_R_INFO(jmp, R_BPF_64_64)};
    eb_rel(&b, ".relfrom-container", e, &rel, 1);
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SCHED_CLS};
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, &o, &obj, err), 0);
    if (!obj) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    struct bpfrt_object_map *pa = bpfrt_object_find_map(obj, "jmp"), *counts = bpfrt_object_find_map(obj, "counts");
    CHECK(pa && bpfrt_object_map_legacy_id(pa) == 2 && bpfrt_object_map_pinning(pa) == 2);
    CHECK(counts && bpfrt_object_map_legacy_id(counts) == 3 && bpfrt_object_map_value_size(counts) == 8);
    uint32_t id = 0, key = 0;
    CHECK(bpfrt_object_prog_tail_slot(bpfrt_object_find_prog(obj, "2/0x1"), &id, &key));
    CHECK_EQ(id, 2);
    CHECK_EQ(key, 1); /* iproute2's %i: 0x1 is hex */
    /* "from-container" is not a name Linux takes; loading proves the one
     * PROG_LOAD got is (bpfrt checks names as Linux does) */
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "from-container", pkt, sizeof(pkt)).retval, 7);
    bpfrt_object_close(obj);
    long k = kernel_retval(&b, BPF_PROG_TYPE_SCHED_CLS, "from-container");
    CHECK(k == 7 || !kbpf_available());
}

/* samples/bpf: bpf_map_def {..., inner_map_idx, numa_node}; the map-in-map
 * leaves value_size 0 and names its inner map by index. */
static void test_samples_map_in_map(void)
{
    static const struct bpf_insn code[] = {
        INSN(0x18, 1, 0, 0, 0), INSN(0, 0, 0, 0, 0), /* r1 = map outer */
        INSN(0xb7, 0, 0, 0, 2),
        INSN(0x95, 0, 0, 0, 0),
    };
    static const uint32_t maps[14] = {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 0, 4, 0, 1, 0,
                                      BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0, 0, 0};
    struct ebuild b;
    eb_init(&b);
    int x = eb_sec(&b, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, code, sizeof(code));
    int m = eb_sec(&b, "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, maps, sizeof(maps));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "prog", x, 0, sizeof(code), STT_FUNC, STB_GLOBAL);
    int outer = eb_sym(&b, "outer", m, 0, 28, STT_OBJECT, STB_GLOBAL);
    eb_sym(&b, "inner", m, 28, 28, STT_OBJECT, STB_GLOBAL);
    Elf64_Rel rel = {0, ELF64_R_INFO(outer, R_BPF_64_64)};
    eb_rel(&b, ".relxdp", x, &rel, 1);
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (!obj) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    struct bpfrt_object_map *om = bpfrt_object_find_map(obj, "outer");
    const struct bpfrt_object_map *im = om ? bpfrt_object_map_inner(om) : NULL;
    CHECK(im && strcmp(bpfrt_object_map_name(im), "inner") == 0);
    CHECK(om && bpfrt_object_map_value_size(om) == 4);
    CHECK(om && bpfrt_object_map_legacy_id(om) == 0); /* not iproute2's id */
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "prog", pkt, sizeof(pkt)).retval, 2);
    bpfrt_object_close(obj);
    long k = kernel_retval(&b, 0, "prog");
    CHECK(k == 2 || !kbpf_available());
}

/* One map per "maps/NAME" section (PREVAIL's samples, old samples/bpf). */
static void test_maps_name_sections(void)
{
    static const struct bpf_insn code[] = {
        INSN(0x18, 1, 0, 0, 0), INSN(0, 0, 0, 0, 0), /* r1 = map second */
        INSN(0xb7, 0, 0, 0, 0),
        INSN(0x95, 0, 0, 0, 0),
    };
    static const uint32_t first[5] = {BPF_MAP_TYPE_HASH, 4, 4, 8, 0};
    static const uint32_t second[5] = {BPF_MAP_TYPE_ARRAY, 4, 16, 2, 0};
    struct ebuild b;
    eb_init(&b);
    int x = eb_sec(&b, "socket", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, code, sizeof(code));
    int m1 = eb_sec(&b, "maps/first", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, first, sizeof(first));
    int m2 = eb_sec(&b, "maps/second", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, second, sizeof(second));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "prog", x, 0, sizeof(code), STT_FUNC, STB_GLOBAL);
    eb_sym(&b, "first", m1, 0, 20, STT_OBJECT, STB_GLOBAL);
    int s2 = eb_sym(&b, "second", m2, 0, 20, STT_OBJECT, STB_GLOBAL);
    Elf64_Rel rel = {0, ELF64_R_INFO(s2, R_BPF_64_64)};
    eb_rel(&b, ".relsocket", x, &rel, 1);
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (!obj) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ(bpfrt_object_map_count(obj), 2);
    CHECK_EQ(bpfrt_object_relocate(obj, err, sizeof(err)), 0);
    uint32_t cnt;
    const struct bpf_insn *in = bpfrt_object_prog_insns(bpfrt_object_find_prog(obj, "prog"), &cnt);
    CHECK_EQ(in[0].src_reg, BPF_PSEUDO_MAP_FD);
    CHECK_STR(bpfrt_object_map_name(bpfrt_object_map_at(obj, (uint32_t)in[0].imm)), "second");
    CHECK_EQ(bpfrt_object_map_value_size(bpfrt_object_find_map(obj, "second")), 16);
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    bpfrt_object_close(obj);
}

/* Every function of a program section is a program, static ones too; an
 * object whose only code is .text has its functions as programs. */
static void test_static_and_text_programs(void)
{
    static const struct bpf_insn two[] = {INSN(0xb7, 0, 0, 0, 1), INSN(0x95, 0, 0, 0, 0),
                                          INSN(0xb7, 0, 0, 0, 2), INSN(0x95, 0, 0, 0, 0)};
    struct ebuild b;
    eb_init(&b);
    int s = eb_sec(&b, "tc", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, two, sizeof(two));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "entry", s, 0, 16, STT_FUNC, STB_GLOBAL);
    eb_sym(&b, "tail_static", s, 16, 16, STT_FUNC, STB_LOCAL);
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (obj) {
        CHECK_EQ(bpfrt_object_prog_count(obj), 2);
        struct bpfrt_object_prog *t = bpfrt_object_find_prog(obj, "tail_static");
        CHECK(t && bpfrt_object_prog_type(t) == BPF_PROG_TYPE_SCHED_CLS);
        CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
        uint8_t pkt[64] = {0};
        CHECK_EQ(run_prog(obj, "tail_static", pkt, sizeof(pkt)).retval, 2);
        CHECK_EQ(run_prog(obj, "entry", pkt, sizeof(pkt)).retval, 1);
        bpfrt_object_close(obj);
    }
    eb_init(&b);
    s = eb_sec(&b, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, two, sizeof(two));
    eb_sym(&b, "func", s, 0, 16, STT_FUNC, STB_GLOBAL);
    eb_sym(&b, "helper", s, 16, 16, STT_FUNC, STB_LOCAL);
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SOCKET_FILTER};
    CHECK_EQ(eb_open(&b, &o, &obj, err), 0);
    if (obj) {
        CHECK_EQ(bpfrt_object_prog_count(obj), 1); /* the global one; the static one stays a subprogram */
        CHECK_STR(bpfrt_object_prog_section(bpfrt_object_prog_at(obj, 0)), ".text");
        CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
        uint8_t pkt[64] = {0};
        CHECK_EQ(run_prog(obj, "func", pkt, sizeof(pkt)).retval, 1);
        bpfrt_object_close(obj);
    }
}

/* The first Linux map type, helper and program type this build does not
 * provide (0 when it provides them all). */
static uint32_t missing_map_type(void)
{
    for (uint32_t t = 1; t < __MAX_BPF_MAP_TYPE; t++)
        if (!bpfrt_map_type_supported(t) && bpfrt_map_type_str(t))
            return t;
    return 0;
}

static uint32_t missing_helper(void)
{
    for (uint32_t id = 1; bpfrt_helper_name(id); id++)
        if (!bpfrt_helper_find(crt, id))
            return id;
    return 0;
}

static uint32_t missing_prog_type(void)
{
    for (uint32_t t = 1; t < __MAX_BPF_PROG_TYPE; t++)
        if (!bpfrt_ctx_desc_for(t, 0) && bpfrt_prog_type_str(t))
            return t;
    return 0;
}

/* A program calling something nothing defines and a program using a map
 * whose type is missing fail alone in a partial load, each saying why. */
static void test_partial_load(void)
{
    uint32_t mt = missing_map_type();
    if (!mt) {
        printf("every Linux map type is provided: partial-load check skipped\n");
        return;
    }
    static const struct bpf_insn calls[] = {
        INSN(0x85, 0, 1, 0, -1), /* call memset: relocated to an undefined symbol */
        INSN(0x95, 0, 0, 0, 0),
    };
    static const struct bpf_insn uses[] = {
        INSN(0x18, 1, 0, 0, 0), INSN(0, 0, 0, 0, 0), /* r1 = map odd */
        INSN(0xb7, 0, 0, 0, 0),
        INSN(0x95, 0, 0, 0, 0),
    };
    uint32_t def[5] = {mt, 4, 8, 4, 0};
    struct ebuild b;
    eb_init(&b);
    eb_ret0_prog(&b, "xdp", "good");
    int c = eb_sec(&b, "tc", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, calls, sizeof(calls));
    int u = eb_sec(&b, "socket", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, uses, sizeof(uses));
    int m = eb_sec(&b, "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, def, sizeof(def));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "bad_call", c, 0, sizeof(calls), STT_FUNC, STB_GLOBAL);
    eb_sym(&b, "uses_map", u, 0, sizeof(uses), STT_FUNC, STB_GLOBAL);
    int odd = eb_sym(&b, "odd", m, 0, 20, STT_OBJECT, STB_GLOBAL);
    int ms = eb_sym(&b, "memset", SHN_UNDEF, 0, 0, STT_NOTYPE, STB_GLOBAL);
    Elf64_Rel rc_rel = {0, ELF64_R_INFO(ms, R_BPF_64_32_)}, ru_rel = {0, ELF64_R_INFO(odd, R_BPF_64_64)};
    eb_rel(&b, ".reltc", c, &rc_rel, 1);
    eb_rel(&b, ".relsocket", u, &ru_rel, 1);
    char want[128], err[512];
    snprintf(want, sizeof(want), "map type %s is not provided", bpfrt_map_type_str(mt));
    struct bpfrt_object *obj = NULL;
    /* all or nothing: the map stops everything */
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (obj) {
        CHECK(bpfrt_object_load(obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "map odd: ");
        CHECK_CONTAINS(err, want);
        CHECK(bpfrt_object_prog_handle(bpfrt_object_find_prog(obj, "good")) < 0);
        bpfrt_object_close(obj);
    }
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (!obj)
        return;
    CHECK(bpfrt_object_load_partial(obj, err, sizeof(err)) < 0);
    CHECK_CONTAINS(err, "1 of 3 programs loaded");
    struct bpfrt_object_prog *good = bpfrt_object_find_prog(obj, "good");
    struct bpfrt_object_prog *bad = bpfrt_object_find_prog(obj, "bad_call");
    struct bpfrt_object_prog *user = bpfrt_object_find_prog(obj, "uses_map");
    CHECK(good && bpfrt_object_prog_handle(good) >= 0);
    CHECK_STR(bpfrt_object_prog_error(good), "");
    CHECK(bad && bpfrt_object_prog_handle(bad) < 0);
    CHECK_CONTAINS(bpfrt_object_prog_error(bad), "call to memset, which nothing defines");
    CHECK(user && bpfrt_object_prog_handle(user) < 0);
    CHECK_CONTAINS(bpfrt_object_prog_error(user), "uses map odd, which could not be created");
    CHECK_CONTAINS(bpfrt_object_prog_error(user), want);
    CHECK_CONTAINS(bpfrt_object_map_error(bpfrt_object_find_map(obj, "odd")), want);
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "good", pkt, sizeof(pkt)).rc, 0);
    /* loaded: a second load is refused */
    CHECK_EQ(bpfrt_object_load_partial(obj, err, sizeof(err)), -BPFRT_EBUSY);
    bpfrt_object_close(obj);
}

/* A refused load is headed by its cause, never by the verifier's
 * "processed N insns" statistics line. */
static void test_failures_name_the_cause(void)
{
    uint32_t h = missing_helper();
    struct ebuild b;
    char err[512], want[128];
    struct bpfrt_object *obj = NULL;
    if (h) {
        struct bpf_insn call[] = {INSN(0x85, 0, 0, 0, (int32_t)h), INSN(0x95, 0, 0, 0, 0)};
        eb_init(&b);
        int s = eb_sec(&b, "kprobe/do_exit", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, call, sizeof(call));
        eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
        eb_sym(&b, "probe", s, 0, sizeof(call), STT_FUNC, STB_GLOBAL);
        CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
        if (obj) {
            CHECK(bpfrt_object_load(obj, err, sizeof(err)) < 0);
            snprintf(want, sizeof(want), "program probe (section kprobe/do_exit): helper %s#%u is not provided",
                     bpfrt_helper_name(h), h);
            CHECK_CONTAINS(err, want);
            CHECK(!strstr(err, "processed"));
            bpfrt_object_close(obj);
        }
    }
    uint32_t pt = missing_prog_type();
    if (pt) {
        eb_init(&b);
        eb_ret0_prog(&b, "custom", "typed_by_caller");
        struct bpfrt_object_opts o = {.default_prog_type = pt};
        CHECK_EQ(eb_open(&b, &o, &obj, err), 0);
        if (obj) {
            CHECK(bpfrt_object_load(obj, err, sizeof(err)) < 0);
            snprintf(want, sizeof(want), "program type %s is not provided", bpfrt_prog_type_str(pt));
            CHECK_CONTAINS(err, want);
            bpfrt_object_close(obj);
        }
    }
}

/* ---- BTF-defined maps ---- */

static uint32_t bw[128], nbw;
static char bstr[256];
static uint32_t nbstr;

static uint32_t bs(const char *s)
{
    uint32_t off = nbstr;
    strcpy(bstr + nbstr, s);
    nbstr += (uint32_t)strlen(s) + 1;
    return off;
}

static void bt(uint32_t a, uint32_t b_, uint32_t c)
{
    bw[nbw++] = a;
    bw[nbw++] = b_;
    bw[nbw++] = c;
}

/* BTF of `struct { __uint(type, RINGBUF); __uint(max_entries, 4096);
 * __type(value, struct event); __uint(pinning, 16); } events SEC(".maps");` */
static size_t ringbuf_btf(uint8_t *out)
{
    nbw = 0;
    nbstr = 1;
    bstr[0] = 0;
    bt(bs("int"), BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 4); bw[nbw++] = 32;           /* 1 */
    bt(0, BTF_INFO_ENC(BTF_KIND_ARRAY, 0, 0), 0); bt(1, 1, BPF_MAP_TYPE_RINGBUF); /* 2 */
    bt(0, BTF_INFO_ENC(BTF_KIND_PTR, 0, 0), 2);                                   /* 3 */
    bt(0, BTF_INFO_ENC(BTF_KIND_ARRAY, 0, 0), 0); bt(1, 1, 4096);                 /* 4 */
    bt(0, BTF_INFO_ENC(BTF_KIND_PTR, 0, 0), 4);                                   /* 5 */
    bt(bs("event"), BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 2), 8);                      /* 6 */
    bt(bs("a"), 1, 0);
    bt(bs("b"), 1, 32);
    bt(0, BTF_INFO_ENC(BTF_KIND_PTR, 0, 0), 6);                                   /* 7 */
    bt(0, BTF_INFO_ENC(BTF_KIND_ARRAY, 0, 0), 0); bt(1, 1, 16);                   /* 8 */
    bt(0, BTF_INFO_ENC(BTF_KIND_PTR, 0, 0), 8);                                   /* 9 */
    bt(0, BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 4), 32);                               /* 10 */
    bt(bs("type"), 3, 0);
    bt(bs("max_entries"), 5, 64);
    bt(bs("value"), 7, 128);
    bt(bs("pinning"), 9, 192);
    bt(bs("events"), BTF_INFO_ENC(BTF_KIND_VAR, 0, 0), 10); bw[nbw++] = BTF_VAR_GLOBAL_ALLOCATED; /* 11 */
    bt(bs(".maps"), BTF_INFO_ENC(BTF_KIND_DATASEC, 0, 1), 0);                     /* 12 */
    bt(11, 0, 32);
    struct btf_header h = {.magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h), .type_len = nbw * 4,
                           .str_off = nbw * 4, .str_len = nbstr};
    memcpy(out, &h, sizeof(h));
    memcpy(out + sizeof(h), bw, nbw * 4);
    memcpy(out + sizeof(h) + nbw * 4, bstr, nbstr);
    return sizeof(h) + nbw * 4 + nbstr;
}

/* cilium/ebpf's conventions: a ring buffer declared with its record type
 * loads with no key or value, and cilium's pinning 16 is a note. */
static void test_btf_map_conventions(void)
{
    static uint8_t btf[1024], defs[32];
    size_t n = ringbuf_btf(btf);
    struct ebuild b;
    eb_init(&b);
    eb_ret0_prog(&b, "xdp", "prog");
    int m = eb_sec(&b, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, defs, sizeof(defs));
    eb_sec(&b, ".BTF", SHT_PROGBITS, 0, btf, n);
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "events", m, 0, 32, STT_OBJECT, STB_GLOBAL);
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(&b, NULL, &obj, err), 0);
    if (!obj) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    struct bpfrt_object_map *ev = bpfrt_object_find_map(obj, "events");
    CHECK(ev && bpfrt_object_map_type(ev) == BPF_MAP_TYPE_RINGBUF);
    CHECK(ev && bpfrt_object_map_key_size(ev) == 0 && bpfrt_object_map_value_size(ev) == 0);
    CHECK(ev && bpfrt_object_map_max_entries(ev) == 4096);
    CHECK_CONTAINS(bpfrt_object_notes(obj), "map events: pinning value 16 is not LIBBPF_PIN_BY_NAME");
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    CHECK(ev && bpfrt_object_map_handle(ev) >= 0);
    bpfrt_object_close(obj);
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    RUN(test_iproute2_tc_object);
    RUN(test_samples_map_in_map);
    RUN(test_maps_name_sections);
    RUN(test_static_and_text_programs);
    RUN(test_partial_load);
    RUN(test_failures_name_the_cause);
    RUN(test_btf_map_conventions);
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
