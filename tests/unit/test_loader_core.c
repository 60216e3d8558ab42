/* CO-RE relocations: the corpus program core_reloc.bpf.c records field
 * offsets/sizes/existence/signedness/shifts, a type's size and existence and
 * an enum value. Without a target BTF they keep their compiled values (and
 * the loader says so); against a hand-built target with another layout they
 * take the target's values; against /sys/kernel/btf/vmlinux - which is the
 * default target where readable, as in libbpf - task_struct's pid/tgid
 * offsets are the running kernel's, and a relocation the kernel has no
 * match for stops a run only when reached. A hand-built object checks that
 * bpf_core_type_exists() is false for a type no target has. */
#include <stdarg.h>

#include "bpfrt/bpf.h"
#include "bpfrt/btf.h"
#include "bpfrt/hooks.h"
#include "elf_builder.h"

static uint32_t words[256], nw;
static char strs[512];
static uint32_t ns;

static uint32_t str(const char *s)
{
    uint32_t off = ns;
    strcpy(strs + ns, s);
    ns += (uint32_t)strlen(s) + 1;
    return off;
}

static void w(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        words[nw++] = va_arg(ap, uint32_t);
    va_end(ap);
}

/* struct core_s { long b; int a; char c[5]; unsigned flags:5; }; enum core_e { CORE_Y = 7, CORE_Z = 9 } */
static size_t target_btf(uint8_t *out)
{
    nw = 0;
    ns = 1;
    strs[0] = 0;
    w(4, str("long"), BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 8u, (uint32_t)(BTF_INT_SIGNED << 24 | 64)); /* 1 */
    w(4, str("int"), BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 4u, (uint32_t)(BTF_INT_SIGNED << 24 | 32));  /* 2 */
    w(4, str("char"), BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 1u, 8u);                                     /* 3 */
    w(6, 0u, BTF_INFO_ENC(BTF_KIND_ARRAY, 0, 0), 0u, 3u, 2u, 5u);                                    /* 4 */
    w(4, str("unsigned int"), BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 4u, 32u);                            /* 5 */
    w(3, str("core_s"), BTF_INFO_ENC(BTF_KIND_STRUCT, 1, 4), 32u);                                   /* 6 */
    w(3, str("b"), 1u, 0u);
    w(3, str("a"), 2u, 64u);
    w(3, str("c"), 4u, 96u);
    w(3, str("flags"), 5u, (5u << 24) | 136u);
    w(3, str("core_e"), BTF_INFO_ENC(BTF_KIND_ENUM, 0, 2), 4u);                                      /* 7 */
    w(2, str("CORE_Y"), 7u);
    w(2, str("CORE_Z"), 9u);
    struct btf_header h = {.magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h), .type_len = nw * 4,
                           .str_off = nw * 4, .str_len = ns};
    memcpy(out, &h, sizeof(h));
    memcpy(out + sizeof(h), words, nw * 4);
    memcpy(out + sizeof(h) + nw * 4, strs, ns);
    return sizeof(h) + nw * 4 + ns;
}

static struct bpfrt_object *run_core(const char *variant, const void *btf, size_t btf_size, const char *prog)
{
    struct bpfrt_object_opts o = {.target_btf = btf, .target_btf_size = btf_size};
    struct bpfrt_object *obj = open_obj_opts(variant, "core_reloc", &o);
    CHECK(obj != NULL);
    if (!obj)
        return NULL;
    /* only the program under test: the other one's types may be missing from
     * the target, which poisons its instructions */
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        bpfrt_object_prog_set_autoload(p, strcmp(bpfrt_object_prog_name(p), prog) == 0);
    }
    char err[512];
    int rc = bpfrt_object_load(obj, err, sizeof(err));
    CHECK_EQ(rc, 0);
    if (rc) {
        fprintf(stderr, "core_reloc: %s\n", err);
        bpfrt_object_close(obj);
        return NULL;
    }
    uint64_t args[1] = {0};
    CHECK_EQ(run_prog_ctx(obj, prog, NULL, 0, args, sizeof(args), 0).rc, 0);
    return obj;
}

static uint32_t member_off(const struct bpfrt_btf *btf, const char *sname, const char *mname)
{
    long id = bpfrt_btf_find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
    const struct btf_type *t = id > 0 ? bpfrt_btf_type_by_id(btf, (uint32_t)id) : NULL;
    for (uint32_t i = 0; t && i < btf_vlen(t); i++)
        if (strcmp(bpfrt_btf_str(btf, btf_members(t)[i].name_off), mname) == 0)
            return btf_member_bit_offset(t, i) / 8;
    return 0xffffffff;
}

