/* bpfrt_conformance_plugin: drives bpfrt from the official bpf_conformance
 * runner (bpf_conformance_runner --plugin_path bpfrt_conformance_plugin).
 *
 * Protocol (one process per test):
 *   argv[1]   input memory as hex bytes ("00  01  ff  "), present only when
 *             the test has memory; then the words of --plugin_options; then
 *             --elf if requested (not supported: programs come as raw bytes).
 *   stdin     the program's bytes in the same hex encoding, then EOF.
 *   success   exit 0, print only r0 as "%llx\n".
 *   failure   exit 1, print the message (for -- error tests it must match).
 * Options: --budget N (instruction budget; default 1<<26, so a runaway
 * program ends quickly: the runner has no timeout); --jit runs the program
 * JIT-compiled (checked mode, like the interpreter's), --trusted JIT-compiled
 * without run-time checks (bpfrt_jit.h: only for trusted programs). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/platform.h"
#include "bpfrt/runtime.h"
#include "conf_exec.h"

/* Hex bytes separated by any whitespace, into a malloc'd buffer. */
static uint8_t *parse_hex(const char *s, size_t *len, char *err, size_t errsz)
{
    size_t cap = strlen(s) / 2 + 1, n = 0;
    uint8_t *out = malloc(cap);
    if (!out) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (conf_hexval(s[0]) < 0 || !s[1] || conf_hexval(s[1]) < 0) {
            int tok = 0;
            while (tok < 8 && s[tok] && !isspace((unsigned char)s[tok]))
                tok++;
            snprintf(err, errsz, "invalid hex input near '%.*s'", tok, s);
            free(out);
            return NULL;
        }
        out[n++] = (uint8_t)(conf_hexval(s[0]) << 4 | conf_hexval(s[1]));
        s += 2;
    }
    *len = n;
    return out;
}

static char *read_stdin(void)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, stdin);
        n += got;
        if (got == 0)
            break;
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf)
        buf[n] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    const char *mem_hex = NULL;
    uint64_t budget = 0;
    enum conf_engine engine = CONF_ENGINE_INTERP;
    int i = 1;
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
        mem_hex = argv[1];
        i = 2;
    }
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--elf") == 0) {
            printf("bpfrt_conformance_plugin: --elf is not supported (give raw programs)\n");
            return 1;
        } else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc) {
            budget = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "--jit") == 0) {
            if (engine == CONF_ENGINE_INTERP)
                engine = CONF_ENGINE_JIT;
        } else if (strcmp(argv[i], "--trusted") == 0) {
            engine = CONF_ENGINE_JIT_TRUSTED;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: bpfrt_conformance_plugin [MEMORY-HEX] [--budget N] [--jit [--trusted]] < PROGRAM-HEX\n");
            return 0;
        }
        /* Other runner options are ignored. */
    }

    char err[160];
    size_t mem_len = 0, prog_len = 0;
    uint8_t *mem = NULL;
    if (mem_hex) {
        mem = parse_hex(mem_hex, &mem_len, err, sizeof(err));
        if (!mem) {
            printf("%s\n", err);
            return 1;
        }
    }
    char *prog_hex = read_stdin();
    if (!prog_hex) {
        printf("cannot read the program from stdin\n");
        free(mem);
        return 1;
    }
    uint8_t *code = parse_hex(prog_hex, &prog_len, err, sizeof(err));
    free(prog_hex);
    if (!code) {
        printf("%s\n", err);
        free(mem);
        return 1;
    }
    if (prog_len % 8) {
        printf("program is %zu bytes, not a whole number of instructions\n", prog_len);
        free(code);
        free(mem);
        return 1;
    }

    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt)) {
        printf("cannot create runtime\n");
        free(code);
        free(mem);
        return 1;
    }
    conf_ensure_helper5(rt);
    struct conf_outcome out;
    conf_exec_engine(rt, (const struct bpf_insn *)(const void *)code, (uint32_t)(prog_len / 8), mem, mem_len,
                     budget, engine, &out);
    bpfrt_runtime_destroy(rt);
    free(code);
    free(mem);
    if (out.kind != CONF_OK) {
        printf("%s\n", out.msg);
        return 1;
    }
    printf("%llx\n", (unsigned long long)out.r0);
    return 0;
}
