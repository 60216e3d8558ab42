/* Helpers: Linux's helper ids (enum bpf_func_id, Linux 6.18 spelling and
 * values, built from the list in bpfrt/helper_ids.h) and the API to inspect the
 * helper table a runtime holds. The prototypes themselves (struct
 * bpfrt_helper_proto) and bpfrt_helper_register/find live in prog.h.
 *
 * Do not include together with <linux/bpf.h>: the names are the same. */
#ifndef BPFRT_HELPERS_H
#define BPFRT_HELPERS_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/helper_ids.h"
#include "bpfrt/prog.h"

struct bpfrt_runtime;

#define BPFRT_HELPER_ENUM_ENTRY(name, id) BPF_FUNC_##name = id,
enum bpf_func_id {
    BPFRT_HELPER_IDS(BPFRT_HELPER_ENUM_ENTRY)
    __BPF_FUNC_MAX_ID,
};
#undef BPFRT_HELPER_ENUM_ENTRY

/* Linux's name of helper `id` without the "bpf_" prefix ("map_lookup_elem"),
 * for any id Linux defines (implemented here or not), or NULL. */
const char *bpfrt_helper_id_name(uint32_t id);

/* The built-in helper table (rows sorted by id), independent of any runtime:
 * what bpfrt_helpers_init registers. *count gets the number of rows. */
const struct bpfrt_helper_proto *bpfrt_helper_builtin_table(size_t *count);

/* Number of helpers registered in rt (built-in and application ones). */
size_t bpfrt_helper_count(const struct bpfrt_runtime *rt);

/* The i-th registered helper in id order (0 <= i < count), or NULL. */
const struct bpfrt_helper_proto *bpfrt_helper_at(const struct bpfrt_runtime *rt, size_t i);

/* Callback shapes of Linux's callback-taking helpers (set_*_callback_state
 * in kernel/bpf/verifier.c), for the rows of the helpers that take one:
 * bpf_loop (index, ctx), bpf_for_each_map_elem (map, key, value, ctx),
 * bpf_find_vma (task, vma, ctx), bpf_user_ringbuf_drain (dynptr, ctx) -
 * each returning 0 or 1 - and bpf_timer_set_callback (map, key, value;
 * runs later, returns 0). */
extern const struct bpfrt_helper_cb bpfrt_helper_cb_loop;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_for_each_map_elem;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_find_vma;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_user_ringbuf_drain;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_timer;

/* Renders an argument / return kind with Linux's name ("ARG_PTR_TO_MAP_KEY",
 * "RET_PTR_TO_MAP_VALUE_OR_NULL"); "?" for unknown values. */
const char *bpfrt_helper_arg_type_name(uint8_t arg_type);
const char *bpfrt_helper_ret_type_name(uint8_t ret_type);

/* Limits Linux applies to helpers, used by the implementations. */
#define BPFRT_MAX_LOOPS          (1u << 23)  /* bpf_loop nr_loops bound */
#define BPFRT_MAX_BPRINTF_VARARGS 12         /* trace_vprintk / snprintf */
#define BPFRT_MAX_TRACE_PRINTK_ARGS 3
#define BPFRT_BPRINTF_BUF        1024        /* trace_printk output line */
#define BPFRT_BPRINTF_BIN_ARGS   512         /* string/ip bytes a printf-like call may copy */
#define BPFRT_XDP_FRAME_RESERVE  40          /* head of an XDP buffer Linux keeps for struct xdp_frame */
#define BPFRT_XDP_META_MAX       255         /* largest XDP metadata (skb_shared_info.meta_len is u8) */
#define BPFRT_ETH_HLEN           14

/* Extra flags of the packet helpers (Linux's values). */
#define BPF_F_INGRESS          (1ULL << 0)   /* bpf_redirect */
#define BPF_F_BROADCAST        (1ULL << 3)   /* bpf_redirect_map */
#define BPF_F_EXCLUDE_INGRESS  (1ULL << 4)
#define BPF_F_IPV6             (1ULL << 7)   /* bpf_l4_csum_replace (6.16+) */

/* What bpfrt_pkt.redirect_flags holds after bpf_redirect_neigh /
 * bpf_redirect_peer (Linux's internal bpf_redirect_info flags). */
#define BPFRT_REDIRECT_NEIGH   (1ULL << 1)
#define BPFRT_REDIRECT_PEER    (1ULL << 2)
#define BPFRT_REDIRECT_NEXTHOP (1ULL << 3)

#pragma GCC visibility pop

#endif
