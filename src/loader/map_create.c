/* Creating an object's maps through the bpf() command layer, as libbpf's
 * bpf_object__create_maps does: inner templates first, MAP_CREATE with the
 * object's BTF (retried without it when the types are refused), maps with
 * LIBBPF_PIN_BY_NAME reused from or pinned into the pin name space, global
 * data written with MAP_UPDATE_ELEM and .rodata/.kconfig frozen. A map that
 * cannot be created says why, naming a map type this runtime does not
 * provide; in a partial load it fails only the programs that use it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"
#include "loader/loader.h"

/* libbpf passes no BTF for map types whose values are kernel objects or
 * that have no keys or values to describe. */
static bool map_takes_btf(uint32_t type)
{
    static const uint32_t no_btf[] = {
        BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_CGROUP_ARRAY,
        BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS,
        BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP,
        BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
        BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_USER_RINGBUF, BPF_MAP_TYPE_ARENA,
    };
    for (size_t i = 0; i < sizeof(no_btf) / sizeof(no_btf[0]); i++)
        if (type == no_btf[i])
            return false;
    return true;
}

static int create_one(struct bpfrt_object *obj, struct bpfrt_object_map *m, int inner_handle,
                      struct obj_err *e)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = m->type;
    a.key_size = m->key_size;
    a.value_size = m->value_size;
    a.max_entries = m->max_entries;
    a.map_flags = m->map_flags;
    a.map_extra = m->map_extra;
    a.numa_node = m->numa_node;
    a.inner_map_fd = inner_handle >= 0 ? (uint32_t)inner_handle : 0;
    memcpy(a.map_name, m->kname, strnlen(m->kname, BPF_OBJ_NAME_LEN - 1));
    if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && a.max_entries == 0) {
        const struct bpfrt_platform *pl = bpfrt_runtime_platform(obj->rt);
        a.max_entries = pl->ncpus ? pl->ncpus(pl->ctx) : 1; /* libbpf: one slot per CPU */
    }
    bool with_btf = obj->btf_handle >= 0 && m->btf_value_type_id && map_takes_btf(m->type);
    if (with_btf) {
        a.btf_fd = (uint32_t)obj->btf_handle;
        a.btf_key_type_id = m->btf_key_type_id;
        a.btf_value_type_id = m->btf_value_type_id;
    }
    long h = bpfrt_obj_sys(obj, BPF_MAP_CREATE, &a);
    if (h < 0 && with_btf) {
        a.btf_fd = a.btf_key_type_id = a.btf_value_type_id = 0;
        h = bpfrt_obj_sys(obj, BPF_MAP_CREATE, &a);
        if (h >= 0)
            bpfrt_obj_note(obj, "map %s: created without BTF (its BTF types were refused)", m->name);
    }
    const char *tn = bpfrt_map_type_str(m->type) ? bpfrt_map_type_str(m->type) : "?";
    if (h == -BPFRT_EINVAL && !obj->opts.bpf_fn && !bpfrt_map_type_supported(m->type))
        return bpfrt_obj_fail(e, (int)h, "map type %s is not provided (MAP_CREATE: %s)", tn,
                              bpfrt_strerror((int)h));
    if (h < 0)
        return bpfrt_obj_fail(e, (int)h, "MAP_CREATE (type %s, key %u, value %u, max_entries %u, flags 0x%x) failed: %s",
                              tn, m->key_size, m->value_size, m->max_entries, m->map_flags,
                              bpfrt_strerror((int)h));
    m->handle = (int)h;
    return 0;
}

int bpfrt_obj_map_update(struct bpfrt_object *obj, int handle, const void *key, const void *value)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)handle;
    a.key = bpfrt_obj_ptr(key);
    a.value = bpfrt_obj_ptr(value);
    a.flags = BPF_ANY;
    return (int)bpfrt_obj_sys(obj, BPF_MAP_UPDATE_ELEM, &a);
}

/* LIBBPF_PIN_BY_NAME: OBJ_GET (handle < 0) or OBJ_PIN of `handle` on m's
 * name in the pin name space; path receives the name for messages. */
static long pin_cmd(struct bpfrt_object *obj, const struct bpfrt_object_map *m, int handle,
                    char path[512])
{
    const char *root = obj->opts.pin_root_path ? obj->opts.pin_root_path : "/sys/fs/bpf";
    snprintf(path, 512, "%s/%s", root, m->name);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.pathname = bpfrt_obj_ptr(path);
    if (handle < 0)
        return bpfrt_obj_sys(obj, BPF_OBJ_GET, &a);
    a.bpf_fd = (uint32_t)handle;
    return bpfrt_obj_sys(obj, BPF_OBJ_PIN, &a);
}

/* Takes the map already pinned under m's name when its definition matches
 * (libbpf's reuse check), fails when it does not, and leaves m alone when
 * nothing is pinned there. */
