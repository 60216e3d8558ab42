/* bpfrt run: runs one program, the way the conformance suite defines it
 * (r1 = input memory, r2 = its length, result = r0), in the interpreter or
 * JIT-compiled.
 *
 *   bpfrt run FILE [--mem HEX | --mem-file F] [--repeat N] [--trace]
 *                  [--syntax S] [--budget N] [--verify [--type T]] [--unprivileged] [--jit [--trusted]]
 *                  [--dump-jited]
 *
 * FILE is a .data test (its -- mem is used unless --mem/--mem-file is given,
 * and its -- result is compared), assembly text, or raw bytecode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/jit.h"
#include "bpfrt/platform.h"
#include "bpfrt/prog.h"
#include "bpfrt/prog_type.h"
#include "bpfrt/runtime.h"
#include "cli.h"
#include "conf_data.h"
#include "conf_exec.h"
#include "jit_dump.h"

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: bpfrt run FILE [options]\n\n"
        "Runs a program in the bpfrt interpreter, or JIT-compiled with --jit (both in\n"
        "checked mode: every memory access is bounds-checked). r1 points at a writable\n"
        "copy of the input memory, r2 holds its length, r10 is the frame pointer; the\n"
        "result is r0.\n\n"
        "FILE: a .data conformance test (its -- mem is the default input and its\n"
        "      -- result is compared), assembly source, or raw bytecode (.bin)\n\n"
        "options:\n"
        "  --mem HEX        input memory as hex bytes (\"01 02 ff\" or \"0102ff\")\n"
        "  --mem-file F     input memory from a file (raw bytes)\n"
        "  --repeat N       run N times in-process and print the mean time per run\n"
        "  --trace          print each executed instruction and the registers it changed\n"
        "  --syntax S       assembly syntax of FILE: auto (default), kernel, llvm, conf\n"
        "  --budget N       instruction budget (default %llu, 0 = unlimited)\n"
        "  --verify         run the verifier first (as program type --type T, default\n"
        "                   socket_filter: r1 is then its context) and stop when it refuses\n"
        "  --unprivileged   --verify as Linux does for a loader without CAP_BPF\n"
        "  --jit            run JIT-compiled (x86-64; checked mode)\n"
        "  --trusted        JIT-compiled without run-time checks: only for programs you\n"
        "                   trust, a bad one can crash bpfrt (implies --jit)\n"
        "  --dump-jited     print the machine code before running (implies --jit)\n"
        "  -h, --help       this text\n\n"
        "exit status: 0 ran (and matched the file's -- result or -- error), 1 program\n"
        "error or mismatch, 2 usage\n",
        (unsigned long long)(1ull << 30));
}

static bool parse_mem_hex(const char *s, uint8_t **out, size_t *len)
{
    size_t cap = strlen(s) / 2 + 1, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return false;
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == ',' || *s == ':') {
            s++;
            continue;
        }
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            s += 2;
            continue;
        }
        if (conf_hexval(s[0]) < 0 || conf_hexval(s[1]) < 0) {
            free(buf);
            return false;
        }
        buf[n++] = (uint8_t)(conf_hexval(s[0]) << 4 | conf_hexval(s[1]));
        s += 2;
    }
    *out = buf;
    *len = n;
    return true;
}

static bool looks_like_text(const char *buf, size_t len)
{
    if (len == 0)
        return true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t'))
            return false;
    }
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A .data file whose -- error names exactly this failure ran as expected:
 * say so and succeed. Otherwise the failure stands (exit 1). */
