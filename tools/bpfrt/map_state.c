/* Map contents from the command line (--map-set, --rodata) and kept between
 * invocations (--state FILE). bpftool users pin maps and update, run and
 * dump them in separate commands; bpfrt has no kernel to keep maps alive
 * between processes, so `--state FILE` writes every map's elements to a
 * text file at the end of `bpfrt prog run` / `bpfrt prog load` and reads
 * them back into the freshly loaded object the next time:
 *
 *   # bpfrt map state ...
 *   map port_rules hash 4 4
 *   06001600 01000000          (key and value as hex, one element per line)
 *
 * Kept: maps whose elements are data (hash, array, LRU, LPM, per-CPU
 * variants - every CPU's value - and .data/.bss globals). Not kept: maps of
 * kernel objects (program arrays, map-in-map, perf/cgroup arrays, sockets),
 * ring buffers, queues, stacks and bloom filters, and .rodata/.kconfig,
 * which the object itself defines. A map whose definition changed since the
 * file was written is refused, naming both definitions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/map.h"
#include "cli.h"
#include "cli_prog.h"

#define STATE_HEADER "# bpfrt map state (bpfrt prog run/load --state): map NAME TYPE KEY_SIZE VALUE_SIZE, then KEY VALUE in hex"

bool prog_apply_rodata(struct bpfrt_object *obj, const char *assign)
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

static long elem_cmd(struct bpfrt_runtime *rt, int cmd, int handle, const void *key, void *value,
                     void *next)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)handle;
    a.key = (uint64_t)(uintptr_t)key;
    if (next)
        a.next_key = (uint64_t)(uintptr_t)next;
    else
        a.value = (uint64_t)(uintptr_t)value;
    return bpfrt_bpf(rt, cmd, &a, sizeof(a));
}

bool prog_apply_map_set(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct map_set *s)
{
    struct bpfrt_object_map *m = bpfrt_object_find_map(obj, s->map);
    struct bpfrt_map *km = m ? bpfrt_map_from_handle(rt, bpfrt_object_map_handle(m)) : NULL;
    if (!km) {
        fprintf(stderr, "bpfrt prog: --map-set: no map '%s'%s\n", s->map, m ? " (it was not created)" : "");
        return false;
    }
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
        for (uint32_t off = stride; off + vs <= uvs; off += stride)
            memcpy(val + off, val, vs);
    }
    if (ok) {
        long rc = elem_cmd(rt, BPF_MAP_UPDATE_ELEM, bpfrt_object_map_handle(m), ks ? key : NULL, val, NULL);
        if (rc) {
            fprintf(stderr, "bpfrt prog: --map-set %s: update failed: %s\n", s->map, bpfrt_strerror((int)rc));
            ok = false;
        }
    }
    free(key);
    free(val);
    return ok;
}

/* ---- --state FILE ---- */

static bool kept(const struct bpfrt_object_map *m)
{
    static const uint32_t not_data[] = {
        BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS,
        BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_SOCKMAP,
        BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY,
        BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_USER_RINGBUF, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
        BPF_MAP_TYPE_BLOOM_FILTER,
    };
    enum bpfrt_object_map_kind k = bpfrt_object_map_kind(m);
    if (k == BPFRT_OBJ_MAP_RODATA || k == BPFRT_OBJ_MAP_KCONFIG || bpfrt_object_map_handle(m) < 0 ||
        bpfrt_object_map_key_size(m) == 0)
        return false;
    for (size_t i = 0; i < sizeof(not_data) / sizeof(not_data[0]); i++)
        if (bpfrt_object_map_type(m) == not_data[i])
            return false;
    return true;
}

