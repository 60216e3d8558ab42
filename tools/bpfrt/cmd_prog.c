/* bpfrt prog: load the programs of an ELF object and test-run one of them,
 * the way `bpftool prog run` / `prog loadall` do on Linux but without root
 * or a kernel:
 *
 *   bpfrt prog run prog.o [--section S | --prog NAME] [--data HEX | --data-file F]...
 *                  [--ctx-file F | --ctx-args 1,2,3]... [--repeat N] [--trace] [--budget N]
 *                  [--map-set MAP KEY=VALUE]... [--rodata VAR=VALUE]... [--state FILE]
 *                  [--host-reads none|all] [--dump-maps] [-j]
 *                  [--jit | --trusted]
 *   bpfrt prog load prog.o [--map-set ...] [--rodata ...] [--state FILE] [--dump-maps] [-j]
 *                  [--jit | --trusted]
 *   bpfrt prog dump jited prog.o [--section S | --prog NAME] [--trusted]
 *   (all three: --no-verify)
 *
 * Programs are verified at load, as the kernel does; --no-verify loads them
 * unverified (BPFRT_PROG_F_NO_VERIFY: checked mode).
 *
 * Both load every program they can (bpfrt_object_load_partial): `prog load`
 * reports each program - loaded, or why not - and `prog run` runs the one
 * selected, saying why when it is that one that did not load. This file
 * holds the options, loading and the load report; prog_run.c the runs,
 * map_state.c the map contents. Tracing programs run by `prog run` may read
 * any address of this process with bpf_probe_read_*() and %s (the
 * runtime's host-read policy, opted into here); the others may read only
 * their own memory, unless --host-reads says otherwise. */
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/jit.h"
#include "bpfrt/runtime.h"
#include "cli.h"
#include "cli_prog.h"
#include "jit_dump.h"

static void prog_usage(FILE *f)
{
    fprintf(f, "usage: bpfrt prog run OBJ [options]   load OBJ and test-run one program\n"
               "       bpfrt prog load OBJ [options]  load every program it can and report each one\n"
               "       bpfrt prog dump jited OBJ [options]  print one program's x86-64 code\n\n"
               "  --section S            run the (first) program of section S\n"
               "  --prog NAME            run program NAME (default: the first program)\n"
               "  --data HEX             an input packet as hex bytes (\"02 00 00 ...\")\n"
               "  --data-file F          an input packet from a file (raw bytes)\n"
               "  --ctx-file F           a context from a file: struct xdp_md / __sk_buff, or the\n"
               "                         raw context of kprobe (pt_regs), tracepoint (record)\n"
               "  --ctx-args A,B,...     raw_tracepoint arguments (u64 each)\n"
               "                         Each --data/--data-file/--ctx-* is one input: the program\n"
               "                         runs once per input, in order, maps kept between runs\n"
               "                         (one packet or context given once goes with every run)\n"
               "  --repeat N             run each input N times, report the average duration\n"
               "  --trace                print the first run instruction by instruction\n"
               "  --budget N             instructions a run may execute (0 = unlimited)\n"
               "  --map-set MAP KEY=VAL [KEY=VAL...]\n"
               "                         set map elements before the runs; KEY and VAL are an\n"
               "                         integer, hex:BYTES, or typed fields u8:6,u16:22,ip:10.0.0.1\n"
               "                         (per-CPU maps: VAL goes to every CPU; queue/stack: =VAL)\n"
               "  --rodata VAR=VAL       set a global (const volatile knob) before load\n"
               "  --state FILE           keep map contents between invocations: read FILE after\n"
               "                         load (when it exists), write it back at the end\n"
               "  --host-reads none|all  what bpf_probe_read_*() and %%s may read: nothing but the\n"
               "                         program's own memory, or any address of this process\n"
               "                         (default: all for kprobe/tracepoint/raw_tp/perf_event/\n"
               "                         tracing programs, none for the others)\n"
               "  --dump-maps            print every map at the end (BTF-typed values)\n"
               "  --no-verify            load without the verifier (checked mode: the\n"
               "                         interpreter stops a bad access at run time)\n"
               "  --unprivileged         verify as Linux does for a loader without CAP_BPF\n"
               "                         (socket filters and cgroup skb programs only)\n"

               "  --log                  prog load: print the verifier log of each program it refuses\n"
               "  --jit                  JIT-compile the programs (x86-64): verified programs run\n"
               "                         without checks, --no-verify ones in checked mode\n"
               "  --trusted              JIT-compile them without run-time checks: only for\n"
               "                         programs you trust (implies --jit)\n");
    cli_obj_common_usage(f);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "bpfrt prog: %s%s\n", msg, arg ? arg : "");
    return CLI_USAGE;
}