static int expected_error(const struct conf_data *d, const char *msg, bool mem_overridden)
{
    if (!d->has_error || mem_overridden || strcmp(d->error, msg) != 0)
        return CLI_ERROR;
    printf("matches the file's -- error\n");
    return CLI_OK;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* --verify: PROG_LOAD under the given type with a level-1 log; the log
 * goes to stderr when the verifier refuses the program. */
static bool verified(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n, uint32_t type,
                     uint32_t flags, const char *file)
{
    enum { LOG_SIZE = 1 << 20 };
    char *log = calloc(1, LOG_SIZE);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = n;
    a.license = (uint64_t)(uintptr_t)"GPL";
    a.prog_flags = flags;
    if (log) {
        a.log_level = 1;
        a.log_buf = (uint64_t)(uintptr_t)log;
        a.log_size = LOG_SIZE;
    }
    long h = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    if (h < 0)
        fprintf(stderr, "%sbpfrt run: the verifier refused %s: %s\n", log ? log : "", file,
                bpfrt_strerror((int)h));
    else
        bpfrt_close(rt, (int)h);
    free(log);
    return h >= 0;
}

int cmd_run(int argc, char **argv)
{
    const char *file = NULL, *mem_hex = NULL, *mem_file = NULL;
    unsigned long long repeat = 1, budget = 1ull << 30;
    bool trace = false, verify = false, dump_jited = false, unpriv = false;
    int verify_type = BPF_PROG_TYPE_SOCKET_FILTER;
    enum bpfrt_engine_kind engine = BPFRT_ENGINE_INTERP;
    enum bpfrt_syntax syntax = BPFRT_SYNTAX_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            run_usage(stdout);
            return CLI_OK;
        } else if (strcmp(a, "--trace") == 0) {
            trace = true;
        } else if (strcmp(a, "--verify") == 0) {
            verify = true;
        } else if (strcmp(a, "--unprivileged") == 0) {
            verify = unpriv = true;
        } else if (strcmp(a, "--type") == 0) {
            verify_type = i + 1 < argc ? bpfrt_prog_type_parse(argv[++i]) : -1;
            if (verify_type <= 0) {
                fprintf(stderr, "bpfrt run: --type needs a program type (socket_filter, xdp, ...)\n");
                return CLI_USAGE;
            }
        } else if (strcmp(a, "--jit") == 0) {
            if (engine == BPFRT_ENGINE_INTERP)
                engine = BPFRT_ENGINE_JIT;
        } else if (strcmp(a, "--trusted") == 0) {
            engine = BPFRT_ENGINE_JIT_TRUSTED;
        } else if (strcmp(a, "--dump-jited") == 0) {
            dump_jited = true;
            if (engine == BPFRT_ENGINE_INTERP)
                engine = BPFRT_ENGINE_JIT;
        } else if ((strcmp(a, "--mem") == 0 || strcmp(a, "--mem-file") == 0 || strcmp(a, "--repeat") == 0 ||
                    strcmp(a, "--syntax") == 0 || strcmp(a, "--budget") == 0)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "bpfrt run: %s needs a value\n", a);
                return CLI_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--mem") == 0) {
                mem_hex = v;
            } else if (strcmp(a, "--mem-file") == 0) {
                mem_file = v;
            } else if (strcmp(a, "--syntax") == 0) {
                static const char *const names[] = { "kernel", "llvm", "conf", "auto" };
                int found = -1;
                for (int k = 0; k < 4; k++)
                    if (strcmp(v, names[k]) == 0)
                        found = k;
                if (found < 0) {
                    fprintf(stderr, "bpfrt run: unknown syntax '%s' (kernel, llvm, conf, auto)\n", v);
                    return CLI_USAGE;
                }
                syntax = (enum bpfrt_syntax)found;
            } else {
                uint64_t x = 0;
                if (!cli_parse_u64(v, UINT64_MAX, &x) || (strcmp(a, "--repeat") == 0 && x == 0)) {
                    fprintf(stderr, "bpfrt run: invalid value '%s' for %s\n", v, a);
                    return CLI_USAGE;
                }
                if (strcmp(a, "--repeat") == 0)
                    repeat = x;
                else
                    budget = x;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bpfrt run: unknown option '%s'\n", a);
            run_usage(stderr);
            return CLI_USAGE;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "bpfrt run: more than one FILE given\n");
            return CLI_USAGE;
        }
    }
    if (!file) {
        run_usage(stderr);
        return CLI_USAGE;
    }
    if (mem_hex && mem_file) {
        fprintf(stderr, "bpfrt run: give --mem or --mem-file, not both\n");
        return CLI_USAGE;
    }
    if (trace && engine != BPFRT_ENGINE_INTERP) {
        fprintf(stderr, "bpfrt run: --trace is an interpreter feature (not with --jit/--trusted)\n");
        return CLI_USAGE;
    }

    int status = CLI_ERROR;
    size_t len = 0;
    char *text = cli_read_file(file, &len);
    if (!text)
        return CLI_ERROR;
    struct conf_data d;
    memset(&d, 0, sizeof(d));
    bool is_data = ends_with(file, ".data");
    uint8_t *mem = NULL;
    size_t mem_len = 0;
    struct bpf_insn *insns = NULL;
    uint32_t n = 0;
    bool insns_owned = false; /* platform allocation from bpfrt_asm */
    bool insns_malloced = false;
    struct bpfrt_runtime *rt = NULL;
    struct bpfrt_prog *prog = NULL;
    uint8_t *copy = NULL;
    const struct bpfrt_platform *plat = bpfrt_platform_hosted();

    if (mem_hex && !parse_mem_hex(mem_hex, &mem, &mem_len)) {
        fprintf(stderr, "bpfrt run: --mem: invalid hex bytes '%s'\n", mem_hex);
        status = CLI_USAGE;
        goto out;
    }
    if (mem_file) {
        char *m = cli_read_file(mem_file, &mem_len);
        if (!m)
            goto out;
        mem = (uint8_t *)m;
    }

    if (is_data) {
        char perr[160] = "";
        if (conf_data_parse(text, len, &d, perr, sizeof(perr))) {
            fprintf(stderr, "bpfrt run: %s: %s\n", file, perr);
            goto out;
        }
        struct conf_outcome o;
        if (!conf_program(plat, &d, &insns, &n, &insns_owned, &o)) {
            fprintf(stderr, "bpfrt run: %s: %s\n", file, o.msg);
            status = expected_error(&d, o.msg, mem_hex || mem_file);
            goto out;
        }
        if (!mem_hex && !mem_file && d.has_mem) {
            mem = malloc(d.mem_len ? d.mem_len : 1);
            if (!mem)
                goto out;
            memcpy(mem, d.mem, d.mem_len);
            mem_len = d.mem_len;
        }
    } else if (!ends_with(file, ".bin") && looks_like_text(text, len)) {
        struct bpfrt_asm_error aerr;
        memset(&aerr, 0, sizeof(aerr));
        if (bpfrt_asm(plat, text, len, syntax, &insns, &n, &aerr)) {
            if (aerr.line)
                fprintf(stderr, "%s:%u:%u: error: %s\n", file, aerr.line, aerr.column, aerr.msg);
            else
                fprintf(stderr, "%s: error: %s\n", file, aerr.msg);
            goto out;
        }
        insns_owned = true;
    } else if (len >= 4 && memcmp(text, "\x7f" "ELF", 4) == 0) {
        fprintf(stderr, "bpfrt run: %s is an ELF object; 'bpfrt prog run' loads and runs its programs\n", file);
        goto out;
    } else {
        if (len % 8 != 0 || len == 0) {
            fprintf(stderr, "bpfrt run: %s: %zu bytes is not a whole number of 8-byte instructions\n",
                    file, len);
            goto out;
        }
        insns = malloc(len);
        if (!insns)
            goto out;
        memcpy(insns, text, len);
        n = (uint32_t)(len / 8);
        insns_malloced = true;
    }

    if (bpfrt_runtime_create(plat, &rt)) {
        fprintf(stderr, "bpfrt run: cannot create a runtime\n");
        goto out;
    }
    conf_ensure_helper5(rt);
    if (verify && !verified(rt, insns, n, (uint32_t)verify_type, unpriv ? BPFRT_PROG_F_UNPRIV : 0, file))
        goto out;
    char msg[256] = "";
    struct bpfrt_prog_create_opts copts = { .prog_type = BPF_PROG_TYPE_UNSPEC, .engine = engine };
    int err = conf_no_map_refs(insns, n, msg, sizeof(msg))
                  ? bpfrt_prog_create_opts(rt, insns, n, &copts, msg, sizeof(msg), &prog)
                  : -BPFRT_EINVAL;
    if (err) {
        fprintf(stderr, "bpfrt run: program rejected: %s\n", msg[0] ? msg : "invalid program");
        if (is_data)
            status = expected_error(&d, msg, mem_hex || mem_file);
        goto out;
    }
    if (msg[0]) /* a note: e.g. no JIT here, the interpreter runs it */
        fprintf(stderr, "bpfrt run: %s\n", msg);
    if (dump_jited && cli_dump_jited(stdout, prog) != CLI_OK)
        goto out;
    copy = malloc(mem_len ? mem_len : 1);
    if (!copy)
        goto out;

    uint64_t r0 = 0;
    double total_ns = 0;
    for (unsigned long long it = 0; it < repeat; it++) {
        struct bpfrt_run run;
        memset(&run, 0, sizeof(run));
        memcpy(copy, mem ? mem : (const uint8_t *)"", mem_len);
        void *r1 = mem_len ? copy : NULL;
        run.ctx = r1;
        run.ctx_size = (uint32_t)mem_len;
        if (trace && it == 0) {
            run.trace = cli_trace_insn;
            run.trace_arg = NULL;
        }
        bpfrt_run_begin(&run, prog);
        run.insn_budget = budget;
        double t0 = now_ns();
        err = bpfrt_prog_run(prog, &run, (uint64_t)(uintptr_t)r1, mem_len, &r0);
        total_ns += now_ns() - t0;
        bpfrt_run_end(&run);
        if (err) {
            printf("error: %s\n", run.error_msg[0] ? run.error_msg : "run failed");
            if (is_data)
                status = expected_error(&d, run.error_msg, mem_hex || mem_file);
            goto out;
        }
    }
    printf("r0 = 0x%llx (%lld)\n", (unsigned long long)r0, (long long)r0);
    if (repeat > 1)
        printf("mean %.1f ns/run over %llu runs\n", total_ns / (double)repeat, repeat);
    status = CLI_OK;
    if (is_data && d.has_error && !mem_hex && !mem_file) {
        printf("MISMATCH: the file expects the error \"%s\"\n", d.error);
        status = CLI_ERROR;
    }
    if (is_data && d.has_result && !mem_hex && !mem_file) {
        if (r0 == d.result) {
            printf("matches the file's -- result\n");
        } else {
            printf("MISMATCH: the file expects r0 = 0x%llx\n", (unsigned long long)d.result);
            status = CLI_ERROR;
        }
    }

out:
    free(copy);
    if (prog)
        bpfrt_prog_put(prog);
    if (rt)
        bpfrt_runtime_destroy(rt);
    if (insns_owned)
        plat->free(plat->ctx, insns, (size_t)n * sizeof(*insns));
    if (insns_malloced)
        free(insns);
    conf_data_free(&d);
    free(mem);
    free(text);
    return status;
}
