/* The BTF parser/validator (src/core/btf): hand-built BTF blobs, valid and
 * malformed, checked for the verdicts and messages Linux's BTF_LOAD gives,
 * plus type sizes, modifier skipping, the spin-lock search and value
 * formatting. Also every corpus object's BTF, fixed up by the loader, must
 * pass the strict validator. */
#include <stdarg.h>

#include "bpfrt/btf.h"
#include "test_corpus_util.h"
#include "test_rng.h"

/* ---- a small BTF builder ---- */
struct bb {
    uint32_t types[512];
    uint32_t nt;     /* u32 words of type data */
    char strs[1024];
    uint32_t ns;
    uint8_t out[8192];
    uint32_t size;
};

static void bb_init(struct bb *b)
{
    memset(b, 0, sizeof(*b));
    b->ns = 1; /* "" at offset 0 */
}

static uint32_t bb_str(struct bb *b, const char *s)
{
    uint32_t off = b->ns;
    size_t n = strlen(s) + 1;
    memcpy(b->strs + off, s, n);
    b->ns += (uint32_t)n;
    return off;
}

static void bb_words(struct bb *b, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        b->types[b->nt++] = va_arg(ap, uint32_t);
    va_end(ap);
}

static void bb_finish(struct bb *b)
{
    struct btf_header h = {.magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h),
                           .type_off = 0, .type_len = b->nt * 4, .str_off = b->nt * 4, .str_len = b->ns};
    memcpy(b->out, &h, sizeof(h));
    memcpy(b->out + sizeof(h), b->types, b->nt * 4);
    memcpy(b->out + sizeof(h) + b->nt * 4, b->strs, b->ns);
    b->size = (uint32_t)sizeof(h) + b->nt * 4 + b->ns;
}

#define INFO(kind, kflag, vlen) BTF_INFO_ENC(kind, kflag, vlen)

/* [1] int, [2] unsigned char, [3] struct pair {int a; int b;}, [4] ptr -> 3,
 * [5] array of 4 int, [6] typedef pair_t -> 3, [7] const -> 6 */
static void base_types(struct bb *b)
{
    bb_words(b, 4, bb_str(b, "int"), INFO(BTF_KIND_INT, 0, 0), 4u, (uint32_t)(BTF_INT_SIGNED << 24 | 32));
    bb_words(b, 4, bb_str(b, "unsigned char"), INFO(BTF_KIND_INT, 0, 0), 1u, 8u);
    uint32_t pair = bb_str(b, "pair");
    bb_words(b, 3, pair, INFO(BTF_KIND_STRUCT, 0, 2), 8u);
    bb_words(b, 3, bb_str(b, "a"), 1u, 0u);
    bb_words(b, 3, bb_str(b, "b"), 1u, 32u);
    bb_words(b, 3, 0u, INFO(BTF_KIND_PTR, 0, 0), 3u);
    bb_words(b, 6, 0u, INFO(BTF_KIND_ARRAY, 0, 0), 0u, 1u, 1u, 4u);
    bb_words(b, 3, bb_str(b, "pair_t"), INFO(BTF_KIND_TYPEDEF, 0, 0), 3u);
    bb_words(b, 3, 0u, INFO(BTF_KIND_CONST, 0, 0), 6u);
}

static int parse(struct bb *b, unsigned flags, char *log, struct bpfrt_btf **out)
{
    bb_finish(b);
    log[0] = '\0';
    return bpfrt_btf_parse(crt, b->out, b->size, flags, log, 256, out);
}

