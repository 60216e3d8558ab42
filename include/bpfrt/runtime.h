/* A bpfrt runtime: the root object every other core object hangs off. Two
 * runtimes share nothing, so the core keeps no global mutable state. */
#ifndef BPFRT_RUNTIME_H
#define BPFRT_RUNTIME_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include "bpfrt/platform.h"

struct bpfrt_runtime;

/* Creates a runtime on `platform` (which must outlive it) with the built-in
 * helpers registered. Returns 0 or -BPFRT_ENOMEM. */
int bpfrt_runtime_create(const struct bpfrt_platform *platform, struct bpfrt_runtime **out);

/* Releases every object the runtime still holds, then the runtime. */
void bpfrt_runtime_destroy(struct bpfrt_runtime *rt);

/* The platform the runtime was created with. */
const struct bpfrt_platform *bpfrt_runtime_platform(const struct bpfrt_runtime *rt);

/* Where bpf_trace_printk/bpf_trace_vprintk output goes (default: the
 * platform's log at INFO). `line` is one formatted message without the
 * trailing newline. */
typedef void (*bpfrt_trace_sink)(void *arg, const char *line, size_t len);
void bpfrt_runtime_set_trace_sink(struct bpfrt_runtime *rt, bpfrt_trace_sink sink, void *arg);

/* ---- host reads ----
 * bpf_probe_read*(), bpf_copy_from_user() and the %s, %pks, %pus, %pi4,
 * %pI4, %pi6 and %pI6 conversions of bpf_snprintf() / bpf_trace_printk() /
 * bpf_trace_vprintk() read memory at addresses a program names. Linux gives
 * them to privileged tracing; a runtime that runs other people's programs
 * decides what they may reach. A checked run may always read its own
 * memory (stack, context, map values); beyond that: */
enum bpfrt_host_read_policy {
    BPFRT_HOST_READS_NONE = 0,   /* nothing (the default) */
    BPFRT_HOST_READS_RANGES,     /* the ranges added with bpfrt_runtime_allow_host_read */
    BPFRT_HOST_READS_ALL,        /* any address of the process, through the platform's
                                    fault-safe copy: what tracing tools want */
};
/* A read the policy refuses fails as a fault would: -EFAULT with the
 * destination zeroed, an empty string for %s, 0.0.0.0 for %pI4. A string
 * read stops at the end of an allowed range (a string running past it is a
 * fault). Verified programs have no region table, so for them only the
 * policy counts. The policy and the ranges may change while programs run;
 * a run sees either the old or the new setting. Returns 0 or -EINVAL. */
int bpfrt_runtime_set_host_reads(struct bpfrt_runtime *rt, enum bpfrt_host_read_policy policy);
enum bpfrt_host_read_policy bpfrt_runtime_host_reads(const struct bpfrt_runtime *rt);

/* Adds [start, start + size) to what BPFRT_HOST_READS_RANGES allows, and
 * removes a range added before (same start and size). Return 0, -EINVAL
 * (empty or wrapping range), -ENOMEM, or -ENOENT (no such range). */
int bpfrt_runtime_allow_host_read(struct bpfrt_runtime *rt, const void *start, size_t size);
int bpfrt_runtime_disallow_host_read(struct bpfrt_runtime *rt, const void *start, size_t size);

#pragma GCC visibility pop

#endif
