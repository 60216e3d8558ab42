/* Unprivileged mode (issue 10 item 6) from the outside: the PROG_LOAD flag
 * BPFRT_PROG_F_UNPRIV and the CLI's --unprivileged on `bpfrt verify`,
 * `bpfrt prog load/run` and `bpfrt run`. The rules themselves are checked
 * case by case in tests/verifier/unpriv.txt (test_verifier_cases); here the
 * load-time checks Linux's bpf_prog_load makes for a loader without
 * CAP_BPF (-EPERM for other program types, -E2BIG past 4,096
 * instructions), the flag's combination rules, and the plumbing. */
#include "test_cli_util.h"
#include "bpf_test_util.h"

static long load(struct bpfrt_runtime *rt, uint32_t type, const struct bpf_insn *insns, uint32_t cnt,
                 uint32_t flags, char *log, uint32_t size)
{
    return load_attach_prog(rt, false, type, 0, 0, insns, cnt, flags, log, size);
}

static void test_api(void)
{
    struct bpfrt_runtime *rt = new_rt();
    static char log[65536];
    const struct bpf_insn leak[] = { MOV64_REG(0, 10), EXIT() };
    /* privileged: returning the frame pointer is allowed */
    long fd = load(rt, BPF_PROG_TYPE_SOCKET_FILTER, leak, NR(leak), 0, NULL, 0);
    CHECK(fd >= 0);
    bpfrt_close(rt, (int)fd);
    fd = load(rt, BPF_PROG_TYPE_SOCKET_FILTER, leak, NR(leak), BPFRT_PROG_F_UNPRIV, log, sizeof(log));
    CHECK_EQ(fd, -BPFRT_EACCES);
    CHECK_CONTAINS(log, "R0 leaks addr as return value\n");
    /* never unverified */
    CHECK_EQ(load(rt, BPF_PROG_TYPE_SOCKET_FILTER, leak, NR(leak), BPFRT_PROG_F_UNPRIV | BPFRT_PROG_F_NO_VERIFY,
                  NULL, 0),
             -BPFRT_EINVAL);
    /* bpf_prog_load: only socket filters and cgroup skb programs */
    const struct bpf_insn ok[] = { MOV64_IMM(0, 0), EXIT() };
    CHECK_EQ(load(rt, BPF_PROG_TYPE_XDP, ok, NR(ok), BPFRT_PROG_F_UNPRIV, NULL, 0), -BPFRT_EPERM);
    CHECK_EQ(load(rt, BPF_PROG_TYPE_SCHED_CLS, ok, NR(ok), BPFRT_PROG_F_UNPRIV, NULL, 0), -BPFRT_EPERM);
    fd = load(rt, BPF_PROG_TYPE_CGROUP_SKB, ok, NR(ok), BPFRT_PROG_F_UNPRIV, NULL, 0);
    CHECK(fd >= 0);
    bpfrt_close(rt, (int)fd);
    /* ... and at most BPF_MAXINSNS instructions */
    static struct bpf_insn big[4097];
    for (uint32_t i = 0; i < 4097; i++)
        big[i] = MOV64_IMM(0, 0);
    big[4096] = EXIT();
    CHECK_EQ(load(rt, BPF_PROG_TYPE_SOCKET_FILTER, big, 4097, BPFRT_PROG_F_UNPRIV, NULL, 0), -BPFRT_E2BIG);
    fd = load(rt, BPF_PROG_TYPE_SOCKET_FILTER, big + 1, 4096, BPFRT_PROG_F_UNPRIV, NULL, 0);
    CHECK(fd >= 0);
    bpfrt_close(rt, (int)fd);
    fd = load(rt, BPF_PROG_TYPE_SOCKET_FILTER, big, 4097, 0, NULL, 0);
    CHECK(fd >= 0);
    bpfrt_close(rt, (int)fd);
    CHECK_EQ(bpfrt_handle_count(rt), 0u);
    bpfrt_runtime_destroy(rt);
}

static void test_cli(void)
{
    const char *leak = cli_file("leak.s", "r0 = r10\nexit\n");
    CHECK_EQ(cli("verify %s --syntax kernel", leak), 0);
    CHECK_EQ(cli("verify %s --syntax kernel --unprivileged", leak), 1);
    CHECK_CONTAINS(cli_out, "R0 leaks addr as return value");
    CHECK_CONTAINS(cli_out, "refused: Permission denied");
    CHECK_EQ(cli("run %s --verify --mem '00'", leak), 0);
    CHECK_EQ(cli("run %s --unprivileged --mem '00'", leak), 1);
    CHECK_CONTAINS(cli_out, "R0 leaks addr as return value");
    CHECK_CONTAINS(cli_out, "the verifier refused");
    const char *cmp = cli_file("cmp.s", "if r1 == r10 goto +0\nr0 = 0\nexit\n");
    CHECK_EQ(cli("verify %s --syntax kernel --unprivileged --log-format json", cmp), 1);
    CHECK_CONTAINS(cli_out, "\"error\": \"R10 pointer comparison prohibited\"");
}

static void test_cli_objects(void)
{
    /* a socket filter of the corpus is fine unprivileged; an XDP program is not */
    CHECK_EQ(cli("verify %s --unprivileged", cpath("socket_dns_filter")), 0);
    CHECK_CONTAINS(cli_out, "dns_only: verified");
    CHECK_EQ(cli("prog load %s --unprivileged", cpath("socket_dns_filter")), 0);
    CHECK_EQ(cli("prog load %s", cpath("bounded_loop")), 0);
    CHECK_EQ(cli("prog load %s --unprivileged", cpath("bounded_loop")), 1);
    CHECK_CONTAINS(cli_out, "Operation not permitted");
    CHECK_EQ(cli("prog load %s --unprivileged --no-verify", cpath("bounded_loop")), 2);
}

int main(void)
{
    RUN(test_api);
    if (!cli_setup("test_verifier_unpriv")) {
        TEST_SKIP_CASE("test_cli", "bpfrt CLI not built");
        return test_summary();
    }
    RUN(test_cli);
    if (cpath_exists())
        RUN(test_cli_objects);
    else
        TEST_SKIP_CASE("test_cli_objects", "corpus not built");
    return test_summary();
}
