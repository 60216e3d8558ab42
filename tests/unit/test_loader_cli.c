/* The ELF commands of the CLI, end to end: `bpfrt obj show`, `bpfrt prog
 * run` (packets, maps set from the command line, map dumps, JSON, raw
 * tracepoint and kprobe contexts, errors) and `bpfrt disasm prog.o`, run as
 * a user would on corpus objects. */
#include <sys/wait.h>

#include "test_corpus_util.h"

static char out[1 << 16];

/* Runs the CLI with `args` (a shell fragment); returns the exit status and
 * leaves stdout+stderr in out. */
static int cli(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "%s/bpfrt %s 2>&1", build_dir(), args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char obj_path[4096];

static const char *objp(const char *variant, const char *name)
{
    snprintf(obj_path, sizeof(obj_path), "%s", prog_path(variant, name));
    return obj_path;
}

#define TCP22 "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 28 00 00 40 00 40 06 00 00 " \
              "c0 a8 01 01 c0 a8 01 02 0f a0 00 16 00 00 00 00 00 00 00 00 50 02 00 00 00 00 00 00"

static void test_obj_show(void)
{
    char a[8192];
    snprintf(a, sizeof(a), "obj show %s", objp("examples", "xdp_firewall"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "xdp_firewall");
    CHECK_CONTAINS(out, "lpm_trie");
    CHECK_CONTAINS(out, "struct lpm_v4_key");
    CHECK_CONTAINS(out, "max_entries 1024");
    CHECK_CONTAINS(out, "percpu_array");
    CHECK_CONTAINS(out, "default_action");
    CHECK_CONTAINS(out, "Dual MIT/GPL");
    snprintf(a, sizeof(a), "obj show -j %s", objp("v3", "map_in_map"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "\"type\": \"array_of_maps\"");
    CHECK_CONTAINS(out, "\"inner\": {\"type\": \"array\"");
    snprintf(a, sizeof(a), "obj show %s", objp("nog", "iproute2_tail"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "prog array id 1 [1]");
    CHECK_CONTAINS(out, "no BTF");
    CHECK_EQ(cli("obj show /nonexistent.o"), 1);
    CHECK_CONTAINS(out, "cannot open /nonexistent.o");
    snprintf(a, sizeof(a), "obj show %s", objp("nog", "xdp_rules_hash"));
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "needs BTF");
}

static void test_prog_run(void)
{
    char a[8192];
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --map-set port_rules u8:6,u8:0,u16:22=1 u8:17,u8:0,u16:53=3 --dump-maps",
             objp("examples", "xdp_firewall"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "Return value: 1, duration: ");
    CHECK_CONTAINS(out, "Output data (54 bytes):");
    CHECK_CONTAINS(out, "key: {.protocol = 6, .pad = 0, .dport = 22}");
    CHECK_CONTAINS(out, "key: {.protocol = 17, .pad = 0, .dport = 53}");
    CHECK_CONTAINS(out, "{.packets = 1, .bytes = 54}");
    CHECK_CONTAINS(out, "{.default_action = 2, .drop_fragments = 1}");
    /* knob set before load; averaged duration with --repeat */
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --rodata default_action=3 --repeat 50",
             objp("examples", "xdp_firewall"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "Return value: 3, duration (average): ");
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' -j", objp("examples", "xdp_firewall"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "{\"program\": \"xdp_firewall\", \"section\": \"xdp\", \"retval\": 2");
    /* raw tracepoint arguments and a kprobe pt_regs from a file */
    snprintf(a, sizeof(a), "prog run %s --ctx-args 7,1,1,1 --dump-maps", objp("v3", "raw_tp_args"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "Return value: 7");
    CHECK_CONTAINS(out, ".arg_sum = 10");
    char regs_path[4200];
    snprintf(regs_path, sizeof(regs_path), "%s/test_loader_cli_regs.bin", build_dir());
    uint64_t regs[21] = {0};
    regs[14] = 42; /* di: first argument */
    regs[13] = 43;
    FILE *f = fopen(regs_path, "wb");
    if (f) {
        fwrite(regs, sizeof(regs), 1, f);
        fclose(f);
    }
    snprintf(a, sizeof(a), "prog run %s --prog trace_entry --ctx-file %s --dump-maps", objp("v3", "kprobe_args"),
             regs_path);
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "Return value: 0");
    CHECK_CONTAINS(out, "{.a1 = 42, .a2 = 43, .a3 = 0, .ret = 0}");
    remove(regs_path);
    /* the iproute2 object needs a type for its "1/0" sections */
    snprintf(a, sizeof(a), "prog run %s --prog entry --data '" TCP22 "'", objp("nog", "iproute2_tail"));
    CHECK_EQ(cli(a), 0); /* entry alone runs; its tail calls find empty slots */
    CHECK_CONTAINS(out, "does not name a program type");
    CHECK_CONTAINS(out, "loaded entry alone");
    CHECK_CONTAINS(out, "Return value: 4294967295"); /* TC_ACT_UNSPEC */
    snprintf(a, sizeof(a), "prog run %s --prog stage1 --data '" TCP22 "'", objp("nog", "iproute2_tail"));
    CHECK_EQ(cli(a), 1); /* the selected program itself has no type */
    CHECK_CONTAINS(out, "does not name a program type");
    snprintf(a, sizeof(a), "prog run %s --prog entry --type tc --data '" TCP22 "' --dump-maps",
             objp("nog", "iproute2_tail"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "Return value: 0"); /* 54 bytes: stage1 returns TC_ACT_OK */
    /* usage errors */
    snprintf(a, sizeof(a), "prog run %s --prog nosuch", objp("v3", "raw_tp_args"));
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "no program named nosuch");
    snprintf(a, sizeof(a), "prog run %s --map-set port_rules 0x1234567890=2", objp("examples", "xdp_firewall"));
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "key");
    CHECK_EQ(cli("prog frobnicate x.o"), 2);
    /* ring buffer records appear in the dump */
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --dump-maps", objp("v3", "ringbuf_events"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "record 0 (12 bytes)");
    /* prog load reports every program */
    snprintf(a, sizeof(a), "prog load %s", objp("v3", "multi_prog"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "prog_frags: xdp");
}

static void test_disasm(void)
{
    char a[8192];
    snprintf(a, sizeof(a), "disasm %s", objp("v3", "subprog_calls"));
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "xdp_calls_a (section xdp, xdp");
    CHECK_CONTAINS(out, "; __u64 r = level1(len); @ subprog_calls.bpf.c:");
    CHECK_CONTAINS(out, "call pc+");
    CHECK_CONTAINS(out, "; map results");
    snprintf(a, sizeof(a), "disasm %s --section tc", objp("v3", "subprog_calls"));
    CHECK_EQ(cli(a), 0);
    CHECK(strstr(out, "tc_calls_b") != NULL);
    CHECK(strstr(out, "xdp_calls_a") == NULL);
    snprintf(a, sizeof(a), "disasm %s --prog xdp_calls_a", objp("v3", "subprog_calls"));
    CHECK_EQ(cli(a), 0);
    CHECK(strstr(out, "tc_calls_b") == NULL);
    snprintf(a, sizeof(a), "disasm %s --section nosuch", objp("v3", "subprog_calls"));
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "no program in section nosuch");
}

int main(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (!dir_exists(path))
        TEST_SKIP("corpus not built");
    snprintf(path, sizeof(path), "%s/bpfrt", build_dir());
    FILE *f = fopen(path, "rb");
    if (!f)
        TEST_SKIP("bpfrt CLI not built");
    fclose(f);
    snprintf(path, sizeof(path), "%s/examples/xdp_firewall.o", build_dir());
    f = fopen(path, "rb");
    if (!f)
        TEST_SKIP("examples not built");
    fclose(f);
    RUN(test_obj_show);
    RUN(test_prog_run);
    RUN(test_disasm);
    return test_summary();
}
