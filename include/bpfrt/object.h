/* The ELF/BTF object loader: opens the objects clang builds from libbpf-style
 * C (`clang -O2 -g -target bpf -c prog.bpf.c`), lists their programs and
 * maps, lets the caller set .rodata knobs, then loads everything through
 * bpfrt_bpf() exactly as libbpf does through bpf(2): BTF_LOAD, MAP_CREATE
 * (+ initial data, FREEZE for .rodata), PROG_LOAD with func/line info.
 *
 * Hosted code (src/loader, libc). Errors are negative BPFRT_E* values with a
 * message (naming the section, symbol or offset at fault) in the caller's
 * error buffer. */
#ifndef BPFRT_OBJECT_H
#define BPFRT_OBJECT_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/prog_type.h" /* bpfrt_prog_type_str, bpfrt_prog_type_parse */
#include "bpfrt/uapi.h"

struct bpfrt_runtime;
struct bpfrt_btf;
struct bpfrt_object;
struct bpfrt_object_prog;
struct bpfrt_object_map;

struct bpfrt_object_opts {
    const char *name;            /* object name (map name prefix); default: file name */
    /* Program type for sections whose name carries none (iproute2's "ID/KEY"
     * tail-call slots, "prog", custom names); 0 = such sections fail to load. */
    uint32_t default_prog_type;
    /* Target BTF for CO-RE relocations, raw bytes; when NULL, the file at
     * target_btf_path, and when that is NULL too the running kernel's
     * /sys/kernel/btf/vmlinux where readable (as libbpf). target_btf_path
     * "" means no target: the object's own BTF stands in, so field
     * relocations keep their compiled values (the loader notes that). */
    const void *target_btf;
    size_t target_btf_size;
    const char *target_btf_path;
    /* Value of the LINUX_KERNEL_VERSION kconfig extern (and of the program's
     * kern_version when the object has none); 0 = 6.18.0. */
    uint32_t kernel_version;
    /* Extra kconfig values, "CONFIG_FOO=y\nCONFIG_BAR=42\n" (may be NULL). */
    const char *kconfig;
    /* Where the loader's bpf() commands go: NULL = bpfrt_bpf() on the
     * object's runtime. Because attrs have Linux's layout, a caller may pass
     * the real bpf(2) here (handles are then kernel fds and close_fn closes
     * them) to load the very same object into Linux, e.g. to compare. */
    long (*bpf_fn)(void *arg, int cmd, union bpf_attr *attr, unsigned int size);
    int (*close_fn)(void *arg, int handle);
    void *bpf_arg;
    /* Where maps with LIBBPF_PIN_BY_NAME live in the runtime's pin name
     * space (OBJ_PIN / OBJ_GET); NULL = "/sys/fs/bpf", as libbpf. A map
     * already pinned there under its name is reused when its definition
     * matches (and then not initialised again); otherwise it is created and
     * pinned, so the next object that names it shares it. */
    const char *pin_root_path;
};

/* Opens an object from a file or memory (copied). On success *out owns
 * everything; close it with bpfrt_object_close. err (may be NULL) receives a
 * message on failure. */
int bpfrt_object_open_file(struct bpfrt_runtime *rt, const char *path,
                           const struct bpfrt_object_opts *opts, struct bpfrt_object **out,
                           char *err, size_t err_size);
int bpfrt_object_open_mem(struct bpfrt_runtime *rt, const void *data, size_t size,
                          const struct bpfrt_object_opts *opts, struct bpfrt_object **out,
                          char *err, size_t err_size);

/* Releases maps, programs and BTF handles, then the object. NULL is fine. */
void bpfrt_object_close(struct bpfrt_object *obj);

/* Object-wide facts. */
const char *bpfrt_object_name(const struct bpfrt_object *obj);
const char *bpfrt_object_license(const struct bpfrt_object *obj);
bool bpfrt_object_gpl_compatible(const struct bpfrt_object *obj);
uint32_t bpfrt_object_kversion(const struct bpfrt_object *obj);
/* The object's (fixed-up) BTF, or NULL when it has none. */
const struct bpfrt_btf *bpfrt_object_btf(const struct bpfrt_object *obj);
/* Notes the loader wants the user to see (e.g. "CO-RE relocations kept
 * their compiled values: no target BTF"), one per line; "" when none. */
const char *bpfrt_object_notes(const struct bpfrt_object *obj);

/* ---- programs ---- */
uint32_t bpfrt_object_prog_count(const struct bpfrt_object *obj);
struct bpfrt_object_prog *bpfrt_object_prog_at(const struct bpfrt_object *obj, uint32_t i);
struct bpfrt_object_prog *bpfrt_object_find_prog(const struct bpfrt_object *obj, const char *name);
/* First program in section `sec` (exact section name). */
struct bpfrt_object_prog *bpfrt_object_find_prog_by_section(const struct bpfrt_object *obj,
                                                            const char *sec);

