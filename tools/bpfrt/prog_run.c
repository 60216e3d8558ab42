/* `bpfrt prog run`: the test runs of one loaded program, as `bpftool prog
 * run` does them (BPF_PROG_TEST_RUN through bpfrt_prog_test_run): once per
 * input - packets from --data/--data-file, contexts from --ctx-file or raw
 * tracepoint arguments from --ctx-args - with the maps kept from run to
 * run; each result printed as bpftool prints it ("Return value: 2,
 * duration: 310ns", JSON "retval"/"duration"); --trace prints the first
 * run instruction by instruction and --budget bounds it. An input the test
 * run refuses is explained (no packet, one shorter than an Ethernet header,
 * a context larger than the type's, too many raw tracepoint arguments), and
 * a run that stops says where and why without errno text. */
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/hooks.h"
#include "bpfrt/prog.h"
#include "cli.h"
#include "cli_prog.h"

#define ETH_HLEN 14
#define MAX_CTX_ARGS 64

struct input_buf {
    uint8_t *p;
    uint32_t len;
};

static bool read_data(const struct prog_input *in, struct input_buf *out)
{
    size_t n;
    if (in->from_file) {
        char *b = cli_read_file(in->text, &n);
        out->p = (uint8_t *)b;
        out->len = (uint32_t)n;
        return b != NULL;
    }
    if (!cli_parse_hex(in->text, &out->p, &out->len)) {
        fprintf(stderr, "bpfrt prog: --data: '%s' is not hex bytes (\"02 00 00 ...\" or \"020000...\")\n", in->text);
        return false;
    }
    return true;
}

/* --ctx-file F (raw bytes) or --ctx-args A,B,... (u64 each). */
static bool read_ctx(const struct prog_input *in, struct input_buf *out)
{
    if (in->from_file)
        return read_data(in, out);
    uint64_t *args = calloc(MAX_CTX_ARGS, sizeof(uint64_t));
    uint32_t n = 0;
    const char *p = in->text;
    while (args && *p) {
        char item[32];
        size_t len = strcspn(p, ",");
        snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) - 1 ? len : sizeof(item) - 1), p);
        if (n == MAX_CTX_ARGS || len >= sizeof(item) || !cli_parse_u64(item, UINT64_MAX, &args[n])) {
            fprintf(stderr, "bpfrt prog: --ctx-args: '%s' is not a list of at most %d unsigned integers\n",
                    in->text, MAX_CTX_ARGS);
            free(args);
            return false;
        }
        n++;
        p += len + (p[len] == ',');
    }
    out->p = (uint8_t *)args;
    out->len = n * 8;
    return args != NULL;
}

static bool is_packet_type(const struct bpfrt_ctx_desc *d)
{
    for (uint32_t i = 0; d && i < d->nr_fields; i++)
        if (d->fields[i].kind == BPFRT_CTX_PTR_TO_PACKET)
            return true;
    return false;
}

/* Why the test run refused its input, in words. */
static void explain_refusal(const struct bpfrt_object_prog *p, const struct input_buf *d,
                            const struct input_buf *c, bool ctx_args, int rc, char *buf, size_t size)
{
    uint32_t type = bpfrt_object_prog_type(p);
    const struct bpfrt_ctx_desc *desc = bpfrt_ctx_desc_for(type, bpfrt_object_prog_attach_type(p));
    const char *tn = bpfrt_prog_type_str(type) ? bpfrt_prog_type_str(type) : "?";
    bool packet = is_packet_type(desc);
    if (rc == -BPFRT_ENOTSUPP)
        snprintf(buf, size, "%s programs have no test run", tn);
    else if (packet && !d->p)
        snprintf(buf, size, "no input packet: %s programs run on one (--data HEX or --data-file FILE)", tn);
    else if (packet && d->len < ETH_HLEN)
        snprintf(buf, size, "the input packet is %u bytes, shorter than the %d-byte Ethernet header %s test "
                 "runs need (as in Linux)", d->len, ETH_HLEN, tn);
    else if (!packet && d->p)
        snprintf(buf, size, "%s programs take no packet: give the context with --ctx-file or --ctx-args", tn);
    else if (ctx_args && desc && c->len > desc->ctx_size)
        snprintf(buf, size, "--ctx-args: %u arguments; %s programs take at most %u", c->len / 8, tn,
                 desc->ctx_size / 8);
    else if (c->p && desc && c->len > desc->ctx_size)
        snprintf(buf, size, "the context is %u bytes, larger than %s (%u bytes)", c->len, desc->ctx_name,
                 desc->ctx_size);
    else
        snprintf(buf, size, "the test run refused its input (%s); docs/bpf-commands.md lists what %s test "
                 "runs take", bpfrt_strerror(rc), tn);
}

