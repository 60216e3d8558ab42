/* Extern symbols: `extern ... __kconfig` variables get values that have a
 * meaning outside a kernel (LINUX_KERNEL_VERSION from a setting,
 * LINUX_HAS_BPF_COOKIE, CONFIG_* values the caller passes) in a frozen
 * .kconfig map; `__ksym` externs name kernel objects and are rejected naming
 * the symbol (weak ones resolve to 0, as libbpf does for unresolved weak
 * ksyms). */
#include <elf.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

#define DEFAULT_KERNEL_VERSION ((6u << 16) | (18u << 8))

static long datasec_of_var(const struct bpfrt_btf *btf, const char *secname, const char *var,
                           uint32_t *var_id)
{
    long ds = bpfrt_btf_find_by_name_kind(btf, secname, BTF_KIND_DATASEC);
    if (ds < 0)
        return ds;
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, (uint32_t)ds);
    for (uint32_t i = 0; i < btf_vlen(t); i++) {
        uint32_t id = btf_secinfos(t)[i].type;
        if (strcmp(bpfrt_btf_name(btf, id), var) == 0) {
            *var_id = id;
            return ds;
        }
    }
    return -BPFRT_ENOENT;
}

int bpfrt_obj_collect_externs(struct bpfrt_object *obj, struct obj_err *e)
{
    uint32_t kc_size = 0;
    for (uint32_t i = 1; i < obj->elf.nsyms; i++) {
        const struct elf_sym *y = &obj->elf.syms[i];
        if (y->shndx != SHN_UNDEF || !y->name[0] || (y->bind != STB_GLOBAL && y->bind != STB_WEAK))
            continue;
        struct obj_extern x = {.name = y->name, .sym = i, .weak = y->bind == STB_WEAK};
        uint32_t var_id = 0;
        if (obj->btf && datasec_of_var(obj->btf, ".kconfig", y->name, &var_id) > 0)
            x.kconfig = true;
        else if (obj->btf && datasec_of_var(obj->btf, ".ksyms", y->name, &var_id) > 0)
            x.kconfig = false;
        else
            x.kconfig = strncmp(y->name, "CONFIG_", 7) == 0 || strncmp(y->name, "LINUX_", 6) == 0;
        x.btf_var = var_id;
        if (x.kconfig) {
            long sz = var_id ? bpfrt_btf_type_size(obj->btf, var_id) : 8;
            if (sz <= 0 || sz > 256)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "extern %s (kconfig): unsupported type", y->name);
            uint32_t align = sz >= 8 ? 8 : sz >= 4 ? 4 : sz >= 2 ? 2 : 1;
            kc_size = (kc_size + align - 1) & ~(align - 1);
            x.off = kc_size;
            x.size = (uint32_t)sz;
            kc_size += (uint32_t)sz;
        }
        struct obj_extern *ex = realloc(obj->externs, (obj->nr_externs + 1) * sizeof(*ex));
        if (!ex)
            return -BPFRT_ENOMEM;
        obj->externs = ex;
        ex[obj->nr_externs++] = x;
    }
    if (!kc_size)
        goto fix_ksyms;

    /* The .kconfig map and its BTF. */
    struct bpfrt_object_map *m = bpfrt_obj_add_map(obj, ".kconfig");
    if (!m)
        return -BPFRT_ENOMEM;
    m->data = calloc(1, kc_size);
    if (!m->data)
        return -BPFRT_ENOMEM;
    m->kind = BPFRT_OBJ_MAP_KCONFIG;
    m->type = BPF_MAP_TYPE_ARRAY;
    m->key_size = 4;
    m->value_size = kc_size;
    m->data_size = kc_size;
    m->max_entries = 1;
    m->map_flags = BPF_F_RDONLY_PROG;
    snprintf(m->kname, sizeof(m->kname), "%.7s.kconfig", obj->name);
    if (obj->btf) {
        long ds = bpfrt_btf_find_by_name_kind(obj->btf, ".kconfig", BTF_KIND_DATASEC);
        struct btf_type *t = ds > 0 ? bpfrt_btf_type_mut(obj->btf, (uint32_t)ds) : NULL;
        if (t) {
            t->size = kc_size;
            struct btf_var_secinfo *vs = btf_type_extra(t);
            for (uint32_t i = 0; i < btf_vlen(t); i++)
                for (uint32_t k = 0; k < obj->nr_externs; k++)
                    if (obj->externs[k].kconfig && obj->externs[k].btf_var == vs[i].type) {
                        vs[i].offset = obj->externs[k].off;
                        vs[i].size = obj->externs[k].size;
                        struct btf_type *var = bpfrt_btf_type_mut(obj->btf, vs[i].type);
                        if (var && btf_kind(var) == BTF_KIND_VAR)
                            ((struct btf_var *)btf_type_extra(var))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
                    }
            /* Linux wants the variables in offset order */
            for (uint32_t i = 1; i < btf_vlen(t); i++)
                for (uint32_t j = i; j > 0 && vs[j - 1].offset > vs[j].offset; j--) {
                    struct btf_var_secinfo tmp = vs[j];
                    vs[j] = vs[j - 1];
                    vs[j - 1] = tmp;
                }
            m->btf_value_type_id = (uint32_t)ds;
        }
    }
    int rc = bpfrt_obj_kconfig_fill(obj, e);
    if (rc)
        return rc;
