/* Program types by name: Linux's program types as bpftool spells them
 * ("sched_cls"), the other names the CLI's --type accepts ("tc"), and the
 * section names libbpf gives them (SEC("xdp"), SEC("kprobe/do_unlinkat"),
 * SEC("cgroup_skb/ingress")). All of it is read from the one row per
 * program type in src/core/prog/prog_type_rows.c, which also holds what the
 * runtime knows of each type (context, test run, return values, packet
 * access). */
#ifndef BPFRT_PROG_TYPE_H
#define BPFRT_PROG_TYPE_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdint.h>

/* One section prefix of a program type (libbpf's struct bpf_sec_def). */
struct bpfrt_prog_sec {
    const char *prefix;          /* "xdp", "kprobe", "cgroup_skb/ingress" */
    uint32_t attach_type;        /* the expected_attach_type it implies */
    uint32_t flags;              /* BPFRT_SEC_* */
};
#define BPFRT_SEC_ATTACH    1u   /* PROG_LOAD gets attach_type as expected_attach_type */
#define BPFRT_SEC_SLEEPABLE 2u   /* PROG_LOAD gets BPF_F_SLEEPABLE */
#define BPFRT_SEC_XDP_FRAGS 4u   /* PROG_LOAD gets BPF_F_XDP_HAS_FRAGS */
#define BPFRT_SEC_LEGACY    8u   /* also names sections that merely start with the prefix
                                    ("xdp1", "kprobe_sys_open"), as libbpf once did */

/* The section prefix naming sec_name (without libbpf's leading '?'), and
 * its program type in *prog_type; NULL when no program type has one. A
 * name matches a prefix it equals or that it continues with '/' (the
 * attach target: "kprobe/do_unlinkat"); the longest such prefix wins.
 * Failing that, the longest BPFRT_SEC_LEGACY prefix the name starts with. */
const struct bpfrt_prog_sec *bpfrt_prog_sec_find(const char *sec_name, uint32_t *prog_type);

/* Program type name as bpftool spells it ("xdp", "sched_cls", "kprobe"),
 * for every Linux program type (loadable here or not), or NULL. */
const char *bpfrt_prog_type_str(uint32_t prog_type);

/* The reverse: bpftool's names and the aliases people type ("tc",
 * "socket", "raw_tp"); -1 when unknown. */
int bpfrt_prog_type_parse(const char *name);

#pragma GCC visibility pop

#endif
