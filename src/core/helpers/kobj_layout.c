/* How a target BTF lays out the kernel objects bpfrt fabricates for the
 * current task: which fields of task_struct, cred, css_set, cgroup,
 * kernfs_node, nsproxy, pid_namespace and mnt_namespace get a value, at
 * the offsets the BTF gives - the same offsets CO-RE relocations computed
 * for the program against that BTF, so BPF_CORE_READ(task, real_parent,
 * tgid) finds what it looks for. The fields are a table; a field or type
 * the BTF lacks is left out (reads of it see zeroes). */
#include "bpfrt/btf.h"
#include "core/helpers/kobj.h"

static const char *const kobj_type_names[KOBJ_NR] = {
    [KOBJ_TASK] = "task_struct", [KOBJ_PARENT] = "task_struct", [KOBJ_LEADER] = "task_struct",
    [KOBJ_CRED] = "cred",        [KOBJ_CSS_SET] = "css_set",    [KOBJ_CGROUP] = "cgroup",
    [KOBJ_KERNFS] = "kernfs_node", [KOBJ_NSPROXY] = "nsproxy",  [KOBJ_PIDNS] = "pid_namespace",
    [KOBJ_MNTNS] = "mnt_namespace",
};

struct field_spec {
    uint8_t obj, src, target;
    const char *path;            /* member names, '.' into embedded structs */
};

#define PTR(obj, path, target) { obj, KSRC_PTR, target, path }
#define VAL(obj, path, src) { obj, src, 0, path }
/* A thread, as the task itself and as its process's group leader. */
#define TASK_ROWS(obj, pid_src, comm_src) \
    VAL(obj, "pid", pid_src), VAL(obj, "tgid", KSRC_TGID), VAL(obj, "comm", comm_src), \
    PTR(obj, "real_parent", KOBJ_PARENT), PTR(obj, "parent", KOBJ_PARENT), \
    PTR(obj, "group_leader", KOBJ_LEADER), PTR(obj, "cred", KOBJ_CRED), PTR(obj, "real_cred", KOBJ_CRED), \
    PTR(obj, "cgroups", KOBJ_CSS_SET), PTR(obj, "nsproxy", KOBJ_NSPROXY), \
    VAL(obj, "start_time", KSRC_START_NS), VAL(obj, "start_boottime", KSRC_START_NS)

static const struct field_spec specs[] = {
    TASK_ROWS(KOBJ_TASK, KSRC_PID, KSRC_COMM),
    TASK_ROWS(KOBJ_LEADER, KSRC_TGID, KSRC_COMM),
    /* the parent process: what tools read of it (pid, tgid, comm); its own
     * parent and credentials are not known and stay NULL/zero */
    VAL(KOBJ_PARENT, "pid", KSRC_PPID), VAL(KOBJ_PARENT, "tgid", KSRC_PPID),
    VAL(KOBJ_PARENT, "comm", KSRC_PARENT_COMM), PTR(KOBJ_PARENT, "group_leader", KOBJ_PARENT),
    VAL(KOBJ_CRED, "uid.val", KSRC_UID), VAL(KOBJ_CRED, "gid.val", KSRC_GID),
    VAL(KOBJ_CRED, "suid.val", KSRC_SUID), VAL(KOBJ_CRED, "sgid.val", KSRC_SGID),
    VAL(KOBJ_CRED, "euid.val", KSRC_EUID), VAL(KOBJ_CRED, "egid.val", KSRC_EGID),
    VAL(KOBJ_CRED, "fsuid.val", KSRC_FSUID), VAL(KOBJ_CRED, "fsgid.val", KSRC_FSGID),
    PTR(KOBJ_CSS_SET, "dfl_cgrp", KOBJ_CGROUP),
    PTR(KOBJ_CGROUP, "kn", KOBJ_KERNFS), VAL(KOBJ_CGROUP, "level", KSRC_CGROUP_LEVEL),
    VAL(KOBJ_KERNFS, "id", KSRC_CGROUP_ID),
    PTR(KOBJ_NSPROXY, "pid_ns_for_children", KOBJ_PIDNS), PTR(KOBJ_NSPROXY, "mnt_ns", KOBJ_MNTNS),
    VAL(KOBJ_PIDNS, "ns.inum", KSRC_PIDNS_INO), VAL(KOBJ_MNTNS, "ns.inum", KSRC_MNTNS_INO),
};

