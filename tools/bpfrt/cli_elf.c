/* Helpers shared by the ELF-object commands: common options, key/value
 * parsing, hex and JSON output, and map dumps with BTF-typed values. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/btf.h"
#include "bpfrt/helpers.h"
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"
#include "cli.h"
#include "cli_elf.h"

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) == 0 && a[n] == '=')
        return a + n + 1;
    if (strcmp(a, name) == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static bool is_opt(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

int cli_obj_parse_common(int argc, char **argv, int *i, struct cli_obj_opts *o, const char *cmd)
{
    const char *a = argv[*i];
    if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
        o->json = true;
        return 1;
    }
    if (is_opt(a, "--type")) {
        const char *v = opt_value(argc, argv, i, "--type");
        int t = v ? bpfrt_prog_type_parse(v) : -1;
        if (t <= 0) {
            fprintf(stderr, "bpfrt %s: --type needs a program type (xdp, sched_cls, socket_filter, kprobe, ...)\n", cmd);
            return -1;
        }
        o->prog_type = t;
        return 1;
    }
    if (is_opt(a, "--btf")) {
        o->btf_path = opt_value(argc, argv, i, "--btf");
        if (!o->btf_path) {
            fprintf(stderr, "bpfrt %s: --btf needs a file (e.g. /sys/kernel/btf/vmlinux) or none\n", cmd);
            return -1;
        }
        return 1;
    }
    if (is_opt(a, "--fib")) {
        o->fib_path = opt_value(argc, argv, i, "--fib");
        if (!o->fib_path) {
            fprintf(stderr, "bpfrt %s: --fib needs a file of dev/route/neigh lines (docs/helpers.md)\n", cmd);
            return -1;
        }
        return 1;
    }
    if (is_opt(a, "--kconfig")) {
        o->kconfig = opt_value(argc, argv, i, "--kconfig");
        if (!o->kconfig) {
            fprintf(stderr, "bpfrt %s: --kconfig needs CONFIG_NAME=VALUE[,...]\n", cmd);
            return -1;
        }
        return 1;
    }
    if (is_opt(a, "--kernel-version")) {
        const char *v = opt_value(argc, argv, i, "--kernel-version");
        unsigned maj = 0, min = 0, pat = 0;
        int used = 0;
        bool three = v && sscanf(v, "%3u.%3u.%3u%n", &maj, &min, &pat, &used) == 3 && !v[used];
        bool two = !three && v && sscanf(v, "%3u.%3u%n", &maj, &min, &used) == 2 && !v[used];
        if ((!three && !two) || !strchr("0123456789", v[0]) || maj > 255 || min > 255 || pat > 255) {
            fprintf(stderr, "bpfrt %s: --kernel-version needs MAJOR.MINOR[.PATCH]\n", cmd);
            return -1;
        }
        o->kernel_version = maj << 16 | min << 8 | pat;
        return 1;
    }
    return 0;
}

void cli_obj_common_usage(FILE *f)
{
    fprintf(f, "  --type TYPE            program type for sections that name none (iproute2 \"ID/KEY\")\n"
               "  --btf FILE|none        target BTF for CO-RE relocations (default: the running\n"
               "                         kernel's /sys/kernel/btf/vmlinux; none: compiled values)\n"
               "  --fib FILE             devices, routes and neighbours bpf_fib_lookup sees\n"
               "                         (dev/route/neigh lines, as docs/helpers.md describes)\n"
               "  --kconfig A=V[,B=W]    values of __kconfig externs (CONFIG_HZ=250)\n"
               "  --kernel-version X.Y.Z LINUX_KERNEL_VERSION (default 6.18.0)\n"
               "  -j, --json             JSON output\n");
}

bool cli_obj_open(struct bpfrt_runtime *rt, const struct cli_obj_opts *o, struct bpfrt_object **obj,
                  void **btf_buf, const char *cmd)
{
    struct bpfrt_object_opts opts = {.default_prog_type = (uint32_t)(o->prog_type > 0 ? o->prog_type : 0),
                                     .kernel_version = o->kernel_version};
    char *kconfig = NULL;
    *btf_buf = NULL;
    if (o->kconfig) {
        kconfig = strdup(o->kconfig);
        for (char *c = kconfig; c && *c; c++)
            if (*c == ',')
                *c = '\n';
        opts.kconfig = kconfig;
    }
    if (o->btf_path && strcmp(o->btf_path, "none") == 0) {
        opts.target_btf_path = ""; /* CO-RE keeps the compiled values */
    } else if (o->btf_path) {
        size_t n;
        char *b = cli_read_file(o->btf_path, &n);
        if (!b) {
            free(kconfig);
            return false;
        }
        *btf_buf = b;
        opts.target_btf = b;
        opts.target_btf_size = n;
        /* the kernel objects helpers hand out (bpf_get_current_task's
         * task_struct) are laid out by the same BTF CO-RE used */
        struct bpfrt_btf *kb = NULL;
        if (bpfrt_btf_new(rt, b, (uint32_t)n, NULL, 0, &kb) == 0) {
            bpfrt_runtime_set_kernel_btf(rt, kb);
            bpfrt_btf_put(kb);
        }
    }
    char err[512] = "";
    if (o->fib_path) {
        size_t n;
        char *text = cli_read_file(o->fib_path, &n);
        int frc = text ? bpfrt_fib_load_text(rt, text, n, err, sizeof(err)) : -1;
        free(text);
        if (frc) {
            if (text)
                fprintf(stderr, "bpfrt %s: %s: %s\n", cmd, o->fib_path, err);
            free(kconfig);
            free(*btf_buf);
            *btf_buf = NULL;
            return false;
        }
    }
    int rc = bpfrt_object_open_file(rt, o->path, &opts, obj, err, sizeof(err));
    free(kconfig);
    if (rc) {
        fprintf(stderr, "bpfrt %s: %s: %s\n", cmd, o->path, err[0] ? err : bpfrt_strerror(rc));
        free(*btf_buf);
        *btf_buf = NULL;
        return false;
    }
    return true;
}

