/* The host's objects the maps know: the sockets an embedder registers
 * (what Linux's socket fds and sock structs are to SOCKMAP, SOCKHASH,
 * SK_STORAGE and the bpf_sk_lookup_* helpers) and the maps that keep
 * something per host object (local storage, sockmaps), so an object that
 * goes away leaves none of them behind - as Linux frees an object's local
 * storage and unlinks a closed socket from every sockmap
 * (bpf_sk_storage_free, sock_map_close).
 *
 * A socket is a struct bpf_sock (what programs read through the pointer a
 * lookup returns) followed by bpfrt's bookkeeping; references are counted
 * (the table holds one until the socket is removed, each lookup and each
 * sockmap slot one more) and the memory waits for readers when the last
 * goes. */
#include "core/maps/host_objs.h"

#define SOCK_BUCKETS 64u

struct bpfrt_host_objs {
    uint32_t lock;                       /* sockets table and the map list */
    int next_fd;
    uint64_t next_cookie;
    struct bpfrt_sock *socks[SOCK_BUCKETS];  /* by fd; chains read with acquire loads */
    struct bpfrt_host_map *maps;         /* maps holding per-object state */
};

struct bpfrt_host_objs *bpfrt_host_objs(struct bpfrt_runtime *rt)
{
    struct bpfrt_host_objs *h = __atomic_load_n(&rt->hobjs, __ATOMIC_ACQUIRE);
    if (h)
        return h;
    h = bpfrt_zalloc(rt, sizeof(*h));
    if (!h)
        return NULL;
    h->next_fd = 1;
    h->next_cookie = 1;
    struct bpfrt_host_objs *expected = NULL;
    if (!__atomic_compare_exchange_n(&rt->hobjs, &expected, h, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        bpfrt_free(rt, h, sizeof(*h));
        return expected;
    }
    return h;
}

/* ---- maps that keep per-object state ---- */

void bpfrt_host_map_register(struct bpfrt_runtime *rt, struct bpfrt_host_map *hm)
{
    struct bpfrt_host_objs *h = bpfrt_host_objs(rt);
    if (!h) /* cannot happen after a successful alloc: alloc asks first */
        return;
    bpfrt_raw_spin_lock(&h->lock);
    hm->next = h->maps;
    h->maps = hm;
    bpfrt_raw_spin_unlock(&h->lock);
}

void bpfrt_host_map_unregister(struct bpfrt_runtime *rt, struct bpfrt_host_map *hm)
{
    struct bpfrt_host_objs *h = rt->hobjs;
    if (!h)
        return;
    bpfrt_raw_spin_lock(&h->lock);
    for (struct bpfrt_host_map **p = &h->maps; *p; p = &(*p)->next)
        if (*p == hm) {
            *p = hm->next;
            break;
        }
    bpfrt_raw_spin_unlock(&h->lock);
}

/* Tells every registered map that `obj` is gone. The map list lock is held
 * across the calls: forget callbacks take only their own map's locks and
 * never register or unregister. */
void bpfrt_host_obj_gone(struct bpfrt_runtime *rt, const void *obj)
{
    struct bpfrt_host_objs *h = __atomic_load_n(&rt->hobjs, __ATOMIC_ACQUIRE);
    if (!h || !obj)
        return;
    bpfrt_map_read_lock(rt);
    bpfrt_raw_spin_lock(&h->lock);
    for (struct bpfrt_host_map *hm = h->maps; hm; hm = hm->next)
        hm->forget(hm, obj);
    bpfrt_raw_spin_unlock(&h->lock);
    bpfrt_map_read_unlock(rt);
}

int bpfrt_local_storage_owner_gone(struct bpfrt_runtime *rt, const void *owner)
{
    if (!rt || !owner)
        return -BPFRT_EINVAL;
    bpfrt_host_obj_gone(rt, owner);
    return 0;
}

/* ---- sockets ---- */

static bool ip_family_ok(uint16_t family) { return family == BPFRT_AF_INET || family == BPFRT_AF_INET6; }

static void sock_fill_view(struct bpf_sock *v, const struct bpfrt_sock_desc *d)
{
    bpfrt_memset(v, 0, sizeof(*v));
    v->bound_dev_if = d->bound_dev_if;
    v->family = d->family;
    v->type = d->type;
    v->protocol = d->protocol;
    v->mark = d->mark;
    v->priority = d->priority;
    if (d->family == BPFRT_AF_INET) {
        bpfrt_memcpy(&v->src_ip4, d->local_ip, 4);
        bpfrt_memcpy(&v->dst_ip4, d->remote_ip, 4);
    } else {
        bpfrt_memcpy(v->src_ip6, d->local_ip, 16);
        bpfrt_memcpy(v->dst_ip6, d->remote_ip, 16);
    }
    v->src_port = d->local_port;                                       /* host order */
    v->dst_port = (uint16_t)(d->remote_port >> 8 | d->remote_port << 8); /* network order */
    v->state = d->state;
    v->rx_queue_mapping = -1;
}

/* bpfrt's sockets carry no TCP state: their tcp_sock view is what Linux's
 * shows for a socket that has exchanged no data (tcp_init_sock): the
 * initial window TCP_INIT_CWND, ssthresh TCP_INFINITE_SSTHRESH, no RTT
 * sample yet (rtt_min ~0), the default MSS, every counter 0. */
static void sock_fill_tcp_view(struct bpf_tcp_sock *t)
{
    bpfrt_memset(t, 0, sizeof(*t));
    t->snd_cwnd = 10;
    t->snd_ssthresh = 0x7fffffff;
    t->rtt_min = ~0u;
    t->mss_cache = 536;
}

int bpfrt_sock_add(struct bpfrt_runtime *rt, const struct bpfrt_sock_desc *desc, int *fd)
{
    if (!rt || !desc || !fd || !ip_family_ok(desc->family))
        return -BPFRT_EINVAL;
    struct bpfrt_host_objs *h = bpfrt_host_objs(rt);
    struct bpfrt_sock *s = h ? bpfrt_zalloc(rt, sizeof(*s)) : NULL;
    if (!s)
        return -BPFRT_ENOMEM;
    sock_fill_view(&s->view, desc);
    sock_fill_tcp_view(&s->tcp_view);
    s->rt = rt;
    s->refcnt = 1; /* the table's */
    s->desc = *desc;
    bpfrt_raw_spin_lock(&h->lock);
    s->fd = h->next_fd++;
    s->cookie = h->next_cookie++;
    s->next = h->socks[(uint32_t)s->fd % SOCK_BUCKETS];
    __atomic_store_n(&h->socks[(uint32_t)s->fd % SOCK_BUCKETS], s, __ATOMIC_RELEASE);
    bpfrt_raw_spin_unlock(&h->lock);
    *fd = s->fd;
    return 0;
}

void bpfrt_sock_get(struct bpfrt_sock *s)
{
    __atomic_add_fetch(&s->refcnt, 1, __ATOMIC_RELAXED);
}

static void sock_free_cb(void *arg)
{
    struct bpfrt_sock *s = arg;
    bpfrt_free(s->rt, s, sizeof(*s));
}

void bpfrt_sock_put(struct bpfrt_sock *s)
{
    if (s && __atomic_sub_fetch(&s->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
        bpfrt_map_defer_free(s->rt, sock_free_cb, s);
}

int bpfrt_sock_remove(struct bpfrt_runtime *rt, int fd)
{
    struct bpfrt_host_objs *h = rt ? __atomic_load_n(&rt->hobjs, __ATOMIC_ACQUIRE) : NULL;
    if (!h || fd <= 0)
        return -BPFRT_EBADF;
    struct bpfrt_sock *found = NULL;
    bpfrt_raw_spin_lock(&h->lock);
    for (struct bpfrt_sock **p = &h->socks[(uint32_t)fd % SOCK_BUCKETS]; *p; p = &(*p)->next)
        if ((*p)->fd == fd) {
            found = *p;
            __atomic_store_n(p, found->next, __ATOMIC_RELEASE);
            break;
        }
    bpfrt_raw_spin_unlock(&h->lock);
    if (!found)
        return -BPFRT_EBADF;
    /* closed: out of every sockmap, its storage freed, as Linux's close */
    __atomic_store_n(&found->closed, true, __ATOMIC_RELEASE);
    bpfrt_host_obj_gone(rt, found);
    bpfrt_sock_put(found);
    return 0;
}

struct bpfrt_sock *bpfrt_sock_by_fd(struct bpfrt_runtime *rt, int fd)
{
    struct bpfrt_host_objs *h = __atomic_load_n(&rt->hobjs, __ATOMIC_ACQUIRE);
    if (!h || fd <= 0)
        return NULL;
    struct bpfrt_sock *found = NULL;
    bpfrt_raw_spin_lock(&h->lock);
    for (struct bpfrt_sock *s = h->socks[(uint32_t)fd % SOCK_BUCKETS]; s; s = s->next)
        if (s->fd == fd) {
            found = s;
            bpfrt_sock_get(s);
            break;
        }
    bpfrt_raw_spin_unlock(&h->lock);
    return found;
}

bool bpfrt_sock_known(struct bpfrt_runtime *rt, const void *p)
{
    struct bpfrt_host_objs *h = __atomic_load_n(&rt->hobjs, __ATOMIC_ACQUIRE);
    if (!h || !p)
        return false;
    for (uint32_t b = 0; b < SOCK_BUCKETS; b++)
        for (struct bpfrt_sock *s = __atomic_load_n(&h->socks[b], __ATOMIC_ACQUIRE); s;
             s = __atomic_load_n(&s->next, __ATOMIC_ACQUIRE))
            if ((const void *)s == p)
                return true;
    return false;
}

struct bpfrt_sock *bpfrt_sock_best(struct bpfrt_runtime *rt, int (*score)(const struct bpfrt_sock *s, const void *arg),
                                   const void *arg)
{
    struct bpfrt_host_objs *h = __atomic_load_n(&rt->hobjs, __ATOMIC_ACQUIRE);
    if (!h)
        return NULL;
    struct bpfrt_sock *best = NULL;
    int best_score = 0;
    bpfrt_raw_spin_lock(&h->lock);
    for (uint32_t b = 0; b < SOCK_BUCKETS; b++)
        for (struct bpfrt_sock *s = h->socks[b]; s; s = s->next) {
            int sc = score(s, arg);
            /* ties go to the socket registered first (lowest fd) */
            if (sc > best_score || (sc > 0 && sc == best_score && s->fd < best->fd)) {
                best = s;
                best_score = sc;
            }
        }
    if (best)
        bpfrt_sock_get(best);
    bpfrt_raw_spin_unlock(&h->lock);
    return best;
}

void bpfrt_host_objs_free(struct bpfrt_runtime *rt)
{
    struct bpfrt_host_objs *h = rt->hobjs;
    if (!h)
        return;
    for (uint32_t b = 0; b < SOCK_BUCKETS; b++)
        while (h->socks[b]) {
            struct bpfrt_sock *s = h->socks[b];
            h->socks[b] = s->next;
            bpfrt_free(rt, s, sizeof(*s)); /* every map is gone: the table's was the last reference */
        }
    bpfrt_free(rt, h, sizeof(*h));
    rt->hobjs = NULL;
}
