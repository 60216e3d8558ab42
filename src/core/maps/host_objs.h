/* Internal to the core: the host objects maps and helpers share (the
 * sockets an embedder registers, the maps that keep per-object state).
 * Implemented in host_objs.c; the public half is in bpfrt/map.h. */
#ifndef BPFRT_HOST_OBJS_H
#define BPFRT_HOST_OBJS_H

#include "bpfrt/helpers.h" /* struct bpf_sock */
#include "core/maps/maps_impl.h"

#define BPFRT_SOCK_NR_OPTS 40

/* A socket: what programs read first (Linux's struct bpf_sock view of a
 * struct sock), then the bookkeeping. */
struct bpfrt_sock {
    struct bpf_sock view;          /* must be first: the pointer programs get */
    struct bpf_tcp_sock tcp_view;  /* what bpf_tcp_sock gives a TCP socket */
    struct bpfrt_runtime *rt;
    struct bpfrt_sock *next;       /* table chain (host objects lock) */
    uint32_t refcnt;               /* atomic */
    int fd;                        /* the number user space names it by */
    uint64_t cookie;               /* bpf_get_socket_cookie, sockmap lookups */
    bool closed;                   /* removed by the embedder (atomic) */
    struct bpfrt_sock_desc desc;   /* as registered */
    /* what programs set on it (src/core/helpers/sockopt.c): option values
     * by row of its option table, the congestion control, the sock_ops
     * callbacks it asks for */
    int32_t opt_values[BPFRT_SOCK_NR_OPTS];
    uint64_t opt_set;              /* bit i: opt_values[i] was set */
    char congestion[16];
    uint32_t cb_flags;
};

struct bpfrt_host_objs;
/* The runtime's host objects, created on first use (NULL: out of memory). */
struct bpfrt_host_objs *bpfrt_host_objs(struct bpfrt_runtime *rt);
void bpfrt_host_objs_free(struct bpfrt_runtime *rt);

void bpfrt_sock_get(struct bpfrt_sock *s);
void bpfrt_sock_put(struct bpfrt_sock *s);
/* The socket user space calls fd (a reference), or NULL. */
struct bpfrt_sock *bpfrt_sock_by_fd(struct bpfrt_runtime *rt, int fd);
/* True when p is a registered socket (any program-supplied pointer may be
 * asked: nothing is dereferenced before it is found). */
bool bpfrt_sock_known(struct bpfrt_runtime *rt, const void *p);
/* The socket with the highest score > 0 (a reference), or NULL. */
struct bpfrt_sock *bpfrt_sock_best(struct bpfrt_runtime *rt, int (*score)(const struct bpfrt_sock *s, const void *arg),
                                   const void *arg);

/* A map that keeps state per host object registers itself; when an
 * object goes (a socket removed, a task gone, an embedder's
 * bpfrt_local_storage_owner_gone) forget(hm, obj) drops what it holds. */
struct bpfrt_host_map {
    struct bpfrt_host_map *next;
    void (*forget)(struct bpfrt_host_map *hm, const void *obj);
};
void bpfrt_host_map_register(struct bpfrt_runtime *rt, struct bpfrt_host_map *hm);
void bpfrt_host_map_unregister(struct bpfrt_runtime *rt, struct bpfrt_host_map *hm);
void bpfrt_host_obj_gone(struct bpfrt_runtime *rt, const void *obj);

#endif