static void test_valid(void)
{
    struct bb b;
    bb_init(&b);
    base_types(&b);
    char log[256];
    struct bpfrt_btf *btf = NULL;
    CHECK_EQ(parse(&b, 0, log, &btf), 0);
    if (!btf)
        return;
    CHECK_EQ(bpfrt_btf_nr_types(btf), 8);
    CHECK_EQ(bpfrt_btf_type_size(btf, 1), 4);
    CHECK_EQ(bpfrt_btf_type_size(btf, 3), 8);
    CHECK_EQ(bpfrt_btf_type_size(btf, 4), 8);
    CHECK_EQ(bpfrt_btf_type_size(btf, 5), 16);
    CHECK_EQ(bpfrt_btf_type_size(btf, 7), 8); /* const -> typedef -> struct */
    CHECK_EQ(bpfrt_btf_skip_mods(btf, 7), 3);
    CHECK_STR(bpfrt_btf_name(btf, 6), "pair_t");
    CHECK_EQ(bpfrt_btf_find_by_name_kind(btf, "pair", BTF_KIND_STRUCT), 3);
    CHECK_EQ(bpfrt_btf_find_by_name_kind(btf, "pair", BTF_KIND_UNION), -2);
    CHECK_EQ(bpfrt_btf_find_spin_lock(btf, 3), -2);
    CHECK(bpfrt_btf_id(btf) > 0);
    char buf[128];
    int32_t v[2] = {-5, 7};
    bpfrt_btf_format_value(btf, 7, v, 8, false, buf, sizeof(buf));
    CHECK_STR(buf, "{.a = -5, .b = 7}");
    bpfrt_btf_format_value(btf, 3, v, 8, true, buf, sizeof(buf));
    CHECK_STR(buf, "{\"a\": -5, \"b\": 7}");
    int32_t arr[4] = {1, 2, 3, 4};
    bpfrt_btf_format_value(btf, 5, arr, 16, false, buf, sizeof(buf));
    CHECK_STR(buf, "[1, 2, 3, 4]");
    bpfrt_btf_type_str(btf, 4, buf, sizeof(buf));
    CHECK_STR(buf, "struct pair *");
    bpfrt_btf_type_str(btf, 7, buf, sizeof(buf));
    CHECK_STR(buf, "const pair_t");
    /* short data falls back to hex */
    bpfrt_btf_format_value(btf, 3, v, 4, false, buf, sizeof(buf));
    CHECK_STR(buf, "fb ff ff ff");
    uint32_t size;
    CHECK(bpfrt_btf_data(btf, &size) != NULL);
    CHECK_EQ(size, b.size);
    bpfrt_btf_put(btf);
}

static void test_spin_lock(void)
{
    struct bb b;
    bb_init(&b);
    base_types(&b);
    /* [8] struct bpf_spin_lock {int val;} [9] struct acct {long x; lock; } */
    bb_words(&b, 3, bb_str(&b, "bpf_spin_lock"), INFO(BTF_KIND_STRUCT, 0, 1), 4u);
    bb_words(&b, 3, bb_str(&b, "val"), 1u, 0u);
    bb_words(&b, 3, bb_str(&b, "acct"), INFO(BTF_KIND_STRUCT, 0, 2), 12u);
    bb_words(&b, 3, bb_str(&b, "x"), 3u, 0u);
    bb_words(&b, 3, bb_str(&b, "lock"), 8u, 64u);
    /* [10] struct two { lock a; lock b; } */
    bb_words(&b, 3, bb_str(&b, "two"), INFO(BTF_KIND_STRUCT, 0, 2), 8u);
    bb_words(&b, 3, bb_str(&b, "l1"), 8u, 0u);
    bb_words(&b, 3, bb_str(&b, "l2"), 8u, 32u);
    char log[256];
    struct bpfrt_btf *btf = NULL;
    CHECK_EQ(parse(&b, 0, log, &btf), 0);
    if (!btf)
        return;
    CHECK_EQ(bpfrt_btf_find_spin_lock(btf, 9), 8);
    CHECK_EQ(bpfrt_btf_find_spin_lock(btf, 10), -22);
    bpfrt_btf_put(btf);
}

struct bad_case {
    const char *what;
    void (*build)(struct bb *b);
    const char *msg;
};

