/* The diagnostics sink (include/bpfrt/diag.h). */
#include "bpfrt/diag.h"
#include "core/core.h"

void bpfrt_diag_init(struct bpfrt_diag *d, char *buf, size_t size)
{
    d->msg = buf;
    d->size = buf ? size : 0;
    d->insn = BPFRT_DIAG_NO_INSN;
    d->err = 0;
    if (d->msg && d->size)
        d->msg[0] = '\0';
}

int bpfrt_diag_vfail(struct bpfrt_diag *d, int err, int64_t insn, const char *fmt, va_list ap)
{
    if (!d || d->err)
        return err;
    d->err = err;
    d->insn = insn;
    if (d->msg && d->size)
        bpfrt_vsnprintf(d->msg, d->size, fmt, ap);
    return err;
}

int bpfrt_diag_fail(struct bpfrt_diag *d, int err, int64_t insn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bpfrt_diag_vfail(d, err, insn, fmt, ap);
    va_end(ap);
    return err;
}

void bpfrt_diag_note(struct bpfrt_diag *d, const char *fmt, ...)
{
    if (!d || d->err || !d->msg || !d->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    bpfrt_vsnprintf(d->msg, d->size, fmt, ap);
    va_end(ap);
}
