/* BTF_LOAD: parse and validate through the BTF module; its messages go
 * through the verifier log object, so rotation, BPF_LOG_FIXED, -ENOSPC and
 * btf_log_true_size behave as for PROG_LOAD. */
#include "bpfrt/btf.h"
#include "core/bpf/cmd.h"
#include "core/lib/vlog.h"

#define BTF_MAX_SIZE (16u * 1024 * 1024)
#define BTF_SCRATCH_MAX (1u << 20)

long bpfrt_cmd_btf_load(struct bpfrt_cmd *c)
{
    const union bpf_attr *a = c->attr;
    struct bpfrt_runtime *rt = c->rt;
    if (a->btf_flags || a->btf_token_fd)
        return -BPFRT_EINVAL;
    if (a->btf_size > BTF_MAX_SIZE)
        return -BPFRT_E2BIG;
    struct bpfrt_vlog log;
    int err = bpfrt_vlog_init(&log, a->btf_log_level, u64_to_ptr(a->btf_log_buf), a->btf_log_size);
    if (err)
        return err;
    if (!a->btf)
        return -BPFRT_EFAULT;

    /* The parser writes into a plain buffer; the text then goes through the
     * log object. */
    char *scratch = NULL;
    uint32_t scratch_size = 0;
    if (bpfrt_vlog_needed(&log)) {
        scratch_size = a->btf_log_size > 4096 ? a->btf_log_size : 4096;
        if (scratch_size > BTF_SCRATCH_MAX)
            scratch_size = BTF_SCRATCH_MAX;
        scratch = bpfrt_zalloc(rt, scratch_size);
        if (!scratch)
            return -BPFRT_ENOMEM;
    }
    struct bpfrt_btf *btf = NULL;
    err = bpfrt_btf_new(rt, u64_to_ptr(a->btf), a->btf_size, scratch, scratch_size, &btf);
    if (scratch) {
        bpfrt_vlog_write(&log, scratch, (uint32_t)bpfrt_strnlen(scratch, scratch_size));
        bpfrt_free(rt, scratch, scratch_size);
    }
    uint32_t true_size = 0;
    int lerr = bpfrt_vlog_finalize(&log, &true_size);
    BPFRT_CMD_PUT_U32(c, btf_log_true_size, true_size);
    if (lerr)
        err = lerr; /* a truncated log fails the load, as Linux */
    if (err) {
        if (btf)
            bpfrt_btf_put(btf);
        return err;
    }
    int h = bpfrt_objtab_install(rt, BPFRT_OBJ_BTF, btf);
    if (h < 0)
        bpfrt_btf_put(btf);
    return h;
}
