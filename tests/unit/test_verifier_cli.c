/* The verifier from the command line, end to end: `bpfrt verify` on
 * assembly (verdicts, the log at each level, maps from --map, the DOT
 * control-flow graph) and on corpus objects, `bpfrt prog load --no-verify`
 * and `bpfrt run --verify`. Expected log lines are Linux 6.18's for the same
 * programs (the first instructions of each log were read from the kernel
 * here: see tests/verifier/ for the kernel-checked cases). */
#include "test_cli_util.h"
#include "test_corpus_util.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *s = strstr(hay, needle); s; s = strstr(s + 1, needle))
        n++;
    return n;
}

static void test_verify_asm(void)
{
    const char *ok = cli_file("ok.s", "r1 = 0\nif r1 > 5 goto +1\nr0 = 1\nexit\n");
    CHECK_EQ(cli("verify %s", ok), 0);
    CHECK_CONTAINS(cli_out, "ok.s: verified");
    /* r1 = 0 makes the jump never taken: 4 instructions walked, no states */
    CHECK_CONTAINS(cli_out, "processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0");
    CHECK_EQ(cli("verify %s --log-level 2", ok), 0);
    CHECK_CONTAINS(cli_out, "0: R1=ctx() R10=fp0\n");
    CHECK_CONTAINS(cli_out, "Live regs before insn:\n      0: 0......... (b7) r1 = 0\n");
    CHECK_CONTAINS(cli_out, "      1: 01........ (25) if r1 > 0x5 goto pc+1\n");
    CHECK_CONTAINS(cli_out, "2: (b7) r0 = 1                        ; R0=1\n");
    CHECK_EQ(cli("verify %s --log-level 4", ok), 0);
    CHECK_CONTAINS(cli_out, "stack depth 0\n");
    CHECK_EQ(cli("verify %s --log-level 0", ok), 0);
    CHECK(strstr(cli_out, "processed") == NULL);

    /* an 8-byte load at offset 0 of an xdp_md (whose fields are u32) */
    const char *bad = cli_file("bad.s", "r0 = *(u64 *)(r1 + 0)\nr0 = *(u8 *)(r0 + 0)\nexit\n");
    CHECK_EQ(cli("verify %s --type xdp", bad), 1);
    CHECK_CONTAINS(cli_out, "0: (79) r0 = *(u64 *)(r1 +0)\ninvalid bpf_context access off=0 size=8\n");
    CHECK_CONTAINS(cli_out, "bad.s: refused: Permission denied");
    /* the same load is an 8-byte __sk_buff read nowhere in socket filters either */
    CHECK_EQ(cli("verify %s", bad), 1);
    CHECK_CONTAINS(cli_out, "invalid bpf_context access off=0 size=8");

    /* a map from --map; the lookup result needs its null check */
    const char *lookup = cli_file("lookup.s", "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\n"
                                              "r1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
                                              "r0 = *(u32 *)(r0 + 0)\nexit\n");
    CHECK_EQ(cli("verify %s --map hash:4:8:16", lookup), 1);
    CHECK_CONTAINS(cli_out, "R0 invalid mem access 'map_value_or_null'");
    CHECK_EQ(cli("verify %s --map hash:4:4:16 -j", lookup), 1);
    CHECK_CONTAINS(cli_out, "\"verified\": false, \"errno\": 13");
    /* an array with a constant in-range key cannot miss (6.18) */
    CHECK_EQ(cli("verify %s --map array:4:8:1", lookup), 0);
    CHECK_EQ(cli("verify %s", lookup), 1); /* no map 0 */
    CHECK_CONTAINS(cli_out, "fd 0 is not pointing to valid bpf_map");

    CHECK_EQ(cli("verify %s --map nosuch:4:8:1", lookup), 1);
    CHECK_CONTAINS(cli_out, "expected TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES");
    CHECK_EQ(cli("verify %s --log-level 9", ok), 2);
    CHECK_EQ(cli("verify"), 2);
    CHECK_EQ(cli("verify %s/nonexistent.s", cli_dir), 1);
    CHECK_CONTAINS(cli_out, "cannot open");
}

