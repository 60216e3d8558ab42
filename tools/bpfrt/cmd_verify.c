/* bpfrt verify: run the verifier on programs and print its log, the way
 * loading them with `bpftool prog load ... -d` or veristat shows the kernel's
 * verdict, without a kernel:
 *
 *   bpfrt verify FILE [--section S | --prog NAME] [--type T] [--log-level 0|1|2|4]
 *                     [--cfg out.dot] [--map TYPE:KEY:VALUE:MAX[:FLAGS]]...
 *
 * FILE is an ELF object (every program, or the one selected; maps are
 * created and relocations applied as `bpfrt prog load` does), assembly text
 * or raw bytecode (--type names the program type, socket_filter by default;
 * ld_imm64 map references with imm N name the N-th --map). Each program goes
 * through PROG_LOAD with the log level asked for. Exit status: 0 when every
 * program verifies, 1 when one is refused or on an input error, 2 usage. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/platform.h"
#include "bpfrt/runtime.h"
#include "bpfrt/verifier.h"
#include "cli.h"
#include "cli_elf.h"

#define MAX_MAPS 64

struct verify_args {
    struct cli_obj_opts o;
    const char *section, *prog, *cfg_path;
    int syntax;
    uint32_t log_level;
    bool unpriv;      /* --unprivileged: BPFRT_PROG_F_UNPRIV */
    bool log_json;    /* --log-format json: BPFRT_LOG_JSON */
    const char *maps[MAX_MAPS];
    int nr_maps;
};

/* What one PROG_LOAD needs beyond the instructions. */
struct load_req {
    const char *name;       /* for the output */
    bool kname;             /* also PROG_LOAD's prog_name (ELF programs) */
    uint32_t type, attach_type, flags, kversion;
    const char *license;
    int btf_handle;
    const struct bpf_func_info *fi;
    uint32_t nr_fi;
    const struct bpf_line_info *li;
    uint32_t nr_li;
};

static void verify_usage(FILE *f)
{
    fprintf(f, "usage: bpfrt verify FILE [options]\n\n"
               "Runs the verifier (Linux 6.18's rules) on the programs of FILE and prints its\n"
               "log: an ELF object, assembly source, or raw bytecode (.bin).\n\n"
               "  --section S            only the (first) program of section S\n"
               "  --prog NAME            only program NAME\n"
               "  --log-level N          0 (verdict only), 1 (default: the failing path),\n"
               "                         2 (every instruction walked), 4 (statistics); 1|4 etc.\n"
               "  --log-format F         text (default: Linux's log) or json (one JSON document\n"
               "                         per program: each instruction walked with the\n"
               "                         registers and stack after it, and the verdict)\n"
               "  --unprivileged         verify as Linux does for a loader without CAP_BPF\n"
               "                         (socket filters and cgroup skb programs only)\n"
               "  --cfg FILE             write the control-flow graph in Graphviz DOT\n"
               "                         (one program: select it when the object has several)\n"
               "  --map T:K:V:MAX[:FL]   assembly/bytecode: create a map (type name or number,\n"
               "                         key/value sizes, max entries, flags); ld_imm64 map\n"
               "                         references with imm N use the N-th --map (from 0)\n"
               "  --syntax S             assembly syntax: auto (default), kernel, llvm, conf\n");
    cli_obj_common_usage(f);
    fprintf(f, "\nexit status: 0 every program verified, 1 a program was refused or bad\n"
               "input, 2 usage\n");
}