#define MAX_DEPTH 8

/* Finds member `name` (len bytes) of struct/union type_id, looking inside
 * anonymous members too: its bit offset and type. Bitfields never match. */
static bool find_member(const struct bpfrt_btf *btf, uint32_t type_id, const char *name, size_t len,
                        uint32_t *bits, uint32_t *mtype, int depth)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, type_id));
    if (!t || depth > MAX_DEPTH || (btf_kind(t) != BTF_KIND_STRUCT && btf_kind(t) != BTF_KIND_UNION))
        return false;
    const struct btf_member *m = btf_members(t);
    for (uint32_t i = 0; i < btf_vlen(t); i++) {
        const char *mname = bpfrt_btf_str(btf, m[i].name_off);
        uint32_t bit = btf_member_bit_offset(t, i);
        if (!mname || btf_member_bitfield_size(t, i))
            continue;
        if (!*mname) {
            uint32_t sub;
            if (find_member(btf, m[i].type, name, len, &sub, mtype, depth + 1)) {
                *bits = bit + sub;
                return true;
            }
        } else if (bpfrt_strlen(mname) == len && bpfrt_memcmp(mname, name, len) == 0) {
            *bits = bit;
            *mtype = m[i].type;
            return true;
        }
    }
    return false;
}

/* The byte offset and size of a '.'-separated member path in type_id. */
static bool resolve_path(const struct bpfrt_btf *btf, uint32_t type_id, const char *path, uint32_t *off,
                         uint32_t *size)
{
    uint32_t bits = 0, cur = type_id;
    while (*path) {
        const char *dot = bpfrt_strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : bpfrt_strlen(path);
        uint32_t mbits, mtype;
        if (!find_member(btf, cur, path, len, &mbits, &mtype, 0))
            return false;
        bits += mbits;
        cur = mtype;
        path += len + (dot ? 1 : 0);
    }
    long sz = bpfrt_btf_type_size(btf, cur);
    if ((bits & 7) || sz <= 0)
        return false;
    *off = bits / 8;
    *size = (uint32_t)sz;
    return true;
}

static bool field_size_ok(const struct field_spec *sp, uint32_t size)
{
    if (sp->src == KSRC_PTR)
        return size == 8;
    if (sp->src == KSRC_COMM || sp->src == KSRC_PARENT_COMM)
        return size >= 1 && size <= 16;
    return size == 1 || size == 2 || size == 4 || size == 8;
}

int bpfrt_kobj_layout(const struct bpfrt_btf *btf, struct kobj_layout *out)
{
    bpfrt_memset(out, 0, sizeof(*out));
    uint32_t type_ids[KOBJ_NR] = { 0 };
    uint32_t at = 0;
    for (uint32_t k = 0; k < KOBJ_NR; k++) {
        long id = bpfrt_btf_find_by_name_kind(btf, kobj_type_names[k], BTF_KIND_STRUCT);
        long sz = id > 0 ? bpfrt_btf_type_size(btf, (uint32_t)id) : -1;
        if (sz <= 0 || sz > (1 << 20)) {
            if (k == KOBJ_TASK)
                return -BPFRT_ENOENT;
            continue;
        }
        type_ids[k] = (uint32_t)id;
        out->obj_off[k] = at;
        out->obj_size[k] = (uint32_t)sz;
        at = (uint32_t)bpfrt_round_up(at + (uint64_t)sz, 64);
    }
    out->size = at;
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        const struct field_spec *sp = &specs[i];
        uint32_t off, size;
        if (!type_ids[sp->obj] || (sp->src == KSRC_PTR && !type_ids[sp->target]))
            continue;
        if (!resolve_path(btf, type_ids[sp->obj], sp->path, &off, &size) || !field_size_ok(sp, size))
            continue;
        if (out->nfields == KOBJ_MAX_FIELDS)
            break;
        struct kobj_field *f = &out->fields[out->nfields++];
        f->obj = sp->obj;
        f->src = sp->src;
        f->target = sp->target;
        f->size = (uint8_t)size;
        f->off = out->obj_off[sp->obj] + off;
    }
    return 0;
}
