/* docs/helpers.md carries the helper table rendered from the built-in
 * table; this test renders it again and fails when the document has
 * drifted. Run with BPFRT_REGEN_DOCS=1 to rewrite the section between the
 * markers instead. */
#include "test.h"

#include <stdarg.h>
#include "test_file.h"

#include "bpfrt/helpers.h"
#include "bpfrt/prog.h"
#include "bpfrt/prog_type.h"

#define BEGIN_MARK "<!-- helper-table-begin -->\n"
#define END_MARK "<!-- helper-table-end -->"

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
        len += (size_t)snprintf(out + len, size - len, "%s%s", first ? "" : ", ", bpfrt_prog_type_str((uint32_t)t));
        first = false;
    }
}

static const char *const cb_arg_names[__BPFRT_CB_ARG_MAX] = {
    [BPFRT_CB_SCALAR] = "u64", [BPFRT_CB_MAP] = "map", [BPFRT_CB_MAP_KEY] = "key",
    [BPFRT_CB_MAP_VALUE] = "value", [BPFRT_CB_CTX] = "ctx", [BPFRT_CB_TASK] = "task",
    [BPFRT_CB_VMA] = "vma", [BPFRT_CB_DYNPTR] = "dynptr",
};

/* Appends one ", "-separated item. */
static void add_item(char *out, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    if (*len)
        *len += (size_t)snprintf(out + *len, size - *len, ", ");
    va_start(ap, fmt);
    *len += (size_t)vsnprintf(out + *len, size - *len, fmt, ap);
    va_end(ap);
}

/* The traits column: flags, per-argument traits (Linux numbers arguments
 * from 1) and the callback's shape. */
static void render_traits(char *out, size_t size, const struct bpfrt_helper_proto *p)
{
    static const struct { uint32_t flag; const char *name; } flags[] = {
        { BPFRT_HELPER_PKT_ACCESS, "pkt_access" }, { BPFRT_HELPER_CHANGES_PKT, "changes_pkt" },
        { BPFRT_HELPER_ACQUIRE, "acquire" }, { BPFRT_HELPER_SLEEPABLE, "sleepable" },
        { BPFRT_HELPER_NORETURN, "noreturn" },
    };
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (p->flags & flags[i].flag)
            add_item(out, size, &len, "%s", flags[i].name);
    for (int a = 0; a < 5; a++) {
        if (p->arg_flags[a] & BPFRT_ARG_RELEASE)
            add_item(out, size, &len, "releases arg%d", a + 1);
        if (p->arg_size[a])
            add_item(out, size, &len, "arg%d: %u bytes%s", a + 1, p->arg_size[a],
                     (p->arg_flags[a] & BPFRT_ARG_ALIGNED) ? ", aligned" : "");
    }
    if (p->cb) {
        char args[64] = "";
        size_t al = 0;
        for (int a = 0; a < 5 && p->cb->args[a] != BPFRT_CB_NOT_INIT; a++)
            add_item(args, sizeof(args), &al, "%s", cb_arg_names[p->cb->args[a]]);
        add_item(out, size, &len, "%scallback(%s) returns %d..%d", p->cb->async ? "async " : "", args,
                 p->cb->ret_min, p->cb->ret_max);
    }
}

static char *render_table(void)
{
    size_t n;
    const struct bpfrt_helper_proto *t = bpfrt_helper_builtin_table(&n);
    size_t cap = 256 + n * 768, len = 0;
    char *out = malloc(cap);
    len += (size_t)snprintf(out + len, cap - len,
                            "| id | helper | returns | arguments | gpl_only | program types | traits |\n"
                            "|---:|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        char args[512] = "", types[512], traits[256];
        size_t al = 0;
        for (int a = 0; a < 5 && t[i].arg_type[a] != ARG_DONTCARE; a++)
            al += (size_t)snprintf(args + al, sizeof(args) - al, "%s%s%s", a ? ", " : "",
                                   bpfrt_helper_arg_type_name(t[i].arg_type[a]),
                                   (t[i].arg_rdonly >> a & 1) ? "\\|MEM_RDONLY" : "");
        render_types(types, sizeof(types), t[i].prog_types);
        render_traits(traits, sizeof(traits), &t[i]);
        len += (size_t)snprintf(out + len, cap - len, "| %u | `%s` | %s | %s | %s | %s | %s |\n", t[i].id,
                                t[i].name, bpfrt_helper_ret_type_name(t[i].ret_type),
                                al ? args : "none", t[i].gpl_only ? "yes" : "no", types, traits);
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
