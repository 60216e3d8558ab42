/* bpfrt error numbers: Linux's values under the core's own names, so the
 * freestanding core needs no <errno.h> and results read like Linux's bpf(). */
#ifndef BPFRT_ERRNO_H
#define BPFRT_ERRNO_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#define BPFRT_EPERM         1
#define BPFRT_ENOENT        2
#define BPFRT_ESRCH         3
#define BPFRT_EINTR         4
#define BPFRT_EIO           5
#define BPFRT_ENXIO         6
#define BPFRT_E2BIG         7
#define BPFRT_ENOEXEC       8
#define BPFRT_EBADF         9
#define BPFRT_EAGAIN       11
#define BPFRT_ENOMEM       12
#define BPFRT_EACCES       13
#define BPFRT_EFAULT       14
#define BPFRT_EBUSY        16
#define BPFRT_EEXIST       17
#define BPFRT_EXDEV        18
#define BPFRT_ENODEV       19
#define BPFRT_ENOTDIR      20
#define BPFRT_EINVAL       22
#define BPFRT_ENFILE       23
#define BPFRT_EMFILE       24
#define BPFRT_ENOSPC       28
#define BPFRT_ERANGE       34
#define BPFRT_EDEADLK      35
#define BPFRT_ENAMETOOLONG 36
#define BPFRT_ENOSYS       38
#define BPFRT_ENOTEMPTY    39
#define BPFRT_ELOOP        40
#define BPFRT_ENOMSG       42
#define BPFRT_ENODATA      61
#define BPFRT_EPROTO       71
#define BPFRT_EBADFD       77
#define BPFRT_EOVERFLOW    75
#define BPFRT_EPROTOTYPE   91
#define BPFRT_EBADMSG      74
#define BPFRT_EOPNOTSUPP   95
#define BPFRT_EAFNOSUPPORT 97
#define BPFRT_ETIMEDOUT   110
#define BPFRT_ENOTSUPP    524 /* kernel-internal, but bpf() really returns it */

/* Returns a static English name for a (positive or negative) error number. */
const char *bpfrt_strerror(int err);

#pragma GCC visibility pop

#endif
