/* bpfrt prog: load the programs of an ELF object and test-run one of them,
 * the way `bpftool prog run` does on Linux but without root or a kernel:
 *
 *   bpfrt prog run prog.o [--section S | --prog NAME] [--data HEX | --data-file F]
 *                  [--ctx-file F | --ctx-args 1,2,3] [--repeat N]
 *                  [--map-set MAP KEY=VALUE]... [--rodata VAR=VALUE]... [--dump-maps] [-j]
 *                  [--jit [--trusted]]
 *   bpfrt prog load prog.o [--jit [--trusted]]  (load everything, report each program)
 *   bpfrt prog dump jited prog.o [--section S | --prog NAME] [--trusted]
 *
 * kprobe, tracepoint and perf_event programs run on a raw context given as a
 * file (pt_regs, the tracepoint record), raw_tracepoint programs on
 * --ctx-args. */
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/hooks.h"
#include "bpfrt/jit.h"
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"
#include "cli.h"
#include "cli_elf.h"
#include "jit_dump.h"

#define MAX_SETS 64

struct map_set {
    const char *map;
    const char *kv;
};

struct prog_args {
    struct cli_obj_opts o;
    const char *section, *prog;
    const char *data_hex, *data_file, *ctx_file, *ctx_args;
    uint32_t repeat;
    bool dump_maps;
    enum bpfrt_engine_kind engine; /* 0: the interpreter (the runtime's default) */
    struct map_set sets[MAX_SETS];
    int nr_sets;
    const char *rodata[MAX_SETS];
    int nr_rodata;
};

static void prog_usage(FILE *f)
{
    fprintf(f, "usage: bpfrt prog run OBJ [options]   load OBJ and test-run one program\n"
               "       bpfrt prog load OBJ [options]  load every program and report\n"
               "       bpfrt prog dump jited OBJ [options]  print one program's x86-64 code\n\n"
               "  --section S            run the (first) program of section S\n"
               "  --prog NAME            run program NAME (default: the first program)\n"
               "  --data HEX             input packet as hex bytes (\"02 00 00 ...\")\n"
               "  --data-file F          input packet from a file (raw bytes)\n"
               "  --ctx-file F           context from a file: struct xdp_md / __sk_buff, or the\n"
               "                         raw context of kprobe (pt_regs), tracepoint (record)\n"
               "  --ctx-args A,B,...     raw_tracepoint arguments (u64 each)\n"
               "  --repeat N             run N times, report the average duration\n"
               "  --map-set MAP KEY=VAL [KEY=VAL...]\n"
               "                         set map elements before the run; KEY and VAL are an\n"
               "                         integer, hex:BYTES, or typed fields u8:6,u16:22,ip:10.0.0.1\n"
               "                         (per-CPU maps: VAL goes to every CPU; queue/stack: =VAL)\n"
               "  --rodata VAR=VAL       set a global (const volatile knob) before load\n"
               "  --dump-maps            print every map after the run (BTF-typed values)\n"
               "  --jit                  JIT-compile the programs (x86-64; checked mode)\n"
               "  --trusted              JIT-compile them without run-time checks: only for\n"
               "                         programs you trust (implies --jit)\n");
    cli_obj_common_usage(f);
}

