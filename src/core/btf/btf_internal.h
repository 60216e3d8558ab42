/* Internal to src/core/btf: the parsed BTF object. */
#ifndef BPFRT_BTF_INTERNAL_H
#define BPFRT_BTF_INTERNAL_H

#include "bpfrt/btf.h"
#include "core/core.h"

/* Longest typedef/modifier chain or nesting the resolvers follow. */
#define BTF_MAX_RESOLVE_DEPTH 32

struct bpfrt_btf {
    struct bpfrt_runtime *rt;
    uint32_t refcnt;           /* atomic */
    uint32_t id;               /* runtime-wide id; 0 for object-file BTF */
    uint8_t *data;             /* own copy of the raw bytes */
    uint32_t size;
    struct btf_header hdr;
    const char *strs;          /* string section inside data */
    uint32_t str_len;
    struct btf_type **types;   /* types[id] points into data; types[0] = NULL (void) */
    uint32_t nr_types;         /* including void */
    uint32_t types_cap;
};

#endif