static bool add_input(struct prog_input *list, int *n, const char *text, bool from_file)
{
    if (*n == PROG_MAX_ITEMS)
        return false;
    list[(*n)++] = (struct prog_input){text, from_file};
    return true;
}

/* One option that takes a value; returns 1 consumed, 0 not this kind, or
 * a negative CLI status. */
static int parse_valued(int argc, char **argv, int *i, struct prog_args *a)
{
    static const char *const names[] = {"--section", "--prog", "--data", "--data-file", "--data-in",
                                        "--ctx-file", "--ctx-in", "--ctx-args", "--repeat", "--budget",
                                        "--rodata", "--global", "--state", "--host-reads"};
    const char *s = argv[*i];
    size_t k = 0;
    while (k < sizeof(names) / sizeof(names[0]) && strcmp(s, names[k]) != 0)
        k++;
    if (k == sizeof(names) / sizeof(names[0]))
        return 0;
    if (*i + 1 >= argc)
        return -usage_error("a value is missing after ", s);
    const char *v = argv[++*i];
    uint64_t num;
    bool ok = true;
    switch (k) {
    case 0: a->section = v; break;
    case 1: a->prog = v; break;
    case 2: ok = add_input(a->data, &a->nr_data, v, false); break;
    case 3: case 4: ok = add_input(a->data, &a->nr_data, v, true); break;
    case 5: case 6: ok = add_input(a->ctx, &a->nr_ctx, v, true); break;
    case 7: ok = add_input(a->ctx, &a->nr_ctx, v, false); break;
    case 8:
        if (!cli_parse_u64(v, UINT32_MAX, &num) || num == 0)
            return -usage_error("--repeat needs a whole count from 1 to 4294967295, not ", v);
        a->repeat = (uint32_t)num;
        break;
    case 9:
        if (!cli_parse_u64(v, UINT64_MAX, &a->budget))
            return -usage_error("--budget needs a whole count of instructions (0 = unlimited), not ", v);
        a->budget_set = true;
        break;
    case 10: case 11:
        if (!strchr(v, '=') || a->nr_rodata == PROG_MAX_ITEMS)
            return -usage_error("--rodata needs VAR=VALUE, not ", v);
        a->rodata[a->nr_rodata++] = v;
        break;
    case 12: a->state = v; break;
    default:
        if (strcmp(v, "none") != 0 && strcmp(v, "all") != 0)
            return -usage_error("--host-reads takes none or all, not ", v);
        a->host_reads = v;
        break;
    }
    return ok ? 1 : -usage_error("too many inputs (at most 64 of each kind)", NULL);
}

