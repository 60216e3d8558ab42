/* Maps: the object every map family implements, and the calls the rest of
 * the core (command layer, helpers, engines, loader) makes on maps. One file
 * per family under src/core/maps/ provides a struct bpfrt_map_ops.
 *
 * Two sides, as in Linux:
 *  - program side (helpers, inside a run): lookups return a pointer into the
 *    map (the copy of `cpu` for per-CPU maps), valid until the run ends;
 *  - user side (the bpf() commands): values are copied; per-CPU maps take and
 *    give round_up(value_size, 8) * ncpus bytes.
 * All functions return 0 or a negative BPFRT_E* unless stated otherwise. */
#ifndef BPFRT_MAP_H
#define BPFRT_MAP_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/uapi.h"

struct bpfrt_runtime;
struct bpfrt_prog;
struct bpfrt_btf;
struct bpfrt_map_ops;

struct bpfrt_map {
    const struct bpfrt_map_ops *ops;
    struct bpfrt_runtime *rt;
    uint32_t id;                 /* runtime-wide id (MAP_GET_NEXT_ID) */
    uint32_t refcnt;             /* atomic */
    uint32_t map_type, key_size, value_size, max_entries, map_flags;
    uint64_t map_extra;
    char name[BPF_OBJ_NAME_LEN];
    bool frozen;                 /* MAP_FREEZE: no more user-side writes */
    struct bpfrt_btf *btf;       /* reference, or NULL */
    uint32_t btf_key_type_id, btf_value_type_id;
    int32_t spin_lock_off;       /* offset of struct bpf_spin_lock in the value, or -1 */
    struct bpfrt_map *inner_meta;/* map-in-map: template the inner maps must match */
    uint32_t prog_array_engine;  /* PROG_ARRAY: engine kind of its programs (first one sets it) */
    bool prog_array_engine_set;
};

/* Whether this build implements map_type (MAP_CREATE refuses the others
 * with -EINVAL, as Linux refuses types it does not know). */
bool bpfrt_map_type_supported(uint32_t map_type);

/* Creates a map from the MAP_CREATE part of attr. inner_template is the map
 * inner_map_fd named (map-in-map), already resolved by the caller, else NULL.
 * btf is the map's BTF (reference taken), else NULL. On success *out holds
 * one reference. */
int bpfrt_map_create(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                     struct bpfrt_map *inner_template, struct bpfrt_btf *btf,
                     struct bpfrt_map **out);
void bpfrt_map_get(struct bpfrt_map *map);
void bpfrt_map_put(struct bpfrt_map *map); /* frees on the last reference (deferred past readers) */

/* Bytes one user-side value takes: value_size, or round_up(value_size, 8) *
 * ncpus for per-CPU maps; 4 (an id) for map-in-map and prog arrays. */
uint32_t bpfrt_map_user_value_size(const struct bpfrt_map *map);

/* ---- user side (bpf() commands) ---- */
int bpfrt_map_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags);
int bpfrt_map_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags);
int bpfrt_map_delete(struct bpfrt_map *map, const void *key);
/* key NULL (or not found in a hash map): first key. -ENOENT after the last. */
int bpfrt_map_get_next_key(struct bpfrt_map *map, const void *key, void *next_key);
int bpfrt_map_lookup_and_delete(struct bpfrt_map *map, const void *key, void *value, uint64_t flags);
int bpfrt_map_freeze(struct bpfrt_map *map);
/* Map-in-map and prog array updates from user space carry an object handle
 * that the command layer resolves; these take the resolved object. */
int bpfrt_map_update_inner(struct bpfrt_map *map, const void *key, struct bpfrt_map *inner, uint64_t flags);
int bpfrt_map_update_prog(struct bpfrt_map *map, const void *key, struct bpfrt_prog *prog, uint64_t flags);

/* ---- program side (helpers; cpu = run->cpu) ---- */
void *bpfrt_map_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu);
long bpfrt_map_update_elem(struct bpfrt_map *map, const void *key, const void *value,
                           uint64_t flags, unsigned cpu);
long bpfrt_map_delete_elem(struct bpfrt_map *map, const void *key);
long bpfrt_map_push_elem(struct bpfrt_map *map, const void *value, uint64_t flags);
long bpfrt_map_pop_elem(struct bpfrt_map *map, void *value);
long bpfrt_map_peek_elem(struct bpfrt_map *map, void *value);
void *bpfrt_map_lookup_percpu_elem(struct bpfrt_map *map, const void *key, uint32_t cpu);
/* Calls cb(map, key, value, cb_ctx) for each element (this CPU's copy);
 * stops when cb returns non-zero. Returns the number of elements visited. */
typedef uint64_t (*bpfrt_map_iter_cb)(struct bpfrt_map *map, const void *key, void *value, void *cb_ctx);
long bpfrt_map_for_each(struct bpfrt_map *map, bpfrt_map_iter_cb cb, void *cb_ctx, unsigned cpu);
/* Base address of the value memory of an array map for ld_imm64 map-value
 * loads (as Linux's map_direct_value_addr: the caller adds the offset, which
 * must be < value_size). */
