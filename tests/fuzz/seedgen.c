/* Builds the fuzz targets' seed corpora from what the tree already has:
 *
 *   seedgen OUT [--conf DIR]... [--asm DIR]... [--obj DIR]...
 *
 *   --conf DIR  bpf_conformance .data files: their programs as text (asm),
 *               and program + memory in the raw model, interpreted and
 *               JIT-compiled (exec)
 *   --asm DIR   assembly examples (*.s, *.conf): text in auto syntax (asm)
 *   --obj DIR   clang-built objects (*.o): the object itself (elf), its BTF
 *               (btf), each relocated program as bytes and as kernel and
 *               LLVM text (asm), and each program on a 64-byte frame for its
 *               program type, checked and through the verifier (exec)
 *
 * Writes OUT/{elf,btf,asm,exec}/NAME, one file per seed, in the input
 * layouts of tests/fuzz/fuzz_util.h. Run at build time (the objects are
 * build products), never committed. Prints the count per corpus. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfrt/asm.h"
#include "bpfrt/btf.h"
#include "bpfrt/object.h"
#include "conf_data.h"
#include "fuzz_util.h"

enum { C_ELF, C_BTF, C_ASM, C_EXEC, NR_CORPORA };
static const char *const corpus_names[NR_CORPORA] = { "elf", "btf", "asm", "exec" };
static unsigned counts[NR_CORPORA];
static unsigned skipped;

/* Largest assembler seed, in bytes. */
#define ASM_SEED_MAX 2048
static const char *out_dir;

/* The frame corpus programs see (as fuzz_elf's). */
static const uint8_t frame[64] = {
    0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
    0x45, 0, 0, 50, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0,
    'f', 'u', 'z', 'z', 'i', 'n', 'g', '!', 0, 0,
};

struct buf {
    uint8_t *p;
    size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
    if (n == 0)
        return; /* data may be NULL (a test without memory) */
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) {
            fprintf(stderr, "seedgen: out of memory\n");
            exit(1);
        }
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_byte(struct buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void write_seed(int corpus, const char *name, const struct buf *b)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/%s", out_dir, corpus_names[corpus], name);
    for (char *p = path + strlen(out_dir) + 1 + strlen(corpus_names[corpus]) + 1; *p; p++)
        if (*p == '/')
            *p = '_';
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "seedgen: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    counts[corpus]++;
}

static char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = { 0 };
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        put(&b, chunk, n);
    fclose(f);
    put_byte(&b, 0); /* text files get a terminator (not counted) */
    *size = b.len - 1;
    return (char *)b.p;
}

/* An exec seed: header, data, instructions. */
static void exec_seed(const char *name, uint32_t mode, uint8_t flags, const uint8_t *data, uint32_t data_len,
                      const struct bpf_insn *insns, uint32_t cnt)
{
    if (cnt == 0 || cnt > FUZZ_EXEC_MAX_INSNS || data_len > FUZZ_EXEC_MAX_DATA)
        return;
    struct buf b = { 0 };
    uint8_t hdr[FUZZ_EXEC_HDR] = { (uint8_t)mode, flags };
    fuzz_put_le16(hdr + 2, data_len);
    put(&b, hdr, sizeof(hdr));
    put(&b, data, data_len);
    put(&b, insns, (size_t)cnt * 8);
    write_seed(C_EXEC, name, &b);
    free(b.p);
}

static void asm_seed(const char *name, uint8_t mode, const void *body, size_t len)
{
    struct buf b = { 0 };
    put_byte(&b, mode);
    put(&b, body, len);
    write_seed(C_ASM, name, &b);
    free(b.p);
}

/* ---- conformance .data files ---- */

