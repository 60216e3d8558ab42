/* The assembler against the bpf_conformance suite: every program of
 * tests/ (*.data) assembles, passes structural validation and round-trips
 * through the disassembler in all three syntaxes; every case of negative/
 * fails cleanly (assembler error, validation error or empty program). */
#include "test.h"
#include "test_asm_data.h"

#include "bpfrt/asm.h"
#include "bpfrt/errno.h"

static const struct bpfrt_platform *P;
static char dir_tests[512], dir_negative[512];

static int assemble_text(const char *text, size_t len, enum bpfrt_syntax syn, struct bpf_insn **out,
                         uint32_t *cnt, struct bpfrt_asm_error *err)
{
    return bpfrt_asm(P, text, len, syn, out, cnt, err);
}

static char *disasm_alloc(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syn, size_t *len)
{
    size_t need = bpfrt_disasm(insns, cnt, syn, NULL, 0);
    char *txt = malloc(need + 1);
    size_t again = bpfrt_disasm(insns, cnt, syn, txt, need + 1);
    if (again != need) { free(txt); return NULL; }
    *len = need;
    return txt;
}

/* All 313 programs assemble, validate, and round-trip in every syntax (and
 * through AUTO detection of each printed syntax). */
static void test_all_programs(void)
{
    char **names;
    int n = data_list(dir_tests, &names);
    CHECK_EQ(n, 313);
    int assembled = 0, valid = 0, round_trips = 0, auto_trips = 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir_tests, names[i]);
        char *text = test_read_file(path, NULL);
        struct data_file d;
        data_parse(text, &d);
        struct bpf_insn *prog;
        uint32_t cnt;
        struct bpfrt_asm_error e;
        int rc = assemble_text(d.asm_text, d.asm_len, BPFRT_SYNTAX_CONF, &prog, &cnt, &e);
        if (rc) {
            fprintf(stderr, "%s: %u:%u: %s\n", names[i], e.line, e.column, e.msg);
        } else {
            assembled++;
            char msg[160];
            if (bpfrt_insns_validate(prog, cnt, msg, sizeof(msg), NULL) == 0) valid++;
            else fprintf(stderr, "%s: validate: %s\n", names[i], msg);
            if (d.has_raw) { /* the suite's own encoding */
                CHECK_EQ(d.raw_cnt, cnt);
                CHECK(d.raw_cnt == cnt && memcmp(d.raw, prog, cnt * 8) == 0);
            }
            for (int syn = BPFRT_SYNTAX_KERNEL; syn <= BPFRT_SYNTAX_CONF; syn++) {
                size_t len;
                char *txt = disasm_alloc(prog, cnt, syn, &len);
                struct bpf_insn *back;
                uint32_t back_cnt;
                if (txt && assemble_text(txt, len, syn, &back, &back_cnt, &e) == 0) {
                    if (back_cnt == cnt && memcmp(back, prog, cnt * 8) == 0) round_trips++;
                    else fprintf(stderr, "%s: syntax %d: round trip differs\n", names[i], syn);
                    P->free(P->ctx, back, back_cnt * 8);
                } else {
                    fprintf(stderr, "%s: syntax %d: %u:%u: %s\n", names[i], syn, e.line, e.column, e.msg);
                }
                if (txt && assemble_text(txt, len, BPFRT_SYNTAX_AUTO, &back, &back_cnt, &e) == 0) {
                    if (back_cnt == cnt && memcmp(back, prog, cnt * 8) == 0) auto_trips++;
                    P->free(P->ctx, back, back_cnt * 8);
                }
                free(txt);
            }
            P->free(P->ctx, prog, cnt * 8);
        }
        data_free(&d);
        free(text);
        free(names[i]);
    }
    free(names);
    CHECK_EQ(assembled, 313);
    CHECK_EQ(valid, 313);
    CHECK_EQ(round_trips, 3 * 313);
    CHECK_EQ(auto_trips, 3 * 313);
}

/* Spot checks of encodings against hand-derived bytes (RFC 9669 layout:
 * opcode, dst|src<<4, off le16, imm le32). */