/* ---- parsing ---- */

static bool put_le(uint8_t *out, uint32_t width, unsigned long long v)
{
    if (width < 8 && v >> (8 * width))
        return false;
    for (uint32_t i = 0; i < width; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return true;
}

bool cli_parse_bytes(const char *text, uint8_t *out, uint32_t size, char *err, size_t err_size)
{
    memset(out, 0, size);
    if (strncmp(text, "hex:", 4) == 0) {
        uint8_t *b;
        uint32_t n;
        if (!cli_parse_hex(text + 4, &b, &n)) {
            snprintf(err, err_size, "'%s': bad hex", text);
            return false;
        }
        bool ok = n == size;
        if (ok)
            memcpy(out, b, n);
        else
            snprintf(err, err_size, "'%s' is %u bytes, expected %u", text, n, size);
        free(b);
        return ok;
    }
    if (!strchr(text, ':')) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 0);
        if (text[0] == '-') {
            long long s = strtoll(text, &end, 0);
            v = (unsigned long long)s;
            if (size < 8)
                v &= (1ull << (8 * size)) - 1;
        }
        if (*end || errno || end == text || size > 8 || !put_le(out, size, v)) {
            snprintf(err, err_size, "'%s' is not an integer that fits in %u bytes (use hex:... or typed fields)", text, size);
            return false;
        }
        return true;
    }
    /* typed fields */
    char *copy = strdup(text), *save = NULL;
    uint32_t pos = 0;
    bool ok = copy != NULL;
    for (char *f = copy ? strtok_r(copy, ",", &save) : NULL; f && ok; f = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(f, ':');
        if (!colon) {
            snprintf(err, err_size, "field '%s' needs TYPE:VALUE", f);
            ok = false;
            break;
        }
        *colon = '\0';
        const char *ty = f, *val = colon + 1;
        uint8_t tmp[16];
        uint32_t w = 0;
        if (strcmp(ty, "ip") == 0) {
            struct in_addr a;
            if (inet_pton(AF_INET, val, &a) != 1) {
                snprintf(err, err_size, "'%s' is not an IPv4 address", val);
                ok = false;
                break;
            }
            memcpy(tmp, &a, 4);
            w = 4;
        } else if (strcmp(ty, "ip6") == 0) {
            if (inet_pton(AF_INET6, val, tmp) != 1) {
                snprintf(err, err_size, "'%s' is not an IPv6 address", val);
                ok = false;
                break;
            }
            w = 16;
        } else {
            bool be = ty[0] == 'b' && ty[1] == 'e';
            unsigned bits = (unsigned)atoi(ty + (be ? 2 : 1));
            if ((!be && ty[0] != 'u' && ty[0] != 's') || (bits != 8 && bits != 16 && bits != 32 && bits != 64)) {
                snprintf(err, err_size, "unknown field type '%s' (u8 u16 u32 u64 s8.. be16 be32 be64 ip ip6)", ty);
                ok = false;
                break;
            }
            w = bits / 8;
            char *end;
            unsigned long long v = ty[0] == 's' ? (unsigned long long)strtoll(val, &end, 0) : strtoull(val, &end, 0);
            if (ty[0] == 's' && w < 8)
                v &= (1ull << (8 * w)) - 1;
            if (*end || end == val || !put_le(tmp, w, v)) {
                snprintf(err, err_size, "'%s' does not fit in %s", val, ty);
                ok = false;
                break;
            }
            if (be)
                for (uint32_t k = 0; k < w / 2; k++) {
                    uint8_t t = tmp[k];
                    tmp[k] = tmp[w - 1 - k];
                    tmp[w - 1 - k] = t;
                }
        }
        if (pos + w > size) {
            snprintf(err, err_size, "'%s' is longer than %u bytes", text, size);
            ok = false;
            break;
        }
        memcpy(out + pos, tmp, w);
        pos += w;
    }
    if (ok && pos != size) {
        snprintf(err, err_size, "'%s' is %u bytes, expected %u", text, pos, size);
        ok = false;
    }
    free(copy);
    return ok;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool cli_parse_hex(const char *text, uint8_t **out, uint32_t *len)
{
    size_t n = strlen(text);
    uint8_t *b = malloc(n / 2 + 1);
    uint32_t cnt = 0;
    if (!b)
        return false;
    for (size_t i = 0; i < n;) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == ':' || c == ',') {
            i++;
            continue;
        }
        if (c == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            i += 2;
            continue;
        }
        int hi = hexval(c), lo = i + 1 < n ? hexval(text[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            free(b);
            return false;
        }
        b[cnt++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    *out = b;
    *len = cnt;
    return true;
}

void cli_print_hex(FILE *f, const uint8_t *p, size_t n, const char *indent)
{
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            fprintf(f, "%s%s%04zx: ", i ? "\n" : "", indent, i);
        fprintf(f, "%02x%s", p[i], i % 16 == 15 || i + 1 == n ? "" : " ");
    }
    if (n)
        fputc('\n', f);
}

