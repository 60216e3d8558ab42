/* BTF: type information for maps, programs and the disassembler. Parser and
 * validator live in src/core/btf/ (freestanding, shared by BTF_LOAD and the
 * ELF loader). */
#ifndef BPFRT_BTF_H
#define BPFRT_BTF_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/uapi.h"

struct bpfrt_runtime;
struct bpfrt_btf;

/* BTF kinds (Linux's values). */
enum {
    BTF_KIND_UNKN = 0, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_ARRAY, BTF_KIND_STRUCT,
    BTF_KIND_UNION, BTF_KIND_ENUM, BTF_KIND_FWD, BTF_KIND_TYPEDEF, BTF_KIND_VOLATILE,
    BTF_KIND_CONST, BTF_KIND_RESTRICT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_VAR,
    BTF_KIND_DATASEC, BTF_KIND_FLOAT, BTF_KIND_DECL_TAG, BTF_KIND_TYPE_TAG, BTF_KIND_ENUM64,
    NR_BTF_KINDS
};

/* ---- the binary format (Linux's include/uapi/linux/btf.h layout) ---- */

#define BTF_MAGIC 0xeB9F
#define BTF_VERSION 1
#define BTF_MAX_TYPE 0x000fffff
#define BTF_MAX_NAME_OFFSET 0x00ffffff
#define BTF_MAX_VLEN 0xffff

struct btf_header {
    uint16_t magic;
    uint8_t version;
    uint8_t flags;
    uint32_t hdr_len;
    uint32_t type_off; /* relative to the end of the header */
    uint32_t type_len;
    uint32_t str_off;
    uint32_t str_len;
};

struct btf_type {
    uint32_t name_off;
    /* bits 0-15 vlen, 24-28 kind, 31 kind_flag */
    uint32_t info;
    union {
        uint32_t size; /* INT, ENUM, STRUCT, UNION, DATASEC, FLOAT, ENUM64 */
        uint32_t type; /* PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR, DECL_TAG, TYPE_TAG */
    };
};

#define BTF_INFO_KIND(info) (((info) >> 24) & 0x1f)
#define BTF_INFO_VLEN(info) ((info) & 0xffff)
#define BTF_INFO_KFLAG(info) ((info) >> 31)
#define BTF_INFO_ENC(kind, kflag, vlen) \
    ((((uint32_t)(kflag)) << 31) | (((uint32_t)(kind)) << 24) | ((uint32_t)(vlen) & BTF_MAX_VLEN))

/* INT: one u32 after the btf_type. */
#define BTF_INT_ENCODING(v) (((v) & 0x0f000000) >> 24)
#define BTF_INT_OFFSET(v) (((v) & 0x00ff0000) >> 16)
#define BTF_INT_BITS(v) ((v) & 0x000000ff)
#define BTF_INT_SIGNED (1 << 0)
#define BTF_INT_CHAR (1 << 1)
#define BTF_INT_BOOL (1 << 2)

struct btf_enum { uint32_t name_off; int32_t val; };
struct btf_enum64 { uint32_t name_off; uint32_t val_lo32; uint32_t val_hi32; };
struct btf_array { uint32_t type; uint32_t index_type; uint32_t nelems; };
struct btf_member { uint32_t name_off; uint32_t type; uint32_t offset; };
/* With kind_flag set, member offset = bitfield_size << 24 | bit_offset. */
#define BTF_MEMBER_BITFIELD_SIZE(val) ((val) >> 24)
#define BTF_MEMBER_BIT_OFFSET(val) ((val) & 0xffffff)
struct btf_param { uint32_t name_off; uint32_t type; };
enum { BTF_VAR_STATIC = 0, BTF_VAR_GLOBAL_ALLOCATED = 1, BTF_VAR_GLOBAL_EXTERN = 2 };
enum { BTF_FUNC_STATIC = 0, BTF_FUNC_GLOBAL = 1, BTF_FUNC_EXTERN = 2 };
struct btf_var { uint32_t linkage; };
struct btf_var_secinfo { uint32_t type; uint32_t offset; uint32_t size; };
struct btf_decl_tag { int32_t component_idx; };

