/* Truncated and corrupted objects fail cleanly: mutations of corpus objects
 * (truncations; byte flips and boundary values in the ELF header, the
 * section header table, symbols, relocations, .BTF and .BTF.ext, code and
 * map definitions) must give either a loaded object or an error with a
 * message - never a crash, a leak or undefined behaviour (the suite reruns
 * this under ASan+UBSan). BPFRT_FUZZ_ITERS sets the number of mutations. */
#include <elf.h>

#include "test_corpus_util.h"
#include "test_file.h"
#include "test_rng.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    return test_xorshift64(&rng_state);
}

struct blob {
    uint8_t *data;
    size_t size;
};

static bool read_blob(const char *path, struct blob *b)
{
    b->data = (uint8_t *)test_read_file(path, &b->size);
    return b->data != NULL;
}

/* A region worth corrupting: [off, off+len) of the file. */
struct region {
    size_t off, len;
};

static int regions_of(const struct blob *b, struct region *r, int max)
{
    int n = 0;
    Elf64_Ehdr eh;
    memcpy(&eh, b->data, sizeof(eh));
    r[n++] = (struct region){0, sizeof(eh)};
    r[n++] = (struct region){eh.e_shoff, (size_t)eh.e_shnum * sizeof(Elf64_Shdr)};
    for (int i = 1; i < eh.e_shnum && n < max; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, b->data + eh.e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
        if (sh.sh_type == SHT_NOBITS || sh.sh_size == 0)
            continue;
        /* debug sections are ignored by the loader: skip most of them */
        r[n++] = (struct region){sh.sh_offset, sh.sh_size};
    }
    return n;
}

static int mutate(uint8_t *d, size_t size, const struct region *regs, int nregs)
{
    if (size < 16)
        return 0;
    int kind = (int)(rnd() % 6);
    const struct region *r = &regs[rnd() % (uint64_t)nregs];
    size_t off = r->off + (r->len ? rnd() % r->len : 0);
    if (off >= size)
        off = size - 1;
    switch (kind) {
    case 0: /* truncation */
        return -1;
    case 1: /* random byte */
        d[off] = (uint8_t)rnd();
        break;
    case 2: /* bit flip */
        d[off] ^= (uint8_t)(1u << (rnd() % 8));
        break;
    case 3: { /* a 32-bit field set to a boundary value */
        static const uint32_t vals[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff8, 8, 0x10000};
        uint32_t v = vals[rnd() % (sizeof(vals) / sizeof(vals[0]))];
        off &= ~(size_t)3;
        if (off + 4 <= size)
            memcpy(d + off, &v, 4);
        break;
    }
    case 4: { /* 64-bit field (offsets, sizes, addends) */
        uint64_t v = rnd() % 3 == 0 ? ~0ull : rnd() % 3 == 1 ? (uint64_t)size : rnd() & 0xffff;
        off &= ~(size_t)7;
        if (off + 8 <= size)
            memcpy(d + off, &v, 8);
        break;
    }
    default: /* several flips */
        for (int k = 0; k < 4; k++) {
            const struct region *q = &regs[rnd() % (uint64_t)nregs];
            size_t o = q->off + (q->len ? rnd() % q->len : 0);
            if (o < size)
                d[o] ^= (uint8_t)rnd();
        }
        break;
    }
    return 0;
}

static const char *const targets[][2] = {
    {"v3", "xdp_rules_hash"}, {"v3", "tail_calls"},    {"v3", "loop_callbacks"},
    {"v3", "global_knobs"},   {"nog", "legacy_maps"},  {"v3", "map_in_map"},
    {"v3", "kconfig_externs"}, {"nog", "iproute2_tail"}, {"v4", "subprog_calls"},
    {"v3", "spin_lock"},
};

