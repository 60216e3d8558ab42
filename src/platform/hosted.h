/* Extras of the hosted platform (user space). */
#ifndef BPFRT_PLATFORM_HOSTED_H
#define BPFRT_PLATFORM_HOSTED_H

#include "bpfrt/platform.h"

/* Redirects the hosted platform's log (default: stderr, INFO and above). */
typedef void (*bpfrt_hosted_log_fn)(void *arg, enum bpfrt_log_level level, const char *msg, size_t len);
void bpfrt_hosted_set_log(bpfrt_hosted_log_fn fn, void *arg, enum bpfrt_log_level max_level);

/* Runs every deferred free once no read-side section is active. */
void bpfrt_hosted_quiesce(void);

#endif
