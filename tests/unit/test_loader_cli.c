/* The ELF commands of the CLI, end to end: `bpfrt obj show`, `bpfrt prog
 * run` (packets, maps set from the command line, map dumps, JSON, raw
 * tracepoint and kprobe contexts, errors) and `bpfrt disasm prog.o`, run as
 * a user would on corpus objects. */
#include <sys/wait.h>

#include "bpfrt/btf.h"
#include "elf_builder.h"

static char out[1 << 16];

/* Runs the CLI with `args` (a shell fragment); returns the exit status and
 * leaves stdout+stderr in out. */
static int cli(const char *args)
{
    char cmd[20000];
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

/* ---- a strict JSON checker (RFC 8259 grammar, no extensions) ---- */

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *json_number(const char *p)
{
    const char *start = p;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p > start ? p : NULL;
}

static const char *json_list(const char *p, int depth, char close, bool object)
{
    p = ws(p + 1);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (object) {
            p = json_string(ws(p));
            if (!p || *(p = ws(p)) != ':')
                return NULL;
            p++;
        }
        p = json_value(p, depth + 1);
        if (!p)
            return NULL;
        p = ws(p);
        if (*p == close)
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

static const char *json_value(const char *p, int depth)
{
    p = ws(p);
    if (depth > 64)
        return NULL;
    if (*p == '{')
        return json_list(p, depth, '}', true);
    if (*p == '[')
        return json_list(p, depth, ']', false);
    if (*p == '"')
        return json_string(p);
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++)
        if (strncmp(p, words[i], strlen(words[i])) == 0)
            return p + strlen(words[i]);
    return json_number(p);
}

/* One JSON document and nothing else (stdout only: run the CLI with 2>/dev/null). */
static bool json_valid(const char *text)
{
    const char *end = json_value(text, 0);
    if (!end || *ws(end)) {
        fprintf(stderr, "not JSON at offset %ld: %.80s\n", end ? (long)(end - text) : -1L, end ? end : text);
        return false;
    }
    return true;
}

static int cli_quiet(const char *args)
{
    char a[18000];
    snprintf(a, sizeof(a), "%s 2>/dev/null", args);
    return cli(a);
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
    CHECK_CONTAINS(out, "{\"program\": \"xdp_firewall\", \"section\": \"xdp\", \"retval\": 2, \"duration\": ");
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
    CHECK_CONTAINS(out, "2 other programs did not load");
    CHECK_CONTAINS(out, "Return value: 4294967295"); /* TC_ACT_UNSPEC */
    snprintf(a, sizeof(a), "prog run %s --prog stage1 --data '" TCP22 "'", objp("nog", "iproute2_tail"));
    CHECK_EQ(cli(a), 1); /* the selected program itself has no type: it is the one reported */
    CHECK_CONTAINS(out, "program stage1 (section 1/1) did not load: section '1/1' does not name a program type");
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

/* An object whose .data holds `int big[600]` = {1, 2, ..., 600}, with its
 * BTF (int, int[600], VAR big, DATASEC .data): a value far longer than any
 * fixed buffer. */
static bool write_big_global(const char *path)
{
    static const char strs[] = "\0int\0big\0.data\0";
    uint32_t types[] = {
        1, BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 4, 32,                            /* 1: int */
        0, BTF_INFO_ENC(BTF_KIND_ARRAY, 0, 0), 0, 1, 1, 600,                   /* 2: int[600] */
        5, BTF_INFO_ENC(BTF_KIND_VAR, 0, 0), 2, BTF_VAR_GLOBAL_ALLOCATED,      /* 3: big */
        9, BTF_INFO_ENC(BTF_KIND_DATASEC, 0, 1), 2400, 3, 0, 2400,             /* 4: .data */
    };
    static uint8_t btf[512];
    static int32_t data[600];
    struct btf_header h = {.magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h), .type_len = sizeof(types),
                           .str_off = sizeof(types), .str_len = sizeof(strs)};
    memcpy(btf, &h, sizeof(h));
    memcpy(btf + sizeof(h), types, sizeof(types));
    memcpy(btf + sizeof(h) + sizeof(types), strs, sizeof(strs));
    for (int i = 0; i < 600; i++)
        data[i] = i + 1;
    static struct ebuild b;
    eb_init(&b);
    eb_ret0_prog(&b, "xdp", "prog");
    int d = eb_sec(&b, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, data, sizeof(data));
    eb_sec(&b, ".BTF", SHT_PROGBITS, 0, btf, sizeof(h) + sizeof(types) + sizeof(strs));
    eb_sec(&b, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license_gpl, sizeof(license_gpl));
    eb_sym(&b, "big", d, 0, sizeof(data), STT_OBJECT, STB_GLOBAL);
    eb_finish(&b);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(b.out, 1, b.size, f) == b.size;
    if (f)
        fclose(f);
    return ok;
}

/* bpftool's habits: several inputs with maps kept between them, maps kept
 * between invocations (--state), --trace and --budget, strict numbers,
 * inputs the test run refuses explained, every program of an object
 * reported, all-zero arrays dumped, JSON everywhere. */
static void test_prog_habits(void)
{
    char a[16384], state[1024], fwp[1024];
    snprintf(fwp, sizeof(fwp), "%s", objp("examples", "xdp_firewall"));
    snprintf(state, sizeof(state), "%s/test_loader_cli.state", build_dir());
    remove(state);
    /* two inputs, one invocation: legacy_maps counts packets by length
     * (pkt_count[0]: shorter than 64 bytes; len_hist[54 / 16]) */
    char lm[1024], pkt54[400] = "";
    snprintf(lm, sizeof(lm), "%s", objp("v3", "legacy_maps"));
    for (int i = 0; i < 54; i++)
        strcat(pkt54, "00 ");
    snprintf(a, sizeof(a), "prog run %s --prog xdp_legacy --data '%s' --data '%s' --dump-maps", lm, pkt54, pkt54);
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "Run 1 of 2");
    CHECK_CONTAINS(out, "Run 2 of 2");
    CHECK_CONTAINS(out, "map pkt_count (array):\n  key: 0\n  value: 2\n");
    CHECK_CONTAINS(out, "map len_hist (hash):\n  key: 3\n  value: 2\n");
    snprintf(a, sizeof(a), "prog run %s --prog xdp_legacy --data '%s' --data '%s' -j --dump-maps", lm, pkt54, pkt54);
    CHECK_EQ(cli_quiet(a), 0);
    CHECK(json_valid(out));
    CHECK_CONTAINS(out, "\"runs\": [{\"input\": ");
    /* two invocations through a state file */
    snprintf(a, sizeof(a), "prog run %s --prog xdp_legacy --data '%s' --state %s", lm, pkt54, state);
    CHECK_EQ(cli(a), 0);
    snprintf(a, sizeof(a), "prog run %s --prog xdp_legacy --data '%s' --state %s --dump-maps", lm, pkt54, state);
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "map pkt_count (array):\n  key: 0\n  value: 2\n");
    snprintf(a, sizeof(a), "prog load %s --state %s --dump-maps", lm, state); /* dump without running */
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "map len_hist (hash):\n  key: 3\n  value: 2\n");
    remove(state);
    /* a rule set by one command drops the packet in the next */
    snprintf(a, sizeof(a), "prog load %s --state %s --map-set port_rules u8:6,u8:0,u16:22=1", fwp, state);
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "xdp_firewall: xdp, ");
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --state %s", fwp, state);
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "Return value: 1");
    /* a state file from another definition is refused, naming both */
    FILE *f = fopen(state, "w");
    if (f) {
        fputs("map stats percpu_array 4 8\n00000000 0000000000000000\n", f);
        fclose(f);
    }
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --state %s", fwp, state);
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "the file has 'map stats percpu_array 4 8'; the object now defines the map as 'percpu_array 4 ");
    remove(state);
    /* all-zero arrays are dumped */
    snprintf(a, sizeof(a), "prog load %s --dump-maps", fwp);
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "cpu0: {.packets = 0, .bytes = 0}");
    CHECK(!strstr(out, "map stats (percpu_array):\n  (empty)"));
    /* --trace and --budget for ELF programs; a stopped run says why, no errno text */
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --trace", fwp);
    CHECK_EQ(cli(a), 0);
    CHECK_CONTAINS(out, "    0: r");
    CHECK_CONTAINS(out, "exit");
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --budget 5", fwp);
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "xdp_firewall: run stopped: instruction budget exhausted");
    CHECK(!strstr(out, "symbolic links"));
    /* numbers are parsed strictly */
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --repeat 1e3", fwp);
    CHECK_EQ(cli(a), 2);
    CHECK_CONTAINS(out, "--repeat needs a whole count");
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --repeat 99999999999", fwp);
    CHECK_EQ(cli(a), 2);
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --budget -1", fwp);
    CHECK_EQ(cli(a), 2);
    snprintf(a, sizeof(a), "prog run %s --ctx-args 1,2x", objp("v3", "raw_tp_args"));
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "is not a list of at most 64 unsigned integers");
    /* inputs the test run refuses, explained */
    snprintf(a, sizeof(a), "prog run %s", fwp);
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "no input packet: xdp programs run on one");
    snprintf(a, sizeof(a), "prog run %s --data '02 00 00'", fwp);
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "the input packet is 3 bytes, shorter than the 14-byte Ethernet header");
    snprintf(a, sizeof(a), "prog run %s --ctx-args 1,2,3,4,5,6,7,8,9,10,11,12,13", objp("v3", "raw_tp_args"));
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "--ctx-args: 13 arguments; raw_tracepoint programs take at most 12");
    snprintf(a, sizeof(a), "prog run %s --data '" TCP22 "' --ctx-file %s", fwp, fwp);
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "larger than struct xdp_md (24 bytes)");
    /* prog load reports every program, loaded or not */
    snprintf(a, sizeof(a), "prog load %s", objp("nog", "iproute2_tail"));
    CHECK_EQ(cli(a), 1);
    CHECK_CONTAINS(out, "entry: sched_cls, ");
    CHECK_CONTAINS(out, "stage0: type not named: not loaded: section '1/0' does not name a program type");
    snprintf(a, sizeof(a), "prog load %s -j", objp("nog", "iproute2_tail"));
    CHECK_EQ(cli_quiet(a), 1);
    CHECK(json_valid(out));
    CHECK_CONTAINS(out, "\"loaded\": false, \"error\": \"section '1/0' does not name a program type");
    /* JSON of the other commands */
    snprintf(a, sizeof(a), "obj show -j %s", fwp);
    CHECK_EQ(cli_quiet(a), 0);
    CHECK(json_valid(out));
    snprintf(a, sizeof(a), "disasm -j %s", objp("v3", "subprog_calls"));
    CHECK_EQ(cli_quiet(a), 0);
    CHECK(json_valid(out));
    CHECK_CONTAINS(out, "\"func\": \"level1\"");
    snprintf(a, sizeof(a), "prog load %s --dump-maps -j", fwp);
    CHECK_EQ(cli_quiet(a), 0);
    CHECK(json_valid(out));
    /* obj show -j of every corpus object is JSON, however large its globals */
    static const char *const objs[] = {"trace_strings", "printk_formats", "global_knobs", "btf_exotic_types",
                                       "btf_tags_floats", "sections_consts", "kconfig_externs", "core_reloc"};
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        snprintf(a, sizeof(a), "obj show -j %s", objp("v3", objs[i]));
        CHECK_EQ(cli_quiet(a), 0);
        CHECK(json_valid(out));
    }
    char big[1024];
    snprintf(big, sizeof(big), "%s/test_loader_cli_big.o", build_dir());
    CHECK(write_big_global(big));
    snprintf(a, sizeof(a), "obj show -j %s", big);
    CHECK_EQ(cli_quiet(a), 0);
    CHECK(json_valid(out));
    CHECK_CONTAINS(out, "\"name\": \"big\", \"type\": \"int[600]\", \"offset\": 0, \"size\": 2400, \"value\": [1, 2, 3, ");
    CHECK_CONTAINS(out, "598, 599, 600]}");
    remove(big);
    snprintf(a, sizeof(a), "prog run %s --kernel-version 6.1x --data '" TCP22 "'", fwp);
    CHECK_EQ(cli(a), 2);
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
    CHECK_CONTAINS(out, "\nlevel1:\n"); /* subprograms start with their name */
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
    RUN(test_prog_habits);
    RUN(test_disasm);
    return test_summary();
}
