/* Diagnostics: the one way the core reports why something about a program
 * failed. A message and, kept apart from it, the instruction it is about,
 * so callers never parse an index back out of text. Validation, the
 * engines' prepare, the verifier and the JIT all write to one of these;
 * PROG_LOAD turns it into a verifier-log line (Linux's verbose(env, ...)
 * into env->log plays this part in the kernel). */
#ifndef BPFRT_DIAG_H
#define BPFRT_DIAG_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define BPFRT_DIAG_NO_INSN (-1)

struct bpfrt_diag {
    char *msg;          /* caller's buffer for the first error's text (NULL: not wanted) */
    size_t size;
    int64_t insn;       /* instruction the first error is about, or BPFRT_DIAG_NO_INSN */
    int err;            /* that error's negative errno; 0 while nothing failed */
};

/* Points d at buf (which may be NULL) and clears it. */
void bpfrt_diag_init(struct bpfrt_diag *d, char *buf, size_t size);

/* Records an error unless one is recorded already (the first cause is the
 * one reported, as Linux stops at the first). insn may be
 * BPFRT_DIAG_NO_INSN. Returns err, so `return bpfrt_diag_fail(...)` works.
 * d may be NULL. */
int bpfrt_diag_fail(struct bpfrt_diag *d, int err, int64_t insn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int bpfrt_diag_vfail(struct bpfrt_diag *d, int err, int64_t insn, const char *fmt, va_list ap);

/* Records a note (a message that is not an error: an engine fallback). It
 * never replaces an error. */
void bpfrt_diag_note(struct bpfrt_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#pragma GCC visibility pop

#endif
