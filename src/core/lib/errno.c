/* Names for the core's error numbers (Linux's values). */
#include "core/core.h"

static const struct {
    int err;
    const char *name;
} errno_names[] = {
    {BPFRT_EPERM, "Operation not permitted"},
    {BPFRT_ENOENT, "No such file or directory"},
    {BPFRT_ESRCH, "No such process"},
    {BPFRT_EINTR, "Interrupted system call"},
    {BPFRT_EIO, "Input/output error"},
    {BPFRT_ENXIO, "No such device or address"},
    {BPFRT_E2BIG, "Argument list too long"},
    {BPFRT_ENOEXEC, "Exec format error"},
    {BPFRT_EBADF, "Bad file descriptor"},
    {BPFRT_EAGAIN, "Resource temporarily unavailable"},
    {BPFRT_ENOMEM, "Cannot allocate memory"},
    {BPFRT_EACCES, "Permission denied"},
    {BPFRT_EFAULT, "Bad address"},
    {BPFRT_EBUSY, "Device or resource busy"},
    {BPFRT_EEXIST, "File exists"},
    {BPFRT_EXDEV, "Invalid cross-device link"},
    {BPFRT_ENODEV, "No such device"},
    {BPFRT_ENOTDIR, "Not a directory"},
    {BPFRT_EINVAL, "Invalid argument"},
    {BPFRT_ENFILE, "Too many open files in system"},
    {BPFRT_EMFILE, "Too many open files"},
    {BPFRT_ENOSPC, "No space left on device"},
    {BPFRT_ERANGE, "Numerical result out of range"},
    {BPFRT_EDEADLK, "Resource deadlock avoided"},
    {BPFRT_ENAMETOOLONG, "File name too long"},
    {BPFRT_ENOSYS, "Function not implemented"},
    {BPFRT_ENOTEMPTY, "Directory not empty"},
    {BPFRT_ELOOP, "Too many levels of symbolic links"},
    {BPFRT_ENOMSG, "No message of desired type"},
    {BPFRT_ENODATA, "No data available"},
    {BPFRT_EPROTO, "Protocol error"},
    {BPFRT_EBADMSG, "Bad message"},
    {BPFRT_EOVERFLOW, "Value too large for defined data type"},
    {BPFRT_EBADFD, "File descriptor in bad state"},
    {BPFRT_EPROTOTYPE, "Protocol wrong type for socket"},
    {BPFRT_EOPNOTSUPP, "Operation not supported"},
    {BPFRT_EAFNOSUPPORT, "Address family not supported by protocol"},
    {BPFRT_ETIMEDOUT, "Connection timed out"},
    {BPFRT_ENOTSUPP, "Unknown error 524 (ENOTSUPP)"},
};

const char *bpfrt_strerror(int err)
{
    if (err < 0)
        err = -err;
    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
        if (errno_names[i].err == err)
            return errno_names[i].name;
    return "Unknown error";
}