static void test_known_encodings(void)
{
    static const struct {
        const char *file;
        uint32_t index;
        uint64_t word;
    } cases[] = {
        {"callx.data", 2, 0x000000000000028dull},          /* callx %r2: dst holds the helper id */
        {"lock_fetch_add.data", 4, 0x00000001fff81adbull}, /* lock fetch add [%r10-8], %r1 */
        {"movsx864-reg.data", 2, 0x00000000000810bfull},   /* movsx864 %r0, %r1: off 8 */
        {"swap16.data", 2, 0x00000010000000d7ull},         /* swap16 = ALU64|END imm 16 */
        {"ja32.data", 1, 0x0000000200000006ull},           /* ja32 L2: imm = +2 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir_tests, cases[i].file);
        char *text = test_read_file(path, NULL);
        CHECK(text != NULL);
        if (!text) continue;
        struct data_file d;
        data_parse(text, &d);
        struct bpf_insn *prog;
        uint32_t cnt;
        struct bpfrt_asm_error e;
        CHECK_EQ(assemble_text(d.asm_text, d.asm_len, BPFRT_SYNTAX_CONF, &prog, &cnt, &e), 0);
        if (cnt > cases[i].index) {
            uint64_t w;
            memcpy(&w, &prog[cases[i].index], 8);
            CHECK_EQ(w, cases[i].word);
        }
        P->free(P->ctx, prog, cnt * 8);
        data_free(&d);
        free(text);
    }
}

/* negative/: 60 cases; each must fail cleanly. */
static void test_negative(void)
{
    char **names;
    int n = data_list(dir_negative, &names);
    CHECK_EQ(n, 60);
    int rejected = 0, left_to_interpreter = 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir_negative, names[i]);
        char *text = test_read_file(path, NULL);
        struct data_file d;
        data_parse(text, &d);
        struct bpf_insn *prog = NULL;
        uint32_t cnt = 0;
        struct bpfrt_asm_error e;
        char msg[160] = "";
        const char *why = NULL;
        if (d.unknown_section) {
            why = "unknown section";
        } else if (d.has_raw) {
            if (bpfrt_insns_validate(d.raw, d.raw_cnt, msg, sizeof(msg), NULL) != 0) why = msg;
        } else if (assemble_text(d.asm_text, d.asm_len, BPFRT_SYNTAX_CONF, &prog, &cnt, &e) != 0) {
            CHECK(e.msg[0] != '\0');
            why = e.msg;
        } else if (bpfrt_insns_validate(prog, cnt, msg, sizeof(msg), NULL) != 0) {
            why = msg;
        }
        if (why) {
            rejected++;
        } else if (!strcmp(names[i], "error.data") || !strcmp(names[i], "incorrect_return_value_high_bits.data")) {
            /* valid programs with a deliberately wrong expectation: the
             * conformance runner catches the mismatch */
            left_to_interpreter++;
        } else {
            fprintf(stderr, "%s: accepted\n", names[i]);
        }
        if (prog) P->free(P->ctx, prog, cnt * 8);
        data_free(&d);
        free(text);
        free(names[i]);
    }
    free(names);
    CHECK_EQ(rejected, 58);
    CHECK_EQ(left_to_interpreter, 2);
}

/* Exact messages for the malformed-assembly cases. */
static void test_negative_messages(void)
{
    static const struct {
        const char *file;
        const char *want; /* substring */
        uint32_t line, column;
    } cases[] = {
        {"invalid_imm32_dec_range.data", "immediate out of range: '2147483648'", 0, 12},
        {"invalid_imm32_hex_range.data", "immediate out of range: '0x100000000'", 0, 12},
        {"invalid_label.data", "undefined label 'NOT_A_LABEL'", 0, 4},
        {"invalid_lock.data", "expected ',', got end of line (too few operands)", 0, 17},
        {"invalid_lock2.data", "got end of line", 0, 5},
        {"invalid_mnemonic.data", "unknown instruction 'ldxq'", 0, 1},
        {"invalid_offset.data", "expected '[', got '%r1'", 0, 11},
        {"invalid_offset_range.data", "offset out of range: '+0x10000' (expected -32768..32767)", 0, 15},
        {"invalid_operand_count.data", "expected ',', got end of line", 0, 9},
        {"invalid_register.data", "expected register, got '%r50'", 0, 9},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir_negative, cases[i].file);
        char *text = test_read_file(path, NULL);
        CHECK(text != NULL);
        if (!text) continue;
        struct data_file d;
        data_parse(text, &d);
        struct bpf_insn *prog = NULL;
        uint32_t cnt;
        struct bpfrt_asm_error e;
        CHECK_EQ(assemble_text(d.asm_text, d.asm_len, BPFRT_SYNTAX_CONF, &prog, &cnt, &e), -BPFRT_EINVAL);
        CHECK(prog == NULL);
        CHECK_CONTAINS(e.msg, cases[i].want);
        CHECK_EQ(e.column, cases[i].column);
        CHECK(e.line >= 1);
        data_free(&d);
        free(text);
    }
}

int main(void)
{
    P = bpfrt_platform_hosted();
    snprintf(dir_tests, sizeof(dir_tests), "%s/conformance/tests", test_shared_dir());
    snprintf(dir_negative, sizeof(dir_negative), "%s/conformance/negative", test_shared_dir());
    DIR *probe = opendir(dir_tests);
    if (!probe) TEST_SKIP("no conformance suite at %s", dir_tests);
    closedir(probe);
    RUN(test_all_programs);
    RUN(test_known_encodings);
    RUN(test_negative);
    RUN(test_negative_messages);
    return test_summary();
}
