/* bpfrt_insns_validate: one program per error class with the exact Linux
 * 6.18 text (kernel/bpf/verifier.c), prefixed by the instruction index.
 * When bpf(2) is usable, each case whose wording Linux shares is also
 * loaded into the kernel and its verifier log must contain the same text. */
#include <errno.h>
#include <unistd.h>

#include "test.h"

#include "bpfrt/asm.h"
#include "bpfrt/errno.h"
#include "kernel_bpf.h"
#include "test_rng.h"

#define I(c, d, s, o, i) {.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)}
#define EXIT I(0x95, 0, 0, 0, 0)
#define MOV0 I(0xb7, 0, 0, 0, 0)

struct vcase {
    const char *name;
    struct bpf_insn insns[6];
    uint32_t cnt;
    uint32_t bad;     /* index named */
    const char *msg;  /* Linux's text (after "insn N: ") */
    bool kernel_same; /* Linux 6.18 prints the same text */
};

static const struct vcase cases[] = {
    {"unknown opcode", {I(0x8f, 0, 0, 0, 0), EXIT}, 2, 0, "unknown opcode 8f", true},
    {"neg with X", {MOV0, I(0x8c, 0, 0, 0, 0), EXIT}, 3, 1, "unknown opcode 8c", true},
    {"ld_abs dw", {MOV0, I(0x38, 0, 0, 0, 0), EXIT}, 3, 1, "unknown opcode 38", true},
    {"ldx mode imm", {MOV0, I(0x01, 0, 1, 0, 0), EXIT}, 3, 1, "BPF_LDX uses reserved fields", true},
    {"ldx memsx dw", {MOV0, I(0x99, 0, 1, 0, 0), EXIT}, 3, 1, "unknown opcode 99", true},
    {"unknown jump out of range", {MOV0, I(0xf5, 0, 0, 9, 0), EXIT}, 3, 1, "jump out of range from insn 1 to 11", true},
    {"cond jump r11 first", {MOV0, I(0x15, 11, 1, 0, 0), EXIT}, 3, 1, "R11 is invalid", true},
    {"src before dst", {MOV0, I(0x63, 11, 12, 0, 0), EXIT}, 3, 1, "R12 is invalid", true},
    {"bswap from ALU X", {MOV0, I(0xdf, 0, 0, 0, 16), EXIT}, 3, 1, "unknown opcode df", true},
    {"dst r11", {I(0xb7, 11, 0, 0, 0), EXIT}, 2, 0, "R11 is invalid", true},
    {"src r12", {MOV0, I(0x0f, 0, 12, 0, 0), EXIT}, 3, 1, "R12 is invalid", true},
    {"write r10", {I(0xb7, 10, 0, 0, 0), EXIT}, 2, 0, "frame pointer is read only", true},
    {"load into r10", {I(0x79, 10, 1, 0, 0), EXIT}, 2, 0, "frame pointer is read only", true},
    {"neg imm", {MOV0, I(0x87, 0, 0, 0, 1), EXIT}, 3, 1, "BPF_NEG uses reserved fields", true},
    {"end width", {MOV0, I(0xdc, 0, 0, 0, 8), EXIT}, 3, 1, "BPF_END uses reserved fields", true},
    {"signed add", {MOV0, I(0x07, 0, 0, 1, 1), EXIT}, 3, 1, "BPF_ALU uses reserved fields", true},
    {"sdiv off 2", {MOV0, I(0x3f, 0, 0, 2, 0), EXIT}, 3, 1, "BPF_ALU uses reserved fields", true},
    {"movsx32 on alu32", {MOV0, I(0xbc, 0, 0, 32, 0), EXIT}, 3, 1, "BPF_MOV uses reserved fields", true},
    {"mov imm with src", {I(0xb7, 0, 1, 0, 0), EXIT}, 2, 0, "BPF_MOV uses reserved fields", true},
    {"addr_space_cast", {MOV0, I(0xbf, 0, 0, 1, 1), EXIT}, 3, 1, "addr_space_cast is not supported", false},
    {"ldx imm", {I(0x61, 0, 10, -4, 1), EXIT}, 2, 0, "BPF_LDX uses reserved fields", true},
    {"st src", {I(0x62, 10, 1, -4, 0), MOV0, EXIT}, 3, 0, "BPF_ST uses reserved fields", true},
    {"stx imm", {I(0x63, 10, 1, -4, 1), MOV0, EXIT}, 3, 0, "BPF_STX uses reserved fields", true},
    {"atomic op", {MOV0, I(0xdb, 10, 0, -8, 0x02), EXIT}, 3, 1, "BPF_ATOMIC uses invalid atomic opcode 02", true},
    {"8-bit atomic add", {MOV0, I(0xd3, 10, 0, -8, 0x00), EXIT}, 3, 1, "invalid atomic operand size", true},
    {"ja dst", {I(0x05, 1, 0, 0, 0), EXIT}, 2, 0, "BPF_JA uses reserved fields", true},
    {"jeq reg imm", {MOV0, I(0x1d, 0, 0, 0, 1), EXIT}, 3, 1, "BPF_JMP/JMP32 uses reserved fields", true},
    {"call src 3", {I(0x85, 0, 3, 0, 5), EXIT}, 2, 0, "BPF_CALL uses reserved fields", true},
    {"call dst", {I(0x85, 1, 0, 0, 5), EXIT}, 2, 0, "BPF_CALL uses reserved fields", true},
    {"exit imm", {MOV0, I(0x95, 0, 0, 0, 1)}, 2, 1, "BPF_EXIT uses reserved fields", true},
    {"may_goto imm", {I(0xe5, 0, 0, 0, 5), MOV0, EXIT}, 3, 0, "invalid may_goto imm 5", true},
    {"ld_imm64 off", {I(0x18, 0, 0, 1, 0), I(0, 0, 0, 0, 0), EXIT}, 3, 0, "BPF_LD_IMM64 uses reserved fields", true},
    {"ld_imm64 truncated", {MOV0, I(0x18, 0, 0, 0, 0)}, 2, 1, "last insn is not an exit or jmp", true},
    {"ld_imm64 truncated before exit", {MOV0, I(0x18, 0, 0, 0, 0), EXIT}, 3, 1, "invalid bpf_ld_imm64 insn", true},
    {"ld_imm64 second half", {I(0x18, 0, 0, 0, 0), I(0x07, 0, 0, 0, 0), EXIT}, 3, 0, "invalid bpf_ld_imm64 insn", true},
    {"ld_imm64 src 7", {I(0x18, 0, 7, 0, 0), I(0, 0, 0, 0, 0), EXIT}, 3, 0, "unrecognized bpf_ld_imm64 insn", true},
    {"map_fd high imm", {I(0x18, 1, 1, 0, 3), I(0, 0, 0, 0, 1), MOV0, EXIT}, 4, 0, "unrecognized bpf_ld_imm64 insn", true},
    {"jump out", {MOV0, I(0x05, 0, 0, 5, 0), EXIT}, 3, 1, "jump out of range from insn 1 to 7", true},
    {"jump back out", {MOV0, I(0x15, 0, 0, -3, 0), EXIT}, 3, 1, "jump out of range from insn 1 to -1", true},
    {"jump into lddw", {MOV0, I(0x15, 0, 0, 1, 0), I(0x18, 0, 0, 0, 0), I(0, 0, 0, 0, 0), EXIT}, 5, 1,
     "jump into the middle of ldimm64 insn 2", true},
    {"ja32 out", {MOV0, I(0x06, 0, 0, 0, 9), EXIT}, 3, 1, "jump out of range from insn 1 to 11", true},
    {"last insn", {MOV0, MOV0}, 2, 1, "last insn is not an exit or jmp", true},
    {"last insn after lddw", {I(0x18, 0, 0, 0, 0), I(0, 0, 0, 0, 0)}, 2, 1, "last insn is not an exit or jmp", true},
    {"call out", {I(0x85, 0, 1, 0, 7), EXIT}, 2, 0, "call to invalid destination", false},
    {"empty", {EXIT}, 0, 0, "empty program", false},
    /* several faults: the first one Linux reports wins */
    {"order: last insn first", {I(0x8f, 0, 0, 0, 0), MOV0}, 2, 1, "last insn is not an exit or jmp", true},
    {"order: ranges before fields", {I(0x07, 0, 0, 1, 1), I(0x05, 0, 0, 5, 0), EXIT}, 3, 1,
     "jump out of range from insn 1 to 7", true},
    {"order: opcodes before fields", {I(0x07, 0, 0, 1, 1), I(0x8f, 0, 0, 0, 0), EXIT}, 3, 1,
     "unknown opcode 8f", true},
};

