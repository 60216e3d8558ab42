/* Verifier log: rotating (default) or fixed (BPF_LOG_FIXED) text in the
 * caller's buffer. See vlog.h for the contract.
 *
 * Rotating mode stores the byte at absolute position p at buf[p % size]
 * and a NUL right after the newest byte; once the text outgrows the buffer
 * the newest size-1 bytes are all still there, in ring order, and finalize
 * turns the ring into a plain string. Fixed mode stores only what fits. */
#include "core/lib/vlog.h"
#include "core/core.h"

#define LOG_SIZE_MAX (0xffffffffu >> 2)

int bpfrt_vlog_init(struct bpfrt_vlog *log, uint32_t level, char *buf, uint32_t size)
{
    bpfrt_memset(log, 0, sizeof(*log));
    log->level = level;
    log->buf = buf;
    log->len_total = size;
    if (!!buf != !!size)
        return -BPFRT_EINVAL;
    if (buf && level == 0)
        return -BPFRT_EINVAL;
    if (level & ~(uint32_t)BPF_LOG_MASK)
        return -BPFRT_EINVAL;
    if (size > LOG_SIZE_MAX)
        return -BPFRT_EINVAL;
    return 0;
}

static void put_byte(struct bpfrt_vlog *log, uint64_t pos, char c)
{
    if (log->level & BPF_LOG_FIXED) {
        if (pos < log->len_total)
            log->buf[pos] = c;
    } else {
        log->buf[pos % log->len_total] = c;
    }
}

void bpfrt_vlog_write(struct bpfrt_vlog *log, const char *text, uint32_t len)
{
    if (!bpfrt_vlog_needed(log))
        return;
    uint64_t new_end = log->end_pos + len;
    if (new_end + 1 > log->len_max)
        log->len_max = new_end + 1;
    if (log->buf) {
        bool fixed = log->level & BPF_LOG_FIXED;
        /* Fixed mode keeps the first len_total-1 bytes; rotating mode only
         * the last len_total-1 bytes of this message can survive anyway. */
        uint64_t from = log->end_pos;
        if (!fixed && len >= log->len_total)
            from = new_end - (log->len_total - 1);
        for (uint64_t p = from; p < new_end; p++) {
            if (fixed && p >= (uint64_t)log->len_total - 1)
                break;
            put_byte(log, p, text[p - log->end_pos]);
        }
        /* keep the text NUL-terminated after every message */
        if (!fixed || new_end < log->len_total)
            put_byte(log, new_end, '\0');
    }
    log->end_pos = new_end;
    /* The window only moves forward, and only once the text outgrows the
     * buffer: after a rewind, bytes before start_pos may already hold
     * discarded text (Linux's bpf_verifier_vlog). */
    if (!(log->level & BPF_LOG_FIXED) && log->len_total && log->end_pos - log->start_pos >= log->len_total)
        log->start_pos = log->end_pos + 1 - log->len_total;
}

void bpfrt_vlog_vprintf(struct bpfrt_vlog *log, const char *fmt, va_list ap)
{
    if (!bpfrt_vlog_needed(log))
        return;
    char line[BPFRT_VLOG_LINE_MAX];
    int n = bpfrt_vsnprintf(line, sizeof(line), fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    bpfrt_vlog_write(log, line, (uint32_t)n);
}

void bpfrt_vlog_printf(struct bpfrt_vlog *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bpfrt_vlog_vprintf(log, fmt, ap);
    va_end(ap);
}

void bpfrt_vlog_reset(struct bpfrt_vlog *log, uint64_t pos)
{
    if (!bpfrt_vlog_needed(log) || pos >= log->end_pos)
        return;
    log->end_pos = pos;
    if (log->start_pos > pos)
        log->start_pos = pos;
    if (log->buf) {
        if (log->level & BPF_LOG_FIXED) {
            if (pos < log->len_total)
                log->buf[pos] = '\0';
        } else {
            log->buf[pos % log->len_total] = '\0';
        }
    }
}

void bpfrt_vlog_print_stats(struct bpfrt_vlog *log, const struct bpfrt_vlog_stats *st)
{
    if (!bpfrt_vlog_needed(log))
        return;
    if (log->level & BPF_LOG_STATS) {
        bpfrt_vlog_printf(log, "verification time %llu usec\n",
                          (unsigned long long)(st->verification_time_ns / 1000));
        bpfrt_vlog_printf(log, "stack depth ");
        uint32_t n = st->nr_subprogs ? st->nr_subprogs : 1;
        for (uint32_t i = 0; i < n; i++)
            bpfrt_vlog_printf(log, "%u%s", st->stack_depths && st->nr_subprogs ? st->stack_depths[i] : 0,
                              i + 1 < n ? "+" : "");
        bpfrt_vlog_printf(log, "\n");
    }
    bpfrt_vlog_printf(log,
                      "processed %u insns (limit %u) max_states_per_insn %u total_states %u "
                      "peak_states %u mark_read %u\n",
                      st->insn_processed, 1000000u, st->max_states_per_insn, st->total_states,
                      st->peak_states, st->mark_read);
}

/* Reverses buf[from, to). */
static void reverse(char *buf, uint32_t from, uint32_t to)
{
    while (from + 1 < to) {
        char t = buf[from];
        buf[from++] = buf[--to];
        buf[to] = t;
    }
}

int bpfrt_vlog_finalize(struct bpfrt_vlog *log, uint32_t *true_size)
{
    if (true_size)
        *true_size = 0;
    if (!bpfrt_vlog_needed(log))
        return 0;
    bool truncated = log->buf && log->len_max > log->len_total;
    if (log->buf && log->start_pos && !(log->level & BPF_LOG_FIXED)) {
        /* The ring holds [start_pos, end_pos) followed by a NUL, starting
         * at slot start_pos % len_total: rotate left so the text starts at
         * buf[0]. The window can be shorter than the buffer after a rewind
         * (Linux's bpf_vlog_finalize rotates by start_pos the same way). */
        uint32_t shift = (uint32_t)(log->start_pos % log->len_total);
        reverse(log->buf, 0, shift);
        reverse(log->buf, shift, log->len_total);
        reverse(log->buf, 0, log->len_total);
    }
    if (log->buf && truncated && (log->level & BPF_LOG_FIXED))
        log->buf[log->len_total - 1] = '\0';
    if (true_size)
        *true_size = log->len_max > 0xffffffffu ? 0xffffffffu : (uint32_t)log->len_max;
    return truncated ? -BPFRT_ENOSPC : 0;
}