void cli_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void cli_json_hex(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%02x", i ? " " : "", p[i]);
    fputc('"', f);
}

/* ---- map dumps ---- */

static void print_typed(FILE *f, const struct bpfrt_btf *btf, uint32_t type, const uint8_t *p,
                        size_t n, bool json)
{
    if ((!btf || !type) && (n == 1 || n == 2 || n == 4 || n == 8)) {
        uint64_t v = 0;
        memcpy(&v, p, n);
        fprintf(f, json ? "%llu" : "%llu\n", (unsigned long long)v);
        return;
    }
    if (!btf || !type) {
        if (json)
            cli_json_hex(f, p, n);
        else
            cli_print_hex(f, p, n, "");
        return;
    }
    int need = bpfrt_btf_format_value(btf, type, p, n, json, NULL, 0);
    char *buf = malloc((size_t)need + 1);
    if (!buf)
        return;
    bpfrt_btf_format_value(btf, type, p, n, json, buf, (size_t)need + 1);
    fputs(buf, f);
    if (!json)
        fputc('\n', f);
    free(buf);
}

struct rec_print {
    FILE *f;
    bool json;
    int n;
};

static int print_record(void *arg, const void *data, size_t size)
{
    struct rec_print *r = arg;
    if (r->json) {
        fprintf(r->f, "%s", r->n ? ", " : "");
        cli_json_hex(r->f, data, size);
    } else {
        fprintf(r->f, "  record %d (%zu bytes):\n", r->n, size);
        cli_print_hex(r->f, data, size, "    ");
    }
    r->n++;
    return 0;
}

