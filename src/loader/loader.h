/* Internal to src/loader: the ELF view, the object model and the steps that
 * fill it (sections, maps, globals, externs, BTF fix-up, relocation, load). */
#ifndef BPFRT_LOADER_H
#define BPFRT_LOADER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/btf.h"
#include "bpfrt/errno.h"
#include "bpfrt/insn.h"
#include "bpfrt/object.h"
#include "bpfrt/prog_type.h"
#include "bpfrt/uapi.h"

/* ---- ELF (elf.c) ---- */

/* BPF relocation types (LLVM's ELF/RelocationsBPF). */
#define R_BPF_NONE 0
#define R_BPF_64_64 1
#define R_BPF_64_ABS64 2
#define R_BPF_64_ABS32 3
#define R_BPF_64_NODYLD32 4
#define R_BPF_64_32 10

struct elf_sec {
    const char *name;
    uint32_t index;
    uint32_t type;       /* SHT_* */
    uint64_t flags;      /* SHF_* */
    const uint8_t *data; /* NULL for SHT_NOBITS */
    uint64_t size;
    uint32_t link, info;
    uint64_t entsize;
};

struct elf_sym {
    const char *name;
    uint64_t value;
    uint64_t size;
    uint16_t shndx;
    uint8_t type;  /* STT_* */
    uint8_t bind;  /* STB_* */
    uint8_t visibility;
};

struct elf_rel {
    uint64_t offset;
    uint32_t sym;  /* index into elf_file.syms */
    uint32_t type; /* R_BPF_* */
};

struct elf_file {
    const uint8_t *buf;
    size_t size;
    struct elf_sec *secs;
    uint32_t nsecs;
    struct elf_sym *syms;
    uint32_t nsyms;
    uint32_t symtab_idx;
};

/* Parses the ELF64 little-endian BPF object in buf (which must outlive the
 * result): header, section table, names, symbol table, all bounds-checked.
 * Returns 0 or -BPFRT_EINVAL with a message. */
int bpfrt_elf_parse(struct elf_file *ef, const uint8_t *buf, size_t size, char *err, size_t err_size);
void bpfrt_elf_free(struct elf_file *ef);
/* The relocations of a SHT_REL section, checked (symbol index, offset within
 * the target section). *out is malloc'd. */
int bpfrt_elf_read_rels(const struct elf_file *ef, const struct elf_sec *relsec, struct elf_rel **out,
                  uint32_t *cnt, char *err, size_t err_size);
const struct elf_sec *bpfrt_elf_find_sec(const struct elf_file *ef, const char *name);

/* ---- section names (sections.c; program types: bpfrt_prog_sec_find) ---- */

#define LIBBPF_PIN_BY_NAME_VALUE 1u
/* iproute2 "ID/KEY" tail-call slot names. */
bool bpfrt_sec_parse_tail_slot(const char *sec_name, uint32_t *map_id, uint32_t *key);

/* ---- object model ---- */

/* One function inside an executable section: an entry program or a subprogram. */
struct obj_func {
    uint32_t sec;           /* section index */
    uint32_t start, len;    /* in instructions */
    const char *name;
    bool global;
};

struct obj_insn_origin {
    uint32_t sec;
    uint32_t idx;           /* instruction index within the section */
};

struct bpfrt_object_prog {
    struct bpfrt_object *obj;
    char *name;
    char kname[BPF_OBJ_NAME_LEN];   /* name passed to PROG_LOAD */
    char *sec_name;
    uint32_t sec;
    uint32_t start, len;            /* own code in the section */
    uint32_t type, attach_type;
    bool attach_type_set;           /* pass attach_type to PROG_LOAD */
    unsigned prog_flags;
    const char *attach_target;      /* points into sec_name */
    bool autoload;
    bool has_tail_slot;
    uint32_t tail_map_id, tail_key;

    /* After relocation. */
    struct bpf_insn *insns;
    uint32_t insn_cnt;
    struct obj_insn_origin *origin;
    struct bpf_func_info *func_info;
    uint32_t nr_func_info;
    struct bpf_line_info *line_info;
    uint32_t nr_line_info;

    int handle;
    char *log;
    char *error;                    /* why the last load failed, or NULL */
    int error_code;
};

struct obj_init_slot {              /* initial values of PROG_ARRAY / map-in-map */
    uint32_t index;
    uint32_t sym;                   /* ELF symbol of the program or map */
};

