/* Linux helper names by id, built from the one id list
 * (bpfrt/helper_ids.h, Linux 6.18's ___BPF_FUNC_MAPPER): the kernel-syntax
 * disassembler prints "call bpf_map_lookup_elem#1" from it and the
 * assembler reads the names back. */
#include "bpfrt/helper_ids.h"
#include "core/core.h"
#include "core/isa/isa.h"

#define HELPER_NAME(name, id) [id] = "bpf_" #name,
static const char *const helper_names[] = { BPFRT_HELPER_IDS(HELPER_NAME) };
#undef HELPER_NAME

#define NR_HELPER_NAMES (uint32_t)(sizeof(helper_names) / sizeof(helper_names[0]))

const char *bpfrt_helper_name(uint32_t id)
{
    return id < NR_HELPER_NAMES ? helper_names[id] : NULL;
}

int32_t bpfrt_isa_helper_id(const char *name, size_t len)
{
    /* accept "map_lookup_elem" as well as "bpf_map_lookup_elem" */
    for (uint32_t id = 0; id < NR_HELPER_NAMES; id++) {
        const char *h = helper_names[id];
        if (!h)
            continue;
        size_t hl = bpfrt_strlen(h);
        if ((hl == len && bpfrt_memcmp(h, name, len) == 0) ||
            (hl == len + 4 && bpfrt_memcmp(h + 4, name, len) == 0))
            return (int32_t)id;
    }
    return -1;
}
