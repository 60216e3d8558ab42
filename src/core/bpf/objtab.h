/* Object table internals shared by the command handlers: handles, the id
 * registry and pins. */
#ifndef BPFRT_CORE_BPF_OBJTAB_H
#define BPFRT_CORE_BPF_OBJTAB_H

#include <stdint.h>

#include "core/core.h"

/* BPFRT_OBJ_STATS: a BPF_ENABLE_STATS handle; its object is the runtime,
 * and each reference on it is one count of rt->stats_enabled (Linux's
 * "bpf-stats" anon inode, whose release turns stats off). It has no id and
 * cannot be pinned. */
enum bpfrt_obj_kind { BPFRT_OBJ_NONE = 0, BPFRT_OBJ_MAP, BPFRT_OBJ_PROG, BPFRT_OBJ_BTF, BPFRT_OBJ_STATS };

/* Generic reference counting per kind. */
void bpfrt_obj_get(enum bpfrt_obj_kind kind, void *obj);
void bpfrt_obj_put(enum bpfrt_obj_kind kind, void *obj);

/* Access a handle grants (Linux's file mode on a bpf fd). */
#define BPFRT_HANDLE_READ 1u
#define BPFRT_HANDLE_WRITE 2u
#define BPFRT_HANDLE_RDWR (BPFRT_HANDLE_READ | BPFRT_HANDLE_WRITE)

/* Opens a handle on obj, consuming the caller's reference on success (on
 * failure the caller still owns it). Returns the handle or -EMFILE/-ENOMEM. */
int bpfrt_objtab_install(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj);
/* Same with an access mode (BPFRT_HANDLE_*). */
int bpfrt_objtab_install_mode(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, void *obj, unsigned mode);

/* The mode for open_flags / file_flags / map_flags (BPF_F_RDONLY,
 * BPF_F_WRONLY): -EINVAL for both. */
int bpfrt_handle_mode_from_flags(uint32_t flags);

/* Like bpfrt_objtab_get, also giving the handle's mode. */
int bpfrt_objtab_get_mode(struct bpfrt_runtime *rt, int handle, enum bpfrt_obj_kind kind, void **obj,
                          unsigned *mode);

/* The object behind handle with a new reference: -EBADF when no such
 * handle, -EINVAL when it holds another kind of object (as Linux's
 * __bpf_map_get / bpf_prog_get / btf_get_by_fd). */
int bpfrt_objtab_get(struct bpfrt_runtime *rt, int handle, enum bpfrt_obj_kind kind, void **obj);

/* Kind of the object behind a handle (BPFRT_OBJ_NONE if closed) and the
 * object with a new reference. */
enum bpfrt_obj_kind bpfrt_objtab_get_any(struct bpfrt_runtime *rt, int handle, void **obj);

/* Id registry: every object that ever got a handle stays visible by id
 * while anything references it. */
int bpfrt_objtab_next_id(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, uint32_t start,
                         uint32_t *next);
int bpfrt_objtab_get_by_id(struct bpfrt_runtime *rt, enum bpfrt_obj_kind kind, uint32_t id, void **obj);

/* Pins: a name space of paths inside the runtime. pin takes its own
 * reference; -EEXIST when the path is taken, -EINVAL for a kind that
 * cannot be pinned (a stats handle). */
int bpfrt_objtab_pin(struct bpfrt_runtime *rt, const char *path, enum bpfrt_obj_kind kind, void *obj);
/* The pinned object with a new reference, or -ENOENT. */
enum bpfrt_obj_kind bpfrt_objtab_get_pinned(struct bpfrt_runtime *rt, const char *path, void **obj,
                                            int *err);

/* Drops registry entries nothing else references any more. */
void bpfrt_objtab_sweep(struct bpfrt_runtime *rt);

/* Id of an object of that kind. */
uint32_t bpfrt_obj_id(enum bpfrt_obj_kind kind, const void *obj);

#endif
