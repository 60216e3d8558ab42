/* Internal to the core: the runtime object and the small freestanding
 * library every core module uses (memory, strings, formatting). Never
 * include libc headers in src/core/. */
#ifndef BPFRT_CORE_H
#define BPFRT_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/errno.h"
#include "bpfrt/platform.h"
#include "bpfrt/runtime.h"

struct bpfrt_objtab;     /* src/core/bpf/objtab.c */
struct bpfrt_helper_reg; /* src/core/helpers/registry.c */
struct bpfrt_engine_ops; /* include/bpfrt/prog.h */
struct bpfrt_host_objs;  /* src/core/maps/host_objs.c */
struct bpfrt_kstate;     /* src/core/helpers/kstate.c */

struct bpfrt_runtime {
    const struct bpfrt_platform *plat;
    unsigned ncpus;
    struct bpfrt_objtab *objtab;     /* handles, ids, pins */
    struct bpfrt_helper_reg *helpers;/* helper table */
    /* Engines this build has, by enum bpfrt_engine_kind (NULL: absent), and
     * the one loads take by default (src/core/prog/engine.c). */
    const struct bpfrt_engine_ops *const *engines;
    unsigned default_engine;
    bool jit_blind;                  /* constant blinding in the JIT (bpfrt_runtime_set_jit_blinding) */
    int8_t jit_bmi2;                 /* the CPU has BMI2: -1 not asked yet (cpuid is slow in VMs) */
    void *scratch;                   /* the JIT's cached compile memory (its size in its first word; jit_scratch.c) */
    bpfrt_trace_sink trace_sink;
    void *trace_sink_arg;
    uint32_t next_map_id, next_prog_id, next_btf_id; /* atomic */
    /* Run statistics (run_cnt, run_time_ns) are counted while this is
     * non-zero: one per open BPF_ENABLE_STATS handle (Linux's
     * bpf_stats_enabled_key). Atomic; the run path reads it relaxed. */
    uint32_t stats_enabled;
    uint32_t hash_seed;              /* per-runtime seed for hash maps */
    struct bpfrt_btf *kernel_btf;    /* attach_btf_id's BTF (vmlinux), or NULL */
    /* The host's objects programs see (created on first use, freed with
     * the runtime): the sockets the embedder registered, and the routing
     * table, fabricated tasks and target BTF of the helpers. */
    struct bpfrt_host_objs *hobjs;
    struct bpfrt_kstate *kstate;
};

/* ---- memory (platform allocator) ---- */
void *bpfrt_zalloc(struct bpfrt_runtime *rt, size_t size);          /* zeroed, 16-aligned */
void *bpfrt_zalloc_aligned(struct bpfrt_runtime *rt, size_t size, size_t align);
void bpfrt_free(struct bpfrt_runtime *rt, void *ptr, size_t size);  /* size as allocated */
/* Checked a*b; returns false on overflow. */
static inline bool bpfrt_mul_overflow(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}
static inline uint64_t bpfrt_round_up(uint64_t x, uint64_t align) /* align: power of two */
{
    return (x + align - 1) & ~(align - 1);
}
/* v's low `size` bytes (1, 2, 4 or 8), sign-extended to 64 bits. */
static inline uint64_t bpfrt_sign_extend(uint64_t v, unsigned size)
{
    unsigned drop = 64 - 8 * size;
    return drop ? (uint64_t)((int64_t)(v << drop) >> drop) : v;
}

/* ---- strings (freestanding) ---- */
size_t bpfrt_strlen(const char *s);
size_t bpfrt_strnlen(const char *s, size_t max);
int bpfrt_strcmp(const char *a, const char *b);
int bpfrt_strncmp(const char *a, const char *b, size_t n);
/* Copies at most size-1 bytes and always NUL-terminates (size > 0). Returns strlen(src). */
size_t bpfrt_strlcpy(char *dst, const char *src, size_t size);
char *bpfrt_strchr(const char *s, int c);
/* memcpy/memset/memmove/memcmp are the compiler's (every kernel has them). */
#define bpfrt_memcpy  __builtin_memcpy
#define bpfrt_memset  __builtin_memset
#define bpfrt_memmove __builtin_memmove
#define bpfrt_memcmp  __builtin_memcmp

/* ---- formatting (freestanding snprintf) ----
 * Supports %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+' ' ' '#', width and
 * precision (also '*'), length modifiers hh h l ll z t j. Always
 * NUL-terminates when size > 0; returns the length the full output needs. */
int bpfrt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int bpfrt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A growable-in-place text buffer over caller memory: appends never overflow;
 * `len` counts what would have been written (so callers can report the size
 * needed), `truncated` says whether anything was lost. */
struct bpfrt_strbuf {
    char *buf;
    size_t size;
    size_t len;
};
void bpfrt_strbuf_init(struct bpfrt_strbuf *sb, char *buf, size_t size);
void bpfrt_strbuf_printf(struct bpfrt_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bpfrt_strbuf_vprintf(struct bpfrt_strbuf *sb, const char *fmt, va_list ap);
void bpfrt_strbuf_puts(struct bpfrt_strbuf *sb, const char *s);

/* ---- atomics ---- */
#define bpfrt_atomic_inc(p)      __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define bpfrt_atomic_dec(p)      __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define bpfrt_load_relaxed(p)    __atomic_load_n((p), __ATOMIC_RELAXED)
#define bpfrt_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define bpfrt_load_acquire(p)    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define bpfrt_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* ---- platform shortcuts ---- */
static inline const struct bpfrt_platform *bpfrt_plat(const struct bpfrt_runtime *rt)
{
    return rt->plat;
}

/* Sends a formatted message to the platform log. */
void bpfrt_logf(struct bpfrt_runtime *rt, enum bpfrt_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Registration hooks the runtime calls at creation (each module provides one). */
int bpfrt_helpers_init(struct bpfrt_runtime *rt);   /* src/core/helpers */
void bpfrt_helpers_fini(struct bpfrt_runtime *rt);
int bpfrt_objtab_init(struct bpfrt_runtime *rt);    /* src/core/bpf */
void bpfrt_objtab_fini(struct bpfrt_runtime *rt);
struct bpfrt_btf;
/* The layout target of the kernel objects helpers hand out
 * (src/core/helpers/kobj.c); set with the runtime's kernel BTF. */
int bpfrt_kobjs_set_btf(struct bpfrt_runtime *rt, struct bpfrt_btf *btf);

#endif
