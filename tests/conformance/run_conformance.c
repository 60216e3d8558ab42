/* Conformance runner: runs bpf_conformance .data files through the
 * interpreter (assembler for -- asm, validation, checked run) and compares r0
 * with -- result, or the failure message with -- error (exact).
 *
 *   run_conformance [--negative] [--verbose] [--plugin EXE] [--engine E] PATH...
 *
 * --plugin EXE runs every program through a bpf_conformance plugin process
 * exactly as the official runner does (memory as argv[1], program hex on
 * stdin, r0 or the error message on stdout) instead of in-process.
 * --engine interp|jit|trusted|verified runs programs in the interpreter
 * (default) or the JIT in checked, trusted or verified mode (verified: the
 * programs are marked verified, see conf_exec.h; with --plugin, jit and
 * trusted become the plugin's --jit and --trusted options).
 * PATH is a .data file or a directory of them. Default (no PATH): the suite
 * under $BPFRT_SHARED, else the build's BPFRT_SHARED_DIR (conformance/tests
 * and the benchmark data/). --negative: every
 * file must NOT pass (assembler error, load error or result mismatch), and
 * none may crash. Prints one line per failure and "N passed, N failed". */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfrt/platform.h"
#include "bpfrt/runtime.h"
#include "conf_exec.h"

#ifndef BPFRT_SHARED_DEFAULT
#define BPFRT_SHARED_DEFAULT "../shared" /* CMake passes BPFRT_SHARED_DIR */
#endif

static int passed, failed, verbose, negative;
static const char *plugin;
static enum conf_engine engine = CONF_ENGINE_INTERP;