static void bad_magic(struct bb *b) { base_types(b); bb_finish(b); b->out[0] ^= 0xff; }
static void bad_version(struct bb *b) { base_types(b); bb_finish(b); b->out[2] = 2; }
static void bad_ref(struct bb *b) { base_types(b); bb_words(b, 3, 0u, INFO(BTF_KIND_PTR, 0, 0), 99u); }
static void bad_kind(struct bb *b) { base_types(b); bb_words(b, 3, 0u, INFO(25, 0, 0), 0u); }
static void bad_name(struct bb *b) { bb_words(b, 3, bb_str(b, "9bad"), INFO(BTF_KIND_TYPEDEF, 0, 0), 0u); }
static void ptr_named(struct bb *b) { base_types(b); bb_words(b, 3, bb_str(b, "p"), INFO(BTF_KIND_PTR, 0, 0), 1u); }
static void member_past(struct bb *b)
{
    base_types(b);
    bb_words(b, 3, bb_str(b, "s"), INFO(BTF_KIND_STRUCT, 0, 1), 4u);
    bb_words(b, 3, bb_str(b, "m"), 1u, 32u);
}
static void loop(struct bb *b)
{
    bb_words(b, 3, bb_str(b, "a"), INFO(BTF_KIND_TYPEDEF, 0, 0), 2u);
    bb_words(b, 3, bb_str(b, "b"), INFO(BTF_KIND_TYPEDEF, 0, 0), 1u);
}
static void truncated(struct bb *b)
{
    base_types(b);
    bb_words(b, 2, bb_str(b, "s"), INFO(BTF_KIND_STRUCT, 0, 3)); /* members missing */
}
static void datasec_zero(struct bb *b)
{
    base_types(b);
    bb_words(b, 4, bb_str(b, "v"), INFO(BTF_KIND_VAR, 0, 0), 1u, 1u);
    bb_words(b, 6, bb_str(b, ".data"), INFO(BTF_KIND_DATASEC, 0, 1), 0u, 8u, 0u, 4u);
}
static void int_bits(struct bb *b) { bb_words(b, 4, bb_str(b, "int"), INFO(BTF_KIND_INT, 0, 0), 4u, 40u); }
static void func_no_proto(struct bb *b) { base_types(b); bb_words(b, 3, bb_str(b, "f"), INFO(BTF_KIND_FUNC, 0, 0), 1u); }
static void str_unterminated(struct bb *b) { base_types(b); bb_finish(b); b->out[b->size - 1] = 'x'; }
static void sections_overlap(struct bb *b)
{
    base_types(b);
    bb_finish(b);
    struct btf_header h;
    memcpy(&h, b->out, sizeof(h));
    h.str_off = 4;
    memcpy(b->out, &h, sizeof(h));
}

/* clang names function-scope statics "func.var": valid for VARs only */
static void test_dotted_names(void)
{
    struct bb b;
    bb_init(&b);
    base_types(&b);
    bb_words(&b, 4, bb_str(&b, "xdp_log.fmt"), INFO(BTF_KIND_VAR, 0, 0), 1u, 0u);
    char log[256];
    struct bpfrt_btf *btf = NULL;
    CHECK_EQ(parse(&b, 0, log, &btf), 0);
    if (btf)
        bpfrt_btf_put(btf);
    bb_init(&b);
    base_types(&b);
    bb_words(&b, 3, bb_str(&b, "a.b"), INFO(BTF_KIND_TYPEDEF, 0, 0), 1u);
    btf = NULL;
    CHECK(parse(&b, 0, log, &btf) < 0);
    CHECK_CONTAINS(log, "Invalid name");
    if (btf)
        bpfrt_btf_put(btf);
}

/* ENUM sizes: Linux takes 1, 2, 4 and 8 bytes (clang before ENUM64, e.g.
 * clang 14, writes a 64-bit enum as an 8-byte ENUM), nothing else. */
