/* The machine-readable verifier log (issue 10 item 7): PROG_LOAD with
 * BPFRT_LOG_JSON and `bpfrt verify --log-format json`. The document must be
 * valid JSON (checked by a strict parser here, and by python3's json module
 * through the CLI when python3 is there) and hold what the walk saw: each
 * processed instruction on its path with the registers after it (values
 * derived by hand for these programs), pruned paths, the refused
 * instruction, and the verdict with Linux's error line. A buffer too small
 * gives -ENOSPC and the size needed, as for the text log. */
#include <ctype.h>

#include "test_cli_util.h"
#include "bpf_test_util.h"

/* ---- a strict JSON parser (RFC 8259), enough to validate a document ---- */

struct jp {
    const char *s;
    int depth;
};

static void ws(struct jp *p)
{
    while (*p->s == ' ' || *p->s == '\n' || *p->s == '\r' || *p->s == '\t')
        p->s++;
}

static bool value(struct jp *p);

static bool string(struct jp *p)
{
    if (*p->s++ != '"')
        return false;
    for (;;) {
        unsigned char c = (unsigned char)*p->s++;
        if (c == '"')
            return true;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            c = (unsigned char)*p->s++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++)
                    if (!isxdigit((unsigned char)*p->s++))
                        return false;
            } else if (!strchr("\"\\/bfnrt", c) || !c) {
                return false;
            }
        }
    }
}

static bool number(struct jp *p)
{
    if (*p->s == '-')
        p->s++;
    if (*p->s == '0')
        p->s++;
    else if (isdigit((unsigned char)*p->s))
        while (isdigit((unsigned char)*p->s))
            p->s++;
    else
        return false;
    if (*p->s == '.') {
        p->s++;
        if (!isdigit((unsigned char)*p->s))
            return false;
        while (isdigit((unsigned char)*p->s))
            p->s++;
    }
    return true;
}

static bool seq(struct jp *p, char close, bool members)
{
    p->s++;
    ws(p);
    if (*p->s == close) {
        p->s++;
        return true;
    }
    for (;;) {
        ws(p);
        if (members) {
            if (!string(p))
                return false;
            ws(p);
            if (*p->s++ != ':')
                return false;
        }
        if (!value(p))
            return false;
        ws(p);
        char c = *p->s++;
        if (c == close)
            return true;
        if (c != ',')
            return false;
    }
}

static bool value(struct jp *p)
{
    ws(p);
    if (++p->depth > 64)
        return false;
    bool ok;
    if (*p->s == '{')
        ok = seq(p, '}', true);
    else if (*p->s == '[')
        ok = seq(p, ']', false);
    else if (*p->s == '"')
        ok = string(p);
    else if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "null", 4))
        ok = (p->s += 4, true);
    else if (!strncmp(p->s, "false", 5))
        ok = (p->s += 5, true);
    else
        ok = number(p);
    p->depth--;
    return ok;
}

static bool json_valid(const char *doc)
{
    struct jp p = { doc, 0 };
    if (!value(&p))
        return false;
    ws(&p);
    return *p.s == '\0';
}

/* ---- through the API ---- */

static char logbuf[1 << 20];

static long load_json(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt, uint32_t flags,
                      uint32_t size, uint32_t *true_size)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = ptr(insns);
    a.insn_cnt = cnt;
    a.license = ptr("GPL");
    a.prog_flags = flags;
    a.log_level = BPFRT_LOG_JSON | 1;
    a.log_buf = ptr(logbuf);
    a.log_size = size;
    memset(logbuf, 0, sizeof(logbuf));
    long r = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    if (true_size)
        *true_size = a.log_true_size;
    return r;
}

static void test_parser(void)
{
    CHECK(json_valid("{\"a\": [1, -2, 3.5, true, null, \"x\\n\\u0041\"], \"b\": {}}"));
    CHECK(!json_valid("{\"a\": [1, 2,]}"));
    CHECK(!json_valid("{\"a\" 1}"));
    CHECK(!json_valid("[\"\x01\"]"));
    CHECK(!json_valid("{} {}"));
}