static void test_variant(const char *v)
{
    /* no target: compiled values, and a note */
    struct bpfrt_object *obj = run_core(v, NULL, 0, "core_probe");
    if (obj) {
        CHECK_EQ(global_u64(obj, "off_a"), 0);
        CHECK_EQ(global_u64(obj, "off_b"), 8);
        CHECK_EQ(global_u64(obj, "size_c"), 3);
        CHECK_EQ(global_u64(obj, "exists_c"), 1);
        CHECK_EQ(global_u64(obj, "signed_a"), 1);
        CHECK_EQ(global_u64(obj, "rshift_flags"), 64 - 3);
        CHECK_EQ(global_u64(obj, "size_s"), 24);
        CHECK_EQ(global_u64(obj, "has_gone"), 1);
        CHECK_EQ(global_u64(obj, "enum_y"), 2);
        CHECK_CONTAINS(bpfrt_object_notes(obj), "kept their compiled values");
        bpfrt_object_close(obj);
    }
    /* a target with another layout */
    uint8_t btf[4096];
    size_t n = target_btf(btf);
    obj = run_core(v, btf, n, "core_probe");
    if (obj) {
        CHECK_EQ(global_u64(obj, "off_a"), 8);
        CHECK_EQ(global_u64(obj, "off_b"), 0);
        CHECK_EQ(global_u64(obj, "size_c"), 5);
        CHECK_EQ(global_u64(obj, "exists_c"), 1);
        CHECK_EQ(global_u64(obj, "signed_a"), 1);
        CHECK_EQ(global_u64(obj, "rshift_flags"), 64 - 5);
        CHECK_EQ(global_u64(obj, "size_s"), 32);
        CHECK_EQ(global_u64(obj, "has_gone"), 0); /* no struct core_gone in the target */
        CHECK_EQ(global_u64(obj, "enum_y"), 7);
        CHECK_EQ(global_u64(obj, "has_y"), 1);
        CHECK(strstr(bpfrt_object_notes(obj), "compiled values") == NULL);
        bpfrt_object_close(obj);
    }
    /* a field the target lacks behind its existence check: the poisoned
     * offset read is dead code, so the program loads verified and takes the
     * other branch */
    obj = run_core(v, btf, n, "core_guarded");
    if (obj) {
        struct bpfrt_object_prog *g = bpfrt_object_find_prog(obj, "core_guarded");
        struct bpf_prog_info info;
        union bpf_attr a;
        memset(&info, 0, sizeof(info));
        memset(&a, 0, sizeof(a));
        a.info.bpf_fd = (uint32_t)bpfrt_object_prog_handle(g);
        a.info.info_len = sizeof(info);
        a.info.info = (uint64_t)(uintptr_t)&info;
        CHECK_EQ(bpfrt_bpf(crt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
        CHECK(info.verified_insns > 0);
        uint64_t args[1] = {0};
        CHECK_EQ(run_prog_ctx(obj, "core_guarded", NULL, 0, args, sizeof(args), 0).retval, 7);
        CHECK_CONTAINS(bpfrt_object_notes(obj), "have no match in the target BTF");
        bpfrt_object_close(obj);
    }
    /* the running kernel's BTF */
    FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
    if (!f)
        return;
    uint8_t *vm = malloc(64 << 20);
    size_t vn = vm ? fread(vm, 1, 64 << 20, f) : 0;
    fclose(f);
    struct bpfrt_btf *kb = NULL;
    char log[256] = "";
    CHECK_EQ(bpfrt_btf_new(crt, vm, (uint32_t)vn, log, sizeof(log), &kb), 0);
    if (log[0])
        fprintf(stderr, "vmlinux BTF: %s\n", log);
    obj = kb ? run_core(v, vm, vn, "core_task") : NULL;
    if (obj && kb) {
        uint32_t pid = member_off(kb, "task_struct", "pid"), tgid = member_off(kb, "task_struct", "tgid");
        CHECK(pid != 0xffffffff && pid > 0);
        CHECK_EQ(global_u64(obj, "pid_off"), pid);
        CHECK_EQ(global_u64(obj, "tgid_off"), tgid);
        CHECK_EQ(tgid, pid + 4);
    }
    bpfrt_object_close(obj);
    if (kb)
        bpfrt_btf_put(kb);
    free(vm);
}

/* With no target named, the running kernel's BTF is the target. */
static void test_default_target(const char *v)
{
    FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
    if (!f) {
        printf("/sys/kernel/btf/vmlinux unreadable: default-target checks skipped\n");
        return;
    }
    fclose(f);
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(bpfrt_object_open_file(crt, prog_path(v, "core_reloc"), NULL, &obj, err, sizeof(err)), 0);
    if (!obj)
        return;
    /* core_probe's poisoned call is checked mode's deferred CO-RE error (the
     * verifier, like the kernel's, refuses the program at load): unverified */
    struct bpfrt_object_prog *probe = bpfrt_object_find_prog(obj, "core_probe");
    if (probe)
        bpfrt_object_prog_set_flags(probe, bpfrt_object_prog_flags(probe) | BPFRT_PROG_F_NO_VERIFY);
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    uint64_t args[1] = {0};
    CHECK_EQ(run_prog_ctx(obj, "core_task", NULL, 0, args, sizeof(args), 0).rc, 0);
    CHECK(global_u64(obj, "pid_off") > 0);
    CHECK_EQ(global_u64(obj, "tgid_off"), global_u64(obj, "pid_off") + 4);
    /* struct core_s is no kernel type: core_probe loads, and stops where it
     * reaches its first unresolved relocation */
    CHECK_CONTAINS(bpfrt_object_notes(obj), "have no match in the target BTF");
    struct bpfrt_object_prog *p = bpfrt_object_find_prog(obj, "core_probe");
    struct bpfrt_test_run_opts o = {.ctx_in = args, .ctx_size_in = sizeof(args)};
    struct bpfrt_test_run_result r;
    memset(&r, 0, sizeof(r));
    CHECK(bpfrt_prog_test_run(crt, bpfrt_prog_from_handle(crt, bpfrt_object_prog_handle(p)), &o, &r) < 0);
    CHECK_CONTAINS(r.error_msg, "CO-RE relocation has no match in the target BTF");
    bpfrt_object_close(obj);
}

/* A hand-built object: `r0 = bpf_core_type_exists(struct bpfrt_no_such_type); exit`. */
static size_t type_exists_object(struct ebuild *b, uint8_t *btf, uint8_t *ext)
{
    nw = 0;
    ns = 1;
    strs[0] = 0;
    w(4, str("int"), BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 4u, 32u);                        /* 1 */
    w(3, str("bpfrt_no_such_type"), BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 1), 4u);           /* 2 */
    w(3, str("x"), 1u, 0u);
    uint32_t sec = str("xdp"), acc = str("0");
    struct btf_header h = {.magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h), .type_len = nw * 4,
                           .str_off = nw * 4, .str_len = ns};
    memcpy(btf, &h, sizeof(h));
    memcpy(btf + sizeof(h), words, nw * 4);
    memcpy(btf + sizeof(h) + nw * 4, strs, ns);
    size_t btf_size = sizeof(h) + nw * 4 + ns;
    /* .BTF.ext: 32-byte header, then core_relo: rec_size, one block of one
     * record {insn_off 0, type 2, access "0", BPF_CORE_TYPE_EXISTS} */
    uint32_t e[15] = {0xeB9F | 1u << 16, 32, 0, 0, 0, 0, 0, 28, 16, sec, 1, 0, 2, acc, BPF_CORE_TYPE_EXISTS};
    memcpy(ext, e, sizeof(e));
    static const struct bpf_insn code[] = {INSN(0xb7, 0, 0, 0, 1), INSN(0x95, 0, 0, 0, 0)};
    eb_init(b);
    int x = eb_sec(b, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, code, sizeof(code));
    eb_sec(b, ".BTF", SHT_PROGBITS, 0, btf, btf_size);
    eb_sec(b, ".BTF.ext", SHT_PROGBITS, 0, ext, sizeof(e));
    eb_sec(b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(b, "prog", x, 0, sizeof(code), STT_FUNC, STB_GLOBAL);
    return btf_size;
}

static long type_exists_with(struct ebuild *b, const struct bpfrt_object_opts *o)
{
    struct bpfrt_object *obj = NULL;
    char err[512];
    CHECK_EQ(eb_open(b, o, &obj, err), 0);
    long ret = -1;
    if (obj && bpfrt_object_load(obj, err, sizeof(err)) == 0) {
        uint8_t pkt[64] = {0};
        struct run_result r = run_prog(obj, "prog", pkt, sizeof(pkt));
        ret = r.rc ? -1 : (long)r.retval;
    }
    bpfrt_object_close(obj);
    return ret;
}

static void test_type_exists(void)
{
    static uint8_t btf[1024], ext[64], tb[4096];
    struct ebuild b;
    type_exists_object(&b, btf, ext);
    struct bpfrt_object_opts own = {.target_btf_path = ""}; /* the object is its own target */
    CHECK_EQ(type_exists_with(&b, &own), 1);
    size_t tn = target_btf(tb); /* a target without the type */
    struct bpfrt_object_opts other = {.target_btf = tb, .target_btf_size = tn};
    CHECK_EQ(type_exists_with(&b, &other), 0);
    FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
    if (f) { /* the default target: the running kernel, which has no such type */
        fclose(f);
        CHECK_EQ(type_exists_with(&b, NULL), 0);
    }
}

int main(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (!dir_exists(path))
        TEST_SKIP("corpus not built");
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    static const char *const variants[] = {"v3", "v4"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/progs/%s", build_dir(), variants[i]);
        if (dir_exists(path)) {
            test_current = variants[i];
            test_variant(variants[i]);
            test_default_target(variants[i]);
        }
    }
    test_current = "type_exists";
    test_type_exists();
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