static inline uint32_t btf_kind(const struct btf_type *t) { return BTF_INFO_KIND(t->info); }
static inline uint32_t btf_vlen(const struct btf_type *t) { return BTF_INFO_VLEN(t->info); }
static inline bool btf_kflag(const struct btf_type *t) { return BTF_INFO_KFLAG(t->info); }
/* Data that follows a btf_type (members, params, enum values, ...). */
static inline void *btf_type_extra(const struct btf_type *t) { return (void *)(t + 1); }
static inline const struct btf_member *btf_members(const struct btf_type *t)
{ return (const struct btf_member *)(t + 1); }
static inline const struct btf_var_secinfo *btf_secinfos(const struct btf_type *t)
{ return (const struct btf_var_secinfo *)(t + 1); }
static inline uint32_t btf_member_bit_offset(const struct btf_type *t, uint32_t idx)
{
    uint32_t off = btf_members(t)[idx].offset;
    return btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}
static inline uint32_t btf_member_bitfield_size(const struct btf_type *t, uint32_t idx)
{
    return btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(btf_members(t)[idx].offset) : 0;
}

/* BTF.ext (func_info, line_info and CO-RE relocations in an object file). */
struct btf_ext_header {
    uint16_t magic;
    uint8_t version;
    uint8_t flags;
    uint32_t hdr_len;
    uint32_t func_info_off; /* relative to the end of the header */
    uint32_t func_info_len;
    uint32_t line_info_off;
    uint32_t line_info_len;
    uint32_t core_relo_off; /* present when hdr_len >= 32 */
    uint32_t core_relo_len;
};

/* CO-RE relocation kinds and records (as <linux/bpf.h> declares them,
 * which it does when it came before bpfrt's headers). */
#ifdef BPFRT_STANDS_FOR_LINUX_BPF_H
enum bpf_core_relo_kind {
    BPF_CORE_FIELD_BYTE_OFFSET = 0, BPF_CORE_FIELD_BYTE_SIZE = 1, BPF_CORE_FIELD_EXISTS = 2,
    BPF_CORE_FIELD_SIGNED = 3, BPF_CORE_FIELD_LSHIFT_U64 = 4, BPF_CORE_FIELD_RSHIFT_U64 = 5,
    BPF_CORE_TYPE_ID_LOCAL = 6, BPF_CORE_TYPE_ID_TARGET = 7, BPF_CORE_TYPE_EXISTS = 8,
    BPF_CORE_TYPE_SIZE = 9, BPF_CORE_ENUMVAL_EXISTS = 10, BPF_CORE_ENUMVAL_VALUE = 11,
    BPF_CORE_TYPE_MATCHES = 12,
};
struct bpf_core_relo {
    uint32_t insn_off;
    uint32_t type_id;
    uint32_t access_str_off;
    uint32_t kind;
};
#endif

/* ---- parsing and validation ---- */

/* Parses and validates raw BTF (header, types, strings) as BTF_LOAD does.
 * Messages go to log (may be NULL). On success *out holds one reference. */
int bpfrt_btf_new(struct bpfrt_runtime *rt, const void *data, uint32_t size,
                  char *log, uint32_t log_size, struct bpfrt_btf **out);

/* Flags for bpfrt_btf_parse. */
#define BPFRT_BTF_F_OBJECT 1u /* BTF as clang leaves it in an object file: DATASEC
                               * sizes and variable offsets may still be 0 */
/* Like bpfrt_btf_new with flags. The BTF keeps its own copy of data; an
 * object-file BTF may then be fixed up in place (bpfrt_btf_type_mut). */
int bpfrt_btf_parse(struct bpfrt_runtime *rt, const void *data, uint32_t size, unsigned flags,
                    char *log, uint32_t log_size, struct bpfrt_btf **out);