static void test_accepted(void)
{
    struct bpfrt_runtime *rt = new_rt();
    /* r0 = random & 0xff; if r0 > 7 goto +1; r0 = 3; exit */
    const struct bpf_insn prog[] = {
        CALL(7), ALU64_IMM(BPF_AND, 0, 0xff), JMP_IMM(BPF_JGT, 0, 7, 1), MOV64_IMM(0, 3),
        EXIT(),
    };
    uint32_t true_size = 0;
    long fd = load_json(rt, prog, NR(prog), 0, sizeof(logbuf), &true_size);
    CHECK(fd >= 0);
    CHECK(json_valid(logbuf));
    CHECK_EQ(true_size, strlen(logbuf) + 1);
    CHECK(strncmp(logbuf, "{\"format\": \"bpfrt-verifier-log\", \"version\": 1, \"steps\": [", 56) == 0);
    /* after insn 1 r0 is [0, 255] with var_off (0; 0xff) */
    CHECK_CONTAINS(logbuf, "{\"path\": 0, \"insn\": 1, \"code\": \"(57) r0 &= 255\", \"frame\": 0, \"regs\": {\"r0\": "
                           "{\"type\": \"scalar\", \"smin\": 0, \"smax\": 255, \"umin\": 0, \"umax\": 255");
    CHECK_CONTAINS(logbuf, "\"var_off\": {\"value\": 0, \"mask\": 255}");
    /* the fall-through of insn 2 knows r0 <= 7; then r0 = 3 */
    CHECK_CONTAINS(logbuf, "\"insn\": 2, \"code\": \"(25) if r0 > 0x7 goto pc+1\", \"frame\": 0, \"regs\": {\"r0\": "
                           "{\"type\": \"scalar\", \"smin\": 0, \"smax\": 7,");
    CHECK_CONTAINS(logbuf, "\"insn\": 3, \"code\": \"(b7) r0 = 3\", \"frame\": 0, \"regs\": {\"r0\": {\"type\": "
                           "\"scalar\", \"value\": 3}");
    /* the branch taken resumes as path 1 at insn 4 with r0 in [8, 255] */
    CHECK_CONTAINS(logbuf, "{\"path\": 1, \"from\": 2, \"to\": 4}");
    CHECK_CONTAINS(logbuf, "{\"path\": 1, \"insn\": 4, \"code\": \"(95) exit\", \"frame\": 0, \"regs\": {\"r0\": "
                           "{\"type\": \"scalar\", \"smin\": 8, \"smax\": 255,");
    CHECK_CONTAINS(logbuf, "\"verdict\": {\"accepted\": true, \"errno\": 0, \"error\": \"\", \"processed\": 6,");
    if (fd >= 0)
        bpfrt_close(rt, (int)fd);

    /* too small: -ENOSPC, the head kept, the size needed reported */
    uint32_t need = true_size;
    fd = load_json(rt, prog, NR(prog), 0, 100, &true_size);
    CHECK_EQ(fd, -BPFRT_ENOSPC);
    CHECK_EQ(true_size, need);
    CHECK_EQ(strlen(logbuf), 99u);
    bpfrt_runtime_destroy(rt);
}

static void test_refused(void)
{
    struct bpfrt_runtime *rt = new_rt();
    /* r1 = r10; r1 += -8; r0 = *(u64 *)(r1 + 0): an uninitialised slot
     * (privileged: fine), then *(u8 *)(r1 + 8): past the frame */
    const struct bpf_insn prog[] = {
        MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), ST(BPF_DW, 1, 0, 5), LDX(BPF_B, 0, 1, 8), EXIT(),
    };
    long fd = load_json(rt, prog, NR(prog), 0, sizeof(logbuf), NULL);
    CHECK_EQ(fd, -BPFRT_EACCES);
    CHECK(json_valid(logbuf));
    /* the spill of the constant shows in the stack of insn 2 */
    CHECK_CONTAINS(logbuf, "\"stack\": [{\"off\": -8, \"slots\": \"rrrrrrrr\", \"spilled\": {\"type\": \"scalar\", "
                           "\"value\": 5}}]");
    CHECK_CONTAINS(logbuf, "\"r1\": {\"type\": \"fp\", \"off\": -8, \"frame\": 0, \"value\": 0}");
    CHECK_CONTAINS(logbuf, "{\"path\": 0, \"insn\": 3, \"code\": \"(71) r0 = *(u8 *)(r1 +8)\"");
    CHECK_CONTAINS(logbuf, "\"refused\": true}");
    CHECK_CONTAINS(logbuf, "\"verdict\": {\"accepted\": false, \"errno\": 13, \"error\": \"invalid read from stack "
                           "R1 off=0 size=1\"");
    /* Linux's level-1 text log is inside, escaped */
    CHECK_CONTAINS(logbuf, "\"log\": \"0: R1=ctx() R10=fp0\\n");

    /* unprivileged too: the same document shape */
    const struct bpf_insn leak[] = { MOV64_REG(0, 10), EXIT() };
    fd = load_json(rt, leak, NR(leak), BPFRT_PROG_F_UNPRIV, sizeof(logbuf), NULL);
    CHECK_EQ(fd, -BPFRT_EACCES);
    CHECK(json_valid(logbuf));
    CHECK_CONTAINS(logbuf, "\"error\": \"R0 leaks addr as return value\"");
    bpfrt_runtime_destroy(rt);
}

