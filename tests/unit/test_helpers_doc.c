/* docs/helpers.md carries the helper table rendered from the built-in
 * table; this test renders it again and fails when the document has
 * drifted. Run with BPFRT_REGEN_DOCS=1 to rewrite the section between the
 * markers instead. */
#include "test.h"
#include "test_file.h"

#include "bpfrt/helpers.h"
#include "bpfrt/prog.h"

#define BEGIN_MARK "<!-- helper-table-begin -->\n"
#define END_MARK "<!-- helper-table-end -->"

static const char *const type_names[__MAX_BPF_PROG_TYPE] = {
    "unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
    "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
    "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
    "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable",
    "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm", "sk_lookup", "syscall", "netfilter",
};

static void render_types(char *out, size_t size, uint64_t mask)
{
    uint64_t all = (1ull << __MAX_BPF_PROG_TYPE) - 2; /* every type but unspec */
    mask &= all;
    size_t len = 0;
    out[0] = 0;
    if (mask == all) {
        snprintf(out, size, "all");
        return;
    }
    int set = __builtin_popcountll(mask);
    bool negate = set > __MAX_BPF_PROG_TYPE / 2;
    uint64_t list = negate ? all & ~mask : mask;
    if (negate)
        len += (size_t)snprintf(out + len, size - len, "all but ");
    bool first = true;
    for (int t = 1; t < __MAX_BPF_PROG_TYPE; t++) {
        if (!(list >> t & 1))
            continue;
        len += (size_t)snprintf(out + len, size - len, "%s%s", first ? "" : ", ", type_names[t]);
        first = false;
    }
}

static char *render_table(void)
{
    size_t n;
    const struct bpfrt_helper_proto *t = bpfrt_helper_builtin_table(&n);
    size_t cap = 256 + n * 768, len = 0;
    char *out = malloc(cap);
    len += (size_t)snprintf(out + len, cap - len,
                            "| id | helper | returns | arguments | gpl_only | program types |\n"
                            "|---:|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        char args[512] = "", types[512];
        size_t al = 0;
        for (int a = 0; a < 5 && t[i].arg_type[a] != ARG_DONTCARE; a++)
            al += (size_t)snprintf(args + al, sizeof(args) - al, "%s%s%s", a ? ", " : "",
                                   bpfrt_helper_arg_type_name(t[i].arg_type[a]),
                                   (t[i].arg_rdonly >> a & 1) ? "\\|MEM_RDONLY" : "");
        render_types(types, sizeof(types), t[i].prog_types);
        len += (size_t)snprintf(out + len, cap - len, "| %u | `%s` | %s | %s | %s | %s |\n", t[i].id,
                                t[i].name, bpfrt_helper_ret_type_name(t[i].ret_type),
                                al ? args : "none", t[i].gpl_only ? "yes" : "no", types);
    }
    return out;
}

int main(void)
{
    const char *path = "docs/helpers.md";
    char *table = render_table();
    size_t len = 0;
    char *doc = test_read_file(path, &len);
    CHECK(doc != NULL);
    if (!doc) {
        fprintf(stderr, "%s not found (run from the source tree)\n", path);
        free(table);
        return test_summary();
    }
    char *b = strstr(doc, BEGIN_MARK), *e = b ? strstr(b, END_MARK) : NULL;
    CHECK(b && e);
    if (b && e) {
        b += strlen(BEGIN_MARK);
        size_t cur = (size_t)(e - b);
        bool same = cur == strlen(table) && memcmp(b, table, cur) == 0;
        const char *regen = getenv("BPFRT_REGEN_DOCS");
        if (!same && regen && *regen == '1') {
            FILE *f = fopen(path, "wb");
            fwrite(doc, 1, (size_t)(b - doc), f);
            fputs(table, f);
            fputs(e, f);
            fclose(f);
            printf("rewrote the helper table in %s\n", path);
            same = true;
        }
        if (!same)
            fprintf(stderr, "%s: the helper table differs from the built-in table; "
                            "rerun with BPFRT_REGEN_DOCS=1\n", path);
        CHECK(same);
    }
    free(doc);
    free(table);
    return test_summary();
}