void bpfrt_btf_get(struct bpfrt_btf *btf);
void bpfrt_btf_put(struct bpfrt_btf *btf);

/* Raw bytes as loaded (for OBJ_GET_INFO). */
const void *bpfrt_btf_data(const struct bpfrt_btf *btf, uint32_t *size);
uint32_t bpfrt_btf_id(const struct bpfrt_btf *btf);

/* The kernel's BTF for this runtime (Linux's vmlinux BTF): what PROG_LOAD's
 * attach_btf_id names when attach_btf_obj_fd is 0 (fentry, fexit,
 * fmod_ret, tp_btf, iter, lsm programs). The runtime takes a reference;
 * NULL clears it. The hosted CLI and loader set the running kernel's
 * /sys/kernel/btf/vmlinux (or --btf) when they have it. */
void bpfrt_runtime_set_kernel_btf(struct bpfrt_runtime *rt, struct bpfrt_btf *btf);
struct bpfrt_btf *bpfrt_runtime_kernel_btf(const struct bpfrt_runtime *rt);

/* ---- queries ---- */

/* Number of type ids including the implicit void (id 0): valid ids are
 * 1 .. nr_types-1. */
uint32_t bpfrt_btf_nr_types(const struct bpfrt_btf *btf);
/* The type with `id`, or NULL for 0 (void) and ids out of range. */
const struct btf_type *bpfrt_btf_type_by_id(const struct bpfrt_btf *btf, uint32_t id);
/* Writable view, for fixing up an object file's BTF before it is loaded. */
struct btf_type *bpfrt_btf_type_mut(struct bpfrt_btf *btf, uint32_t id);
/* Name of type `id` ("" for anonymous types and void). */
const char *bpfrt_btf_name(const struct bpfrt_btf *btf, uint32_t id);
/* Skips typedef, volatile, const, restrict and type tags; returns the
 * underlying id (0 = void, or when the chain is broken or too long). */
uint32_t bpfrt_btf_skip_mods(const struct bpfrt_btf *btf, uint32_t id);
/* First type with this name and kind: its id, or -ENOENT. */
long bpfrt_btf_find_by_name_kind(const struct bpfrt_btf *btf, const char *name, uint32_t kind);

/* Size in bytes of type `type_id` after typedef/modifier resolution, or a
 * negative errno. */
long bpfrt_btf_type_size(const struct bpfrt_btf *btf, uint32_t type_id);
/* Offset of a struct bpf_spin_lock inside type_id (searching nested structs),
 * -ENOENT when there is none, -EINVAL when there are several. */
int bpfrt_btf_find_spin_lock(const struct bpfrt_btf *btf, uint32_t type_id);
/* "STRUCT", "INT", ... (Linux's spelling in BTF dumps). */
const char *bpfrt_btf_kind_name(uint32_t kind);
/* Name of a string-section offset, or NULL. */
const char *bpfrt_btf_str(const struct bpfrt_btf *btf, uint32_t off);

/* Formats `size` bytes at data as a value of type `type_id` into buf
 * (snprintf-style: always NUL-terminated, returns the length needed).
 * C-like ("{.pkts = 3, .name = "eth0", .a = [1, 2]}") or, with json,
 * JSON ({"pkts": 3, "name": "eth0", "a": [1, 2]}). Falls back to hex bytes
 * when the type does not describe the data. */
int bpfrt_btf_format_value(const struct bpfrt_btf *btf, uint32_t type_id, const void *data,
                           size_t size, bool json, char *buf, size_t buf_size);

/* Writes a C-like spelling of type `id` ("struct flow_key", "__u32 [4]",
 * "void *") into buf; snprintf-style. */
int bpfrt_btf_type_str(const struct bpfrt_btf *btf, uint32_t id, char *buf, size_t buf_size);

#pragma GCC visibility pop

#endif