static char klog[1 << 16];

/* Loads prog as a socket filter with its verifier log in klog: 0 or -errno. */
static int kernel_load(const struct bpf_insn *prog, uint32_t cnt)
{
    long fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, prog, cnt, 1, klog, sizeof(klog));
    if (fd < 0)
        return (int)fd;
    close((int)fd);
    return 0;
}

static void test_messages(void)
{
    bool kernel = kbpf_available();
    if (!kernel) printf("note: bpf(2) unavailable, kernel comparison skipped\n");
    int kernel_checked = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct vcase *c = &cases[i];
        char msg[200], want[200];
        uint32_t bad = 999;
        int rc = bpfrt_insns_validate(c->cnt ? c->insns : NULL, c->cnt, msg, sizeof(msg), &bad);
        snprintf(want, sizeof(want), "insn %u: %s", c->bad, c->msg);
        CHECK(rc < 0);
        CHECK_STR(msg, want);
        CHECK_EQ(bad, c->bad);
        if (kernel && c->kernel_same) {
            CHECK(kernel_load(c->insns, c->cnt) < 0);
            if (!strstr(klog, c->msg))
                fprintf(stderr, "%s: kernel log: %.300s\n", c->name, klog);
            CHECK_CONTAINS(klog, c->msg);
            kernel_checked++;
        }
    }
    if (kernel) CHECK(kernel_checked > 30);
}

