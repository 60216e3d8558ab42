/* `bpfrt asm` and `bpfrt disasm` end to end: the built CLI assembles
 * conformance files, its disassembly in each syntax assembles back to the
 * same bytes, errors carry FILE:LINE:COLUMN, and exit codes follow the CLI
 * convention (0 ok, 1 input error, 2 usage). Skips when the CLI is absent. */
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "test_asm_data.h"

static char cli[600], tmpdir[64], conf_dir[600];

/* Runs a shell command; returns its exit status and captures stdout+stderr. */
static int run(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char *out, size_t size, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    char full[4200];
    snprintf(full, sizeof(full), "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, size - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool same_files(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = test_read_file(a, &la), *y = test_read_file(b, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void test_asm_prints_words(void)
{
    char out[4096];
    CHECK_EQ(run(out, sizeof(out), "%s asm %s/lddw.data", cli, conf_dir), 0);
    CHECK_STR(out, "0x5566778800000018\n0x1122334400000000\n0x0000000000000095\n");
}

static void test_round_trip_all_syntaxes(void)
{
    static const char *files[] = {"lock_fetch_add.data", "call_local.data", "callx.data", "movsx864-reg.data",
                                  "ja32.data", "rfc9669_ldxsb.data", "prime.data", "lddw.data", "be16.data",
                                  "lock_cmpxchg32.data"};
    static const char *syntaxes[] = {"kernel", "llvm", "conf"};
    char out[8192], bin[128], bin2[128], txt[128];
    snprintf(bin, sizeof(bin), "%s/p.bin", tmpdir);
    snprintf(bin2, sizeof(bin2), "%s/q.bin", tmpdir);
    snprintf(txt, sizeof(txt), "%s/p.s", tmpdir);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[800];
        snprintf(path, sizeof(path), "%s/%s", conf_dir, files[i]);
        CHECK_EQ(access(path, R_OK), 0);
        CHECK_EQ(run(out, sizeof(out), "%s asm %s -o %s", cli, path, bin), 0);
        for (int s = 0; s < 3; s++) {
            CHECK_EQ(run(out, sizeof(out), "%s disasm %s --syntax %s > %s", cli, bin, syntaxes[s], txt), 0);
            int rc = run(out, sizeof(out), "%s asm %s --syntax %s -o %s", cli, txt, syntaxes[s], bin2);
            CHECK_EQ(rc, 0);
            if (rc) fprintf(stderr, "%s %s: %s\n", files[i], syntaxes[s], out);
            CHECK(same_files(bin, bin2));
            /* and with syntax detection */
            CHECK_EQ(run(out, sizeof(out), "%s asm %s -o %s", cli, txt, bin2), 0);
            CHECK(same_files(bin, bin2));
        }
    }
}

static void test_inputs(void)
{
    char out[4096];
    /* hex words on stdin, the .data -- raw section, and kernel default output */
    CHECK_EQ(run(out, sizeof(out), "printf '0x00000001000000b7\\n0x0000000000000095\\n' | %s disasm -", cli), 0);
    CHECK_STR(out, "   0: (b7) r0 = 1\n   1: (95) exit\n");
    CHECK_EQ(run(out, sizeof(out), "%s disasm %s/lddw.data --syntax conf", cli, conf_dir), 0);
    CHECK_STR(out, "lddw %r0, 0x1122334455667788\nexit\n");
    CHECK_EQ(run(out, sizeof(out), "printf 'r0 = 1\\nexit\\n' | %s disasm - --syntax=llvm", cli), 0);
    CHECK_STR(out, "r0 = 1\nexit\n");
    /* raw bytes that are not whole instructions */
    CHECK_EQ(run(out, sizeof(out), "printf 'abc' > %s/odd.bin && %s disasm %s/odd.bin", tmpdir, cli, tmpdir), 1);
    CHECK_CONTAINS(out, "not a whole number of 8-byte instructions");
}

/* "-o -" is stdout; subprograms start with a label line; -j is JSON. */
static void test_stdout_labels_json(void)
{
    char out[8192], bin[128], bin2[128];
    snprintf(bin, sizeof(bin), "%s/s.bin", tmpdir);
    snprintf(bin2, sizeof(bin2), "%s/s2.bin", tmpdir);
    CHECK_EQ(run(out, sizeof(out), "%s asm %s/call_local.data -o %s", cli, conf_dir, bin), 0);
    CHECK_EQ(run(out, sizeof(out), "%s asm %s/call_local.data -o - > %s", cli, conf_dir, bin2), 0);
    CHECK(same_files(bin, bin2));
    /* call_local: r1..r4 set, call pc+N, ...: its callee starts a subprogram */
    CHECK_EQ(run(out, sizeof(out), "%s asm %s/call_local.data -o - | %s disasm -", cli, conf_dir, cli), 0);
    CHECK_CONTAINS(out, "subprog_");
    CHECK_EQ(run(out, sizeof(out), "%s disasm -j %s", cli, bin), 0);
    CHECK(out[0] == '[');
    CHECK_CONTAINS(out, "{\"pc\": 0, \"insn\": \"(");
    CHECK_CONTAINS(out, "\"subprog\": true");
    CHECK_CONTAINS(out, "\"raw\": \"");
}

static void test_errors_and_usage(void)
{
    char out[4096], neg[700];
    snprintf(neg, sizeof(neg), "%s/../negative/invalid_register.data", conf_dir);
    if (access(neg, R_OK) == 0) {
        CHECK_EQ(run(out, sizeof(out), "%s asm %s", cli, neg), 1);
        CHECK_CONTAINS(out, "invalid_register.data:4:9: error: expected register, got '%r50'");
    }
    CHECK_EQ(run(out, sizeof(out), "printf 'r0 = 1\\n  r0 = r11\\n' | %s asm - --syntax llvm", cli), 1);
    CHECK_CONTAINS(out, "-:2:8: error: expected register, got 'r11'");
    CHECK_EQ(run(out, sizeof(out), "%s asm", cli), 2);
    CHECK_EQ(run(out, sizeof(out), "%s asm x.s --syntax klingon", cli), 2);
    CHECK_EQ(run(out, sizeof(out), "%s asm x.s --frobnicate", cli), 2);
    CHECK_EQ(run(out, sizeof(out), "%s asm %s/does-not-exist.s", cli, tmpdir), 1);
    CHECK_EQ(run(out, sizeof(out), "%s asm --help", cli), 0);
    CHECK_CONTAINS(out, "usage: bpfrt asm");
    CHECK_EQ(run(out, sizeof(out), "%s disasm --help", cli), 0);
    CHECK_CONTAINS(out, "usage: bpfrt disasm");
    CHECK_EQ(run(out, sizeof(out), "%s disasm", cli), 2);
    CHECK_EQ(run(out, sizeof(out), "%s disasm a b", cli), 2);
}

int main(void)
{
    const char *build = getenv("BPFRT_BUILD");
    snprintf(cli, sizeof(cli), "%s/bpfrt", build ? build : ".");
    if (access(cli, X_OK) != 0)
        TEST_SKIP("no CLI at %s", cli);
    snprintf(conf_dir, sizeof(conf_dir), "%s/conformance/tests", test_shared_dir());
    if (access(conf_dir, R_OK) != 0)
        TEST_SKIP("no conformance suite at %s", conf_dir);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bpfrt-asm-cli-XXXXXX");
    if (!mkdtemp(tmpdir))
        TEST_SKIP("no temporary directory");
    RUN(test_asm_prints_words);
    RUN(test_round_trip_all_syntaxes);
    RUN(test_inputs);
    RUN(test_stdout_labels_json);
    RUN(test_errors_and_usage);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_summary();
}
