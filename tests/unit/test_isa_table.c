/* Sanity of the opcode table itself: every row is self-consistent, every
 * printable form has a well-formed template in each syntax, keys select
 * exactly one printable form, and the helper-name table holds Linux's ids. */
#include "test.h"

#include "bpfrt/asm.h"
#include "core/isa/isa.h"

static const char placeholders[] = "dsDSRixoOnIkNjJFhLQmczK$";

/* Template well-formedness: known placeholders, balanced one-level groups
 * holding exactly one placeholder. */
static bool template_ok(const char *t)
{
    int depth = 0, in_group = 0;
    for (const char *p = t; *p; p++) {
        if (*p == '$') {
            if (!p[1] || !strchr(placeholders, p[1])) return false;
            if (depth) in_group++;
            p++;
        } else if (*p == '{') {
            if (depth++) return false;
            in_group = 0;
        } else if (*p == '}') {
            if (!depth-- || in_group != 1) return false;
        }
    }
    return depth == 0;
}

static void test_rows(void)
{
    int rows = 0, forms = 0;
    for (int code = 0; code < 256; code++) {
        const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
        if (!op->nforms) {
            CHECK(op->forms == NULL || op->nforms == 0);
            continue;
        }
        rows++;
        CHECK(op->reserved_msg != NULL);
        CHECK(op->reg == 'r' || op->reg == 'w');
        if (op->key != ISA_KEY_NONE) CHECK(op->badkey_fmt != NULL);
        uint8_t cls = BPF_CLASS(code);
        /* memory rows name their access type */
        if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX || (cls == BPF_LD && code != 0x18))
            CHECK(op->size != NULL);
        /* 32-bit views are 'w' registers, 64-bit ones 'r' */
        if (cls == BPF_ALU64 || cls == BPF_JMP) CHECK_EQ(op->reg, 'r');
        if (cls == BPF_JMP32 && code != (BPF_JMP32 | BPF_JA)) CHECK_EQ(op->reg, 'w');
        for (unsigned i = 0; i < op->nforms; i++) {
            const struct isa_form *f = &op->forms[i];
            forms++;
            CHECK(f->conf != NULL && f->c != NULL);
            if (f->flags & ISA_UNSUPPORTED) {
                CHECK_EQ(f->shape, ISA_SH_NONE);
                CHECK(f->c[0] != '\0'); /* the message */
                continue;
            }
            CHECK(f->shape > ISA_SH_NONE && f->shape < ISA_SH_COUNT);
            for (int syn = 0; syn < 3; syn++) {
                const char *t = bpfrt_isa_shapes[f->shape].text[syn];
                CHECK(t != NULL);
                if (t && !template_ok(t)) fprintf(stderr, "bad template \"%s\"\n", t);
                CHECK(t && template_ok(t));
            }
            /* exactly one printable form per key value */
            if (!(f->flags & ISA_ALIAS)) {
                int same = 0;
                for (unsigned j = 0; j < op->nforms; j++)
                    if (op->forms[j].key == f->key && !(op->forms[j].flags & ISA_ALIAS)) same++;
                CHECK_EQ(same, 1);
            } else {
                /* an alias spells a meaning that also has a printable form */
                bool has = false;
                for (unsigned j = 0; j < op->nforms; j++)
                    if (op->forms[j].key == f->key && !(op->forms[j].flags & ISA_ALIAS)) has = true;
                CHECK(has);
            }
            /* forms that write a register write dst or src (or r0) */
            if (cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX)
                CHECK(f->flags & ISA_WRITES_DST);
        }
    }
    /* 128 opcodes of Linux 6.18's instruction table (ALU 27, ALU64 26, JMP
     * 26, JMP32 23, LD 7, LDX 7, ST 4, STX 8) plus 0x8d (callx) */
    CHECK_EQ(rows, 129);
    CHECK(forms > rows);
}

/* bpfrt_isa_find_form and bpfrt_isa_set_key agree on the key field. */
static void test_keys(void)
{
    struct bpf_insn in = {.code = BPF_ALU64 | BPF_MOV | BPF_X};
    bpfrt_isa_set_key(&in, bpfrt_isa_opcodes[in.code].key, 16);
    CHECK_EQ(in.off, 16);
    const struct isa_form *f = bpfrt_isa_find_form(&bpfrt_isa_opcodes[in.code], &in);
    CHECK(f && strcmp(f->conf, "movsx1664") == 0);
    struct bpf_insn at = {.code = BPF_STX | BPF_ATOMIC | BPF_DW, .imm = BPF_CMPXCHG};
    f = bpfrt_isa_find_form(&bpfrt_isa_opcodes[at.code], &at);
    CHECK(f && strcmp(f->conf, "lock cmpxchg") == 0);
    struct bpf_insn sw = {.code = BPF_ALU64 | BPF_END, .imm = 32};
    f = bpfrt_isa_find_form(&bpfrt_isa_opcodes[sw.code], &sw);
    CHECK(f && strcmp(f->conf, "bswap32") == 0); /* not the "swap32" alias */
}