static void test_verify_cfg(void)
{
    /* a diamond: 0-1 | 2 | 3 (the jump goes to 3) */
    const char *p = cli_file("diamond.s", "r0 = *(u32 *)(r1 + 0)\nif r0 > 5 goto +1\nr0 = 0\nexit\n");
    char dot[sizeof(cli_dir) + 16];
    snprintf(dot, sizeof(dot), "%s/diamond.dot", cli_dir);
    CHECK_EQ(cli("verify %s --cfg %s --log-level 0", p, dot), 0);
    FILE *f = fopen(dot, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    CHECK(strncmp(text, "digraph \"DOT graph for eBPF program\" {\n", 39) == 0);
    CHECK_EQ(count(text, "subgraph \"cluster_"), 1);
    CHECK_EQ(count(text, "shape=record"), 3);     /* three basic blocks */
    CHECK_EQ(count(text, " -> "), 5);             /* entry, 2 out of bb 2, bb 3 -> 4, exit */
    CHECK_CONTAINS(text, "if r0 \\> 0x5 goto pc+1");  /* '>' escaped for the record label */
    CHECK_CONTAINS(text, "fn_0_bb_2:s -> fn_0_bb_4:n [style=\"solid,bold\", color=green");
    CHECK_CONTAINS(text, "fn_0_bb_4:s -> fn_0_bb_1:n");

    /* a bpf-to-bpf call: two clusters and a dashed call edge */
    const char *c = cli_file("call.s", "call pc+2\nr0 = 0\nexit\nr0 = 1\nexit\n");
    CHECK_EQ(cli("verify %s --cfg %s --log-level 0", c, dot), 0);
    f = fopen(dot, "r");
    n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = '\0';
    if (f)
        fclose(f);
    CHECK_EQ(count(text, "subgraph \"cluster_"), 2);
    CHECK_CONTAINS(text, "label=\"func_1 ()\"");
    CHECK_CONTAINS(text, "-> fn_1_bb_0:n [style=dashed");
}

static void test_verify_objects(void)
{
    CHECK_EQ(cli("verify %s --log-level 4", prog_path("v3", "bounded_loop")), 0);
    CHECK_CONTAINS(cli_out, "xdp_sum: verified");
    CHECK_CONTAINS(cli_out, "verification time ");
    CHECK_EQ(cli("verify %s --log-level 0", prog_path("v3", "subprog_calls")), 0);
    CHECK_CONTAINS(cli_out, "xdp_calls_a: verified");
    CHECK_CONTAINS(cli_out, "tc_calls_b: verified");
    CHECK_EQ(cli("verify %s --prog tc_calls_b --log-level 0 -j", prog_path("v3", "subprog_calls")), 0);
    CHECK_CONTAINS(cli_out, "{\"program\": \"tc_calls_b\", \"verified\": true");
    CHECK(strstr(cli_out, "xdp_calls_a") == NULL);
    CHECK_EQ(cli("verify %s --prog nope", prog_path("v3", "subprog_calls")), 1);
    CHECK_CONTAINS(cli_out, "no program named 'nope'");
    /* iproute2 sections name no type */
    CHECK_EQ(cli("verify %s --type sched_cls --log-level 0", prog_path("v3", "iproute2_tail")), 0);
    CHECK_CONTAINS(cli_out, "stage0: verified");
    CHECK_EQ(cli("verify %s --cfg /dev/null", prog_path("v3", "subprog_calls")), 2);
}

/* The unsafe program loads and runs unverified (checked mode stops it)
 * and is refused by `verify`/`run --verify`. */
static void test_no_verify_and_run_verify(void)
{
    const char *p = cli_file("oob.s", "r0 = *(u8 *)(r1 + 64)\nexit\n");
    CHECK_EQ(cli("run %s --mem '00 01 02'", p), 1);     /* checked mode */
    CHECK_EQ(cli("run %s --verify --type xdp --mem '00 01 02'", p), 1);
    CHECK_CONTAINS(cli_out, "invalid bpf_context access off=64 size=1");
    CHECK_CONTAINS(cli_out, "the verifier refused");
    const char *good = cli_file("good.s", "r0 = 7\nexit\n");
    CHECK_EQ(cli("run %s --verify", good), 0);
    CHECK_CONTAINS(cli_out, "r0 = 0x7 (7)");
    CHECK_EQ(cli("prog load %s --no-verify", prog_path("v3", "bounded_loop")), 0);
    CHECK_CONTAINS(cli_out, "xdp_sum: xdp");
    CHECK_EQ(cli("prog load %s", prog_path("v3", "bounded_loop")), 0);
    /* a refused program's log, on request (sandbox_pktops is unsafe on purpose) */
    cli("prog load %s", prog_path("v3", "sandbox_pktops"));
    CHECK_CONTAINS(cli_out, "tc_ops: sched_cls: not loaded: R2 offset is outside of the packet");
    CHECK(strstr(cli_out, "verifier log of tc_ops") == NULL);
    cli("prog load %s --log", prog_path("v3", "sandbox_pktops"));
    CHECK_CONTAINS(cli_out, "verifier log of tc_ops:");
    CHECK_CONTAINS(cli_out, "processed ");
}

int main(void)
{
    char path[4096];
    if (!cli_setup("test_verifier_cli"))
        TEST_SKIP("bpfrt CLI not built");
    RUN(test_verify_asm);
    RUN(test_verify_cfg);
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (dir_exists(path)) {
        RUN(test_verify_objects);
        RUN(test_no_verify_and_run_verify);
    } else {
        TEST_SKIP_CASE("test_verify_objects", "corpus not built");
    }
    return test_summary();
}