int bpfrt_map_direct_value_addr(struct bpfrt_map *map, uint32_t off, uint64_t *addr);
/* PROG_ARRAY slot, or NULL. */
struct bpfrt_prog *bpfrt_map_prog_array_get(struct bpfrt_map *map, uint32_t index);
/* ARRAY_OF_MAPS / HASH_OF_MAPS: lookup returns the inner map pointer itself. */

/* ---- ring buffer (BPF_MAP_TYPE_RINGBUF) ---- */
void *bpfrt_ringbuf_reserve(struct bpfrt_map *map, uint64_t size, uint64_t flags);
void bpfrt_ringbuf_submit(void *sample, uint64_t flags);
void bpfrt_ringbuf_discard(void *sample, uint64_t flags);
long bpfrt_ringbuf_output(struct bpfrt_map *map, const void *data, uint64_t size, uint64_t flags);
uint64_t bpfrt_ringbuf_query(struct bpfrt_map *map, uint64_t flags);
/* Consumer: calls cb for each committed, non-discarded record in order and
 * advances the consumer position; returns records consumed or -errno. A
 * non-zero cb return stops early with that value. */
typedef int (*bpfrt_record_cb)(void *arg, const void *data, size_t size);
long bpfrt_ringbuf_consume(struct bpfrt_map *map, bpfrt_record_cb cb, void *arg);

/* ---- perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY) ---- */
/* Appends one record to the buffer of CPU `index` (BPF_F_CURRENT_CPU: cpu). */
long bpfrt_perf_event_output(struct bpfrt_map *map, uint64_t flags, const void *data,
                             uint64_t size, unsigned cpu);
/* Consumer: records of every CPU buffer; lost records are reported through
 * lost_cb (may be NULL). */
typedef void (*bpfrt_lost_cb)(void *arg, unsigned cpu, uint64_t lost);
long bpfrt_perf_event_consume(struct bpfrt_map *map, bpfrt_record_cb cb, bpfrt_lost_cb lost_cb, void *arg);

/* ---- spin locks inside values (bpf_spin_lock, BPF_F_LOCK) ---- */
void bpfrt_spin_lock(struct bpf_spin_lock *lock);
void bpfrt_spin_unlock(struct bpf_spin_lock *lock);

/* ---- additions for the command layer, loader and helpers ---- */

/* Records where the value's struct bpf_spin_lock sits (from BTF), before
 * the map is used. Only HASH and ARRAY maps may hold one (-EOPNOTSUPP
 * otherwise, as Linux); off must be 4-aligned and inside the value (-EINVAL).
 * off < 0 clears it. */
int bpfrt_map_set_spin_lock_off(struct bpfrt_map *map, int32_t off);

/* The last user handle (and pin) of the map is gone: drop entries that
 * could keep a reference cycle alive (PROG_ARRAY clears all its programs,
 * as Linux does on the last uref). The command layer calls it. */
void bpfrt_map_release_uref(struct bpfrt_map *map);

/* PROG_ARRAY compatibility with a program that uses it or goes into it:
 * the first program fixes the array's engine and program type; a later one
 * with another engine or type gets -EINVAL. Returns 0 when compatible. */
int bpfrt_map_prog_array_compatible(struct bpfrt_map *map, const struct bpfrt_prog *prog);

/* Redirect maps (DEVMAP, DEVMAP_HASH, XSKMAP, CPUMAP): the target stored at
 * key: ifindex (devmaps), queue id (xskmap) or the CPU itself (cpumap).
 * -ENOENT when the slot is empty, -EINVAL for other map types. */
int bpfrt_map_redirect_target(struct bpfrt_map *map, uint32_t key, uint32_t *target);

/* BPF_F_MMAPABLE arrays: the value area (what mmap() of the map shows),
 * with its size in *size; NULL for other maps. */
void *bpfrt_map_mmap_addr(struct bpfrt_map *map, size_t *size);

/* Perf event arrays: user space opens one record buffer of `size` bytes
 * (rounded up to 8, at least 64) per slot, as it would open a perf event per
 * CPU and store its fd at that key. Until a slot is opened,
 * bpf_perf_event_output to it gives -ENOENT; deleting the key closes it.
 * Returns 0, -E2BIG (slot >= max_entries), -EEXIST (already open),
 * -EINVAL or -ENOMEM. */
int bpfrt_perf_event_open_buffer(struct bpfrt_map *map, uint32_t slot, uint32_t size);
/* Records lost so far because slot's buffer was full. */
uint64_t bpfrt_perf_event_lost(struct bpfrt_map *map, uint32_t slot);

/* ---- host objects: sockets ----
 * Linux's SOCKMAP/SOCKHASH values, SK_STORAGE keys and the socket lookup
 * helpers (bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp) name sockets. In
 * bpfrt the embedder registers the sockets its programs may see; each gets
 * a small positive number, its "fd", which user-space map commands take
 * where Linux takes a socket fd (a SOCKMAP update's value, an SK_STORAGE
 * key). A program sees a socket as Linux's struct bpf_sock. */