static void from_conf(const char *path, const char *base)
{
    size_t size;
    char *text = read_file(path, &size);
    if (!text)
        return;
    struct conf_data d;
    char err[256] = "";
    char name[2048]; /* above any tag or base name (1 KiB) plus its decoration */
    if (conf_data_parse(text, size, &d, err, sizeof(err)) == 0) {
        if (d.has_asm) {
            snprintf(name, sizeof(name), "conf_%s.s", base);
            asm_seed(name, BPFRT_SYNTAX_CONF << 1, d.asm_text, d.asm_len);
        }
        struct bpf_insn *insns = d.raw;
        uint32_t cnt = d.nr_raw;
        struct bpfrt_asm_error aerr;
        bool owned = false;
        if (!d.has_raw && d.has_asm &&
            bpfrt_asm(fuzz_platform(), d.asm_text, d.asm_len, BPFRT_SYNTAX_CONF, &insns, &cnt, &aerr) == 0)
            owned = true;
        if (d.has_raw || owned) {
            snprintf(name, sizeof(name), "conf_%s", base);
            exec_seed(name, FUZZ_EXEC_RAW, 0, d.mem, (uint32_t)d.mem_len, insns, cnt);
            snprintf(name, sizeof(name), "conf_%s.jit", base);
            exec_seed(name, FUZZ_EXEC_RAW, FUZZ_EXEC_F_JIT, d.mem, (uint32_t)d.mem_len, insns, cnt);
        }
        if (owned)
            fuzz_platform()->free(fuzz_platform()->ctx, insns, (size_t)cnt * 8);
        conf_data_free(&d);
    } else {
        /* a malformed file is still good assembler input */
        snprintf(name, sizeof(name), "conf_%s.txt", base);
        asm_seed(name, BPFRT_SYNTAX_CONF << 1, text, size);
    }
    free(text);
}

/* ---- assembly examples ---- */

static void from_asm(const char *path, const char *base)
{
    size_t size;
    char *text = read_file(path, &size);
    if (!text)
        return;
    char name[2048]; /* above any tag or base name (1 KiB) plus its decoration */
    snprintf(name, sizeof(name), "example_%s", base);
    asm_seed(name, BPFRT_SYNTAX_AUTO << 1, text, size);
    free(text);
}

/* ---- objects ---- */

static uint32_t exec_mode(uint32_t prog_type)
{
    switch (prog_type) {
    case BPF_PROG_TYPE_SOCKET_FILTER: return FUZZ_EXEC_SOCKET_FILTER;
    case BPF_PROG_TYPE_XDP: return FUZZ_EXEC_XDP;
    case BPF_PROG_TYPE_SCHED_CLS:
    case BPF_PROG_TYPE_SCHED_ACT: return FUZZ_EXEC_SCHED_CLS;
    default: return FUZZ_EXEC_RAW;
    }
}

static void from_prog(const char *tag, struct bpfrt_object_prog *p)
{
    uint32_t cnt = 0;
    const struct bpf_insn *insns = bpfrt_object_prog_insns(p, &cnt);
    if (!insns || cnt == 0 || cnt > FUZZ_EXEC_MAX_INSNS)
        return;
    char name[2048]; /* above any tag or base name (1 KiB) plus its decoration */
    snprintf(name, sizeof(name), "%s_%s", tag, bpfrt_object_prog_name(p));
    uint32_t mode = exec_mode(bpfrt_object_prog_type(p));
    static const uint8_t zeros[64];
    const uint8_t *data = mode == FUZZ_EXEC_RAW ? zeros : frame;
    exec_seed(name, mode, 0, data, sizeof(frame), insns, cnt);
    if (mode != FUZZ_EXEC_RAW) { /* as its compiler meant it: through the verifier */
        snprintf(name, sizeof(name), "%s_%s.verified", tag, bpfrt_object_prog_name(p));
        exec_seed(name, mode, FUZZ_EXEC_F_VERIFY | FUZZ_EXEC_F_LOG1, data, sizeof(frame), insns, cnt);
    }

    /* The assembler's inputs stay small (it is the slowest target per
     * byte): the conformance programs already cover every form in
     * conformance syntax, and the round trip of these bytes covers the other
     * two syntaxes. */
    if ((size_t)cnt * 8 > ASM_SEED_MAX)
        return;
    snprintf(name, sizeof(name), "%s_%s.bin", tag, bpfrt_object_prog_name(p));
    asm_seed(name, FUZZ_ASM_BYTES, insns, (size_t)cnt * 8);
    static const enum bpfrt_syntax text_syntaxes[] = { BPFRT_SYNTAX_KERNEL, BPFRT_SYNTAX_LLVM };
    for (size_t i = 0; i < sizeof(text_syntaxes) / sizeof(text_syntaxes[0]); i++) {
        enum bpfrt_syntax s = text_syntaxes[i];
        size_t need = bpfrt_disasm(insns, cnt, s, NULL, 0);
        char *text = need <= ASM_SEED_MAX ? malloc(need + 1) : NULL;
        if (!text)
            continue;
        bpfrt_disasm(insns, cnt, s, text, need + 1);
        snprintf(name, sizeof(name), "%s_%s.%s", tag, bpfrt_object_prog_name(p), s == BPFRT_SYNTAX_KERNEL ? "kernel" : "llvm");
        asm_seed(name, (uint8_t)(s << 1), text, need);
        free(text);
    }
}

