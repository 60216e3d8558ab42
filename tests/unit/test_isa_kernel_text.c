/* Kernel-syntax disassembly against the real kernel: Linux's verifier log
 * (log_level 2) prints every instruction it walks in bpftool's format
 * ("0: (07) r1 += -3"). For one instruction of every printable form we load
 * [insn, exit] with bpf(BPF_PROG_LOAD) and compare the kernel's text of
 * instruction 0 with ours, and also check the validation verdict for
 * reserved fields against the kernel's message. Skips without bpf(2). */
#include <errno.h>
#include <unistd.h>

#include "test.h"

#include "bpfrt/asm.h"
#include "core/isa/isa.h"
#include "kernel_bpf.h"
#include "test_rng.h"

static char klog[1 << 16];

/* Loads prog as a socket filter; returns the (closed) fd or -errno. The
 * log (level 2: every instruction walked) is in klog. */
static int kernel_load(const struct bpf_insn *prog, uint32_t cnt)
{
    long fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, prog, cnt, 2, klog, sizeof(klog));
    if (fd >= 0)
        close((int)fd);
    return (int)fd;
}

/* The text the kernel printed for instruction 0 ("(07) r1 += -3"), or NULL. */
static const char *kernel_text_of_insn0(char *out, size_t size)
{
    for (char *line = klog; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 3 && strncmp(line, "0: (", 4) == 0) {
            /* drop the register-state annotation ("   ; R1=ctx()") */
            snprintf(out, size, "%.*s", (int)(len - 3), line + 3);
            char *semi = strstr(out, " ;");
            if (semi) {
                while (semi > out && semi[-1] == ' ') semi--;
                *semi = 0;
            }
            return out;
        }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* Fills a representative instruction for a form. */
static void sample(uint8_t code, const struct isa_opcode *op, const struct isa_form *f, struct bpf_insn in[2])
{
    memset(in, 0, 2 * sizeof(*in));
    in[0].code = code;
    bpfrt_isa_set_key(&in[0], op->key, f->key);
    if (op->used & ISA_F_DST) in[0].dst_reg = 1;
    if (op->used & ISA_F_SRC) in[0].src_reg = 2;
    if (op->used & ISA_F_IMM) in[0].imm = -3;
    if (op->used & ISA_F_OFF) in[0].off = -8;
    switch (f->shape) {
    case ISA_SH_JMP_K: in[0].imm = -1; /* kernel prints 0xffffffff */ /* fallthrough */
    case ISA_SH_JMP_X: case ISA_SH_JA: case ISA_SH_MAY_GOTO: in[0].off = 0; break;
    case ISA_SH_JA32: in[0].imm = 0; break;
    case ISA_SH_LD_ABS: in[0].imm = 12; break;
    case ISA_SH_LD_IND: in[0].imm = -4; break; /* kernel: "skb[r2 + -4]" */
    case ISA_SH_CALL: in[0].imm = 1; break;
    case ISA_SH_CALL_LOCAL: in[0].imm = 1; break; /* a subprogram after the exit */
    case ISA_SH_LDDW: in[0].imm = 0x55667788; in[1].imm = 0x11223344; break;
    case ISA_SH_ATOMIC: case ISA_SH_ATOMIC_FETCH: case ISA_SH_ATOMIC_XCHG:
    case ISA_SH_ATOMIC_CMPXCHG: case ISA_SH_STORE_REL: case ISA_SH_ST: case ISA_SH_STX:
        in[0].dst_reg = 10;
        break;
    default: break;
    }
}

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
    return test_xorshift64(&rng);
}

/* The kernel's text of an instruction assembles back to the n words of prog. */
static void check_assembles_back(const char *theirs, const struct bpf_insn *prog, uint32_t n)
{
    struct bpf_insn *back;
    uint32_t back_cnt;
    struct bpfrt_asm_error e;
    int rc = bpfrt_asm(bpfrt_platform_hosted(), theirs, strlen(theirs), BPFRT_SYNTAX_KERNEL, &back, &back_cnt, &e);
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        CHECK(back_cnt == n && memcmp(back, prog, n * 8) == 0);
        bpfrt_platform_hosted()->free(NULL, back, back_cnt * 8);
    } else {
        fprintf(stderr, "kernel text \"%s\": %u:%u: %s\n", theirs, e.line, e.column, e.msg);
    }
}

/* Compares our kernel-syntax text of prog[0] with the kernel's; returns
 * -1 when the kernel printed nothing, else 1 when identical, 0 when not. */
static int compare_with_kernel(struct bpf_insn *prog, uint32_t cnt, uint32_t n)
{
    char ours[160], theirs[160];
    uint32_t used;
    CHECK(bpfrt_disasm_insn(prog, cnt, 0, BPFRT_SYNTAX_KERNEL, ours, sizeof(ours), &used) > 0);
    kernel_load(prog, cnt);
    if (!kernel_text_of_insn0(theirs, sizeof(theirs)))
        return -1;
    int same = strcmp(ours, theirs) == 0;
    if (!same) fprintf(stderr, "opcode %02x: ours \"%s\", kernel \"%s\"\n", prog[0].code, ours, theirs);
    check_assembles_back(theirs, prog, n);
    return same;
}

