/* The verifier log as Linux 6.18 keeps it (kernel/bpf/log.c semantics):
 * messages go straight into the caller's buffer; by default the log
 * rotates (when it overflows, the buffer ends up holding the tail),
 * BPF_LOG_FIXED keeps the head instead. Either way the size the whole log
 * needs is tracked (log_true_size) and a truncated log makes the command
 * fail with -ENOSPC. PROG_LOAD and BTF_LOAD write their messages here; the
 * verifier writes its per-instruction lines to the same object. */
#ifndef BPFRT_CORE_LIB_VLOG_H
#define BPFRT_CORE_LIB_VLOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/uapi.h"

#define BPFRT_VLOG_LINE_MAX 1024 /* one message is cut at 1023 bytes, as Linux's */

struct bpfrt_vlog {
    uint32_t level;     /* BPF_LOG_* bits; 0: no log */
    char *buf;          /* caller's buffer, or NULL (then only the size is tracked) */
    uint32_t len_total; /* its size */
    uint64_t start_pos; /* rotating mode: absolute position of the oldest byte kept */
    uint64_t end_pos;   /* absolute position after the last byte written */
    uint64_t len_max;   /* bytes the whole log needs, including the NUL */
};

/* Checks log_level/log_buf/log_size as Linux does: buffer and size come
 * together, a buffer needs a level, no unknown level bits, size <= UINT_MAX/4.
 * (A level without a buffer is valid: only the true size is computed.)
 * Returns 0 or -EINVAL. */
int bpfrt_vlog_init(struct bpfrt_vlog *log, uint32_t level, char *buf, uint32_t size);

/* True when messages are wanted at all (level != 0). */
static inline bool bpfrt_vlog_needed(const struct bpfrt_vlog *log)
{
    return log && log->level;
}

/* Appends one formatted message (no implicit newline). */
void bpfrt_vlog_printf(struct bpfrt_vlog *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bpfrt_vlog_vprintf(struct bpfrt_vlog *log, const char *fmt, va_list ap);
/* Appends raw text of `len` bytes. */
void bpfrt_vlog_write(struct bpfrt_vlog *log, const char *text, uint32_t len);

/* Current position, and rolling back to an earlier one (the verifier drops
 * lines it printed speculatively). */
static inline uint64_t bpfrt_vlog_pos(const struct bpfrt_vlog *log)
{
    return log ? log->end_pos : 0;
}
void bpfrt_vlog_reset(struct bpfrt_vlog *log, uint64_t pos);

/* Statistics lines printed at the end of a load: with BPF_LOG_STATS
 * "verification time N usec" and "stack depth A+B+..", then (any level)
 * "processed N insns (limit 1000000) max_states_per_insn ...". */
struct bpfrt_vlog_stats {
    uint64_t verification_time_ns;
    const uint32_t *stack_depths; /* one per subprogram */
    uint32_t nr_subprogs;
    uint32_t insn_processed;
    uint32_t max_states_per_insn, total_states, peak_states, mark_read;
};
void bpfrt_vlog_print_stats(struct bpfrt_vlog *log, const struct bpfrt_vlog_stats *st);

/* Finishes the log: rotates the buffer so it reads as one NUL-terminated
 * string, stores the size needed in *true_size, and returns -ENOSPC when
 * anything was cut, else 0. */
int bpfrt_vlog_finalize(struct bpfrt_vlog *log, uint32_t *true_size);

#endif