struct run_out {
    struct bpfrt_test_run_result r;
    uint8_t *out, *ctx_out;
    uint32_t out_cap, ctx_cap;
};

static void print_text(const struct run_out *o, uint32_t repeat)
{
    const struct bpfrt_test_run_result *r = &o->r;
    if (r->has_duration)
        printf("Return value: %u, duration%s: %uns\n", r->retval, repeat > 1 ? " (average)" : "", r->duration);
    else
        printf("Return value: %u\n", r->retval);
    if (r->redirected)
        printf("Redirect: ifindex %u%s\n", r->redirect_ifindex, r->redirect_map_id ? " (via map)" : "");
    if (o->out && r->finished) {
        uint32_t n = r->data_size_out < o->out_cap ? r->data_size_out : o->out_cap;
        printf("Output data (%u bytes):\n", n);
        cli_print_hex(stdout, o->out, n, "  ");
    }
    if (o->ctx_out && r->ctx_written) {
        uint32_t n = r->ctx_size_out < o->ctx_cap ? r->ctx_size_out : o->ctx_cap;
        printf("Output context (%u bytes):\n", n);
        cli_print_hex(stdout, o->ctx_out, n, "  ");
    }
}

/* The fields of one result, as bpftool names them ("retval", "duration"). */
static void print_json(const struct run_out *o, uint32_t repeat)
{
    const struct bpfrt_test_run_result *r = &o->r;
    printf("\"retval\": %u", r->retval);
    if (r->has_duration)
        printf(", \"duration\": %u, \"repeat\": %u", r->duration, repeat ? repeat : 1);
    if (o->out && r->finished) {
        printf(", \"data_out\": ");
        cli_json_hex(stdout, o->out, r->data_size_out < o->out_cap ? r->data_size_out : o->out_cap);
    }
    if (o->ctx_out && r->ctx_written) {
        printf(", \"ctx_out\": ");
        cli_json_hex(stdout, o->ctx_out, r->ctx_size_out < o->ctx_cap ? r->ctx_size_out : o->ctx_cap);
    }
    if (r->redirected)
        printf(", \"redirect\": {\"ifindex\": %u, \"map_id\": %u, \"key\": %u}", r->redirect_ifindex,
               r->redirect_map_id, r->redirect_key);
}

/* One test run; prints nothing, fills *o. Returns 0 or the failure. */
static int run_once(struct bpfrt_runtime *rt, struct bpfrt_prog *kp, const struct bpfrt_object_prog *p,
                    const struct input_buf *d, const struct input_buf *c, const struct prog_args *a, bool trace,
                    struct run_out *o)
{
    memset(o, 0, sizeof(*o));
    o->out_cap = d->len + 4096;
    o->out = d->p ? malloc(o->out_cap) : NULL;
    bool raw_tp = bpfrt_object_prog_type(p) == BPF_PROG_TYPE_RAW_TRACEPOINT;
    o->ctx_cap = c->p && !raw_tp ? c->len : 0;
    o->ctx_out = o->ctx_cap ? calloc(1, o->ctx_cap) : NULL;
    struct bpfrt_test_run_opts opts = {
        .data_in = d->p, .data_size_in = d->len, .data_out = o->out, .data_size_out = o->out ? o->out_cap : 0,
        .ctx_in = c->p, .ctx_size_in = c->len, .ctx_out = o->ctx_out, .ctx_size_out = o->ctx_cap,
        .repeat = a->repeat,
        .insn_budget = !a->budget_set ? 0 : a->budget ? a->budget : UINT64_MAX,
        .trace = trace ? cli_trace_insn : NULL,
        .trace_arg = a->o.json ? stderr : stdout,
    };
    return kp ? bpfrt_prog_test_run(rt, kp, &opts, &o->r) : -BPFRT_EBADF;
}