/* --map-set MAP KEY=VALUE [KEY=VALUE ...] */
static int parse_map_set(int argc, char **argv, int *i, struct prog_args *a)
{
    if (*i + 2 >= argc || !strchr(argv[*i + 2], '='))
        return usage_error("--map-set needs MAP KEY=VALUE [KEY=VALUE...]", NULL);
    const char *map = argv[++*i];
    while (*i + 1 < argc && argv[*i + 1][0] != '-' && strchr(argv[*i + 1], '=')) {
        if (a->nr_sets == PROG_MAX_ITEMS)
            return usage_error("at most 64 --map-set elements", NULL);
        a->sets[a->nr_sets].map = map;
        a->sets[a->nr_sets++].kv = argv[++*i];
    }
    return CLI_OK;
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
        if ((c = parse_valued(argc, argv, &i, a)) != 0) {
            if (c < 0)
                return -c;
        } else if (cli_is_help(s)) {
            prog_usage(stdout);
            exit(CLI_OK);
        } else if (strcmp(s, "--dump-maps") == 0) {
            a->dump_maps = true;
        } else if (strcmp(s, "--trace") == 0) {
            a->trace = true;
        } else if (strcmp(s, "--no-verify") == 0) {
            a->no_verify = true;
        } else if (strcmp(s, "--unprivileged") == 0) {
            a->unpriv = true;
        } else if (strcmp(s, "--log") == 0) {
            a->show_log = true;
        } else if (strcmp(s, "--jit") == 0) {
            if (!a->engine)
                a->engine = BPFRT_ENGINE_JIT;
        } else if (strcmp(s, "--trusted") == 0) {
            a->engine = BPFRT_ENGINE_JIT_TRUSTED;
        } else if (strcmp(s, "--map-set") == 0) {
            if ((c = parse_map_set(argc, argv, &i, a)) != CLI_OK)
                return c;
        } else if (s[0] == '-') {
            fprintf(stderr, "bpfrt prog: unknown option '%s'\n", s);
            prog_usage(stderr);
            return CLI_USAGE;
        } else if (!a->o.path) {
            a->o.path = s;
        } else {
            return usage_error("more than one object given: ", s);
        }
    }
    if (!a->o.path) {
        prog_usage(stderr);
        return CLI_USAGE;
    }
    if (a->section && a->prog)
        return usage_error("--section and --prog are exclusive", NULL);
    if (a->trace && a->engine)
        return usage_error("--trace is an interpreter feature: not with --jit or --trusted", NULL);
    if (a->unpriv && a->no_verify)
        return usage_error("--unprivileged verifies: not with --no-verify", NULL);
    if (a->nr_data > 1 && a->nr_ctx > 1 && a->nr_data != a->nr_ctx)
        return usage_error("give as many contexts as packets, or one context for every packet", NULL);
    return CLI_OK;
}

static struct bpfrt_object_prog *select_prog(struct bpfrt_object *obj, const struct prog_args *a)
{
    struct bpfrt_object_prog *p = a->prog ? bpfrt_object_find_prog(obj, a->prog)
                                  : a->section ? bpfrt_object_find_prog_by_section(obj, a->section)
                                               : bpfrt_object_prog_at(obj, 0);
    if (p)
        return p;
    fprintf(stderr, "bpfrt prog: %s: no program %s%s; it has:", a->o.path,
            a->prog ? "named " : a->section ? "in section " : "", a->prog ? a->prog : a->section ? a->section : "");
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++)
        fprintf(stderr, "%s %s (section %s)", i ? "," : "", bpfrt_object_prog_name(bpfrt_object_prog_at(obj, i)),
                bpfrt_object_prog_section(bpfrt_object_prog_at(obj, i)));
    fprintf(stderr, "\n");
    return NULL;
}

/* Why program p did not load, with its verifier log. */
static void print_prog_failure(const struct bpfrt_object_prog *p)
{
    fprintf(stderr, "bpfrt prog: program %s (section %s) did not load: %s\n", bpfrt_object_prog_name(p),
            bpfrt_object_prog_section(p), bpfrt_object_prog_error(p));
    if (*bpfrt_object_prog_log(p))
        fprintf(stderr, "verifier log of %s:\n%s", bpfrt_object_prog_name(p), bpfrt_object_prog_log(p));
}

/* --trusted: the loads went to the JIT (the runtime's default); each
 * loaded program now opts in to trusted mode, which is asked for per
 * program. */
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

/* Map contents before the runs: the state file, then --map-set. */
static bool prepare_maps(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct prog_args *a)
{
    cli_open_perf_buffers(rt, obj);
    if (a->state && !prog_state_restore(rt, obj, a->state))
        return false;
    for (int i = 0; i < a->nr_sets; i++)
        if (!prog_apply_map_set(rt, obj, &a->sets[i]))
            return false;
    return true;
}

/* Tracing is reading the process: those program types opt into reads of
 * any address (Linux gives them to privileged tracing); the rest may read
 * only their own memory unless --host-reads says otherwise. */
