/* Fuzz target: assembler -> disassembler -> assembler round trip in the
 * three syntaxes (kernel/bpftool, LLVM, bpf_conformance). The input (layout
 * in fuzz_util.h) is either assembly text in a chosen syntax or raw
 * instructions. The instructions (text: once assembled) go through
 * structural validation, then are disassembled in each syntax, and that
 * text must assemble back to the very same bytes - whether they validate or
 * not; a difference aborts with both texts, as a crash would. Any text may
 * be refused, never crash. */
#include "fuzz_util.h"

#include "bpfrt/asm.h"

#define MAX_INSNS 4096u

static void dump(const char *what, const struct bpf_insn *insns, uint32_t cnt)
{
    fprintf(stderr, "%s (%u insns):", what, cnt);
    for (uint32_t i = 0; i < cnt; i++) {
        uint8_t b[8];
        memcpy(b, &insns[i], 8);
        fprintf(stderr, "%s%02x %02x %02x %02x %02x %02x %02x %02x", i % 4 ? "  " : "\n  ", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7]);
    }
    fprintf(stderr, "\n");
}

/* disasm(insns) in `syntax`, assembled again, must give insns. */
static void round_trip(const struct bpfrt_platform *plat, const struct bpf_insn *insns, uint32_t cnt,
                       enum bpfrt_syntax syntax)
{
    size_t need = bpfrt_disasm(insns, cnt, syntax, NULL, 0);
    char *text = malloc(need + 1);
    if (!text)
        return;
    size_t got = bpfrt_disasm(insns, cnt, syntax, text, need + 1);
    if (got != need)
        abort(); /* the length is the same whatever the buffer */
    struct bpf_insn *back = NULL;
    uint32_t back_cnt = 0;
    struct bpfrt_asm_error err;
    memset(&err, 0, sizeof(err));
    int rc = bpfrt_asm(plat, text, need, syntax, &back, &back_cnt, &err);
    if (rc != 0 || back_cnt != cnt || memcmp(back, insns, (size_t)cnt * 8) != 0) {
        static const char *const names[] = { "kernel", "llvm", "conf" };
        fprintf(stderr, "round trip failed in %s syntax: ", names[syntax]);
        if (rc)
            fprintf(stderr, "line %u col %u: %s\n", err.line, err.column, err.msg);
        else
            fprintf(stderr, "%u insns back, differing\n", back_cnt);
        dump("original", insns, cnt);
        fprintf(stderr, "disassembly:\n%s", text);
        if (rc == 0)
            dump("reassembled", back, back_cnt);
        abort();
    }
    plat->free(plat->ctx, back, (size_t)back_cnt * 8);
    free(text);
}

/* Instructions that validate must round trip; so must those that do not:
 * the disassembler prints an instruction the table refuses as the raw word
 * (".insn 0x..."), which the assembler reads back. */
static void check_insns(const struct bpfrt_platform *plat, const struct bpf_insn *insns, uint32_t cnt)
{
    char msg[256];
    uint32_t bad = 0;
    if (cnt == 0)
        return; /* text without instructions */
    if (bpfrt_insns_validate(insns, cnt, msg, sizeof(msg), &bad) != 0 && (bad >= cnt || !msg[0]))
        abort(); /* a refusal names an instruction of the program and says why */
    for (int s = BPFRT_SYNTAX_KERNEL; s <= BPFRT_SYNTAX_CONF; s++)
        round_trip(plat, insns, cnt, (enum bpfrt_syntax)s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct bpfrt_platform *plat = fuzz_platform();
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    if (data[0] & FUZZ_ASM_BYTES) {
        uint32_t cnt = (uint32_t)(len / 8);
        if (cnt == 0 || cnt > MAX_INSNS)
            return 0;
        struct bpf_insn *insns = malloc((size_t)cnt * 8);
        if (!insns)
            return 0;
        memcpy(insns, body, (size_t)cnt * 8);
        check_insns(plat, insns, cnt);
        free(insns);
        return 0;
    }
    /* An exact-size copy without a terminating NUL: the assembler takes a
     * length, and ASan sees a read past it. */
    char *text = malloc(len ? len : 1);
    if (!text)
        return 0;
    memcpy(text, body, len);
    struct bpf_insn *insns = NULL;
    uint32_t cnt = 0;
    struct bpfrt_asm_error err;
    memset(&err, 0, sizeof(err));
    if (bpfrt_asm(plat, text, len, (enum bpfrt_syntax)FUZZ_ASM_SYNTAX(data[0]), &insns, &cnt, &err) == 0) {
        if (cnt <= MAX_INSNS)
            check_insns(plat, insns, cnt);
        plat->free(plat->ctx, insns, (size_t)cnt * 8);
    } else if (err.msg[0] == '\0' || strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg)) {
        abort(); /* a refusal always says why */
    }
    free(text);
    return 0;
}