static void free_out(struct run_out *o)
{
    free(o->out);
    free(o->ctx_out);
}

/* Runs input i of n; prints its result (or why it failed). */
static bool run_input(struct bpfrt_runtime *rt, struct bpfrt_prog *kp, const struct bpfrt_object_prog *p,
                      const struct prog_args *a, int i, int n)
{
    const struct prog_input *din = a->nr_data ? &a->data[a->nr_data == 1 ? 0 : i] : NULL;
    const struct prog_input *cin = a->nr_ctx ? &a->ctx[a->nr_ctx == 1 ? 0 : i] : NULL;
    struct input_buf d = {0}, c = {0};
    bool ok = (!din || read_data(din, &d)) && (!cin || read_ctx(cin, &c));
    if (!ok) {
        free(d.p);
        free(c.p);
        return false;
    }
    if (n > 1 && !a->o.json)
        printf("%sRun %d of %d (%s%s%s):\n", i ? "\n" : "", i + 1, n, din ? din->text : "",
               din && cin ? ", " : "", cin ? cin->text : "");
    struct run_out o;
    char why[400] = "";
    int rc = run_once(rt, kp, p, &d, &c, a, a->trace && i == 0, &o);
    if (rc && o.r.run_error)
        snprintf(why, sizeof(why), "run stopped: %s", o.r.error_msg);
    else if (rc)
        explain_refusal(p, &d, &c, cin && !cin->from_file, rc, why, sizeof(why));
    if (a->o.json) {
        printf("%s", n > 1 ? (i ? ", {" : "{") : "");
        if (n > 1) {
            printf("\"input\": ");
            cli_json_str(stdout, din ? din->text : cin->text);
            printf(", ");
        }
        if (rc) {
            printf("\"error\": ");
            cli_json_str(stdout, why);
        } else {
            print_json(&o, a->repeat);
        }
        printf("%s", n > 1 ? "}" : "");
    } else if (!rc) {
        print_text(&o, a->repeat);
    }
    if (rc) {
        fprintf(stderr, "bpfrt prog: %s: %s\n", bpfrt_object_prog_name(p), why);
        ok = false;
    }
    free_out(&o);
    free(d.p);
    free(c.p);
    return ok;
}

int prog_run_inputs(struct bpfrt_runtime *rt, struct bpfrt_object *obj, struct bpfrt_object_prog *p,
                    const struct prog_args *a)
{
    struct bpfrt_prog *kp = bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p));
    int n = a->nr_data > a->nr_ctx ? a->nr_data : a->nr_ctx;
    if (n == 0)
        n = 1;
    if (a->o.json) {
        printf("{\"program\": ");
        cli_json_str(stdout, bpfrt_object_prog_name(p));
        printf(", \"section\": ");
        cli_json_str(stdout, bpfrt_object_prog_section(p));
        printf(n > 1 ? ", \"runs\": [" : ", ");
    }
    bool ok = true;
    for (int i = 0; ok && i < n; i++)
        ok = run_input(rt, kp, p, a, i, n);
    if (a->o.json) {
        if (n > 1)
            printf("]");
        if (ok && a->dump_maps) {
            printf(", \"maps\": ");
            cli_dump_maps(stdout, rt, obj, true);
        }
        printf("}\n");
    } else if (ok && a->dump_maps) {
        cli_dump_maps(stdout, rt, obj, false);
    }
    fflush(stdout);
    return ok ? CLI_OK : CLI_ERROR;
}
