/* bpfrt obj show prog.o [-j]: what an ELF object holds, without loading it:
 * programs (type, section, attach point, instruction count), maps (type,
 * key/value sizes and BTF types, max_entries, flags), global data (sizes and
 * variables with their initial values) and the loader's notes. */
#include <stdlib.h>
#include <string.h>

#include "bpfrt/btf.h"
#include "bpfrt/runtime.h"
#include "cli.h"
#include "cli_elf.h"

static void obj_usage(FILE *f)
{
    fprintf(f, "usage: bpfrt obj show OBJ [options]\n\n"
               "Lists the programs, maps and global data of an ELF object built with\n"
               "clang -O2 -g -target bpf, as the loader sees them.\n\n");
    cli_obj_common_usage(f);
}

static const char *kind_str(enum bpfrt_object_map_kind k)
{
    static const char *const names[] = {"btf", "legacy", "data", "rodata", "bss", "kconfig"};
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void type_name(const struct bpfrt_btf *btf, uint32_t id, char *buf, size_t size)
{
    if (!btf || !id) {
        buf[0] = '\0';
        return;
    }
    bpfrt_btf_type_str(btf, id, buf, size);
}

/* Global variables of a data section with their initial values. */
static void show_vars(const struct bpfrt_object *obj, struct bpfrt_object_map *m, bool json)
{
    const struct bpfrt_btf *btf = bpfrt_object_btf(obj);
    uint32_t ds = bpfrt_object_map_btf_value_type(m);
    const struct btf_type *t = btf && ds ? bpfrt_btf_type_by_id(btf, ds) : NULL;
    size_t size;
    uint8_t *data = bpfrt_object_map_initial_value(m, &size);
    int n = 0;
    if (json)
        printf(", \"vars\": [");
    for (uint32_t i = 0; t && btf_kind(t) == BTF_KIND_DATASEC && i < btf_vlen(t); i++) {
        const struct btf_var_secinfo *v = &btf_secinfos(t)[i];
        const struct btf_type *var = bpfrt_btf_type_by_id(btf, v->type);
        if (!var || btf_kind(var) != BTF_KIND_VAR)
            continue;
        char tn[128];
        type_name(btf, var->type, tn, sizeof(tn));
        /* the whole value, however large (a truncated one is not JSON) */
        char *val = NULL;
        if (data && (uint64_t)v->offset + v->size <= size) {
            int need = bpfrt_btf_format_value(btf, var->type, data + v->offset, v->size, json, NULL, 0);
            val = need >= 0 ? malloc((size_t)need + 1) : NULL;
            if (val)
                bpfrt_btf_format_value(btf, var->type, data + v->offset, v->size, json, val, (size_t)need + 1);
        }
        if (json) {
            printf("%s{\"name\": ", n ? ", " : "");
            cli_json_str(stdout, bpfrt_btf_name(btf, v->type));
            printf(", \"type\": ");
            cli_json_str(stdout, tn);
            printf(", \"offset\": %u, \"size\": %u, \"value\": %s}", v->offset, v->size, val && val[0] ? val : "null");
        } else {
            printf("      %-20s %-16s off %-4u size %-4u = %s\n", bpfrt_btf_name(btf, v->type), tn,
                   v->offset, v->size, val ? val : "");
        }
        free(val);
        n++;
    }
    if (json)
        printf("]");
}

static int obj_show(struct bpfrt_runtime *rt, const struct cli_obj_opts *o)
{
    struct bpfrt_object *obj;
    void *btf_buf;
    if (!cli_obj_open(rt, o, &obj, &btf_buf, "obj"))
        return CLI_ERROR;
    char err[512] = "";
    /* relocation shows the final instruction counts (with subprograms) */
    int rrc = bpfrt_object_relocate(obj, err, sizeof(err));
    const struct bpfrt_btf *btf = bpfrt_object_btf(obj);
    bool json = o->json;
    if (json) {
        printf("{\"object\": ");
        cli_json_str(stdout, bpfrt_object_name(obj));
        printf(", \"license\": ");
        cli_json_str(stdout, bpfrt_object_license(obj));
        printf(", \"gpl_compatible\": %s, \"kern_version\": %u, \"btf\": %s",
               bpfrt_object_gpl_compatible(obj) ? "true" : "false", bpfrt_object_kversion(obj),
               btf ? "true" : "false");
        if (btf)
            printf(", \"btf_types\": %u", bpfrt_btf_nr_types(btf) - 1);
        printf(", \"programs\": [");
    } else {
        printf("object %s: license \"%s\"%s", bpfrt_object_name(obj), bpfrt_object_license(obj),
               bpfrt_object_gpl_compatible(obj) ? " (GPL-compatible)" : "");
        if (bpfrt_object_kversion(obj))
            printf(", kern_version 0x%x", bpfrt_object_kversion(obj));
        if (btf)
            printf(", BTF: %u types", bpfrt_btf_nr_types(btf) - 1);
        else
            printf(", no BTF");
        printf("\nprograms:\n");
    }
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        uint32_t cnt, nli;
        bpfrt_object_prog_insns(p, &cnt);
        bpfrt_object_prog_line_info(p, &nli);
        const char *tn = bpfrt_object_prog_type(p) ? bpfrt_prog_type_str(bpfrt_object_prog_type(p)) : NULL;
        uint32_t map_id, key;
        bool slot = bpfrt_object_prog_tail_slot(p, &map_id, &key);
        if (json) {
            printf("%s{\"name\": ", i ? ", " : "");
            cli_json_str(stdout, bpfrt_object_prog_name(p));
            printf(", \"section\": ");
            cli_json_str(stdout, bpfrt_object_prog_section(p));
            printf(", \"type\": ");
            if (tn)
                cli_json_str(stdout, tn);
            else
                printf("null");
            printf(", \"attach\": ");
            cli_json_str(stdout, bpfrt_object_prog_attach_target(p));
            printf(", \"insns\": %u, \"line_info\": %u", cnt, nli);
            if (slot)
                printf(", \"tail_call_slot\": {\"map_id\": %u, \"key\": %u}", map_id, key);
            printf("}");
        } else {
            printf("  %-24s %-16s section %-24s %5u insns", bpfrt_object_prog_name(p),
                   tn ? tn : "(type not named)", bpfrt_object_prog_section(p), cnt);
            if (*bpfrt_object_prog_attach_target(p))
                printf("  attach %s", bpfrt_object_prog_attach_target(p));
            if (slot)
                printf("  -> prog array id %u [%u]", map_id, key);
            printf("\n");
        }
    }
    if (json)
        printf("], \"maps\": [");
    else
        printf("maps:\n");
    int shown = 0;
    for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++) {
        struct bpfrt_object_map *m = bpfrt_object_map_at(obj, i);
        enum bpfrt_object_map_kind k = bpfrt_object_map_kind(m);
        if (k != BPFRT_OBJ_MAP_BTF && k != BPFRT_OBJ_MAP_LEGACY)
            continue;
        char kt[128], vt[128];
        type_name(btf, bpfrt_object_map_btf_key_type(m), kt, sizeof(kt));
        type_name(btf, bpfrt_object_map_btf_value_type(m), vt, sizeof(vt));
        const char *mt = bpfrt_map_type_str(bpfrt_object_map_type(m));
        const struct bpfrt_object_map *inner = bpfrt_object_map_inner(m);
        if (json) {
            printf("%s{\"name\": ", shown ? ", " : "");
            cli_json_str(stdout, bpfrt_object_map_name(m));
            printf(", \"def\": \"%s\", \"type\": \"%s\", \"key_size\": %u, \"value_size\": %u, "
                   "\"max_entries\": %u, \"flags\": %u, \"key_type\": ",
                   kind_str(k), mt ? mt : "?", bpfrt_object_map_key_size(m), bpfrt_object_map_value_size(m),
                   bpfrt_object_map_max_entries(m), bpfrt_object_map_flags(m));
            cli_json_str(stdout, kt);
            printf(", \"value_type\": ");
            cli_json_str(stdout, vt);
            if (bpfrt_object_map_pinning(m))
                printf(", \"pinning\": %u", bpfrt_object_map_pinning(m));
            if (bpfrt_object_map_legacy_id(m))
                printf(", \"id\": %u", bpfrt_object_map_legacy_id(m));
            if (inner) {
                const char *it = bpfrt_map_type_str(bpfrt_object_map_type(inner));
                printf(", \"inner\": {\"type\": \"%s\", \"key_size\": %u, \"value_size\": %u, \"max_entries\": %u}",
                       it ? it : "?", bpfrt_object_map_key_size(inner), bpfrt_object_map_value_size(inner),
                       bpfrt_object_map_max_entries(inner));
            }
            printf("}");
        } else {
            printf("  %-20s %-16s key %3u%s%s%s  value %4u%s%s%s  max_entries %u", bpfrt_object_map_name(m),
                   mt ? mt : "?", bpfrt_object_map_key_size(m), kt[0] ? " (" : "", kt, kt[0] ? ")" : "",
                   bpfrt_object_map_value_size(m), vt[0] ? " (" : "", vt, vt[0] ? ")" : "",
                   bpfrt_object_map_max_entries(m));
            if (bpfrt_object_map_flags(m))
                printf("  flags 0x%x", bpfrt_object_map_flags(m));
            if (bpfrt_object_map_pinning(m))
                printf("  pinning %u", bpfrt_object_map_pinning(m));
            if (k == BPFRT_OBJ_MAP_LEGACY)
                printf("  [legacy maps%s]", bpfrt_object_map_legacy_id(m) ? ", id" : "");
            if (k == BPFRT_OBJ_MAP_LEGACY && bpfrt_object_map_legacy_id(m))
                printf(" %u", bpfrt_object_map_legacy_id(m));
            if (inner) {
                const char *it = bpfrt_map_type_str(bpfrt_object_map_type(inner));
                printf("  inner %s key %u value %u max_entries %u", it ? it : "?",
                       bpfrt_object_map_key_size(inner), bpfrt_object_map_value_size(inner),
                       bpfrt_object_map_max_entries(inner));
            }
            printf("\n");
        }
        shown++;
    }
    if (!json && !shown)
        printf("  (none)\n");
    if (json)
        printf("], \"global_data\": [");
    else
        printf("global data:\n");
    shown = 0;
    for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++) {
        struct bpfrt_object_map *m = bpfrt_object_map_at(obj, i);
        enum bpfrt_object_map_kind k = bpfrt_object_map_kind(m);
        if (k == BPFRT_OBJ_MAP_BTF || k == BPFRT_OBJ_MAP_LEGACY)
            continue;
        bool frozen = k == BPFRT_OBJ_MAP_RODATA || k == BPFRT_OBJ_MAP_KCONFIG;
        if (json) {
            printf("%s{\"section\": ", shown ? ", " : "");
            cli_json_str(stdout, bpfrt_object_map_name(m));
            printf(", \"kind\": \"%s\", \"size\": %u, \"frozen\": %s", kind_str(k),
                   bpfrt_object_map_value_size(m), frozen ? "true" : "false");
        } else {
            printf("  %-20s %-8s %u bytes%s\n", bpfrt_object_map_name(m), kind_str(k),
                   bpfrt_object_map_value_size(m), frozen ? " (read-only, frozen after load)" : "");
        }
        show_vars(obj, m, json);
        if (json)
            printf("}");
        shown++;
    }
    if (!json && !shown)
        printf("  (none)\n");
    const char *notes = bpfrt_object_notes(obj);
    if (json) {
        printf("], \"notes\": ");
        cli_json_str(stdout, notes);
        if (rrc) {
            printf(", \"relocation_error\": ");
            cli_json_str(stdout, err);
        }
        printf("}\n");
    } else {
        if (rrc)
            printf("relocation error: %s\n", err);
        if (*notes)
            printf("notes:\n  %s", notes);
    }
    bpfrt_object_close(obj);
    free(btf_buf);
    return rrc ? CLI_ERROR : CLI_OK;
}

int cmd_obj(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        obj_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "show") != 0) {
        fprintf(stderr, "bpfrt obj: unknown subcommand '%s' (show)\n", argv[1]);
        return CLI_USAGE;
    }
    struct cli_obj_opts o = {0};
    for (int i = 2; i < argc; i++) {
        int c = cli_obj_parse_common(argc, argv, &i, &o, "obj");
        if (c < 0)
            return CLI_USAGE;
        if (c > 0)
            continue;
        if (cli_is_help(argv[i])) {
            obj_usage(stdout);
            return CLI_OK;
        }
        if (argv[i][0] == '-' || o.path) {
            fprintf(stderr, "bpfrt obj: unexpected argument '%s'\n", argv[i]);
            return CLI_USAGE;
        }
        o.path = argv[i];
    }
    if (!o.path) {
        obj_usage(stderr);
        return CLI_USAGE;
    }
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        return CLI_ERROR;
    int rc = obj_show(rt, &o);
    bpfrt_runtime_destroy(rt);
    return rc;
}