/* Random registers, offsets and immediates (jump targets kept inside the
 * program so the kernel gets as far as printing). */
static void test_kernel_text_random(void)
{
    const char *env = getenv("BPFRT_FUZZ_ITERS");
    long iters = env ? atol(env) / 4 : 500;
    if (iters <= 0) iters = 500;
    if (iters > 20000) iters = 20000; /* one bpf(2) load each */
    int compared = 0, same = 0;
    for (long it = 0; it < iters; it++) {
        uint8_t code = (uint8_t)rnd();
        const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
        if (!op->nforms) { it--; continue; }
        const struct isa_form *f = &op->forms[rnd() % op->nforms];
        if ((f->flags & (ISA_ALIAS | ISA_UNSUPPORTED)) || f->shape == ISA_SH_CALLX ||
            f->shape == ISA_SH_CALL_KFUNC || f->shape == ISA_SH_CALL_LOCAL ||
            (f->shape >= ISA_SH_LDDW_MAP_FD && f->shape <= ISA_SH_LDDW_MAP_IDX_VALUE)) {
            it--;
            continue;
        }
        struct bpf_insn prog[4];
        memset(prog, 0, sizeof(prog));
        prog[0].code = code;
        if (op->used & ISA_F_DST) prog[0].dst_reg = (uint8_t)(rnd() % 11);
        if (op->used & ISA_F_SRC) prog[0].src_reg = (uint8_t)(rnd() % 11);
        if (op->used & ISA_F_OFF) prog[0].off = (int16_t)rnd();
        if (op->used & ISA_F_IMM) prog[0].imm = rnd() % 2 ? (int32_t)rnd() : (int32_t)(rnd() % 64) - 32;
        bpfrt_isa_set_key(&prog[0], op->key, f->key);
        if (f->shape == ISA_SH_JA || f->shape == ISA_SH_JMP_K || f->shape == ISA_SH_JMP_X || f->shape == ISA_SH_MAY_GOTO)
            prog[0].off = 0;
        if (f->shape == ISA_SH_JA32) prog[0].imm = 0;
        if (f->shape == ISA_SH_LDDW) prog[1].imm = (int32_t)rnd();
        uint32_t n = bpfrt_insn_is_lddw(&prog[0]) ? 2 : 1;
        char msg[128];
        if (bpfrt_isa_check_insn(prog, n, NULL, msg, sizeof(msg))) { it--; continue; }
        uint32_t cnt = n;
        if (f->shape != ISA_SH_EXIT) prog[cnt++] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
        int r = compare_with_kernel(prog, cnt, n);
        if (r < 0) continue;
        compared++;
        same += r;
    }
    printf("random: compared %d instructions with the kernel's text, %d identical\n", compared, same);
    CHECK(compared > iters / 2);
    CHECK_EQ(same, compared);
}

static void test_kernel_text(void)
{
    int compared = 0, same = 0;
    for (unsigned code = 0; code < 256; code++) {
        const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
        for (unsigned k = 0; k < op->nforms; k++) {
            const struct isa_form *f = &op->forms[k];
            if (f->flags & (ISA_ALIAS | ISA_UNSUPPORTED))
                continue;
            /* forms that need maps, BTF or are not Linux's (callx) never
             * reach the printing stage */
            if (f->shape == ISA_SH_CALLX || f->shape == ISA_SH_CALL_KFUNC ||
                (f->shape >= ISA_SH_LDDW_MAP_FD && f->shape <= ISA_SH_LDDW_MAP_IDX_VALUE))
                continue;
            struct bpf_insn prog[4];
            sample((uint8_t)code, op, f, prog);
            uint32_t n = bpfrt_insn_is_lddw(&prog[0]) ? 2 : 1;
            uint32_t cnt = n;
            if (f->shape != ISA_SH_EXIT)
                prog[cnt++] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
            if (f->shape == ISA_SH_CALL_LOCAL)
                prog[cnt++] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
            char ours[160], theirs[160];
            uint32_t used;
            CHECK(bpfrt_disasm_insn(prog, cnt, 0, BPFRT_SYNTAX_KERNEL, ours, sizeof(ours), &used) > 0);
            kernel_load(prog, cnt);
            if (!kernel_text_of_insn0(theirs, sizeof(theirs))) {
                fprintf(stderr, "note: kernel printed nothing for %s (%02x): %.120s\n", ours, code, klog);
                continue;
            }
            compared++;
            if (strcmp(ours, theirs) == 0) same++;
            else fprintf(stderr, "opcode %02x form %s: ours \"%s\", kernel \"%s\"\n", code, f->conf, ours, theirs);
            /* and the kernel text assembles back to the same instruction */
            check_assembles_back(theirs, prog, n);
        }
    }
    printf("compared %d forms with the kernel's text, %d identical\n", compared, same);
    CHECK(compared > 100);
    CHECK_EQ(same, compared);
}

int main(void)
{
    if (!kbpf_available())
        TEST_SKIP("bpf(2) program loading not available");
    RUN(test_kernel_text);
    RUN(test_kernel_text_random);
    return test_summary();
}
