/* bpf_trace_printk / bpf_trace_vprintk: format with Linux's rules (see
 * bprintf.c) and hand one line to the runtime's trace sink (default: the
 * platform log). Linux writes the line to the trace pipe; here the sink
 * gets the message itself, without the trailing newline. Returns what
 * Linux returns: the formatted length (bstr_printf's count), or -EINVAL /
 * -ENOSPC when the format is refused (nothing is emitted then). */
#include "core/helpers/helpers_internal.h"

static uint64_t trace_emit(struct bpfrt_run *run, const char *fmt, uint32_t fmt_size,
                           const uint64_t *args, uint32_t nargs)
{
    struct bpfrt_runtime *rt = run->rt;
    struct bpfrt_bprintf_data data;
    int err = bpfrt_bprintf_prepare(run, fmt, fmt_size, args, nargs, &data);
    if (err)
        return bpfrt_helper_err(err);
    if (!bpfrt_run_charge(run, data.work)) /* field widths run to 8 million columns */
        return bpfrt_helper_err(-BPFRT_ELOOP);
    char line[BPFRT_BPRINTF_BUF];
    int n = bpfrt_bprintf_format(line, sizeof(line), fmt, &data);
    size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    if (len && line[len - 1] == '\n')
        len--;
    line[len] = 0;
    if (rt->trace_sink)
        rt->trace_sink(rt->trace_sink_arg, line, len);
    return (uint64_t)n;
}

/* fmt, fmt_size, then up to three arguments in r3..r5. */
BPFRT_HELPER_DEF(trace_printk)
{
    uint64_t args[BPFRT_MAX_TRACE_PRINTK_ARGS] = { r3, r4, r5 };
    return trace_emit(run, bpfrt_u2p(r1), (uint32_t)r2, args, BPFRT_MAX_TRACE_PRINTK_ARGS);
}

/* fmt, fmt_size, an array of u64 arguments and its size in bytes (a
 * multiple of 8, at most 12 arguments): what libbpf's bpf_printk uses for
 * more than three arguments. */
BPFRT_HELPER_DEF(trace_vprintk)
{
    const uint64_t *data = bpfrt_u2p(r3);
    uint32_t data_len = (uint32_t)r4;
    if ((data_len & 7) || data_len > BPFRT_MAX_BPRINTF_VARARGS * 8 || (data_len && !data))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint64_t args[BPFRT_MAX_BPRINTF_VARARGS];
    if (data_len)
        bpfrt_memcpy(args, data, data_len); /* data need not be 8-aligned */
    return trace_emit(run, bpfrt_u2p(r1), (uint32_t)r2, args, data_len / 8);
}