struct bpfrt_object_map {
    struct bpfrt_object *obj;
    char *name;                     /* variable name or section name */
    char kname[BPF_OBJ_NAME_LEN];   /* name passed to MAP_CREATE */
    enum bpfrt_object_map_kind kind;
    uint32_t sec;                   /* ELF section holding the definition or data (0 for .kconfig) */
    uint64_t sec_off;               /* offset of the definition in .maps / maps */
    uint64_t def_size;
    uint32_t type, key_size, value_size, max_entries, map_flags, numa_node;
    uint64_t map_extra;
    uint32_t btf_key_type_id, btf_value_type_id;
    uint32_t pinning, legacy_id, legacy_inner_id, legacy_inner_idx;
    struct bpfrt_object_map *inner; /* owned template (BTF map-in-map) */
    int inner_legacy;               /* legacy inner map index, or -1 */
    uint32_t values_off;            /* BTF maps: offset of `values` in the definition, or UINT32_MAX */
    struct obj_init_slot *init;
    uint32_t nr_init;
    uint8_t *data;                  /* global data image */
    size_t data_size;
    int handle;
    bool reused;                    /* LIBBPF_PIN_BY_NAME: an existing pinned map was taken */
    char *error;                    /* why creating it failed (partial load), or NULL */
    int error_code;
};

struct obj_ext_sec {                /* one section's block in .BTF.ext */
    const char *sec_name;
    const uint8_t *recs;
    uint32_t nr, rec_size;
};

struct obj_extern {
    const char *name;
    uint32_t sym;
    bool kconfig;                   /* else __ksym */
    bool weak;
    uint32_t btf_var;               /* VAR id, 0 without BTF */
    uint32_t off, size;             /* placement in the .kconfig map */
};

struct bpfrt_object {
    struct bpfrt_runtime *rt;
    uint8_t *buf;
    size_t size;
    struct elf_file elf;
    char name[64];
    char license[128];
    uint32_t kversion;
    struct bpfrt_object_opts opts;
    char *kconfig_opt;

    struct bpfrt_btf *btf;          /* fixed-up object BTF, or NULL */
    struct bpfrt_btf *btf_before_ksyms; /* the BTF .BTF.ext records' strings point into */
    const struct btf_ext_header *ext_hdr;
    struct obj_ext_sec *func_secs, *line_secs, *core_secs;
    uint32_t nr_func_secs, nr_line_secs, nr_core_secs;
    uint32_t func_rec_size, line_rec_size, core_rec_size;
    struct bpfrt_btf *target_btf;   /* CO-RE target (core_target.c), or NULL */
    char *target_btf_path;          /* opts.target_btf_path, copied */
    bool core_target_tried;
    struct core_name *core_names;   /* target types by essential name */
    uint32_t nr_core_names;

    struct obj_func *funcs;
    uint32_t nr_funcs;
    struct bpfrt_object_prog *progs;
    uint32_t nr_progs;
    struct bpfrt_object_map *maps;
    uint32_t nr_maps;
    struct obj_extern *externs;
    uint32_t nr_externs;

    /* Relocations per executable section: relo_at[sec][insn] = index into rels[sec] or -1. */
    struct elf_rel **rels;
    uint32_t *nr_rels;
    int32_t **relo_at;

    struct bpf_insn **sec_insns;    /* aligned copy of each executable section (CO-RE patched) */
    uint8_t *ext_buf;               /* aligned copy of .BTF.ext */
    uint32_t maps_sec;              /* .maps, 0 when absent */
    bool loaded, core_done;
    int btf_handle;
    char notes[512];
};