/* The last message line of the kernel's log. */
static void kernel_last_line(char *out, size_t size)
{
    const char *l = klog, *last = klog;
    for (const char *nl; (nl = strchr(l, '\n')) && nl[1]; l = nl + 1)
        if (strncmp(nl + 1, "processed ", 10) != 0) last = nl + 1;
        else break;
    const char *e = strchr(last, '\n');
    snprintf(out, size, "%.*s", (int)(e ? e - last : (long)strlen(last)), last);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    return test_xorshift64(&rng);
}

/* Random malformed instructions: whenever the kernel's first complaint is
 * one of the structural messages, it is ours (the kernel may stop earlier
 * on semantic grounds, e.g. an uninitialised register; those are skipped). */
static void test_kernel_fuzz(void)
{
    if (!kbpf_available()) {
        printf("note: bpf(2) unavailable, kernel fuzz skipped\n");
        return;
    }
    static const char *const structural[] = {
        "unknown opcode", "uses reserved fields", "is invalid", "frame pointer is read only",
        "invalid bpf_ld_imm64 insn", "unrecognized bpf_ld_imm64 insn", "jump out of range",
        "jump into the middle of ldimm64", "last insn is not an exit or jmp", "invalid atomic operand size",
        "BPF_ATOMIC uses invalid atomic opcode", "invalid may_goto imm",
    };
    long iters = test_fuzz_iters();
    if (iters > 50000) iters = 50000; /* one bpf(2) load each */
    int compared = 0, same = 0;
    for (long it = 0; it < iters; it++) {
        /* r0..r9 initialised so that reads are never the kernel's first complaint */
        struct bpf_insn p[14];
        for (int r = 0; r < 10; r++) p[r] = (struct bpf_insn)I(0xb7, r, 0, 0, 0);
        uint64_t w = rnd();
        memcpy(&p[10], &w, 8);
        if (rnd() % 2) p[10].off = rnd() % 3 ? 0 : (int16_t)(rnd() % 3);
        if (rnd() % 2) p[10].imm = rnd() % 3 ? 0 : (int32_t)(rnd() % 3);
        if (rnd() % 2) { p[10].dst_reg = rnd() % 12; p[10].src_reg = rnd() % 3; }
        if (p[10].code == 0x8d) continue; /* callx: bpfrt's extension */
        /* local calls and func references split the program into
         * subprograms, whose boundaries are the verifier's business */
        if ((p[10].code == 0x85 && p[10].src_reg == BPF_PSEUDO_CALL) ||
            (p[10].code == 0x18 && p[10].src_reg == BPF_PSEUDO_FUNC))
            continue;
        p[11] = (struct bpf_insn)MOV0;
        p[12] = (struct bpf_insn)EXIT;
        char msg[200];
        if (bpfrt_insns_validate(p, 13, msg, sizeof(msg), NULL) == 0) continue;
        kernel_load(p, 13);
        char last[200];
        kernel_last_line(last, sizeof(last));
        bool kernel_structural = false;
        for (size_t k = 0; k < sizeof(structural) / sizeof(structural[0]); k++)
            if (strstr(last, structural[k])) kernel_structural = true;
        if (!kernel_structural) continue;
        compared++;
        const char *ours = strchr(msg, ':') + 2;
        if (strcmp(ours, last) == 0) same++;
        else fprintf(stderr, "insn %016llx: ours \"%s\", kernel \"%s\"\n", (unsigned long long)w, ours, last);
    }
    printf("kernel fuzz: %d structural verdicts compared, %d identical\n", compared, same);
    CHECK(compared > iters / 4);
    CHECK_EQ(same, compared);
}