/* A structural error before the walk still gives a whole document. */
static void test_before_walk(void)
{
    struct bpfrt_runtime *rt = new_rt();
    const struct bpf_insn prog[] = { JMP_IMM(BPF_JA, 0, 0, 5), EXIT() };
    long fd = load_json(rt, prog, NR(prog), 0, sizeof(logbuf), NULL);
    CHECK_EQ(fd, -BPFRT_EINVAL);
    CHECK(json_valid(logbuf));
    CHECK_CONTAINS(logbuf, "\"steps\": [\n], \"verdict\": {\"accepted\": false, \"errno\": 22, \"error\": \"jump out "
                           "of range from insn 0 to 6\"");
    bpfrt_runtime_destroy(rt);
}

/* ---- through the CLI ---- */

static void test_cli(void)
{
    const char *p = cli_file("branch.s", "call bpf_get_prandom_u32#7\nif r0 > 9 goto +2\nr0 = 1\nexit\nr0 = 2\nexit\n");
    CHECK_EQ(cli("verify %s --syntax kernel --log-format json", p), 0);
    CHECK(json_valid(cli_out));
    CHECK_CONTAINS(cli_out, "\"accepted\": true");
    CHECK_EQ(cli("verify %s --syntax kernel --log-format json --json", p), 0); /* one JSON line per program */
    CHECK(json_valid(cli_out));
    CHECK_CONTAINS(cli_out, "\"verified\": true, \"errno\": 0, \"log\": {\"format\": \"bpfrt-verifier-log\"");
    CHECK_EQ(cli("verify %s --log-format yaml", p), 2);
    if (system("python3 -c 'import json' >/dev/null 2>&1") != 0) {
        TEST_SKIP_CASE("python3 json.tool", "python3 not found");
        return;
    }
    /* python's parser agrees, and the paths are all there: insns 0-3, then 4-5 */
    CHECK_EQ(cli("verify %s --syntax kernel --log-format json | python3 -m json.tool > /dev/null && echo VALID", p),
             0);
    CHECK_CONTAINS(cli_out, "VALID");
    CHECK_EQ(cli("verify %s --syntax kernel --log-format json | python3 -c \"import json, sys; d = json.load(sys.stdin); "
                 "print(sorted((s['path'], s['insn']) for s in d['steps'] if 'code' in s), d['verdict']['processed'])\"",
                 p),
             0);
    CHECK_CONTAINS(cli_out, "[(0, 0), (0, 1), (0, 2), (0, 3), (1, 4), (1, 5)] 6");
    if (!cpath_exists())
        return;
    /* corpus objects (subprograms, callbacks, loops, refusals): one JSON line per program whose
     * document agrees with the verdict; frames past 0 appear */
    static const char *const objs[] = { "subprog_calls", "loop_callbacks", "bounded_loop", "xdp_l4_lb",
                                         "sandbox_pkt", "spin_lock" };
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        cli("verify %s --log-format json --json | python3 -c \"import json, sys\n"
            "frames = set()\n"
            "for line in sys.stdin:\n"
            "    d = json.loads(line)\n"
            "    assert d['verified'] == d['log']['verdict']['accepted']\n"
            "    frames |= {s['frame'] for s in d['log']['steps'] if 'frame' in s}\n"
            "print('OK', max(frames))\"",
            cpath(objs[i]));
        CHECK_CONTAINS(cli_out, "OK ");
        if (i < 2) /* bpf-to-bpf calls and callbacks run in frames past 0 */
            CHECK(strstr(cli_out, "OK 0") == NULL);
    }
}

int main(void)
{
    RUN(test_parser);
    RUN(test_accepted);
    RUN(test_refused);
    RUN(test_before_walk);
    if (cli_setup("test_verifier_json"))
        RUN(test_cli);
    else
        TEST_SKIP_CASE("test_cli", "bpfrt CLI not built");
    return test_summary();
}