static void test_helper_names(void)
{
    static const struct { uint32_t id; const char *name; } known[] = {
        {0, "bpf_unspec"}, {1, "bpf_map_lookup_elem"}, {2, "bpf_map_update_elem"},
        {5, "bpf_ktime_get_ns"}, {6, "bpf_trace_printk"}, {12, "bpf_tail_call"},
        {14, "bpf_get_current_pid_tgid"}, {25, "bpf_perf_event_output"}, {51, "bpf_redirect_map"},
        {113, "bpf_probe_read_kernel"}, {130, "bpf_ringbuf_output"}, {131, "bpf_ringbuf_reserve"},
        {132, "bpf_ringbuf_submit"}, {209, "bpf_user_ringbuf_drain"}, {210, "bpf_cgrp_storage_get"},
        {211, "bpf_cgrp_storage_delete"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        CHECK_STR(bpfrt_helper_name(known[i].id), known[i].name);
    CHECK(bpfrt_helper_name(212) == NULL);
    CHECK(bpfrt_helper_name(UINT32_MAX) == NULL);
    int named = 0;
    for (uint32_t id = 1; id <= 211; id++) {
        const char *n = bpfrt_helper_name(id);
        if (n && strncmp(n, "bpf_", 4) == 0) named++;
        /* names are unique, so "call name" reads back to one id */
        if (n) CHECK_EQ(bpfrt_isa_helper_id(n, strlen(n)), (int32_t)id);
    }
    CHECK_EQ(named, 211);
    CHECK_EQ(bpfrt_isa_helper_id("map_lookup_elem", 15), 1);
    CHECK_EQ(bpfrt_isa_helper_id("nope", 4), -1);
}

/* The syntax tables in docs/isa.md: in every row, the first example of the
 * kernel, LLVM and conformance columns assemble to the same bytes ("same"
 * repeats the kernel column). Keeps the documentation honest. */
static int first_snippet(const char *cell, char *out, size_t size)
{
    const char *a = strchr(cell, '`');
    if (!a) return 0;
    const char *b = strchr(a + 1, '`');
    if (!b || (size_t)(b - a - 1) >= size) return 0;
    memcpy(out, a + 1, (size_t)(b - a - 1));
    out[b - a - 1] = 0;
    return 1;
}

static void test_docs_examples(void)
{
    FILE *f = fopen("docs/isa.md", "r");
    if (!f) {
        printf("note: docs/isa.md not found from %s, skipped\n", getenv("PWD") ? getenv("PWD") : "?");
        return;
    }
    char line[1024];
    int rows = 0, in_table = 0;
    while (fgets(line, sizeof(line), f)) {
        if (strstr(line, "| kernel (bpftool) | LLVM | conformance |") || strstr(line, "| meaning | kernel | LLVM | conformance |")) {
            in_table = 1;
            continue;
        }
        if (line[0] != '|') { in_table = 0; continue; }
        if (!in_table || strncmp(line, "|---", 4) == 0) continue;
        /* split the cells; the last three are kernel, LLVM, conformance */
        char *cells[8];
        int n = 0;
        for (char *c = strchr(line, '|'); c && n < 8; c = strchr(c + 1, '|')) cells[n++] = c + 1;
        if (n < 5) continue;
        char *k = cells[n - 4], *l = cells[n - 3], *cf = cells[n - 2];
        cells[n - 3][-1] = cells[n - 2][-1] = cells[n - 1][-1] = 0;
        char text[3][200];
        if (!first_snippet(k, text[0], sizeof(text[0])) || !first_snippet(cf, text[2], sizeof(text[2])))
            continue;
        if (strstr(l, "same") && !strchr(l, '`')) strcpy(text[1], text[0]);
        else if (!first_snippet(l, text[1], sizeof(text[1]))) continue;
        if (strstr(text[1], "...")) continue;
        uint64_t words[3][2];
        uint32_t cnts[3] = {0, 0, 0};
        for (int syn = 0; syn < 3; syn++) {
            struct bpf_insn *out;
            struct bpfrt_asm_error e;
            int rc = bpfrt_asm(bpfrt_platform_hosted(), text[syn], strlen(text[syn]), (enum bpfrt_syntax)syn, &out,
                               &cnts[syn], &e);
            CHECK_EQ(rc, 0);
            if (rc) {
                fprintf(stderr, "docs: \"%s\" (syntax %d): %s\n", text[syn], syn, e.msg);
                cnts[syn] = 0;
                continue;
            }
            memset(words[syn], 0, sizeof(words[syn]));
            memcpy(words[syn], out, (cnts[syn] > 2 ? 2 : cnts[syn]) * 8);
            bpfrt_platform_hosted()->free(NULL, out, cnts[syn] * 8);
        }
        bool same = cnts[0] == cnts[1] && cnts[1] == cnts[2] && !memcmp(words[0], words[1], sizeof(words[0])) &&
                    !memcmp(words[1], words[2], sizeof(words[0]));
        if (!same) fprintf(stderr, "docs row differs: \"%s\" / \"%s\" / \"%s\"\n", text[0], text[1], text[2]);
        CHECK(same);
        rows++;
    }
    fclose(f);
    CHECK(rows >= 25);
}

int main(void)
{
    RUN(test_rows);
    RUN(test_keys);
    RUN(test_helper_names);
    RUN(test_docs_examples);
    return test_summary();
}
