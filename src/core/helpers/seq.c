/* bpf_seq_write and bpf_seq_printf (kernel/trace/bpf_trace.c), the output
 * of iterator programs, over fs/seq_file.c's rules: write while count +
 * len < size, else overflow (count = size) and -EOVERFLOW. The seq_file is
 * the embedder's struct bpfrt_seq_file (include/bpfrt/helpers.h); a program
 * reaches it only as its context's meta->seq, so the helpers accept exactly
 * that pointer, in an iterator program's run, and nothing else (-EINVAL). */
#include "core/helpers/helpers_internal.h"

/* The run's seq_file when seq is it, else NULL. An iterator's context is
 * its target's arguments, the struct bpf_iter_meta * first, whose first
 * field is the seq_file: both are the hook's memory. */
static struct bpfrt_seq_file *run_seq(struct bpfrt_run *run, uint64_t seq)
{
    if (!seq || !run->ctx || !run->prog || run->prog->type != BPF_PROG_TYPE_TRACING ||
        run->prog->expected_attach_type != BPF_TRACE_ITER)
        return NULL;
    const uint64_t *meta = bpfrt_u2p(*(const uint64_t *)run->ctx);
    if (!meta || *meta != seq)
        return NULL;
    struct bpfrt_seq_file *m = bpfrt_u2p(seq);
    return m->buf && m->count <= m->size ? m : NULL;
}

static uint64_t overflow(struct bpfrt_seq_file *m)
{
    m->count = m->size;
    return bpfrt_helper_err(-BPFRT_EOVERFLOW);
}

/* bpf_seq_write(seq, data, len) */
BPFRT_HELPER_DEF(seq_write)
{
    struct bpfrt_seq_file *m = run_seq(run, r1);
    uint32_t len = (uint32_t)r3;
    if (!m)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if ((uint64_t)m->count + len >= m->size)
        return overflow(m);
    bpfrt_memcpy(m->buf + m->count, bpfrt_u2p(r2), len);
    m->count += len;
    return 0;
}

/* bpf_seq_printf(seq, fmt, fmt_size, data, data_len): bpf_snprintf's
 * formats (bprintf.c) appended to the seq_file. */
BPFRT_HELPER_DEF(seq_printf)
{
    struct bpfrt_seq_file *m = run_seq(run, r1);
    const char *fmt = bpfrt_u2p(r2);
    if (!m)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    struct bpfrt_bprintf_data bd;
    int err = bpfrt_bprintf_prepare_array(run, fmt, (uint32_t)r3, bpfrt_u2p(r4), (uint32_t)r5, &bd);
    if (err)
        return bpfrt_helper_err(err);
    if (m->count >= m->size)
        return overflow(m);
    int n = bpfrt_bprintf_format(m->buf + m->count, m->size - m->count, fmt, &bd);
    if ((uint64_t)m->count + (uint32_t)n >= m->size)
        return overflow(m);
    m->count += (uint32_t)n;
    return 0;
}