/* Valid programs pass: every class of instruction, including the v4 ones. */
static void test_valid(void)
{
    static const char text[] =
        "r0 = 0\n r1 = 0x1122334455667788 ll\n w2 = (s8)w1\n r3 = (s32)r1\n r0 s/= r1\n w0 s%= 7\n"
        "r1 = bswap16 r1\n r2 = be64 r2\n *(u64 *)(r10 - 8) = r1\n r1 = *(s8 *)(r10 - 8)\n"
        "lock *(u64 *)(r10 - 8) += r1\n r1 = atomic_fetch_xor((u64 *)(r10 - 8), r1)\n"
        "r0 = cmpxchg_64(r10 - 8, r0, r1)\n r1 = load_acquire((u64 *)(r10 - 8))\n"
        "store_release((u32 *)(r10 - 8), w1)\n r0 = *(u8 *)skb[0]\n r0 = *(u32 *)skb[r1]\n"
        "may_goto +1\n gotol +0\n call 1\n call pc+2\n callx r1\n exit\n exit\n";
    struct bpf_insn *prog;
    uint32_t cnt;
    struct bpfrt_asm_error e;
    CHECK_EQ(bpfrt_asm(bpfrt_platform_hosted(), text, sizeof(text) - 1, BPFRT_SYNTAX_LLVM, &prog, &cnt, &e), 0);
    char msg[200] = "untouched";
    CHECK_EQ(bpfrt_insns_validate(prog, cnt, msg, sizeof(msg), NULL), 0);
    CHECK_STR(msg, "");
    bpfrt_platform_hosted()->free(NULL, prog, cnt * 8);
}

/* Every opcode byte alone: known ones pass (given valid fields), the rest
 * report "unknown opcode" - the table's idea of validity, checked against a
 * hand-written list of Linux 6.18's instruction table plus 0x8d. */
static void test_opcode_list(void)
{
    static const uint8_t known[] = {
        /* ALU and ALU64, K and X: add sub mul div or and lsh rsh (neg K) mod xor mov arsh end */
        0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c,
        0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc,
        0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f,
        0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7,
        /* JMP: ja, conditionals K/X, call, callx, exit, jcond; JMP32: ja, conditionals */
        0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d,
        0x85, 0x8d, 0x95, 0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd, 0xe5,
        0x06, 0x16, 0x1e, 0x26, 0x2e, 0x36, 0x3e, 0x46, 0x4e, 0x56, 0x5e, 0x66, 0x6e, 0x76, 0x7e,
        0xa6, 0xae, 0xb6, 0xbe, 0xc6, 0xce, 0xd6, 0xde,
        /* LD: imm64, abs and ind B/H/W */
        0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
        /* LDX mem, memsx; ST; STX mem, atomic */
        0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91,
        0x62, 0x6a, 0x72, 0x7a,
        0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xcb, 0xd3, 0xdb,
    };
    bool is_known[256] = {false};
    for (size_t i = 0; i < sizeof(known); i++) is_known[known[i]] = true;
    int agree = 0;
    for (int code = 0; code < 256; code++) {
        int fields = bpfrt_opcode_fields((uint8_t)code);
        if ((fields >= 0) == is_known[code]) agree++;
        else fprintf(stderr, "opcode %02x: table says %d\n", code, fields);
        if (!is_known[code]) {
            struct bpf_insn p[3] = {I(code, 0, 0, 0, 0), I(0, 0, 0, 0, 0), EXIT};
            char msg[100], want[40];
            CHECK_EQ(bpfrt_insns_validate(p, 3, msg, sizeof(msg), NULL), -BPFRT_EINVAL);
            /* Linux checks an LDX's mode before the opcode table */
            bool ldx_mode = BPF_CLASS(code) == BPF_LDX && BPF_MODE(code) != BPF_MEM && BPF_MODE(code) != BPF_MEMSX;
            if (ldx_mode) snprintf(want, sizeof(want), "insn 0: BPF_LDX uses reserved fields");
            else snprintf(want, sizeof(want), "insn 0: unknown opcode %02x", code);
            CHECK_STR(msg, want);
        }
    }
    CHECK_EQ(agree, 256);
    CHECK_EQ(bpfrt_opcode_fields(0x07), BPFRT_INSN_USES_DST | BPFRT_INSN_USES_IMM);
    CHECK_EQ(bpfrt_opcode_fields(0x3f), BPFRT_INSN_USES_DST | BPFRT_INSN_USES_SRC | BPFRT_INSN_USES_OFF);
    CHECK_EQ(bpfrt_opcode_fields(0x95), 0);
}

int main(void)
{
    RUN(test_messages);
    RUN(test_kernel_fuzz);
    RUN(test_valid);
    RUN(test_opcode_list);
    return test_summary();
}