static int parse_args(int argc, char **argv, struct verify_args *a)
{
    a->log_level = 1;
    a->syntax = BPFRT_SYNTAX_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int c = cli_obj_parse_common(argc, argv, &i, &a->o, "verify");
        if (c < 0)
            return CLI_USAGE;
        if (c > 0)
            continue;
        if (cli_is_help(s)) {
            verify_usage(stdout);
            exit(CLI_OK);
        }
        if (strcmp(s, "--unprivileged") == 0) {
            a->unpriv = true;
            continue;
        }
        if (s[0] != '-') {
            if (a->o.path) {
                fprintf(stderr, "bpfrt verify: more than one file given\n");
                return CLI_USAGE;
            }
            a->o.path = s;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bpfrt verify: %s needs a value\n", s);
            return CLI_USAGE;
        }
        const char *v = argv[++i];
        if (strcmp(s, "--section") == 0)
            a->section = v;
        else if (strcmp(s, "--prog") == 0)
            a->prog = v;
        else if (strcmp(s, "--cfg") == 0)
            a->cfg_path = v;
        else if (strcmp(s, "--log-format") == 0) {
            if (strcmp(v, "json") && strcmp(v, "text")) {
                fprintf(stderr, "bpfrt verify: --log-format is text or json\n");
                return CLI_USAGE;
            }
            a->log_json = strcmp(v, "json") == 0;
        }
        else if (strcmp(s, "--log-level") == 0) {
            char *end;
            unsigned long l = strtoul(v, &end, 0);
            if (*end || l > 7) {
                fprintf(stderr, "bpfrt verify: --log-level is 0, 1, 2 or 4 (or a combination)\n");
                return CLI_USAGE;
            }
            a->log_level = (uint32_t)l;
        } else if (strcmp(s, "--syntax") == 0) {
            static const char *names[] = {"auto", "kernel", "llvm", "conf"};
            static const int values[] = {BPFRT_SYNTAX_AUTO, BPFRT_SYNTAX_KERNEL, BPFRT_SYNTAX_LLVM,
                                         BPFRT_SYNTAX_CONF};
            int k = 0;
            while (k < 4 && strcmp(v, names[k]))
                k++;
            if (k == 4) {
                fprintf(stderr, "bpfrt verify: --syntax is auto, kernel, llvm or conf\n");
                return CLI_USAGE;
            }
            a->syntax = values[k];
        } else if (strcmp(s, "--map") == 0) {
            if (a->nr_maps == MAX_MAPS) {
                fprintf(stderr, "bpfrt verify: at most %d --map\n", MAX_MAPS);
                return CLI_USAGE;
            }
            a->maps[a->nr_maps++] = v;
        } else {
            fprintf(stderr, "bpfrt verify: unknown option '%s'\n", s);
            verify_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (!a->o.path) {
        verify_usage(stderr);
        return CLI_USAGE;
    }
    if (a->section && a->prog) {
        fprintf(stderr, "bpfrt verify: --section and --prog are exclusive\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static void write_cfg(struct bpfrt_runtime *rt, const char *path, const struct bpf_insn *insns, uint32_t cnt,
                      int *status)
{
    long need = bpfrt_verifier_cfg_dot(rt, insns, cnt, NULL, 0);
    char *dot = need > 0 ? malloc((size_t)need + 1) : NULL;
    FILE *f = dot ? fopen(path, "w") : NULL;
    if (dot && f) {
        bpfrt_verifier_cfg_dot(rt, insns, cnt, dot, (size_t)need + 1);
        fputs(dot, f);
    }
    if (!dot || !f || fclose(f)) {
        fprintf(stderr, "bpfrt verify: cannot write %s: %s\n", path,
                need < 0 ? bpfrt_strerror((int)need) : strerror(errno));
        *status = CLI_ERROR;
    }
    free(dot);
}

/* PROG_LOAD with the log asked for; prints the log and the verdict.
 * Returns true when the program verified. */
static bool verify_one(struct bpfrt_runtime *rt, const struct verify_args *va, const struct load_req *r,
                       const struct bpf_insn *insns, uint32_t cnt)
{
    union bpf_attr a;
    uint32_t size = va->log_level || va->log_json ? 1u << 20 : 0;
    char *log = NULL;
    long h;
    for (;;) {
        memset(&a, 0, sizeof(a));
        a.prog_type = r->type;
        a.expected_attach_type = r->attach_type;
        a.prog_flags = (r->flags & ~BPFRT_PROG_F_NO_VERIFY) | (va->unpriv ? BPFRT_PROG_F_UNPRIV : 0);
        a.insns = (uint64_t)(uintptr_t)insns;
        a.insn_cnt = cnt;
        a.license = (uint64_t)(uintptr_t)(r->license ? r->license : "GPL");
        a.kern_version = r->kversion;
        if (r->kname)
            snprintf(a.prog_name, sizeof(a.prog_name), "%.*s", (int)sizeof(a.prog_name) - 1, r->name);
        if (r->btf_handle >= 0 && r->nr_fi) {
            a.prog_btf_fd = (uint32_t)r->btf_handle;
            a.func_info_rec_size = sizeof(struct bpf_func_info);
            a.func_info = (uint64_t)(uintptr_t)r->fi;
            a.func_info_cnt = r->nr_fi;
            if (r->nr_li) {
                a.line_info_rec_size = sizeof(struct bpf_line_info);
                a.line_info = (uint64_t)(uintptr_t)r->li;
                a.line_info_cnt = r->nr_li;
            }
        }
        if (size) {
            free(log);
            log = calloc(1, size);
            if (!log)
                return false;
            a.log_level = va->log_level | (va->log_json ? BPFRT_LOG_JSON : 0);
            a.log_buf = (uint64_t)(uintptr_t)log;
            a.log_size = size;
        }
        h = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
        /* a fixed log too small for the whole text: again with its true size */
        if (h != -BPFRT_ENOSPC || !size || a.log_true_size <= size)
            break;
        size = a.log_true_size;
    }
    if (log && *log && !va->o.json)
        fputs(log, stdout);
    bool ok = h >= 0;
    if (va->o.json) {
        printf("{\"program\": ");
        cli_json_str(stdout, r->name);
        printf(", \"verified\": %s, \"errno\": %ld, \"log\": ", ok ? "true" : "false", ok ? 0 : -h);
        if (va->log_json && log && *log) /* the document itself on this line (newlines only separate tokens) */
            for (const char *s = log; *s; s++)
                putchar(*s == '\n' ? ' ' : *s);
        else
            cli_json_str(stdout, log ? log : "");
        printf("}\n");
    } else if (va->log_json) {
        /* the document has the verdict: nothing else on stdout */
    } else if (ok) {
        printf("%s: verified\n", r->name);
    } else {
        printf("%s: refused: %s\n", r->name, bpfrt_strerror((int)h));
    }
    if (ok)
        bpfrt_close(rt, (int)h);
    free(log);
    return ok;
}

static int verify_object(struct bpfrt_runtime *rt, struct verify_args *va)
{
    struct bpfrt_object *obj;
    void *btf_buf;
    if (!cli_obj_open(rt, &va->o, &obj, &btf_buf, "verify"))
        return CLI_ERROR;
    int status = CLI_OK, picked = 0;
    struct bpfrt_object_prog *only = va->prog      ? bpfrt_object_find_prog(obj, va->prog)
                                     : va->section ? bpfrt_object_find_prog_by_section(obj, va->section)
                                                   : NULL;
    uint32_t n = bpfrt_object_prog_count(obj);
    if ((va->prog || va->section) && !only) {
        fprintf(stderr, "bpfrt verify: %s: no program %s '%s'\n", va->o.path, va->prog ? "named" : "in section",
                va->prog ? va->prog : va->section);
        status = CLI_ERROR;
        goto out;
    }
    if (va->cfg_path && !only && n != 1) {
        fprintf(stderr, "bpfrt verify: --cfg draws one program: select it with --prog or --section\n");
        status = CLI_USAGE;
        goto out;
    }
    /* the loader creates maps and relocates; the verdict is ours to take */
    for (uint32_t i = 0; i < n; i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        bpfrt_object_prog_set_autoload(p, !only || p == only);
        bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | BPFRT_PROG_F_NO_VERIFY);
    }
    char err[512];
    if (bpfrt_object_load(obj, err, sizeof(err))) {
        fprintf(stderr, "bpfrt verify: %s: %s\n", va->o.path, err);
        status = CLI_ERROR;
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        if (only && p != only)
            continue;
        struct load_req r = {
            .name = bpfrt_object_prog_name(p), .kname = true, .type = bpfrt_object_prog_type(p),
            .attach_type = bpfrt_object_prog_attach_type(p), .flags = bpfrt_object_prog_flags(p),
            .kversion = bpfrt_object_kversion(obj), .license = bpfrt_object_license(obj),
            .btf_handle = bpfrt_object_btf_handle(obj),
        };
        r.fi = bpfrt_object_prog_func_info(p, &r.nr_fi);
        r.li = bpfrt_object_prog_line_info(p, &r.nr_li);
        uint32_t cnt;
        const struct bpf_insn *insns = bpfrt_object_prog_insns(p, &cnt);
        picked++;
        if (!verify_one(rt, va, &r, insns, cnt))
            status = CLI_ERROR;
        if (va->cfg_path)
            write_cfg(rt, va->cfg_path, insns, cnt, &status);
    }
    if (!picked) {
        fprintf(stderr, "bpfrt verify: %s has no programs\n", va->o.path);
        status = CLI_ERROR;
    }
out:
    bpfrt_object_close(obj);
    free(btf_buf);
    return status;
}

static int map_type_parse(const char *s)
{
    char *end;
    long t = strtol(s, &end, 0);
    if (*s && !*end)
        return (int)t;
    for (uint32_t k = 1; k < 64; k++) {
        const char *name = bpfrt_map_type_str(k);
        if (name && strcmp(name, s) == 0)
            return (int)k;
    }
    return -1;
}

/* --map T:K:V:MAX[:FLAGS] → a map handle, or -1 (message printed). */
static long create_map(struct bpfrt_runtime *rt, const char *spec)
{
    char buf[128], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", spec);
    char *f[5] = {0};
    int nf = 0;
    for (char *t = strtok_r(buf, ":", &save); t && nf < 5; t = strtok_r(NULL, ":", &save))
        f[nf++] = t;
    int type = nf >= 4 ? map_type_parse(f[0]) : -1;
    if (type <= 0) {
        fprintf(stderr, "bpfrt verify: --map %s: expected TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES[:FLAGS]\n", spec);
        return -1;
    }
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = (uint32_t)type;
    a.key_size = (uint32_t)strtoul(f[1], NULL, 0);
    a.value_size = (uint32_t)strtoul(f[2], NULL, 0);
    a.max_entries = (uint32_t)strtoul(f[3], NULL, 0);
    a.map_flags = f[4] ? (uint32_t)strtoul(f[4], NULL, 0) : 0;
    long h = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    if (h < 0)
        fprintf(stderr, "bpfrt verify: --map %s: MAP_CREATE failed: %s\n", spec, bpfrt_strerror((int)h));
    return h;
}

static bool is_text(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t'))
            return false;
    }
    return true;
}

static int verify_insns(struct bpfrt_runtime *rt, struct verify_args *va, const char *text, size_t len)
{
    const struct bpfrt_platform *plat = bpfrt_platform_hosted();
    struct bpf_insn *insns = NULL;
    uint32_t cnt = 0;
    bool owned = false;
    size_t plen = strlen(va->o.path);
    bool bin = plen >= 4 && strcmp(va->o.path + plen - 4, ".bin") == 0;
    if (!bin && is_text(text, len)) {
        struct bpfrt_asm_error e;
        if (bpfrt_asm(plat, text, len, (enum bpfrt_syntax)va->syntax, &insns, &cnt, &e)) {
            fprintf(stderr, "%s:%u:%u: %s\n", va->o.path, e.line, e.column, e.msg);
            return CLI_ERROR;
        }
        owned = true;
    } else {
        if (len % sizeof(struct bpf_insn) || !len) {
            fprintf(stderr, "bpfrt verify: %s: %zu bytes is not a whole number of instructions\n", va->o.path,
                    len);
            return CLI_ERROR;
        }
        insns = (struct bpf_insn *)(uintptr_t)text;
        cnt = (uint32_t)(len / sizeof(struct bpf_insn));
    }
    int status = CLI_OK;
    long handles[MAX_MAPS];
    for (int m = 0; m < va->nr_maps && status == CLI_OK; m++)
        if ((handles[m] = create_map(rt, va->maps[m])) < 0)
            status = CLI_ERROR;
    /* ld_imm64 map references by --map index */
    for (uint32_t i = 0; status == CLI_OK && i + 1 < cnt; i++) {
        if (insns[i].code != (BPF_LD | BPF_DW | BPF_IMM))
            continue;
        uint8_t src = insns[i].src_reg;
        if ((src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_VALUE) && insns[i].imm >= 0 &&
            insns[i].imm < va->nr_maps)
            insns[i].imm = (int32_t)handles[insns[i].imm];
        i++;
    }
    if (status == CLI_OK) {
        struct load_req r = {.name = va->o.path, .type = va->o.prog_type > 0 ? (uint32_t)va->o.prog_type
                                                                          : BPF_PROG_TYPE_SOCKET_FILTER,
                             .license = "GPL", .btf_handle = -1};
        if (!verify_one(rt, va, &r, insns, cnt))
            status = CLI_ERROR;
        if (va->cfg_path)
            write_cfg(rt, va->cfg_path, insns, cnt, &status);
    }
    if (owned)
        plat->free(plat->ctx, insns, (size_t)cnt * sizeof(*insns));
    return status;
}

int cmd_verify(int argc, char **argv)
{
    struct verify_args *va = calloc(1, sizeof(*va));
    if (!va)
        return CLI_ERROR;
    int rc = parse_args(argc, argv, va);
    struct bpfrt_runtime *rt = NULL;
    if (rc == CLI_OK && bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        rc = CLI_ERROR;
    if (rc == CLI_OK) {
        size_t len;
        char *text = cli_read_file(va->o.path, &len);
        if (!text)
            rc = CLI_ERROR;
        else if (len >= 4 && memcmp(text, "\177ELF", 4) == 0)
            rc = verify_object(rt, va);
        else
            rc = verify_insns(rt, va, text, len);
        free(text);
    }
    if (rt)
        bpfrt_runtime_destroy(rt);
    free(va);
    return rc;
}