static int parse_args(int argc, char **argv, struct prog_args *a)
{
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        int c = cli_obj_parse_common(argc, argv, &i, &a->o, "prog");
        if (c < 0)
            return CLI_USAGE;
        if (c > 0)
            continue;
        const char **dst = NULL;
        if (cli_is_help(s)) {
            prog_usage(stdout);
            exit(CLI_OK);
        } else if (strcmp(s, "--section") == 0) dst = &a->section;
        else if (strcmp(s, "--prog") == 0) dst = &a->prog;
        else if (strcmp(s, "--data") == 0) dst = &a->data_hex;
        else if (strcmp(s, "--data-file") == 0 || strcmp(s, "--data-in") == 0) dst = &a->data_file;
        else if (strcmp(s, "--ctx-file") == 0 || strcmp(s, "--ctx-in") == 0) dst = &a->ctx_file;
        else if (strcmp(s, "--ctx-args") == 0) dst = &a->ctx_args;
        else if (strcmp(s, "--dump-maps") == 0) {
            a->dump_maps = true;
            continue;
        } else if (strcmp(s, "--jit") == 0) {
            if (!a->engine)
                a->engine = BPFRT_ENGINE_JIT;
            continue;
        } else if (strcmp(s, "--trusted") == 0) {
            a->engine = BPFRT_ENGINE_JIT_TRUSTED;
            continue;
        } else if (strcmp(s, "--repeat") == 0) {
            if (i + 1 >= argc || atoi(argv[i + 1]) <= 0) {
                fprintf(stderr, "bpfrt prog: --repeat needs a positive count\n");
                return CLI_USAGE;
            }
            a->repeat = (uint32_t)atoi(argv[++i]);
            continue;
        } else if (strcmp(s, "--map-set") == 0) {
            /* --map-set MAP KEY=VALUE [KEY=VALUE ...] */
            if (i + 2 >= argc || !strchr(argv[i + 2], '=')) {
                fprintf(stderr, "bpfrt prog: --map-set needs MAP KEY=VALUE [KEY=VALUE...]\n");
                return CLI_USAGE;
            }
            const char *map = argv[++i];
            while (i + 1 < argc && argv[i + 1][0] != '-' && strchr(argv[i + 1], '=')) {
                if (a->nr_sets == MAX_SETS) {
                    fprintf(stderr, "bpfrt prog: at most %d --map-set elements\n", MAX_SETS);
                    return CLI_USAGE;
                }
                a->sets[a->nr_sets].map = map;
                a->sets[a->nr_sets++].kv = argv[++i];
            }
            continue;
        } else if (strcmp(s, "--rodata") == 0 || strcmp(s, "--global") == 0) {
            if (i + 1 >= argc || !strchr(argv[i + 1], '=') || a->nr_rodata == MAX_SETS) {
                fprintf(stderr, "bpfrt prog: %s needs VAR=VALUE\n", s);
                return CLI_USAGE;
            }
            a->rodata[a->nr_rodata++] = argv[++i];
            continue;
        } else if (s[0] == '-') {
            fprintf(stderr, "bpfrt prog: unknown option '%s'\n", s);
            prog_usage(stderr);
            return CLI_USAGE;
        } else if (!a->o.path) {
            a->o.path = s;
            continue;
        } else {
            fprintf(stderr, "bpfrt prog: more than one object given\n");
            return CLI_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bpfrt prog: %s needs a value\n", s);
            return CLI_USAGE;
        }
        *dst = argv[++i];
    }
    if (!a->o.path) {
        prog_usage(stderr);
        return CLI_USAGE;
    }
    if ((a->data_hex && a->data_file) || (a->ctx_file && a->ctx_args) || (a->section && a->prog)) {
        fprintf(stderr, "bpfrt prog: --data/--data-file, --ctx-file/--ctx-args and --section/--prog are exclusive\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static bool apply_rodata(struct bpfrt_object *obj, const char *assign)
{
    char var[128];
    const char *eq = strchr(assign, '=');
    snprintf(var, sizeof(var), "%.*s", (int)(eq - assign), assign);
    struct bpfrt_object_map *m;
    uint32_t off, size;
    if (bpfrt_object_find_global(obj, var, &m, &off, &size)) {
        fprintf(stderr, "bpfrt prog: no global variable '%s' in the object\n", var);
        return false;
    }
    uint8_t *buf = calloc(1, size ? size : 1);
    char err[200];
    bool ok = buf && cli_parse_bytes(eq + 1, buf, size, err, sizeof(err));
    if (!ok)
        fprintf(stderr, "bpfrt prog: --rodata %s: %s\n", var, buf ? err : "out of memory");
    else if (bpfrt_object_set_global(obj, var, buf, size)) {
        fprintf(stderr, "bpfrt prog: cannot set %s\n", var);
        ok = false;
    }
    free(buf);
    return ok;
}

static bool apply_map_set(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct map_set *s)
{
    struct bpfrt_object_map *m = bpfrt_object_find_map(obj, s->map);
    if (!m) {
        fprintf(stderr, "bpfrt prog: --map-set: no map '%s'\n", s->map);
        return false;
    }
    struct bpfrt_map *km = bpfrt_map_from_handle(rt, bpfrt_object_map_handle(m));
    if (!km)
        return false;
    const char *eq = strchr(s->kv, '=');
    char keytext[256];
    snprintf(keytext, sizeof(keytext), "%.*s", (int)(eq - s->kv), s->kv);
    uint32_t ks = bpfrt_object_map_key_size(m), vs = bpfrt_object_map_value_size(m);
    uint32_t uvs = bpfrt_map_user_value_size(km);
    uint8_t *key = calloc(1, ks ? ks : 1), *val = calloc(1, uvs > vs ? uvs : (vs ? vs : 1));
    char err[200];
    bool ok = key && val;
    if (ok && ks && !cli_parse_bytes(keytext, key, ks, err, sizeof(err))) {
        fprintf(stderr, "bpfrt prog: --map-set %s: key %s\n", s->map, err);
        ok = false;
    }
    if (ok && !cli_parse_bytes(eq + 1, val, vs, err, sizeof(err))) {
        fprintf(stderr, "bpfrt prog: --map-set %s: value %s\n", s->map, err);
        ok = false;
    }
    if (ok && uvs > vs) { /* per-CPU: the same value on every CPU */
        uint32_t stride = (vs + 7) & ~7u;
        uint8_t *one = malloc(vs);
        if (one) {
            memcpy(one, val, vs);
            memset(val, 0, uvs);
            for (uint32_t off = 0; off + vs <= uvs; off += stride)
                memcpy(val + off, one, vs);
            free(one);
        }
    }
    if (ok) {
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.map_fd = (uint32_t)bpfrt_object_map_handle(m);
        a.key = ks ? (uint64_t)(uintptr_t)key : 0;
        a.value = (uint64_t)(uintptr_t)val;
        long rc = bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
        if (rc) {
            fprintf(stderr, "bpfrt prog: --map-set %s: update failed: %s\n", s->map, bpfrt_strerror((int)rc));
            ok = false;
        }
    }
    free(key);
    free(val);
    return ok;
}

static bool read_input(const struct prog_args *a, uint8_t **data, uint32_t *len, uint8_t **ctx,
                       uint32_t *ctx_len)
{
    *data = *ctx = NULL;
    *len = *ctx_len = 0;
    if (a->data_hex && !cli_parse_hex(a->data_hex, data, len)) {
        fprintf(stderr, "bpfrt prog: --data: not hex bytes\n");
        return false;
    }
    if (a->data_file) {
        size_t n;
        char *b = cli_read_file(a->data_file, &n);
        if (!b)
            return false;
        *data = (uint8_t *)b;
        *len = (uint32_t)n;
    }
    if (a->ctx_file) {
        size_t n;
        char *b = cli_read_file(a->ctx_file, &n);
        if (!b)
            return false;
        *ctx = (uint8_t *)b;
        *ctx_len = (uint32_t)n;
    }
    if (a->ctx_args) {
        uint64_t *args = calloc(64, sizeof(uint64_t));
        uint32_t n = 0;
        const char *p = a->ctx_args;
        while (args && *p && n < 64) {
            char *end;
            args[n++] = strtoull(p, &end, 0);
            if (end == p || (*end && *end != ',')) {
                fprintf(stderr, "bpfrt prog: --ctx-args: '%s' is not a list of integers\n", a->ctx_args);
                free(args);
                return false;
            }
            p = *end ? end + 1 : end;
        }
        *ctx = (uint8_t *)args;
        *ctx_len = n * 8;
    }
    return true;
}

/* --trusted: the loads went to the JIT (the runtime's default); each
 * program now opts in to trusted mode, which is asked for per program. */
static bool apply_trusted(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct prog_args *a)
{
    if (a->engine != BPFRT_ENGINE_JIT_TRUSTED)
        return true;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *op = bpfrt_object_prog_at(obj, i);
        int h = bpfrt_object_prog_handle(op);
        struct bpfrt_prog *p = h >= 0 ? bpfrt_prog_from_handle(rt, h) : NULL;
        if (!p)
            continue;
        char msg[256] = "";
        if (bpfrt_prog_use_jit(p, BPFRT_ENGINE_JIT_TRUSTED, NULL, msg, sizeof(msg))) {
            fprintf(stderr, "bpfrt prog: %s: %s\n", bpfrt_object_prog_name(op), msg);
            return false;
        }
        if (msg[0])
            fprintf(stderr, "%s: %s\n", bpfrt_object_prog_name(op), msg);
    }
    return true;
}

static void print_load_failure(struct bpfrt_object *obj, const char *err)
{
    fprintf(stderr, "bpfrt prog: %s\n", err);
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        const char *log = bpfrt_object_prog_log(bpfrt_object_prog_at(obj, i));
        if (*log)
            fprintf(stderr, "verifier log of %s:\n%s", bpfrt_object_prog_name(bpfrt_object_prog_at(obj, i)), log);
    }
}