static void set_host_reads(struct bpfrt_runtime *rt, const struct prog_args *a, uint32_t type)
{
    static const uint32_t tracing[] = { BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT,
                                        BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
                                        BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_TRACING };
    bool all = false;
    for (size_t i = 0; i < sizeof(tracing) / sizeof(tracing[0]); i++)
        all |= type == tracing[i];
    if (a->host_reads)
        all = strcmp(a->host_reads, "all") == 0;
    bpfrt_runtime_set_host_reads(rt, all ? BPFRT_HOST_READS_ALL : BPFRT_HOST_READS_NONE);
}

/* --no-verify / --unprivileged: every program loads with BPFRT_PROG_F_NO_VERIFY
 * or BPFRT_PROG_F_UNPRIV. */
static void apply_no_verify(struct bpfrt_object *obj, const struct prog_args *a)
{
    uint32_t flags = (a->no_verify ? BPFRT_PROG_F_NO_VERIFY : 0) | (a->unpriv ? BPFRT_PROG_F_UNPRIV : 0);
    for (uint32_t i = 0; flags && i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | flags);
    }
}

static int prog_run(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct prog_args *a)
{
    struct bpfrt_object_prog *p = select_prog(obj, a);
    if (!p)
        return CLI_ERROR;
    bpfrt_object_prog_set_autoload(p, true); /* even a SEC("?...") program */
    set_host_reads(rt, a, bpfrt_object_prog_type(p));
    apply_no_verify(obj, a);
    char err[1024];
    bpfrt_object_load_partial(obj, err, sizeof(err));
    if (bpfrt_object_prog_handle(p) < 0) {
        print_prog_failure(p);
        return CLI_ERROR;
    }
    uint32_t failed = 0;
    const struct bpfrt_object_prog *first = NULL;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        const struct bpfrt_object_prog *q = bpfrt_object_prog_at(obj, i);
        if (*bpfrt_object_prog_error(q)) {
            failed++;
            first = first ? first : q;
        }
    }
    if (failed)
        fprintf(stderr, "note: %u other program%s did not load (bpfrt prog load lists why), e.g. %s: %s\n", failed,
                failed > 1 ? "s" : "", bpfrt_object_prog_name(first), bpfrt_object_prog_error(first));
    if (*bpfrt_object_notes(obj))
        fprintf(stderr, "note: %s", bpfrt_object_notes(obj));
    if (!apply_trusted(rt, obj, a) || !prepare_maps(rt, obj, a))
        return CLI_ERROR;
    int status = prog_run_inputs(rt, obj, p, a);
    if (status == CLI_OK && a->state && !prog_state_save(rt, obj, a->state))
        status = CLI_ERROR;
    return status;
}

static void report_prog(struct bpfrt_runtime *rt, const struct bpfrt_object_prog *p, bool json, bool first,
                        bool show_log)
{
    uint32_t cnt;
    bpfrt_object_prog_insns(p, &cnt);
    const char *tn = bpfrt_object_prog_type(p) ? bpfrt_prog_type_str(bpfrt_object_prog_type(p)) : NULL;
    bool loaded = bpfrt_object_prog_handle(p) >= 0;
    const char *why = bpfrt_object_prog_error(p);
    struct bpfrt_prog *kp = loaded ? bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p)) : NULL;
    struct bpfrt_jit_stats st;
    bool jit = kp && bpfrt_jit_get_stats(kp, &st);
    if (json) {
        printf("%s{\"name\": ", first ? "" : ", ");
        cli_json_str(stdout, bpfrt_object_prog_name(p));
        printf(", \"section\": ");
        cli_json_str(stdout, bpfrt_object_prog_section(p));
        printf(", \"type\": ");
        if (tn)
            cli_json_str(stdout, tn);
        else
            printf("null");
        printf(", \"insns\": %u, \"loaded\": %s", cnt, loaded ? "true" : "false");
        if (jit)
            printf(", \"jited_bytes\": %u, \"jit_mode\": \"%s\"", st.image_len, st.mode);
        if (*why) {
            printf(", \"error\": ");
            cli_json_str(stdout, why);
        }
        printf("}");
    } else if (jit) {
        printf("%s: %s, %u instructions: loaded, JIT-compiled (%s mode) to %u bytes\n", bpfrt_object_prog_name(p),
               tn ? tn : "?", cnt, st.mode, st.image_len);
    } else if (loaded) {
        printf("%s: %s, %u instructions: loaded\n", bpfrt_object_prog_name(p), tn ? tn : "?", cnt);
    } else {
        printf("%s: %s: not loaded: %s\n", bpfrt_object_prog_name(p), tn ? tn : "type not named",
               *why ? why : "not selected for loading (SEC(\"?...\"))");
        if (show_log && *bpfrt_object_prog_log(p))
            printf("verifier log of %s:\n%s", bpfrt_object_prog_name(p), bpfrt_object_prog_log(p));
    }
}