#define BPFRT_AF_INET  2
#define BPFRT_AF_INET6 10

struct bpfrt_sock_desc {
    uint16_t family;             /* BPFRT_AF_INET or BPFRT_AF_INET6 */
    uint16_t type;               /* SOCK_STREAM 1, SOCK_DGRAM 2 */
    uint16_t protocol;           /* IPPROTO_TCP 6, IPPROTO_UDP 17 */
    uint16_t state;              /* Linux's TCP state numbers: BPF_TCP_ESTABLISHED 1,
                                  * BPF_TCP_LISTEN 10, BPF_TCP_CLOSE 7 (also an unconnected UDP socket) */
    uint8_t local_ip[16];        /* network byte order; IPv4 in the first 4 bytes; zeros: any */
    uint8_t remote_ip[16];
    uint16_t local_port;         /* host byte order; 0 for an unbound socket */
    uint16_t remote_port;        /* host byte order; 0 unless connected */
    uint32_t bound_dev_if, mark, priority;
    bool reuseport;              /* SO_REUSEPORT: in the reuseport group of the sockets of the same
                                  * protocol, family, local address and port that set it too
                                  * (bpf_sk_select_reuseport) */
};

/* Registers a socket; *fd gets its number. Returns 0, -EINVAL (bad
 * family or arguments) or -ENOMEM. */
int bpfrt_sock_add(struct bpfrt_runtime *rt, const struct bpfrt_sock_desc *desc, int *fd);
/* The socket is closed: lookups no longer find it, every SOCKMAP/SOCKHASH
 * drops it and its SK_STORAGE goes, as when Linux closes a socket.
 * Programs holding it keep valid memory until they release it. Returns 0
 * or -EBADF. */
int bpfrt_sock_remove(struct bpfrt_runtime *rt, int fd);

/* ---- local storage owners ----
 * TASK/INODE/SK/CGRP_STORAGE keep a value per owner object (whatever
 * pointer the program passes: a task, an inode, a socket, a cgroup). When
 * an object the hook handed to programs is freed, the embedder says so and
 * every storage map drops the owner's value (Linux frees an object's
 * storage with the object). Sockets and the runtime's own task objects do
 * this themselves. Returns 0 or -EINVAL. */
int bpfrt_local_storage_owner_gone(struct bpfrt_runtime *rt, const void *owner);

/* ---- user ring buffer (BPF_MAP_TYPE_USER_RINGBUF): user space produces ----
 * As libbpf's user_ring_buffer__reserve/submit/discard: a reserved sample
 * of `size` bytes is written by the caller, then submitted (programs drain
 * it with bpf_user_ringbuf_drain) or discarded. One producer at a time.
 * reserve returns 0 with *sample, -EINVAL (not a user ring buffer, size 0),
 * -E2BIG (larger than the ring can hold) or -ENOSPC (no room now). */
int bpfrt_user_ringbuf_reserve(struct bpfrt_map *map, uint32_t size, void **sample);
void bpfrt_user_ringbuf_submit(struct bpfrt_map *map, void *sample);
void bpfrt_user_ringbuf_discard(struct bpfrt_map *map, void *sample);

/* ---- cgroup arrays (BPF_MAP_TYPE_CGROUP_ARRAY) ----
 * User-space updates take a cgroup directory fd, as Linux (the platform's
 * cgroup_id_from_fd resolves it); an embedder that names cgroups by id
 * stores one directly. Returns 0, -E2BIG (index out of range) or -EINVAL. */
int bpfrt_cgroup_array_set(struct bpfrt_map *map, uint32_t index, uint64_t cgroup_id);

/* ---- perf event counters (bpf_perf_event_read, bpf_perf_event_read_value) ----
 * Linux stores perf event fds in a PERF_EVENT_ARRAY; a counting event is
 * read with bpf_perf_event_read(_value). Here the embedder opens a counter
 * at a slot with a function that reads it (value, time enabled, time
 * running, as struct bpf_perf_event_value). Returns 0, -E2BIG (slot out of
 * range), -EEXIST (slot in use) or -EINVAL/-ENOMEM. */
struct bpfrt_perf_counter_value {
    uint64_t counter, enabled, running;
};
typedef int (*bpfrt_perf_counter_fn)(void *arg, struct bpfrt_perf_counter_value *out);
int bpfrt_perf_event_open_counter(struct bpfrt_map *map, uint32_t slot, bpfrt_perf_counter_fn read, void *arg);
/* Reads slot's counter as the helpers do: 0, -E2BIG, -ENOENT (empty slot)
 * or -EINVAL (the slot holds a record buffer, not a counter). */
int bpfrt_perf_event_read_counter(struct bpfrt_map *map, uint64_t index, unsigned cpu,
                                  struct bpfrt_perf_counter_value *out);

#pragma GCC visibility pop

#endif