static int prog_run(struct bpfrt_runtime *rt, struct prog_args *a)
{
    struct bpfrt_object *obj;
    void *btf_buf;
    if (!cli_obj_open(rt, &a->o, &obj, &btf_buf, "prog"))
        return CLI_ERROR;
    int status = CLI_ERROR;
    uint8_t *data = NULL, *ctx = NULL, *out = NULL, *ctx_out = NULL;
    uint32_t len = 0, ctx_len = 0;
    struct bpfrt_object_prog *p = a->prog ? bpfrt_object_find_prog(obj, a->prog)
                                  : a->section ? bpfrt_object_find_prog_by_section(obj, a->section)
                                               : bpfrt_object_prog_at(obj, 0);
    if (!p) {
        fprintf(stderr, "bpfrt prog: %s: no program %s%s\n", a->o.path,
                a->prog ? "named " : a->section ? "in section " : "",
                a->prog ? a->prog : a->section ? a->section : "");
        goto out;
    }
    bpfrt_object_prog_set_autoload(p, true); /* even a SEC("?...") program */
    for (int i = 0; i < a->nr_rodata; i++)
        if (!apply_rodata(obj, a->rodata[i]))
            goto out;
    char err[512];
    if (bpfrt_object_load(obj, err, sizeof(err))) {
        /* another program of the object may be what failed (e.g. CO-RE
         * relocations its target lacks): try the selected one alone */
        char err2[512];
        for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++)
            bpfrt_object_prog_set_autoload(bpfrt_object_prog_at(obj, i), false);
        bpfrt_object_prog_set_autoload(p, true);
        if (bpfrt_object_prog_count(obj) < 2 || bpfrt_object_load(obj, err2, sizeof(err2))) {
            print_load_failure(obj, err);
            goto out;
        }
        fprintf(stderr, "note: %s; loaded %s alone\n", err, bpfrt_object_prog_name(p));
    }
    if (*bpfrt_object_notes(obj))
        fprintf(stderr, "note: %s", bpfrt_object_notes(obj));
    if (!apply_trusted(rt, obj, a))
        goto out;
    cli_open_perf_buffers(rt, obj);
    for (int i = 0; i < a->nr_sets; i++)
        if (!apply_map_set(rt, obj, &a->sets[i]))
            goto out;
    if (!read_input(a, &data, &len, &ctx, &ctx_len))
        goto out;
    uint32_t out_cap = len + 4096;
    out = data ? malloc(out_cap) : NULL;
    ctx_out = ctx && bpfrt_object_prog_type(p) != BPF_PROG_TYPE_RAW_TRACEPOINT ? calloc(1, ctx_len) : NULL;
    struct bpfrt_test_run_opts o = {
        .data_in = data, .data_size_in = len, .data_out = out, .data_size_out = out ? out_cap : 0,
        .ctx_in = ctx, .ctx_size_in = ctx_len, .ctx_out = ctx_out, .ctx_size_out = ctx_out ? ctx_len : 0,
        .repeat = a->repeat,
    };
    struct bpfrt_test_run_result r;
    memset(&r, 0, sizeof(r));
    struct bpfrt_prog *kp = bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p));
    int rc = kp ? bpfrt_prog_test_run(rt, kp, &o, &r) : -BPFRT_EBADF;
    if (rc) {
        fprintf(stderr, "bpfrt prog: test run of %s failed: %s%s%s\n", bpfrt_object_prog_name(p),
                bpfrt_strerror(rc), r.error_msg[0] ? ": " : "", r.error_msg);
        goto out;
    }
    bool avg = a->repeat > 1;
    if (a->o.json) {
        printf("{\"program\": ");
        cli_json_str(stdout, bpfrt_object_prog_name(p));
        printf(", \"section\": ");
        cli_json_str(stdout, bpfrt_object_prog_section(p));
        printf(", \"retval\": %u", r.retval);
        if (r.has_duration)
            printf(", \"duration_ns\": %u, \"repeat\": %u", r.duration, a->repeat ? a->repeat : 1);
        if (r.run_error)
            printf(", \"error\": {\"insn\": %u, \"message\": ", r.error_insn), cli_json_str(stdout, r.error_msg), printf("}");
        if (out && r.finished) {
            printf(", \"data_out\": ");
            cli_json_hex(stdout, out, r.data_size_out < out_cap ? r.data_size_out : out_cap);
        }
        if (ctx_out && r.ctx_written) {
            printf(", \"ctx_out\": ");
            cli_json_hex(stdout, ctx_out, r.ctx_size_out < ctx_len ? r.ctx_size_out : ctx_len);
        }
        if (r.redirected)
            printf(", \"redirect\": {\"ifindex\": %u, \"map_id\": %u, \"key\": %u}", r.redirect_ifindex,
                   r.redirect_map_id, r.redirect_key);
        if (a->dump_maps) {
            printf(", \"maps\": ");
            cli_dump_maps(stdout, rt, obj, true);
        }
        printf("}\n");
    } else {
        if (r.has_duration)
            printf("Return value: %u, duration%s: %uns\n", r.retval, avg ? " (average)" : "", r.duration);
        else
            printf("Return value: %u\n", r.retval);
        if (r.run_error)
            printf("Run stopped at instruction %u: %s\n", r.error_insn, r.error_msg);
        if (r.redirected)
            printf("Redirect: ifindex %u%s\n", r.redirect_ifindex, r.redirect_map_id ? " (via map)" : "");
        if (out && r.finished) {
            uint32_t n = r.data_size_out < out_cap ? r.data_size_out : out_cap;
            printf("Output data (%u bytes):\n", n);
            cli_print_hex(stdout, out, n, "  ");
        }
        if (ctx_out && r.ctx_written) {
            uint32_t n = r.ctx_size_out < ctx_len ? r.ctx_size_out : ctx_len;
            printf("Output context (%u bytes):\n", n);
            cli_print_hex(stdout, ctx_out, n, "  ");
        }
        if (a->dump_maps)
            cli_dump_maps(stdout, rt, obj, false);
    }
    status = CLI_OK;
