/* BTF: type information for maps, programs and the disassembler. Parser and
 * validator live in src/core/btf/ (freestanding, shared by BTF_LOAD and the
 * ELF loader). */
#ifndef BPFRT_BTF_H
#define BPFRT_BTF_H

#include <stddef.h>
#include <stdint.h>

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

/* Parses and validates raw BTF (header, types, strings) as BTF_LOAD does.
 * Messages go to log (may be NULL). On success *out holds one reference. */
int bpfrt_btf_new(struct bpfrt_runtime *rt, const void *data, uint32_t size,
                  char *log, uint32_t log_size, struct bpfrt_btf **out);
void bpfrt_btf_get(struct bpfrt_btf *btf);
void bpfrt_btf_put(struct bpfrt_btf *btf);

/* Raw bytes as loaded (for OBJ_GET_INFO). */
const void *bpfrt_btf_data(const struct bpfrt_btf *btf, uint32_t *size);
uint32_t bpfrt_btf_id(const struct bpfrt_btf *btf);

/* Size in bytes of type `type_id` after typedef/modifier resolution, or a
 * negative errno. */
long bpfrt_btf_type_size(const struct bpfrt_btf *btf, uint32_t type_id);
/* Offset of a struct bpf_spin_lock inside type_id (searching nested structs),
 * -ENOENT when there is none, -EINVAL when there are several. */
int bpfrt_btf_find_spin_lock(const struct bpfrt_btf *btf, uint32_t type_id);
/* Name of a string-section offset, or NULL. */
const char *bpfrt_btf_str(const struct bpfrt_btf *btf, uint32_t off);

#endif