/* Error reporting into the caller's buffer. */
struct obj_err {
    char *buf;
    size_t size;
};
int bpfrt_obj_fail(struct obj_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void bpfrt_obj_note(struct bpfrt_object *obj, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Steps (each returns 0 or -errno with a message). */
int bpfrt_obj_collect_progs(struct bpfrt_object *obj, struct obj_err *e);
int bpfrt_obj_collect_relos(struct bpfrt_object *obj, struct obj_err *e);
int bpfrt_obj_collect_map_inits(struct bpfrt_object *obj, struct obj_err *e); /* maps.c */
int bpfrt_obj_collect_maps(struct bpfrt_object *obj, struct obj_err *e);      /* maps.c */
int bpfrt_obj_collect_legacy_maps(struct bpfrt_object *obj, struct obj_err *e); /* legacy_maps.c */
int bpfrt_obj_collect_globals(struct bpfrt_object *obj, struct obj_err *e);   /* globals.c */
int bpfrt_obj_collect_externs(struct bpfrt_object *obj, struct obj_err *e);   /* externs.c */
int bpfrt_obj_btf_open(struct bpfrt_object *obj, struct obj_err *e);          /* btf_fixup.c */
/* .ksyms made loadable for Linux once the externs are collected (btf_fixup.c) */
int bpfrt_obj_btf_fix_ksyms(struct bpfrt_object *obj, struct obj_err *e);
int bpfrt_obj_btf_ext_open(struct bpfrt_object *obj, struct obj_err *e);      /* btf_fixup.c */
/* Every program (errors stay with each; the first is returned). */
int bpfrt_obj_relocate(struct bpfrt_object *obj, struct obj_err *e);          /* reloc.c */
/* One program, after the object-wide CO-RE pass. */
int bpfrt_obj_relocate_prog(struct bpfrt_object *obj, struct bpfrt_object_prog *p,
                            struct obj_err *e);                               /* reloc.c */
int bpfrt_obj_core_relocate(struct bpfrt_object *obj, struct bpfrt_object_prog *p,
                      struct obj_err *e);                               /* core_relo.c */
/* The CO-RE target BTF, read on first use (NULL: none); and the first
 * target type named `name` (modulo ___flavor) of a kind compatible with
 * local_kind, or 0. core_target.c */
const struct bpfrt_btf *bpfrt_obj_core_target(struct bpfrt_object *obj);
uint32_t bpfrt_obj_core_candidate(const struct bpfrt_object *obj, const char *name, uint32_t local_kind);
/* partial: a failing map or program fails only itself and what uses it. */
int bpfrt_obj_load(struct bpfrt_object *obj, bool partial, struct obj_err *e); /* load.c */
int bpfrt_obj_create_maps(struct bpfrt_object *obj, bool partial, struct obj_err *e); /* map_create.c */
int bpfrt_obj_map_update(struct bpfrt_object *obj, int handle, const void *key,
                         const void *value);                                  /* map_create.c */
void bpfrt_obj_free_maps(struct bpfrt_object *obj);
int bpfrt_obj_kconfig_fill(struct bpfrt_object *obj, struct obj_err *e);      /* externs.c */
/* opts.kernel_version, else the running kernel's (uname), else 6.18.0. */
uint32_t bpfrt_obj_kernel_version(const struct bpfrt_object *obj);           /* externs.c */

/* Helpers. */
const struct elf_sym *bpfrt_obj_sym(const struct bpfrt_object *obj, uint32_t idx);
bool bpfrt_obj_sec_is_prog(const struct bpfrt_object *obj, uint32_t sec);
/* SEC("maps") or a "maps/NAME" section of legacy map definitions. */
bool bpfrt_obj_sec_is_legacy_maps(const struct bpfrt_object *obj, uint32_t sec);
/* Global data section kind for a section name, or -1. */
int bpfrt_obj_data_sec_kind(const char *name);
struct bpfrt_object_map *bpfrt_obj_map_by_sec(struct bpfrt_object *obj, uint32_t sec, uint64_t off);
struct bpfrt_object_map *bpfrt_obj_kconfig_map(struct bpfrt_object *obj);
const struct obj_extern *bpfrt_obj_extern_by_sym(const struct bpfrt_object *obj, uint32_t sym);
void bpfrt_obj_prog_reset_reloc(struct bpfrt_object_prog *p);
char *bpfrt_obj_strdup(const char *s);
/* name as Linux accepts an object name: invalid characters become '_',
 * cut at 15 characters. */
void bpfrt_obj_kname(char out[BPF_OBJ_NAME_LEN], const char *name);
/* Appends a map named `name` (Linux name: its first 15 characters) with no
 * handle yet; NULL when out of memory. */
struct bpfrt_object_map *bpfrt_obj_add_map(struct bpfrt_object *obj, const char *name); /* maps.c */
/* A pointer as a union bpf_attr field. */
static inline uint64_t bpfrt_obj_ptr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}
/* bpf() and close() through the caller's hooks or the runtime. */
long bpfrt_obj_sys(struct bpfrt_object *obj, int cmd, union bpf_attr *attr);
void bpfrt_obj_close_handle(struct bpfrt_object *obj, int handle);

#endif