const char *bpfrt_object_prog_name(const struct bpfrt_object_prog *p);
const char *bpfrt_object_prog_section(const struct bpfrt_object_prog *p);
uint32_t bpfrt_object_prog_type(const struct bpfrt_object_prog *p);       /* enum bpf_prog_type */
uint32_t bpfrt_object_prog_attach_type(const struct bpfrt_object_prog *p);/* enum bpf_attach_type */
/* Attach point from the section name ("do_sys_open" for "kprobe/do_sys_open"), or "". */
const char *bpfrt_object_prog_attach_target(const struct bpfrt_object_prog *p);
/* Sets the program type (before load), e.g. for sections that name none. */
int bpfrt_object_prog_set_type(struct bpfrt_object_prog *p, uint32_t prog_type,
                               uint32_t expected_attach_type);
/* Whether bpfrt_object_load loads it (default true; false for libbpf's
 * SEC("?name") sections). */
void bpfrt_object_prog_set_autoload(struct bpfrt_object_prog *p, bool autoload);
/* PROG_LOAD's prog_flags for the program (libbpf's bpf_program__flags /
 * __set_flags): its section sets some (BPF_F_SLEEPABLE); set before load,
 * e.g. flags | BPFRT_PROG_F_NO_VERIFY to load it unverified (checked mode). */
uint32_t bpfrt_object_prog_flags(const struct bpfrt_object_prog *p);
void bpfrt_object_prog_set_flags(struct bpfrt_object_prog *p, uint32_t prog_flags);
/* Instructions: before load the program's own code as in the object;
 * after load the relocated program (subprograms appended, map references
 * resolved) exactly as handed to PROG_LOAD. */
const struct bpf_insn *bpfrt_object_prog_insns(const struct bpfrt_object_prog *p, uint32_t *cnt);
/* Line info for the relocated program (after load, or after
 * bpfrt_object_relocate): records with insn_off in instructions and
 * file/line strings in the object's BTF. */
const struct bpf_line_info *bpfrt_object_prog_line_info(const struct bpfrt_object_prog *p,
                                                       uint32_t *cnt);
const struct bpf_func_info *bpfrt_object_prog_func_info(const struct bpfrt_object_prog *p,
                                                       uint32_t *cnt);
/* Name of the function (the program itself or a subprogram) whose code
 * starts at instruction `insn` of the relocated program, or NULL when none
 * starts there: where the subprogram boundaries are. */
const char *bpfrt_object_prog_func_at(const struct bpfrt_object_prog *p, uint32_t insn);
/* iproute2 tail-call slot from an "ID/KEY" section name: true with *map_id
 * and *key filled, else false. */
bool bpfrt_object_prog_tail_slot(const struct bpfrt_object_prog *p, uint32_t *map_id,
                                 uint32_t *key);
/* Handle (bpfrt_bpf program handle) after load, or -1. */
int bpfrt_object_prog_handle(const struct bpfrt_object_prog *p);
/* Verifier log of the last load attempt ("" when none). */
const char *bpfrt_object_prog_log(const struct bpfrt_object_prog *p);
/* Why the program did not load or relocate ("" when it did, or was not
 * tried): the verifier's cause, an unresolved extern, a map it uses that
 * could not be created, ... */
const char *bpfrt_object_prog_error(const struct bpfrt_object_prog *p);

/* ---- maps (including .data/.rodata/.bss/.kconfig global data maps) ---- */
uint32_t bpfrt_object_map_count(const struct bpfrt_object *obj);
struct bpfrt_object_map *bpfrt_object_map_at(const struct bpfrt_object *obj, uint32_t i);
/* By name: a map variable ("port_rules") or a global data section (".rodata"). */
struct bpfrt_object_map *bpfrt_object_find_map(const struct bpfrt_object *obj, const char *name);

enum bpfrt_object_map_kind {
    BPFRT_OBJ_MAP_BTF = 0,       /* SEC(".maps") definition */
    BPFRT_OBJ_MAP_LEGACY,        /* SEC("maps") struct bpf_map_def / bpf_elf_map */
    BPFRT_OBJ_MAP_DATA,          /* .data, .data.* */
    BPFRT_OBJ_MAP_RODATA,        /* .rodata, .rodata.* (frozen after load) */
    BPFRT_OBJ_MAP_BSS,           /* .bss */
    BPFRT_OBJ_MAP_KCONFIG,       /* .kconfig externs (frozen) */
};