out:
    free(data);
    free(ctx);
    free(out);
    free(ctx_out);
    bpfrt_object_close(obj);
    free(btf_buf);
    return status;
}

static int prog_load(struct bpfrt_runtime *rt, struct prog_args *a)
{
    struct bpfrt_object *obj;
    void *btf_buf;
    if (!cli_obj_open(rt, &a->o, &obj, &btf_buf, "prog"))
        return CLI_ERROR;
    for (int i = 0; i < a->nr_rodata; i++)
        if (!apply_rodata(obj, a->rodata[i])) {
            bpfrt_object_close(obj);
            free(btf_buf);
            return CLI_ERROR;
        }
    char err[512];
    int status = CLI_OK;
    if (bpfrt_object_load(obj, err, sizeof(err))) {
        print_load_failure(obj, err);
        status = CLI_ERROR;
    } else if (!apply_trusted(rt, obj, a)) {
        status = CLI_ERROR;
    } else {
        for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
            struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
            uint32_t cnt;
            bpfrt_object_prog_insns(p, &cnt);
            const char *tn = bpfrt_prog_type_str(bpfrt_object_prog_type(p));
            struct bpfrt_prog *kp = bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p));
            struct bpfrt_jit_stats st;
            bool jit = kp && bpfrt_jit_get_stats(kp, &st);
            if (a->o.json) {
                printf("%s{\"name\": \"%s\", \"type\": \"%s\", \"insns\": %u, \"loaded\": true",
                       i ? "" : "[", bpfrt_object_prog_name(p), tn ? tn : "?", cnt);
                if (jit)
                    printf(", \"jited_bytes\": %u, \"jit_mode\": \"%s\"", st.image_len, st.mode);
                printf("}%s", i + 1 < bpfrt_object_prog_count(obj) ? ", " : "]\n");
            } else if (jit) {
                printf("%s: %s, %u instructions: loaded, JIT-compiled (%s mode) to %u bytes\n",
                       bpfrt_object_prog_name(p), tn ? tn : "?", cnt, st.mode, st.image_len);
            } else {
                printf("%s: %s, %u instructions: loaded\n", bpfrt_object_prog_name(p), tn ? tn : "?", cnt);
            }
        }
        const char *notes = bpfrt_object_notes(obj);
        if (*notes && !a->o.json)
            printf("note: %s", notes);
    }
    bpfrt_object_close(obj);
    free(btf_buf);
    return status;
}

