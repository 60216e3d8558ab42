/* Internal to src/core/helpers: the kernel objects bpfrt fabricates for
 * programs (kobj.c) and how the target BTF lays them out
 * (kobj_layout.c). A "bundle" is one allocation holding the current task's
 * task_struct and what programs reach from it (parent, group leader, cred,
 * css_set, cgroup, kernfs_node, nsproxy, pid and mount namespaces), each
 * at the offset and size the BTF gives. */
#ifndef BPFRT_KOBJ_H
#define BPFRT_KOBJ_H

#include "core/helpers/kstate.h"

struct bpfrt_btf;

/* The objects of a bundle. */
enum kobj_kind {
    KOBJ_TASK, KOBJ_PARENT, KOBJ_LEADER, KOBJ_CRED, KOBJ_CSS_SET, KOBJ_CGROUP, KOBJ_KERNFS,
    KOBJ_NSPROXY, KOBJ_PIDNS, KOBJ_MNTNS, KOBJ_NR
};

/* What a field is set to. */
enum kobj_src {
    KSRC_PID, KSRC_TGID, KSRC_COMM, KSRC_PPID, KSRC_PARENT_COMM,
    KSRC_UID, KSRC_GID, KSRC_EUID, KSRC_EGID, KSRC_SUID, KSRC_SGID, KSRC_FSUID, KSRC_FSGID,
    KSRC_START_NS, KSRC_CGROUP_ID, KSRC_CGROUP_LEVEL, KSRC_PIDNS_INO, KSRC_MNTNS_INO,
    KSRC_PTR,                    /* the address of another object of the bundle */
};

/* One field the layout resolved: where it is and what goes there. */
struct kobj_field {
    uint8_t obj;                 /* enum kobj_kind */
    uint8_t src;                 /* enum kobj_src */
    uint8_t target;              /* KSRC_PTR: enum kobj_kind pointed to */
    uint8_t size;                /* bytes (integers: 1..8; comm: up to 16) */
    uint32_t off;
};

#define KOBJ_MAX_FIELDS 48

/* Offsets and sizes of each object of a bundle, from one BTF. */
struct kobj_layout {
    uint32_t obj_off[KOBJ_NR], obj_size[KOBJ_NR];
    uint32_t size;               /* the whole bundle */
    uint32_t nfields;
    struct kobj_field fields[KOBJ_MAX_FIELDS];
};

/* Lays a bundle out by btf (types missing from it get no object, fields
 * missing no value). Returns 0, or -ENOENT when btf has no task_struct. */
int bpfrt_kobj_layout(const struct bpfrt_btf *btf, struct kobj_layout *out);

/* Size of an object programs get when there is no BTF to lay a task out:
 * zeroes, so a trusted pointer never points at nothing. */
#define KOBJ_FALLBACK_SIZE 16384u

/* What a bundle is filled from. */
struct kobj_facts {
    struct bpfrt_task_info task;
    uint64_t cgroup_id;
    uint32_t cgroup_level;
};

/* The current task's bundle (fields refreshed from the platform), or NULL
 * when out of memory; *size gets the bundle's size. The task_struct is at
 * its start. Valid until the run ends at least. */
void *bpfrt_kobj_current(struct bpfrt_run *run, size_t *size);

/* The current task's facts from the platform (0, or -errno when it tells
 * nothing). */
int bpfrt_kobj_facts(struct bpfrt_runtime *rt, struct kobj_facts *f);

#endif