static int reuse_pinned(struct bpfrt_object *obj, struct bpfrt_object_map *m, struct obj_err *e)
{
    char path[512];
    long h = pin_cmd(obj, m, -1, path);
    if (h == -BPFRT_ENOENT)
        return 0;
    if (h < 0)
        return bpfrt_obj_fail(e, (int)h, "cannot open the map pinned at %s: %s", path,
                              bpfrt_strerror((int)h));
    struct bpf_map_info info;
    memset(&info, 0, sizeof(info));
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)h;
    a.info.info_len = sizeof(info);
    a.info.info = bpfrt_obj_ptr(&info);
    long rc = bpfrt_obj_sys(obj, BPF_OBJ_GET_INFO_BY_FD, &a);
    uint32_t max_entries = m->max_entries;
    if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && max_entries == 0)
        max_entries = info.max_entries; /* sized by CPU count at creation */
    if (rc < 0 || info.type != m->type || info.key_size != m->key_size ||
        info.value_size != m->value_size || info.max_entries != max_entries ||
        info.map_flags != m->map_flags || info.map_extra != m->map_extra) {
        bpfrt_obj_close_handle(obj, (int)h);
        return bpfrt_obj_fail(e, -BPFRT_EINVAL,
                              "the map pinned at %s does not match its definition "
                              "(pinned: type %u, key %u, value %u, max_entries %u, flags 0x%x)",
                              path, info.type, info.key_size, info.value_size, info.max_entries,
                              info.map_flags);
    }
    m->handle = (int)h;
    m->reused = true;
    bpfrt_obj_note(obj, "map %s: reusing the map pinned at %s", m->name, path);
    return 0;
}

static int pin_map(struct bpfrt_object *obj, struct bpfrt_object_map *m, struct obj_err *e)
{
    char path[512];
    long rc = pin_cmd(obj, m, m->handle, path);
    if (rc < 0)
        return bpfrt_obj_fail(e, (int)rc, "pinning at %s failed: %s", path, bpfrt_strerror((int)rc));
    return 0;
}

static int init_data(struct bpfrt_object *obj, struct bpfrt_object_map *m, struct obj_err *e)
{
    uint32_t zero = 0;
    int rc = bpfrt_obj_map_update(obj, m->handle, &zero, m->data);
    if (rc)
        return bpfrt_obj_fail(e, rc, "writing its initial data failed: %s", bpfrt_strerror(rc));
    if (m->kind != BPFRT_OBJ_MAP_RODATA && m->kind != BPFRT_OBJ_MAP_KCONFIG)
        return 0;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)m->handle;
    rc = (int)bpfrt_obj_sys(obj, BPF_MAP_FREEZE, &a);
    return rc ? bpfrt_obj_fail(e, rc, "MAP_FREEZE failed: %s", bpfrt_strerror(rc)) : 0;
}

/* Creates (or reuses) map m and fills it; e gets the cause on failure. */
static int create_map(struct bpfrt_object *obj, struct bpfrt_object_map *m, struct obj_err *e)
{
    int inner = -1, rc;
    struct bpfrt_object_map *tmpl = m->inner ? m->inner
                                    : m->inner_legacy >= 0 ? &obj->maps[m->inner_legacy] : NULL;
    if (tmpl && tmpl->handle < 0) {
        if ((rc = create_one(obj, tmpl, -1, e)))
            return rc;
    }
    if (tmpl)
        inner = tmpl->handle;
    bool by_name = m->pinning == LIBBPF_PIN_BY_NAME_VALUE && m->kind == BPFRT_OBJ_MAP_BTF;
    if (m->handle < 0 && by_name && (rc = reuse_pinned(obj, m, e)))
        return rc;
    if (m->reused)
        return 0; /* shared state: neither initialised nor pinned again */
    if (m->handle < 0 && (rc = create_one(obj, m, inner, e)))
        return rc;
    if (by_name && (rc = pin_map(obj, m, e)))
        return rc;
    return m->data ? init_data(obj, m, e) : 0;
}

int bpfrt_obj_create_maps(struct bpfrt_object *obj, bool partial, struct obj_err *e)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++) {
        struct bpfrt_object_map *m = &obj->maps[i];
        char cause[512] = "";
        struct obj_err me = {cause, sizeof(cause)};
        int rc = create_map(obj, m, &me);
        if (!rc)
            continue;
        if (m->handle >= 0 && !m->reused) {
            bpfrt_obj_close_handle(obj, m->handle);
            m->handle = -1;
        }
        if (!partial)
            return bpfrt_obj_fail(e, rc, "map %s: %s", m->name, cause);
        free(m->error);
        m->error = bpfrt_obj_strdup(cause);
        m->error_code = rc;
    }
    return 0;
}