/* prog dump jited: loads the object JIT-compiled, prints one program's code. */
static int prog_dump_jited(struct bpfrt_runtime *rt, struct prog_args *a)
{
    struct bpfrt_object *obj;
    void *btf_buf;
    if (!cli_obj_open(rt, &a->o, &obj, &btf_buf, "prog"))
        return CLI_ERROR;
    int status = CLI_ERROR;
    struct bpfrt_object_prog *p = a->prog ? bpfrt_object_find_prog(obj, a->prog)
                                  : a->section ? bpfrt_object_find_prog_by_section(obj, a->section)
                                               : bpfrt_object_prog_at(obj, 0);
    char err[512];
    if (!p) {
        fprintf(stderr, "bpfrt prog: %s: no such program\n", a->o.path);
    } else if (bpfrt_object_load(obj, err, sizeof(err))) {
        print_load_failure(obj, err);
    } else if (apply_trusted(rt, obj, a)) {
        struct bpfrt_prog *kp = bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p));
        if (kp) {
            printf("; %s (section %s)\n", bpfrt_object_prog_name(p), bpfrt_object_prog_section(p));
            status = cli_dump_jited(stdout, kp);
        }
    }
    bpfrt_object_close(obj);
    free(btf_buf);
    return status;
}

int cmd_prog(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        prog_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    bool run = strcmp(argv[1], "run") == 0, load = strcmp(argv[1], "load") == 0;
    bool dump = strcmp(argv[1], "dump") == 0;
    if (!run && !load && !dump) {
        fprintf(stderr, "bpfrt prog: unknown subcommand '%s' (run, load, dump jited)\n", argv[1]);
        return CLI_USAGE;
    }
    if (dump) {
        if (argc < 3 || strcmp(argv[2], "jited") != 0) {
            fprintf(stderr, "bpfrt prog: dump what? (bpfrt prog dump jited OBJ)\n");
            return CLI_USAGE;
        }
        argc--, argv++; /* "dump jited" parses like one subcommand */
    }
    struct prog_args *a = calloc(1, sizeof(*a));
    if (!a)
        return CLI_ERROR;
    int rc = parse_args(argc, argv, a);
    if (dump && !a->engine)
        a->engine = BPFRT_ENGINE_JIT;
    if (rc == CLI_OK) {
        struct bpfrt_runtime *rt;
        if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt)) {
            free(a);
            return CLI_ERROR;
        }
        /* loads go to the JIT; --trusted programs opt in after loading */
        if (a->engine)
            bpfrt_runtime_set_default_engine(rt, BPFRT_ENGINE_JIT);
        rc = run ? prog_run(rt, a) : load ? prog_load(rt, a) : prog_dump_jited(rt, a);
        bpfrt_runtime_destroy(rt);
    }
    free(a);
    return rc;
}
