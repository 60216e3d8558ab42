/* Fuzz target: BTF_LOAD through bpfrt_bpf (Linux's btf_parse in
 * kernel/bpf/btf.c). The input (layout in fuzz_util.h) is a log level, a
 * type id, and raw BTF. What loads is then used the ways bpfrt uses BTF:
 * every type's size, spelling, modifier chain and spin-lock search, a value
 * of every sized type formatted from the input's own bytes (map dumps), and
 * an array map created with the chosen type as its value (MAP_CREATE's BTF
 * checks). Errors are fine; crashes, sanitizer reports, hangs and leaks are
 * not. */
#include "fuzz_util.h"

#include "bpfrt/btf.h"

/* Types examined per input: keeps one input's cost bounded. */
#define MAX_TYPES 256
#define MAX_VALUE 4096

static void use_types(const struct bpfrt_btf *btf, const uint8_t *bytes, size_t nbytes)
{
    static char buf[8192];
    static uint8_t value[MAX_VALUE];
    uint32_t n = bpfrt_btf_nr_types(btf);
    for (uint32_t id = 0; id < n && id < MAX_TYPES; id++) {
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
        if (id && !t)
            abort(); /* every id below nr_types has a type */
        (void)strlen(bpfrt_btf_name(btf, id));
        (void)bpfrt_btf_skip_mods(btf, id);
        bpfrt_btf_type_str(btf, id, buf, sizeof(buf));
        if (t) {
            (void)strlen(bpfrt_btf_kind_name(btf_kind(t)));
            const char *name = bpfrt_btf_str(btf, t->name_off);
            if (name && name[0] && bpfrt_btf_find_by_name_kind(btf, name, btf_kind(t)) < 0)
                abort(); /* a named type is found by its name */
        }
        long size = bpfrt_btf_type_size(btf, id);
        if (size <= 0 || size > MAX_VALUE)
            continue;
        (void)bpfrt_btf_find_spin_lock(btf, id);
        /* the value: the input's bytes, repeated */
        for (long i = 0; i < size; i++)
            value[i] = nbytes ? bytes[(size_t)i % nbytes] : (uint8_t)i;
        bpfrt_btf_format_value(btf, id, value, (size_t)size, false, buf, sizeof(buf));
        bpfrt_btf_format_value(btf, id, value, (size_t)size, true, buf, sizeof(buf));
    }
}

/* An array map whose value is type `id` of the BTF behind btf_fd. */
static void create_map(struct bpfrt_runtime *rt, int btf_fd, uint32_t id)
{
    long size = bpfrt_btf_type_size(bpfrt_btf_from_handle(rt, btf_fd), id);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = size > 0 && size <= MAX_VALUE ? (uint32_t)size : 8;
    a.max_entries = 1;
    a.btf_fd = (uint32_t)btf_fd;
    a.btf_value_type_id = id;
    long fd = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    if (fd >= 0)
        bpfrt_close(rt, (int)fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < FUZZ_BTF_HDR)
        return 0;
    static char log[16384];
    struct bpfrt_runtime *rt = fuzz_runtime();
    const uint8_t *raw = data + FUZZ_BTF_HDR;
    size_t raw_size = size - FUZZ_BTF_HDR;
    uint32_t level = data[0] % 3;
    /* An exact-size copy: ASan sees any read past the BTF. */
    void *copy = malloc(raw_size ? raw_size : 1);
    if (copy) {
        memcpy(copy, raw, raw_size);
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.btf = (uintptr_t)copy;
        a.btf_size = (uint32_t)raw_size;
        if (level) {
            a.btf_log_buf = (uintptr_t)log;
            a.btf_log_size = sizeof(log);
            a.btf_log_level = level;
        }
        long fd = bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a));
        if (fd >= 0) {
            use_types(bpfrt_btf_from_handle(rt, (int)fd), raw, raw_size);
            if (data[1])
                create_map(rt, (int)fd, data[1]);
        }
        free(copy);
    }
    bpfrt_runtime_destroy(rt);
    return 0;
}