static void from_object(const char *path, const char *tag)
{
    size_t size;
    char *data = read_file(path, &size);
    if (!data)
        return;
    struct buf b = { (uint8_t *)data, size, size };
    write_seed(C_ELF, tag, &b);

    struct bpfrt_runtime *rt = fuzz_runtime();
    struct bpfrt_object *obj = NULL;
    char err[256];
    struct bpfrt_object_opts opts = { .target_btf_path = "" }; /* as fuzz_elf: no host vmlinux */
    if (bpfrt_object_open_mem(rt, data, size, &opts, &obj, err, sizeof(err)) != 0) {
        skipped++; /* e.g. BTF-defined maps in an object built without -g */
        goto out;
    }
    const struct bpfrt_btf *btf = bpfrt_object_btf(obj);
    if (btf) {
        uint32_t btf_size = 0;
        const void *raw = bpfrt_btf_data(btf, &btf_size);
        uint32_t value_type = 0;
        for (uint32_t i = 0; i < bpfrt_object_map_count(obj) && !value_type; i++) {
            uint32_t t = bpfrt_object_map_btf_value_type(bpfrt_object_map_at(obj, i));
            if (t < 256)
                value_type = t;
        }
        struct buf bb = { 0 };
        put_byte(&bb, 1);                    /* log level */
        put_byte(&bb, (uint8_t)value_type);  /* MAP_CREATE with a map's own value type */
        put(&bb, raw, btf_size);
        write_seed(C_BTF, tag, &bb);
        free(bb.p);
    }
    if (bpfrt_object_relocate(obj, err, sizeof(err)) == 0)
        for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++)
            from_prog(tag, bpfrt_object_prog_at(obj, i));
    bpfrt_object_close(obj);
out:
    bpfrt_runtime_destroy(rt);
    free(data);
}

/* ---- walking directories ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls fn(path, tag) for each file of dir whose name ends with one of the
 * suffixes; tag is "<last dir component>_<file name>". */
static void each_file(const char *dir, const char *const *suffixes, void (*fn)(const char *, const char *))
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "seedgen: %s: %s (skipped)\n", dir, strerror(errno));
        return;
    }
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
        for (const char *const *s = suffixes; *s; s++)
            if (ends_with(e->d_name, *s)) {
                names[n++] = strdup(e->d_name);
                break;
            }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    const char *last = strrchr(dir, '/');
    last = last && last[1] ? last + 1 : dir;
    for (size_t i = 0; i < n; i++) {
        char path[4096], tag[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(tag, sizeof(tag), "%s_%s", last, names[i]);
        fn(path, tag);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: seedgen OUT [--conf DIR]... [--asm DIR]... [--obj DIR]...\n");
        return 2;
    }
    out_dir = argv[1];
    mkdir(out_dir, 0755);
    for (int c = 0; c < NR_CORPORA; c++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", out_dir, corpus_names[c]);
        mkdir(path, 0755);
    }
    static const char *const data_sfx[] = { ".data", NULL };
    static const char *const asm_sfx[] = { ".s", ".conf", NULL };
    static const char *const obj_sfx[] = { ".o", NULL };
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--conf") == 0)
            each_file(argv[i + 1], data_sfx, from_conf);
        else if (strcmp(argv[i], "--asm") == 0)
            each_file(argv[i + 1], asm_sfx, from_asm);
        else if (strcmp(argv[i], "--obj") == 0)
            each_file(argv[i + 1], obj_sfx, from_object);
        else {
            fprintf(stderr, "seedgen: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    printf("seedgen: seeds: elf %u, btf %u, asm %u, exec %u (%u objects did not open: only their elf seed)\n",
           counts[C_ELF], counts[C_BTF], counts[C_ASM], counts[C_EXEC], skipped);
    return 0;
}