static int prog_load(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct prog_args *a)
{
    char err[1024];
    apply_no_verify(obj, a);
    int rc = bpfrt_object_load_partial(obj, err, sizeof(err));
    if (!apply_trusted(rt, obj, a))
        return CLI_ERROR;
    bool json = a->o.json;
    if (json)
        printf("{\"programs\": [");
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++)
        report_prog(rt, bpfrt_object_prog_at(obj, i), json, i == 0, a->show_log);
    for (uint32_t i = 0; !json && i < bpfrt_object_map_count(obj); i++) {
        const struct bpfrt_object_map *m = bpfrt_object_map_at(obj, i);
        if (*bpfrt_object_map_error(m))
            printf("map %s: not created: %s\n", bpfrt_object_map_name(m), bpfrt_object_map_error(m));
    }
    if (json)
        printf("]");
    if (*bpfrt_object_notes(obj) && !json)
        printf("note: %s", bpfrt_object_notes(obj));
    bool ok = prepare_maps(rt, obj, a);
    if (ok && a->dump_maps) {
        if (json)
            printf(", \"maps\": ");
        cli_dump_maps(stdout, rt, obj, json);
    }
    if (json)
        printf("}\n");
    if (ok && a->state)
        ok = prog_state_save(rt, obj, a->state);
    return rc || !ok ? CLI_ERROR : CLI_OK;
}

/* prog dump jited: loads the object JIT-compiled, prints one program's code. */
static int prog_dump_jited(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct prog_args *a)
{
    struct bpfrt_object_prog *p = select_prog(obj, a);
    if (!p)
        return CLI_ERROR;
    bpfrt_object_prog_set_autoload(p, true);
    apply_no_verify(obj, a); /* unverified: the checked-mode image */
    char err[1024];
    bpfrt_object_load_partial(obj, err, sizeof(err));
    if (bpfrt_object_prog_handle(p) < 0) {
        print_prog_failure(p);
        return CLI_ERROR;
    }
    if (!apply_trusted(rt, obj, a))
        return CLI_ERROR;
    printf("; %s (section %s)\n", bpfrt_object_prog_name(p), bpfrt_object_prog_section(p));
    return cli_dump_jited(stdout, bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p)));
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
    struct bpfrt_runtime *rt = NULL;
    struct bpfrt_object *obj = NULL;
    void *btf_buf = NULL;
    if (rc == CLI_OK && bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        rc = CLI_ERROR;
    /* loads go to the JIT; --trusted programs opt in after loading */
    if (rc == CLI_OK && a->engine)
        bpfrt_runtime_set_default_engine(rt, BPFRT_ENGINE_JIT);
    if (rc == CLI_OK && !cli_obj_open(rt, &a->o, &obj, &btf_buf, "prog"))
        rc = CLI_ERROR;
    for (int i = 0; rc == CLI_OK && i < a->nr_rodata; i++)
        if (!prog_apply_rodata(obj, a->rodata[i]))
            rc = CLI_ERROR;
    if (rc == CLI_OK)
        rc = run ? prog_run(rt, obj, a) : load ? prog_load(rt, obj, a) : prog_dump_jited(rt, obj, a);
    bpfrt_object_close(obj);
    free(btf_buf);
    if (rt)
        bpfrt_runtime_destroy(rt);
    free(a);
    return rc;
}