static void test_enum_sizes(void)
{
    static const uint32_t sizes[] = {1, 2, 4, 8, 3, 16};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct bb b;
        bb_init(&b);
        base_types(&b);
        /* [8] enum flags : unsigned long long { F_LOW = 5, F_NEG = -1 (kflag: signed) } */
        bb_words(&b, 3, bb_str(&b, "flags"), INFO(BTF_KIND_ENUM, 1, 2), sizes[i]);
        bb_words(&b, 2, bb_str(&b, "F_LOW"), 5u);
        bb_words(&b, 2, bb_str(&b, "F_NEG"), 0xffffffffu);
        char log[256];
        struct bpfrt_btf *btf = NULL;
        int rc = parse(&b, 0, log, &btf);
        if (sizes[i] <= 8 && sizes[i] != 3) {
            CHECK_EQ(rc, 0);
        } else {
            CHECK(rc < 0);
            CHECK_CONTAINS(log, "Unexpected size");
        }
        if (btf && sizes[i] == 8) {
            CHECK_EQ(bpfrt_btf_type_size(btf, 8), 8);
            char buf[64];
            uint64_t v = 5;
            bpfrt_btf_format_value(btf, 8, &v, 8, false, buf, sizeof(buf));
            CHECK_STR(buf, "F_LOW");
            v = ~0ull; /* -1 as the 8-byte signed enum holds it */
            bpfrt_btf_format_value(btf, 8, &v, 8, false, buf, sizeof(buf));
            CHECK_STR(buf, "F_NEG");
        }
        if (btf)
            bpfrt_btf_put(btf);
    }
}

static const struct bad_case bad_cases[] = {
    {"magic", bad_magic, "Invalid magic"},
    {"version", bad_version, "Unsupported version"},
    {"dangling type id", bad_ref, "Invalid type_id"},
    {"unknown kind", bad_kind, "Invalid kind"},
    {"bad identifier", bad_name, "Invalid name"},
    {"named pointer", ptr_named, "Invalid name"},
    {"member beyond struct", member_past, "Member exceeds struct_size"},
    {"typedef loop", loop, "Loop detected"},
    {"truncated members", truncated, "truncated"},
    {"DATASEC of size 0", datasec_zero, "Invalid size"},
    {"int wider than its size", int_bits, "nr_bits exceeds type_size"},
    {"FUNC not pointing to FUNC_PROTO", func_no_proto, "Invalid type_id"},
    {"string section not NUL-terminated", str_unterminated, "Invalid string section"},
    {"type and string sections overlap", sections_overlap, "Section overlap found"},
};

static void test_malformed(void)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct bb b;
        bb_init(&b);
        bad_cases[i].build(&b);
        if (!b.size)
            bb_finish(&b);
        char log[256] = "";
        struct bpfrt_btf *btf = NULL;
        int rc = bpfrt_btf_new(crt, b.out, b.size, log, sizeof(log), &btf);
        test_current = bad_cases[i].what;
        CHECK(rc < 0);
        CHECK(btf == NULL);
        CHECK_CONTAINS(log, bad_cases[i].msg);
        if (btf)
            bpfrt_btf_put(btf);
    }
    test_current = "object mode";
    /* clang's object BTF (DATASEC size 0) is accepted in object mode only */
    struct bb b;
    bb_init(&b);
    datasec_zero(&b);
    bb_finish(&b);
    struct bpfrt_btf *btf = NULL;
    char log[256];
    CHECK_EQ(bpfrt_btf_parse(crt, b.out, b.size, BPFRT_BTF_F_OBJECT, log, sizeof(log), &btf), 0);
    if (btf) {
        CHECK_EQ(bpfrt_btf_id(btf), 0);
        bpfrt_btf_put(btf);
    }
    /* every truncation of a valid blob fails cleanly */
    bb_init(&b);
    base_types(&b);
    bb_finish(&b);
    int fails = 0;
    for (uint32_t n = 0; n < b.size; n++) {
        btf = NULL;
        if (bpfrt_btf_new(crt, b.out, n, NULL, 0, &btf) < 0)
            fails++;
        if (btf)
            bpfrt_btf_put(btf);
    }
    CHECK_EQ(fails, (int)b.size);
}