const char *bpfrt_object_map_name(const struct bpfrt_object_map *m);
enum bpfrt_object_map_kind bpfrt_object_map_kind(const struct bpfrt_object_map *m);
uint32_t bpfrt_object_map_type(const struct bpfrt_object_map *m);
uint32_t bpfrt_object_map_key_size(const struct bpfrt_object_map *m);
uint32_t bpfrt_object_map_value_size(const struct bpfrt_object_map *m);
uint32_t bpfrt_object_map_max_entries(const struct bpfrt_object_map *m);
uint32_t bpfrt_object_map_flags(const struct bpfrt_object_map *m);
/* BTF type ids of key and value in bpfrt_object_btf (0 when unknown). */
uint32_t bpfrt_object_map_btf_key_type(const struct bpfrt_object_map *m);
uint32_t bpfrt_object_map_btf_value_type(const struct bpfrt_object_map *m);
/* Pinning (LIBBPF_PIN_BY_NAME = 1, iproute2 PIN_* values) and the legacy id. */
uint32_t bpfrt_object_map_pinning(const struct bpfrt_object_map *m);
uint32_t bpfrt_object_map_legacy_id(const struct bpfrt_object_map *m);
/* Sets max_entries before load (as libbpf's bpf_map__set_max_entries), e.g.
 * one slot per CPU where a definition leaves it 0 for its loader to fill
 * (falco's scratch maps). 0 or -EBUSY after load. */
int bpfrt_object_map_set_max_entries(struct bpfrt_object_map *m, uint32_t max_entries);
/* Sets value_size before load (libbpf's bpf_map__set_value_size), e.g. a
 * STACK_TRACE map whose definition leaves it 0 for the tool to fill (bcc's
 * libbpf-tools: the stack depth). A new size drops the value's BTF type,
 * which no longer describes it. 0, -EBUSY after load, -EINVAL for global
 * data (its size is its section's). */
int bpfrt_object_map_set_value_size(struct bpfrt_object_map *m, uint32_t value_size);
/* Inner map template of a map-in-map, or NULL. */
const struct bpfrt_object_map *bpfrt_object_map_inner(const struct bpfrt_object_map *m);
/* Global data maps: the initial image (writable before load, NULL for
 * other maps); *size gets its length. */
void *bpfrt_object_map_initial_value(struct bpfrt_object_map *m, size_t *size);
/* Handle after load, or -1. */
int bpfrt_object_map_handle(const struct bpfrt_object_map *m);
/* Why a partial load could not create the map ("" when it could). */
const char *bpfrt_object_map_error(const struct bpfrt_object_map *m);

/* Sets global variable `var` in .rodata (or .data/.bss) before load, like a
 * skeleton's `skel->rodata->var = v`. size must equal the variable's size.
 * -ENOENT when there is no such variable, -EBUSY after load. */
int bpfrt_object_set_global(struct bpfrt_object *obj, const char *var, const void *value,
                            size_t size);

/* Where global variable `var` lives: its data map (.data/.rodata/.bss),
 * offset and size inside the map's single value. 0 or -ENOENT. */
int bpfrt_object_find_global(const struct bpfrt_object *obj, const char *var,
                             struct bpfrt_object_map **map, uint32_t *off, uint32_t *size);

/* Resolves relocations for every program without loading anything (for
 * inspection and disassembly: map references stay symbolic with imm = the
 * map's index in the object). Returns 0 or -errno with a message. */
int bpfrt_object_relocate(struct bpfrt_object *obj, char *err, size_t err_size);

/* Loads the object: BTF, maps (with initial data), programs, then fills
 * PROG_ARRAY / map-in-map slots - all or nothing, as libbpf: on any failure
 * everything is unloaded again and err names the program or map and why
 * (its verifier log stays available with bpfrt_object_prog_log). */
int bpfrt_object_load(struct bpfrt_object *obj, char *err, size_t err_size);

/* Loads every program it can, as `bpftool prog loadall` reports them: a map
 * that cannot be created fails only the programs that use it, a program
 * that fails (relocation, an unresolved extern, the verifier) only itself;
 * slots whose program or map is missing stay empty (a note says which).
 * Returns 0 when every autoload program loaded, else the first failure's
 * code with err saying how many loaded and why the first did not. The
 * object is loaded either way: bpfrt_object_prog_handle() is >= 0 for each
 * program that loaded and bpfrt_object_prog_error() says why the others
 * did not. */
int bpfrt_object_load_partial(struct bpfrt_object *obj, char *err, size_t err_size);

/* Handle of the object's BTF after load, or -1. */
int bpfrt_object_btf_handle(const struct bpfrt_object *obj);

/* Map type name as bpftool spells it ("hash", "percpu_array"), or NULL. */
const char *bpfrt_map_type_str(uint32_t map_type);

/* True when `license` is one of Linux's GPL-compatible strings. */
bool bpfrt_license_is_gpl_compatible(const char *license);

#pragma GCC visibility pop

#endif