/* "xx  " per byte, the runner's encoding. */
static char *hex_bytes(const uint8_t *b, size_t n)
{
    char *s = malloc(n * 4 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(s + i * 4, 5, "%02x  ", b[i]);
    s[n * 4] = '\0';
    return s;
}

/* Runs the plugin on one program the way bpf_conformance_runner does. */
static void plugin_exec(const struct bpf_insn *insns, uint32_t n, const uint8_t *mem, size_t mem_len,
                        bool has_mem, struct conf_outcome *out)
{
    out->kind = CONF_RUN_ERROR;
    out->r0 = 0;
    snprintf(out->msg, sizeof(out->msg), "plugin could not be run");
    char *prog_hex = hex_bytes((const uint8_t *)insns, (size_t)n * 8);
    char *mem_hex = has_mem ? hex_bytes(mem, mem_len) : NULL;
    int in[2], outp[2];
    if (!prog_hex || (has_mem && !mem_hex) || pipe(in) || pipe(outp)) {
        free(prog_hex);
        free(mem_hex);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        dup2(outp[1], 2);
        close(in[1]);
        close(outp[0]);
        /* the runner's order: memory (if any), then the plugin options */
        char *argv[4] = { (char *)plugin, NULL, NULL, NULL };
        int a = 1;
        if (mem_hex)
            argv[a++] = mem_hex;
        if (engine == CONF_ENGINE_JIT)
            argv[a++] = "--jit";
        else if (engine == CONF_ENGINE_JIT_TRUSTED)
            argv[a++] = "--trusted";
        execv(plugin, argv);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    size_t len = strlen(prog_hex);
    bool wrote = write(in[1], prog_hex, len) == (ssize_t)len && write(in[1], "\n", 1) == 1;
    (void)wrote; /* the plugin may have exited early; its status tells */
    close(in[1]);
    char buf[200];
    size_t got = 0;
    ssize_t r;
    while ((r = read(outp[0], buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(outp[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    free(prog_hex);
    free(mem_hex);
    while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
        buf[--got] = '\0';
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        char *end;
        out->r0 = strtoull(buf, &end, 16);
        if (*buf && !*end) {
            out->kind = CONF_OK;
            out->msg[0] = '\0';
        } else {
            snprintf(out->msg, sizeof(out->msg), "plugin printed '%.200s'", buf);
        }
    } else {
        snprintf(out->msg, sizeof(out->msg), "%.200s", buf);
    }
}
static unsigned neg_kinds[4 + 1]; /* by conf_kind, [4] = result mismatch */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Runs one file; returns true when it passes as written. Fills why. */
static bool run_file(struct bpfrt_runtime *rt, const char *path, char *why, size_t whysz, int *kind)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    *kind = -1;
    if (!text) {
        snprintf(why, whysz, "cannot read file");
        return false;
    }
    struct conf_data d;
    char perr[160] = "";
    if (conf_data_parse(text, len, &d, perr, sizeof(perr))) {
        free(text);
        snprintf(why, whysz, "bad .data file: %s", perr);
        return false;
    }
    free(text);

    struct conf_outcome out = { 0 };
    struct bpf_insn *insns = NULL;
    uint32_t n = 0;
    bool owned = false;
    const struct bpfrt_platform *plat = bpfrt_runtime_platform(rt);
    if (conf_program(plat, &d, &insns, &n, &owned, &out)) {
        if (plugin)
            plugin_exec(insns, n, d.mem, d.mem_len, d.has_mem, &out);
        else
            conf_exec_engine(rt, insns, n, d.mem, d.mem_len, 0, engine, &out);
        if (owned)
            plat->free(plat->ctx, insns, (size_t)n * sizeof(*insns));
    }
    *kind = (int)out.kind;

    bool ok;
    if (d.has_error) {
        ok = out.kind != CONF_OK && strcmp(out.msg, d.error) == 0;
        if (out.kind == CONF_OK)
            snprintf(why, whysz, "expected error \"%s\", got r0 = 0x%llx", d.error,
                     (unsigned long long)out.r0);
        else if (!ok)
            snprintf(why, whysz, "expected error \"%s\", got %s: %s", d.error,
                     conf_kind_names[out.kind], out.msg);
    } else if (d.has_result) {
        ok = out.kind == CONF_OK && out.r0 == d.result;
        if (out.kind != CONF_OK)
            snprintf(why, whysz, "%s: %s", conf_kind_names[out.kind], out.msg);
        else if (!ok) {
            snprintf(why, whysz, "r0 = 0x%llx, expected 0x%llx", (unsigned long long)out.r0,
                     (unsigned long long)d.result);
            *kind = 4;
        }
    } else {
        ok = false;
        if (out.kind != CONF_OK)
            snprintf(why, whysz, "%s: %s (and no expectation)", conf_kind_names[out.kind], out.msg);
        else
            snprintf(why, whysz, "no -- result or -- error section (r0 = 0x%llx)",
                     (unsigned long long)out.r0);
    }
    if (ok)
        snprintf(why, whysz, "ok");
    conf_data_free(&d);
    return ok;
}

static void one(struct bpfrt_runtime *rt, const char *path)
{
    char why[512];
    int kind;
    bool ok = run_file(rt, path, why, sizeof(why), &kind);
    if (negative) {
        if (ok) {
            failed++;
            printf("FAIL %s: passed, but must not (negative test)\n", base_name(path));
        } else {
            passed++;
            if (kind == CONF_OK)
                kind = 4; /* ran, but not as the file expects */
            if (kind >= 0 && kind <= 4)
                neg_kinds[kind]++;
            if (verbose)
                printf("ok   %s: %s\n", base_name(path), why);
        }
        return;
    }
    if (ok) {
        passed++;
        if (verbose)
            printf("ok   %s\n", base_name(path));
    } else {
        failed++;
        printf("FAIL %s: %s\n", base_name(path), why);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct bpfrt_runtime *rt, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        failed++;
        printf("FAIL %s: no such file or directory\n", path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        one(rt, path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        failed++;
        printf("FAIL %s: cannot open directory\n", path);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".data") != 0)
            continue;
        char **nn = realloc(names, (n + 1) * sizeof(*names));
        if (!nn)
            break;
        names = nn;
        size_t sz = strlen(path) + l + 2;
        names[n] = malloc(sz);
        snprintf(names[n++], sz, "%s/%s", path, e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        one(rt, names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    const char *paths[64];
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--negative") == 0)
            negative = 1;
        else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc)
            plugin = argv[++i];
        else if (strcmp(argv[i], "--engine") == 0 && i + 1 < argc && conf_engine_parse(argv[i + 1]) >= 0)
            engine = (enum conf_engine)conf_engine_parse(argv[++i]);
        else if (np < 64)
            paths[np++] = argv[i];
    }
    static char def1[4096], def2[4096];
    if (np == 0) {
        const char *shared = getenv("BPFRT_SHARED");
        if (!shared)
            shared = BPFRT_SHARED_DEFAULT;
        snprintf(def1, sizeof(def1), "%s/conformance/%s", shared, negative ? "negative" : "tests");
        snprintf(def2, sizeof(def2), "%s/bench/data", shared);
        paths[np++] = def1;
        if (!negative)
            paths[np++] = def2;
        struct stat st;
        if (stat(def1, &st) != 0) {
            printf("SKIP: conformance suite not found at %s\n", def1);
            return 77;
        }
    }
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt)) {
        fprintf(stderr, "cannot create runtime\n");
        return 1;
    }
    conf_ensure_helper5(rt);
    for (int i = 0; i < np; i++)
        walk(rt, paths[i]);
    bpfrt_runtime_destroy(rt);
    if (negative)
        printf("negative outcomes: %u assembler errors, %u load errors, %u run errors, %u result mismatches\n",
               neg_kinds[CONF_ASM_ERROR], neg_kinds[CONF_LOAD_ERROR], neg_kinds[CONF_RUN_ERROR], neg_kinds[4]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