/* The loader's fixed-up BTF of every corpus object passes the strict check. */
static void test_corpus_btf(void)
{
    static const char *const names[] = {"xdp_rules_hash", "global_knobs", "kconfig_externs", "map_in_map",
                                        "tail_calls", "spin_lock", "loop_callbacks", "atomics",
                                        "trace_strings", "core_reloc"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct bpfrt_object *obj = open_obj_opts("v3", names[i], NULL);
        test_current = names[i];
        CHECK(obj != NULL);
        if (!obj)
            continue;
        const struct bpfrt_btf *ob = bpfrt_object_btf(obj);
        CHECK(ob != NULL);
        uint32_t size;
        const void *data = ob ? bpfrt_btf_data(ob, &size) : NULL;
        struct bpfrt_btf *strict = NULL;
        char log[256] = "";
        CHECK_EQ(data ? bpfrt_btf_new(crt, data, size, log, sizeof(log), &strict) : -1, 0);
        if (log[0])
            fprintf(stderr, "%s: %s\n", names[i], log);
        if (strict)
            bpfrt_btf_put(strict);
        bpfrt_object_close(obj);
    }
}

/* BTF_LOAD takes untrusted bytes: mutations of real BTF must be rejected
 * with a message or parse into something every query can walk safely. */
static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    return test_xorshift64(&rng);
}

static void test_fuzz(void)
{
    struct bpfrt_object *obj = open_obj_opts("v3", "xdp_rules_hash", NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint32_t size;
    const uint8_t *orig = bpfrt_btf_data(bpfrt_object_btf(obj), &size);
    uint8_t *d = malloc(size);
    int iters = (int)test_fuzz_iters(), ok = 0, bad = 0;
    for (int i = 0; i < iters; i++) {
        memcpy(d, orig, size);
        uint32_t n = size;
        int muts = 1 + (int)(rnd() % 4);
        for (int k = 0; k < muts; k++) {
            uint32_t off = (uint32_t)(rnd() % n);
            switch (rnd() % 4) {
            case 0: d[off] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 1: d[off] = (uint8_t)rnd(); break;
            case 2: if (off + 4 <= n) { uint32_t v = (uint32_t)(rnd() % 3 == 0 ? ~0u : rnd() % 64); memcpy(d + (off & ~3u), &v, 4); } break;
            default: n = off ? off : 1; break;
            }
        }
        char log[256] = "";
        struct bpfrt_btf *btf = NULL;
        int rc = bpfrt_btf_new(crt, d, n, log, sizeof(log), &btf);
        if (rc) {
            bad++;
            if (!log[0])
                fprintf(stderr, "mutation %d rejected (%d) without a message\n", i, rc);
            CHECK(log[0] != 0);
            continue;
        }
        ok++;
        char buf[512];
        uint8_t val[64] = {0};
        for (uint32_t id = 0; id < bpfrt_btf_nr_types(btf); id++) {
            bpfrt_btf_type_size(btf, id);
            bpfrt_btf_find_spin_lock(btf, id);
            bpfrt_btf_type_str(btf, id, buf, sizeof(buf));
            bpfrt_btf_format_value(btf, id, val, sizeof(val), id & 1, buf, sizeof(buf));
        }
        bpfrt_btf_put(btf);
    }
    printf("BTF fuzz: %d mutations, %d rejected, %d accepted\n", iters, bad, ok);
    CHECK(bad > 0);
    free(d);
    bpfrt_object_close(obj);
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    RUN(test_valid);
    RUN(test_spin_lock);
    RUN(test_malformed);
    RUN(test_dotted_names);
    RUN(test_enum_sizes);
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (dir_exists(path)) {
        RUN(test_corpus_btf);
        RUN(test_fuzz);
    }
    else
        printf("corpus not built: BTF of compiled objects not checked\n");
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