static void put_hex(FILE *f, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

static bool save_map(FILE *f, struct bpfrt_runtime *rt, struct bpfrt_object_map *m)
{
    int h = bpfrt_object_map_handle(m);
    struct bpfrt_map *km = bpfrt_map_from_handle(rt, h);
    uint32_t ks = bpfrt_object_map_key_size(m), vs = km ? bpfrt_map_user_value_size(km) : 0;
    const char *tn = bpfrt_map_type_str(bpfrt_object_map_type(m));
    fprintf(f, "map %s %s %u %u\n", bpfrt_object_map_name(m), tn ? tn : "?", ks, vs);
    uint8_t *key = calloc(1, ks), *next = calloc(1, ks), *val = calloc(1, vs ? vs : 1);
    bool ok = km && key && next && val;
    for (bool first = true; ok && elem_cmd(rt, BPF_MAP_GET_NEXT_KEY, h, first ? NULL : key, NULL, next) == 0;
         first = false) {
        memcpy(key, next, ks);
        if (elem_cmd(rt, BPF_MAP_LOOKUP_ELEM, h, key, val, NULL) != 0)
            continue; /* deleted meanwhile */
        put_hex(f, key, ks);
        fputc(' ', f);
        put_hex(f, val, vs);
        fputc('\n', f);
    }
    free(key);
    free(next);
    free(val);
    return ok;
}

bool prog_state_save(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *path)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "bpfrt prog: --state: cannot write %s: %s\n", tmp, strerror(errno));
        return false;
    }
    fprintf(f, "%s\n", STATE_HEADER);
    bool ok = true;
    for (uint32_t i = 0; ok && i < bpfrt_object_map_count(obj); i++)
        if (kept(bpfrt_object_map_at(obj, i)))
            ok = save_map(f, rt, bpfrt_object_map_at(obj, i));
    ok &= fclose(f) == 0;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "bpfrt prog: --state: cannot write %s\n", path);
        remove(tmp);
    }
    return ok;
}

struct restore {
    struct bpfrt_runtime *rt;
    const char *path;
    unsigned line;
    struct bpfrt_object_map *m; /* the map the element lines belong to */
    uint32_t ks, vs;
};

static bool state_err(const struct restore *r, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "bpfrt prog: --state %s:%u: ", r->path, r->line);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return false;
}

static bool restore_map_line(struct restore *r, struct bpfrt_object *obj, const char *line)
{
    char name[256], type[64];
    unsigned ks, vs;
    if (sscanf(line, "map %255s %63s %u %u", name, type, &ks, &vs) != 4)
        return state_err(r, "expected 'map NAME TYPE KEY_SIZE VALUE_SIZE', got '%s'%s", line, "");
    r->m = bpfrt_object_find_map(obj, name);
    if (!r->m || !kept(r->m))
        return state_err(r, "map %s is not a map of this object whose contents are kept%s", name, "");
    struct bpfrt_map *km = bpfrt_map_from_handle(r->rt, bpfrt_object_map_handle(r->m));
    const char *tn = bpfrt_map_type_str(bpfrt_object_map_type(r->m));
    r->ks = bpfrt_object_map_key_size(r->m);
    r->vs = km ? bpfrt_map_user_value_size(km) : 0;
    if (strcmp(type, tn ? tn : "?") != 0 || ks != r->ks || vs != r->vs) {
        char now[128];
        snprintf(now, sizeof(now), "%s %u %u", tn ? tn : "?", r->ks, r->vs);
        return state_err(r, "the file has '%s'; the object now defines the map as '%s'", line, now);
    }
    return true;
}

static bool restore_elem_line(struct restore *r, const char *line)
{
    if (!r->m)
        return state_err(r, "element before any 'map' line: '%s'%s", line, "");
    const char *sp = strchr(line, ' ');
    char keytext[4096];
    uint8_t *key = NULL, *val = NULL;
    uint32_t kn = 0, vn = 0;
    bool ok = sp && (size_t)(sp - line) < sizeof(keytext);
    if (ok) {
        snprintf(keytext, sizeof(keytext), "%.*s", (int)(sp - line), line);
        ok = cli_parse_hex(keytext, &key, &kn) && cli_parse_hex(sp + 1, &val, &vn) && kn == r->ks && vn == r->vs;
    }
    if (!ok)
        state_err(r, "expected KEY VALUE as hex of %s bytes, got '%s'", "the map's", line);
    long rc = ok ? elem_cmd(r->rt, BPF_MAP_UPDATE_ELEM, bpfrt_object_map_handle(r->m), key, val, NULL) : 0;
    if (rc) {
        state_err(r, "map %s: update failed: %s", bpfrt_object_map_name(r->m), bpfrt_strerror((int)rc));
        ok = false;
    }
    free(key);
    free(val);
    return ok;
}

bool prog_state_restore(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f && errno == ENOENT)
        return true; /* the first run: nothing kept yet */
    if (!f) {
        fprintf(stderr, "bpfrt prog: --state: cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    struct restore r = {.rt = rt, .path = path};
    char *line = NULL;
    size_t cap = 0;
    bool ok = true;
    while (ok && getline(&line, &cap, f) >= 0) { /* values may be megabytes of hex */
        r.line++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        ok = strncmp(line, "map ", 4) == 0 ? restore_map_line(&r, obj, line) : restore_elem_line(&r, line);
    }
    free(line);
    fclose(f);
    return ok;
}