int main(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (!dir_exists(path))
        TEST_SKIP("corpus not built");
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    struct blob blobs[sizeof(targets) / sizeof(targets[0])];
    int nblobs = 0;
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
        if (read_blob(prog_path(targets[i][0], targets[i][1]), &blobs[nblobs]))
            nblobs++;
    CHECK(nblobs >= 5);
    int iters = (int)test_fuzz_iters(), opened = 0, loaded = 0, failed_clean = 0, bad_errors = 0;
    struct bpfrt_object_opts opts = {.default_prog_type = BPF_PROG_TYPE_SCHED_CLS, .kconfig = "CONFIG_HZ=100"};
    for (int it = 0; it < iters && nblobs; it++) {
        const struct blob *b = &blobs[it % nblobs];
        struct region regs[64];
        int nregs = regions_of(b, regs, 64);
        uint8_t *d = malloc(b->size);
        memcpy(d, b->data, b->size);
        size_t size = b->size;
        int muts = 1 + (int)(rnd() % 3);
        for (int k = 0; k < muts; k++)
            if (mutate(d, size, regs, nregs) < 0 && size)
                size = rnd() % size;
        struct bpfrt_object *obj = NULL;
        char err[512] = "";
        int rc = bpfrt_object_open_mem(crt, d, size, &opts, &obj, err, sizeof(err));
        if (rc) {
            failed_clean++;
            if (rc > 0 || !err[0]) {
                bad_errors++;
                fprintf(stderr, "iteration %d: open returned %d with message '%s'\n", it, rc, err);
            }
        } else {
            opened++;
            rc = bpfrt_object_relocate(obj, err, sizeof(err));
            if (rc && !err[0])
                bad_errors++;
            /* loading goes through the command layer: every 4th survivor
             * whose maps stay small (a mutated max_entries can ask for
             * gigabytes, which the sanitizer's allocator treats as fatal) */
            uint64_t mem = 0;
            for (uint32_t m = 0; m < bpfrt_object_map_count(obj); m++) {
                struct bpfrt_object_map *mp = bpfrt_object_map_at(obj, m);
                for (const struct bpfrt_object_map *q = mp; q; q = q == mp ? bpfrt_object_map_inner(mp) : NULL)
                    mem += ((uint64_t)bpfrt_object_map_key_size(q) + bpfrt_object_map_value_size(q) + 64) *
                           ((uint64_t)bpfrt_object_map_max_entries(q) + 1) * 4;
            }
            if (!rc && it % 4 == 0 && mem < (64u << 20)) {
                rc = bpfrt_object_load(obj, err, sizeof(err));
                if (rc == 0)
                    loaded++;
                else if (!err[0]) {
                    bad_errors++;
                    fprintf(stderr, "iteration %d: load returned %d without a message\n", it, rc);
                }
            }
            bpfrt_object_close(obj);
        }
        free(d);
    }
    test_current = "fuzz";
    CHECK_EQ(bad_errors, 0);
    CHECK(failed_clean > 0);
    CHECK(opened > 0);
    printf("%d mutations: %d rejected with a message, %d opened, %d loaded\n", iters, failed_clean,
           opened, loaded);
    for (int i = 0; i < nblobs; i++)
        free(blobs[i].data);

    /* Specific malformations and their messages. */
    test_current = "messages";
    struct blob fw;
    if (read_blob(prog_path("v3", "xdp_rules_hash"), &fw)) {
        char err[512];
        struct bpfrt_object *obj;
        CHECK(bpfrt_object_open_mem(crt, fw.data, 10, NULL, &obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "shorter than the ELF header");
        uint8_t *d = malloc(fw.size);
        memcpy(d, fw.data, fw.size);
        d[0] = 'X';
        CHECK(bpfrt_object_open_mem(crt, d, fw.size, NULL, &obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "bad magic");
        memcpy(d, fw.data, fw.size);
        d[EI_DATA] = ELFDATA2MSB;
        CHECK(bpfrt_object_open_mem(crt, d, fw.size, NULL, &obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "big-endian");
        memcpy(d, fw.data, fw.size);
        Elf64_Ehdr eh;
        memcpy(&eh, d, sizeof(eh));
        CHECK(bpfrt_object_open_mem(crt, d, eh.e_shoff + 10, NULL, &obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "section header table");
        /* a section whose data runs past the end of the file */
        Elf64_Shdr sh;
        size_t at = 0;
        for (int i = 1; i < eh.e_shnum && !at; i++) {
            memcpy(&sh, d + eh.e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
            if ((sh.sh_flags & SHF_EXECINSTR) && sh.sh_size)
                at = eh.e_shoff + (size_t)i * sizeof(sh);
        }
        sh.sh_size = fw.size * 2;
        memcpy(d + at, &sh, sizeof(sh));
        CHECK(bpfrt_object_open_mem(crt, d, fw.size, NULL, &obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "beyond end of file");
        free(d);
        free(fw.data);
    }
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