fix_ksyms:
    /* the __ksym externs are known: make .ksyms loadable for Linux */
    return bpfrt_obj_btf_fix_ksyms(obj, e);
}

/* libbpf's get_kernel_version: KERNEL_VERSION(major, minor, patch) of the
 * running kernel, patch capped at 255 as Linux's LINUX_VERSION_CODE is. */
uint32_t bpfrt_obj_kernel_version(const struct bpfrt_object *obj)
{
    if (obj->opts.kernel_version)
        return obj->opts.kernel_version;
    struct utsname u;
    unsigned major, minor, patch = 0;
    if (uname(&u) == 0 && sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) >= 2 && major < 256 &&
        minor < 256)
        return major << 16 | minor << 8 | (patch > 255 ? 255 : patch);
    return DEFAULT_KERNEL_VERSION;
}

struct bpfrt_object_map *bpfrt_obj_kconfig_map(struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < obj->nr_maps; i++)
        if (obj->maps[i].kind == BPFRT_OBJ_MAP_KCONFIG)
            return &obj->maps[i];
    return NULL;
}

/* Value of `name` in "CONFIG_A=y\nCONFIG_B=42\n", or NULL. */
static const char *kconfig_lookup(const char *text, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t ll = end ? (size_t)(end - line) : strlen(line);
        if (ll > n && strncmp(line, name, n) == 0 && line[n] == '=') {
            *len = ll - n - 1;
            return line + n + 1;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

static void put_uint(uint8_t *dst, uint32_t size, uint64_t v)
{
    for (uint32_t i = 0; i < size && i < 8; i++)
        dst[i] = (uint8_t)(v >> (8 * i));
}

int bpfrt_obj_kconfig_fill(struct bpfrt_object *obj, struct obj_err *e)
{
    struct bpfrt_object_map *m = bpfrt_obj_kconfig_map(obj);
    if (!m)
        return 0;
    uint32_t kver = bpfrt_obj_kernel_version(obj);
    for (uint32_t k = 0; k < obj->nr_externs; k++) {
        const struct obj_extern *x = &obj->externs[k];
        if (!x->kconfig)
            continue;
        uint8_t *dst = m->data + x->off;
        if (strcmp(x->name, "LINUX_KERNEL_VERSION") == 0) {
            put_uint(dst, x->size, kver);
            continue;
        }
        if (strcmp(x->name, "LINUX_HAS_BPF_COOKIE") == 0 ||
            strcmp(x->name, "LINUX_HAS_SYSCALL_WRAPPER") == 0) {
            put_uint(dst, x->size, 1);
            continue;
        }
        size_t len = 0;
        const char *v = obj->opts.kconfig ? kconfig_lookup(obj->opts.kconfig, x->name, &len) : NULL;
        if (!v) {
            if (x->weak)
                continue; /* stays 0, as libbpf leaves unknown weak kconfig externs */
            return bpfrt_obj_fail(e, -BPFRT_ESRCH, "extern %s (kconfig): no value; outside a kernel only LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE and values passed as kconfig settings are known",
                            x->name);
        }
        char buf[300];
        snprintf(buf, sizeof(buf), "%.*s", (int)(len < 299 ? len : 299), v);
        if (strcmp(buf, "y") == 0)
            put_uint(dst, x->size, 1);
        else if (strcmp(buf, "m") == 0)
            put_uint(dst, x->size, 2);
        else if (strcmp(buf, "n") == 0)
            put_uint(dst, x->size, 0);
        else if (buf[0] == '"') {
            size_t sl = strlen(buf);
            if (sl < 2 || buf[sl - 1] != '"' || sl - 2 >= x->size)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "extern %s (kconfig): string %s does not fit in %u bytes",
                                x->name, buf, x->size);
            memcpy(dst, buf + 1, sl - 2);
        } else {
            char *end;
            unsigned long long n = strtoull(buf, &end, 0);
            if (*end || !buf[0])
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "extern %s (kconfig): bad value '%s'", x->name, buf);
            put_uint(dst, x->size, n);
        }
    }
    return 0;
}

const struct obj_extern *bpfrt_obj_extern_by_sym(const struct bpfrt_object *obj, uint32_t sym)
{
    for (uint32_t k = 0; k < obj->nr_externs; k++)
        if (obj->externs[k].sym == sym)
            return &obj->externs[k];
    return NULL;
}