static bool is_percpu(uint32_t t)
{
    return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
           t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static void dump_one(FILE *f, struct bpfrt_runtime *rt, struct bpfrt_object *obj,
                     struct bpfrt_object_map *m, bool json)
{
    const struct bpfrt_btf *btf = bpfrt_object_btf(obj);
    int h = bpfrt_object_map_handle(m);
    uint32_t type = bpfrt_object_map_type(m);
    const char *tname = bpfrt_map_type_str(type) ? bpfrt_map_type_str(type) : "?";
    if (json) {
        fprintf(f, "{\"name\": ");
        cli_json_str(f, bpfrt_object_map_name(m));
        fprintf(f, ", \"type\": \"%s\", ", tname);
    } else {
        fprintf(f, "map %s (%s):\n", bpfrt_object_map_name(m), tname);
    }
    struct bpfrt_map *km = h >= 0 ? bpfrt_map_from_handle(rt, h) : NULL;
    if (!km) {
        fprintf(f, json ? "\"entries\": []}" : "  (not loaded)\n");
        return;
    }
    if (type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
        struct rec_print r = {f, json, 0};
        if (json)
            fprintf(f, "\"records\": [");
        if (type == BPF_MAP_TYPE_RINGBUF)
            bpfrt_ringbuf_consume(km, print_record, &r);
        else
            bpfrt_perf_event_consume(km, print_record, NULL, &r);
        if (json)
            fprintf(f, "]}");
        else if (!r.n)
            fprintf(f, "  (no records)\n");
        return;
    }
    uint32_t ks = bpfrt_object_map_key_size(m), vs = bpfrt_map_user_value_size(km);
    uint8_t *key = calloc(1, ks ? ks : 1), *next = calloc(1, ks ? ks : 1), *val = calloc(1, vs ? vs : 1);
    if (json)
        fprintf(f, "\"entries\": [");
    int count = 0;
    if (type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK || type == BPF_MAP_TYPE_BLOOM_FILTER) {
        /* no keys to walk: peek shows the head */
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.map_fd = (uint32_t)h;
        a.value = (uint64_t)(uintptr_t)val;
        if (type != BPF_MAP_TYPE_BLOOM_FILTER && bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0) {
            if (json) {
                fprintf(f, "{\"head\": ");
                print_typed(f, btf, bpfrt_object_map_btf_value_type(m), val, vs, true);
                fprintf(f, "}");
            } else {
                fprintf(f, "  head: ");
                print_typed(f, btf, bpfrt_object_map_btf_value_type(m), val, vs, false);
            }
            count++;
        }
    } else {
        bool first = true;
        for (int guard = 0; key && next && val && guard < 100000; guard++) {
            union bpf_attr a;
            memset(&a, 0, sizeof(a));
            a.map_fd = (uint32_t)h;
            a.key = first ? 0 : (uint64_t)(uintptr_t)key;
            a.next_key = (uint64_t)(uintptr_t)next;
            if (bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) != 0)
                break;
            first = false;
            memcpy(key, next, ks);
            memset(&a, 0, sizeof(a));
            a.map_fd = (uint32_t)h;
            a.key = (uint64_t)(uintptr_t)key;
            a.value = (uint64_t)(uintptr_t)val;
            if (bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) != 0)
                continue;
            if (json)
                fprintf(f, "%s{\"key\": ", count ? ", " : "");
            else
                fprintf(f, "  key: ");
            print_typed(f, btf, bpfrt_object_map_btf_key_type(m), key, ks, json);
            if (json)
                fprintf(f, ", \"value\": ");
            else
                fprintf(f, is_percpu(type) ? "  value:" : "  value: ");
            if (is_percpu(type)) {
                uint32_t stride = (bpfrt_object_map_value_size(m) + 7) & ~7u;
                unsigned n = stride ? vs / stride : 0;
                if (json)
                    fprintf(f, "[");
                else
                    fputc('\n', f);
                for (unsigned c = 0; c < n; c++) {
                    if (json)
                        fprintf(f, "%s", c ? ", " : "");
                    else
                        fprintf(f, "    cpu%u: ", c);
                    print_typed(f, btf, bpfrt_object_map_btf_value_type(m), val + (size_t)c * stride,
                                bpfrt_object_map_value_size(m), json);
                }
                if (json)
                    fprintf(f, "]");
            } else if (type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
                       type == BPF_MAP_TYPE_HASH_OF_MAPS) {
                uint32_t id;
                memcpy(&id, val, 4);
                fprintf(f, json ? "{\"id\": %u}" : "id %u\n", id);
            } else {
                print_typed(f, btf, bpfrt_object_map_btf_value_type(m), val, vs, json);
            }
            if (json)
                fprintf(f, "}");
            count++;
        }
    }
    if (json)
        fprintf(f, "]}");
    else if (!count)
        fprintf(f, "  (empty)\n");
    free(key);
    free(next);
    free(val);
}

void cli_dump_maps(FILE *f, struct bpfrt_runtime *rt, struct bpfrt_object *obj, bool json)
{
    if (json)
        fprintf(f, "[");
    for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++) {
        if (json && i)
            fprintf(f, ", ");
        dump_one(f, rt, obj, bpfrt_object_map_at(obj, i), json);
    }
    if (json)
        fprintf(f, "]");
}

void cli_open_perf_buffers(struct bpfrt_runtime *rt, struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++) {
        struct bpfrt_object_map *m = bpfrt_object_map_at(obj, i);
        if (bpfrt_object_map_type(m) != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
            continue;
        struct bpfrt_map *km = bpfrt_map_from_handle(rt, bpfrt_object_map_handle(m));
        for (uint32_t s = 0; km && s < km->max_entries; s++)
            bpfrt_perf_event_open_buffer(km, s, 1u << 16);
    }
}
