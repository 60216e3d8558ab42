/* Section names -> program type and attach point, the way libbpf names them
 * (SEC("xdp"), SEC("kprobe/do_unlinkat"), SEC("cgroup_skb/ingress"), ...), plus
 * iproute2's "ID/KEY" tail-call slots and the bpftool spellings of program
 * and map types. One table row per section kind. */
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

#define P(t) BPF_PROG_TYPE_##t
#define A(t) BPF_##t
#define ATT SEC_ATTACH

/* More specific names come before the shorter names they start with. */
static const struct sec_def sec_defs[] = {
    {"socket", P(SOCKET_FILTER), 0, 0},
    {"sk_reuseport/migrate", P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT_OR_MIGRATE), ATT},
    {"sk_reuseport", P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT), ATT},
    {"kprobe.multi", P(KPROBE), A(TRACE_KPROBE_MULTI), ATT},
    {"kretprobe.multi", P(KPROBE), A(TRACE_KPROBE_MULTI), ATT},
    {"kprobe.session", P(KPROBE), A(TRACE_KPROBE_SESSION), ATT},
    {"uprobe.multi.s", P(KPROBE), A(TRACE_UPROBE_MULTI), ATT | SEC_SLEEPABLE},
    {"uretprobe.multi.s", P(KPROBE), A(TRACE_UPROBE_MULTI), ATT | SEC_SLEEPABLE},
    {"uprobe.multi", P(KPROBE), A(TRACE_UPROBE_MULTI), ATT},
    {"uretprobe.multi", P(KPROBE), A(TRACE_UPROBE_MULTI), ATT},
    {"uprobe.session", P(KPROBE), A(TRACE_UPROBE_SESSION), ATT},
    {"kprobe", P(KPROBE), 0, 0},
    {"kretprobe", P(KPROBE), 0, 0},
    {"uprobe.s", P(KPROBE), 0, SEC_SLEEPABLE},
    {"uretprobe.s", P(KPROBE), 0, SEC_SLEEPABLE},
    {"uprobe", P(KPROBE), 0, 0},
    {"uretprobe", P(KPROBE), 0, 0},
    {"ksyscall", P(KPROBE), 0, 0},
    {"kretsyscall", P(KPROBE), 0, 0},
    {"usdt.s", P(KPROBE), 0, SEC_SLEEPABLE},
    {"usdt", P(KPROBE), 0, 0},
    {"tc/ingress", P(SCHED_CLS), A(TCX_INGRESS), ATT},
    {"tc/egress", P(SCHED_CLS), A(TCX_EGRESS), ATT},
    {"tcx/ingress", P(SCHED_CLS), A(TCX_INGRESS), ATT},
    {"tcx/egress", P(SCHED_CLS), A(TCX_EGRESS), ATT},
    {"netkit/primary", P(SCHED_CLS), A(NETKIT_PRIMARY), ATT},
    {"netkit/peer", P(SCHED_CLS), A(NETKIT_PEER), ATT},
    {"tc", P(SCHED_CLS), 0, 0},
    {"classifier", P(SCHED_CLS), 0, 0},
    {"action", P(SCHED_ACT), 0, 0},
    {"tracepoint", P(TRACEPOINT), 0, 0},
    {"tp", P(TRACEPOINT), 0, 0},
    {"raw_tracepoint.w", P(RAW_TRACEPOINT_WRITABLE), 0, 0},
    {"raw_tp.w", P(RAW_TRACEPOINT_WRITABLE), 0, 0},
    {"raw_tracepoint", P(RAW_TRACEPOINT), 0, 0},
    {"raw_tp", P(RAW_TRACEPOINT), 0, 0},
    {"tp_btf", P(TRACING), A(TRACE_RAW_TP), ATT},
    {"fentry.s", P(TRACING), A(TRACE_FENTRY), ATT | SEC_SLEEPABLE},
    {"fmod_ret.s", P(TRACING), A(MODIFY_RETURN), ATT | SEC_SLEEPABLE},
    {"fexit.s", P(TRACING), A(TRACE_FEXIT), ATT | SEC_SLEEPABLE},
    {"fentry", P(TRACING), A(TRACE_FENTRY), ATT},
    {"fmod_ret", P(TRACING), A(MODIFY_RETURN), ATT},
    {"fexit", P(TRACING), A(TRACE_FEXIT), ATT},
    {"freplace", P(EXT), 0, 0},
    {"lsm.s", P(LSM), A(LSM_MAC), ATT | SEC_SLEEPABLE},
    {"lsm_cgroup", P(LSM), A(LSM_CGROUP), ATT},
    {"lsm", P(LSM), A(LSM_MAC), ATT},
    {"iter.s", P(TRACING), A(TRACE_ITER), ATT | SEC_SLEEPABLE},
    {"iter", P(TRACING), A(TRACE_ITER), ATT},
    {"syscall", P(SYSCALL), 0, SEC_SLEEPABLE},
    {"xdp.frags/devmap", P(XDP), A(XDP_DEVMAP), ATT},
    {"xdp/devmap", P(XDP), A(XDP_DEVMAP), ATT},
    {"xdp.frags/cpumap", P(XDP), A(XDP_CPUMAP), ATT},
    {"xdp/cpumap", P(XDP), A(XDP_CPUMAP), ATT},
    {"xdp.frags", P(XDP), A(XDP), ATT},
    {"xdp", P(XDP), A(XDP), ATT},
    {"perf_event", P(PERF_EVENT), 0, 0},
    {"lwt_in", P(LWT_IN), 0, 0},
    {"lwt_out", P(LWT_OUT), 0, 0},
    {"lwt_xmit", P(LWT_XMIT), 0, 0},
    {"lwt_seg6local", P(LWT_SEG6LOCAL), 0, 0},
    {"sockops", P(SOCK_OPS), A(CGROUP_SOCK_OPS), ATT},
    {"sk_skb/stream_parser", P(SK_SKB), A(SK_SKB_STREAM_PARSER), ATT},
    {"sk_skb/stream_verdict", P(SK_SKB), A(SK_SKB_STREAM_VERDICT), ATT},
    {"sk_skb/verdict", P(SK_SKB), A(SK_SKB_VERDICT), ATT},
    {"sk_skb", P(SK_SKB), 0, 0},
    {"sk_msg", P(SK_MSG), A(SK_MSG_VERDICT), ATT},
    {"lirc_mode2", P(LIRC_MODE2), A(LIRC_MODE2), ATT},
    {"flow_dissector", P(FLOW_DISSECTOR), A(FLOW_DISSECTOR), ATT},
    {"cgroup_skb/ingress", P(CGROUP_SKB), A(CGROUP_INET_INGRESS), ATT},
    {"cgroup_skb/egress", P(CGROUP_SKB), A(CGROUP_INET_EGRESS), ATT},
    {"cgroup/skb", P(CGROUP_SKB), 0, 0},
    {"cgroup/sock_create", P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), ATT},
    {"cgroup/sock_release", P(CGROUP_SOCK), A(CGROUP_INET_SOCK_RELEASE), ATT},
    {"cgroup/sock", P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), ATT},
    {"cgroup/post_bind4", P(CGROUP_SOCK), A(CGROUP_INET4_POST_BIND), ATT},
    {"cgroup/post_bind6", P(CGROUP_SOCK), A(CGROUP_INET6_POST_BIND), ATT},
    {"cgroup/bind4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_BIND), ATT},
    {"cgroup/bind6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_BIND), ATT},
    {"cgroup/connect4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_CONNECT), ATT},
    {"cgroup/connect6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_CONNECT), ATT},
    {"cgroup/connect_unix", P(CGROUP_SOCK_ADDR), A(CGROUP_UNIX_CONNECT), ATT},
    {"cgroup/sendmsg4", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_SENDMSG), ATT},
    {"cgroup/sendmsg6", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_SENDMSG), ATT},
    {"cgroup/sendmsg_unix", P(CGROUP_SOCK_ADDR), A(CGROUP_UNIX_SENDMSG), ATT},
    {"cgroup/recvmsg4", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_RECVMSG), ATT},
    {"cgroup/recvmsg6", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_RECVMSG), ATT},
    {"cgroup/recvmsg_unix", P(CGROUP_SOCK_ADDR), A(CGROUP_UNIX_RECVMSG), ATT},
    {"cgroup/getpeername4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETPEERNAME), ATT},
    {"cgroup/getpeername6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETPEERNAME), ATT},
    {"cgroup/getpeername_unix", P(CGROUP_SOCK_ADDR), A(CGROUP_UNIX_GETPEERNAME), ATT},
    {"cgroup/getsockname4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETSOCKNAME), ATT},
    {"cgroup/getsockname6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETSOCKNAME), ATT},
    {"cgroup/getsockname_unix", P(CGROUP_SOCK_ADDR), A(CGROUP_UNIX_GETSOCKNAME), ATT},
    {"cgroup/sysctl", P(CGROUP_SYSCTL), A(CGROUP_SYSCTL), ATT},
    {"cgroup/getsockopt", P(CGROUP_SOCKOPT), A(CGROUP_GETSOCKOPT), ATT},
    {"cgroup/setsockopt", P(CGROUP_SOCKOPT), A(CGROUP_SETSOCKOPT), ATT},
    {"cgroup/dev", P(CGROUP_DEVICE), A(CGROUP_DEVICE), ATT},
    {"struct_ops.s", P(STRUCT_OPS), 0, SEC_SLEEPABLE},
    {"struct_ops", P(STRUCT_OPS), 0, 0},
    {"sk_lookup", P(SK_LOOKUP), A(SK_LOOKUP), ATT},
    {"netfilter", P(NETFILTER), A(NETFILTER), ATT},
};

const struct sec_def *bpfrt_sec_def_find(const char *name)
{
    for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++) {
        const char *pfx = sec_defs[i].prefix;
        size_t n = strlen(pfx);
        if (strncmp(name, pfx, n) == 0 && (name[n] == '\0' || name[n] == '/'))
            return &sec_defs[i];
    }
    return NULL;
}

/* iproute2 reads the slot with sscanf("%i/%i"): decimal, 0x hex or 0 octal
 * ("1/0x1010" in cilium's objects). */
bool bpfrt_sec_parse_tail_slot(const char *name, uint32_t *map_id, uint32_t *key)
{
    char *end;
    if (name[0] < '0' || name[0] > '9')
        return false;
    unsigned long id = strtoul(name, &end, 0);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return false;
    unsigned long k = strtoul(end + 1, &end, 0);
    if (*end || id > UINT32_MAX || k > UINT32_MAX)
        return false;
    *map_id = (uint32_t)id;
    *key = (uint32_t)k;
    return true;
}

static const char *const prog_type_names[] = {
    [BPF_PROG_TYPE_UNSPEC] = "unspec", [BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
    [BPF_PROG_TYPE_KPROBE] = "kprobe", [BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
    [BPF_PROG_TYPE_SCHED_ACT] = "sched_act", [BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
    [BPF_PROG_TYPE_XDP] = "xdp", [BPF_PROG_TYPE_PERF_EVENT] = "perf_event",
    [BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb", [BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
    [BPF_PROG_TYPE_LWT_IN] = "lwt_in", [BPF_PROG_TYPE_LWT_OUT] = "lwt_out",
    [BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit", [BPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
    [BPF_PROG_TYPE_SK_SKB] = "sk_skb", [BPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device",
    [BPF_PROG_TYPE_SK_MSG] = "sk_msg", [BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
    [BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
    [BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local", [BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
    [BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
    [BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
    [BPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
    [BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
    [BPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt", [BPF_PROG_TYPE_TRACING] = "tracing",
    [BPF_PROG_TYPE_STRUCT_OPS] = "struct_ops", [BPF_PROG_TYPE_EXT] = "ext",
    [BPF_PROG_TYPE_LSM] = "lsm", [BPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
    [BPF_PROG_TYPE_SYSCALL] = "syscall", [BPF_PROG_TYPE_NETFILTER] = "netfilter",
};

const char *bpfrt_prog_type_str(uint32_t t)
{
    return t < sizeof(prog_type_names) / sizeof(prog_type_names[0]) ? prog_type_names[t] : NULL;
}

/* Accepts bpftool's names and a few aliases people type ("tc", "socket"). */
int bpfrt_prog_type_parse(const char *name)
{
    static const struct { const char *alias; int type; } aliases[] = {
        {"tc", BPF_PROG_TYPE_SCHED_CLS}, {"classifier", BPF_PROG_TYPE_SCHED_CLS},
        {"action", BPF_PROG_TYPE_SCHED_ACT}, {"socket", BPF_PROG_TYPE_SOCKET_FILTER},
        {"raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT}, {"tp", BPF_PROG_TYPE_TRACEPOINT},
    };
    for (size_t i = 0; i < sizeof(prog_type_names) / sizeof(prog_type_names[0]); i++)
        if (prog_type_names[i] && strcmp(prog_type_names[i], name) == 0)
            return (int)i;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(aliases[i].alias, name) == 0)
            return aliases[i].type;
    return -1;
}

static const char *const map_type_names[] = {
    [BPF_MAP_TYPE_UNSPEC] = "unspec", [BPF_MAP_TYPE_HASH] = "hash",
    [BPF_MAP_TYPE_ARRAY] = "array", [BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
    [BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
    [BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash", [BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
    [BPF_MAP_TYPE_STACK_TRACE] = "stack_trace", [BPF_MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
    [BPF_MAP_TYPE_LRU_HASH] = "lru_hash", [BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
    [BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie", [BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
    [BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps", [BPF_MAP_TYPE_DEVMAP] = "devmap",
    [BPF_MAP_TYPE_SOCKMAP] = "sockmap", [BPF_MAP_TYPE_CPUMAP] = "cpumap",
    [BPF_MAP_TYPE_XSKMAP] = "xskmap", [BPF_MAP_TYPE_SOCKHASH] = "sockhash",
    [BPF_MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
    [BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
    [BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
    [BPF_MAP_TYPE_QUEUE] = "queue", [BPF_MAP_TYPE_STACK] = "stack",
    [BPF_MAP_TYPE_SK_STORAGE] = "sk_storage", [BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
    [BPF_MAP_TYPE_STRUCT_OPS] = "struct_ops", [BPF_MAP_TYPE_RINGBUF] = "ringbuf",
    [BPF_MAP_TYPE_INODE_STORAGE] = "inode_storage", [BPF_MAP_TYPE_TASK_STORAGE] = "task_storage",
    [BPF_MAP_TYPE_BLOOM_FILTER] = "bloom_filter", [BPF_MAP_TYPE_USER_RINGBUF] = "user_ringbuf",
    [BPF_MAP_TYPE_CGRP_STORAGE] = "cgrp_storage", [BPF_MAP_TYPE_ARENA] = "arena",
    [BPF_MAP_TYPE_INSN_ARRAY] = "insn_array",
};

const char *bpfrt_map_type_str(uint32_t t)
{
    return t < sizeof(map_type_names) / sizeof(map_type_names[0]) ? map_type_names[t] : NULL;
}

/* Linux's license_is_gpl_compatible() list. */
bool bpfrt_license_is_gpl_compatible(const char *license)
{
    static const char *const ok[] = {
        "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
        "Dual MPL/GPL",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(license, ok[i]) == 0)
            return true;
    return false;
}
