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

#pragma GCC visibility pop

#endif
