/* bpf_get_current_*: the task the platform says is running the program
 * (the calling thread in a hosted process, the current task in a kernel). */
#include "core/helpers/helpers_internal.h"

BPFRT_HELPER_DEF(get_current_pid_tgid)
{
    const struct bpfrt_platform *p = run->rt->plat;
    if (!p->current_pid_tgid)
        return bpfrt_helper_err(-BPFRT_EINVAL); /* Linux: no current task */
    return p->current_pid_tgid(p->ctx);
}

BPFRT_HELPER_DEF(get_current_uid_gid)
{
    const struct bpfrt_platform *p = run->rt->plat;
    if (!p->current_uid_gid)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return p->current_uid_gid(p->ctx);
}

/* Copies the 16-byte comm into buf[size] like strscpy_pad: at most size-1
 * characters, NUL, then zero padding to size. */
BPFRT_HELPER_DEF(get_current_comm)
{
    const struct bpfrt_platform *p = run->rt->plat;
    char *buf = bpfrt_u2p(r1);
    uint32_t size = (uint32_t)r2;
    if (!size)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!p->current_comm) {
        bpfrt_memset(buf, 0, size);
        return bpfrt_helper_err(-BPFRT_EINVAL);
    }
    char comm[16];
    bpfrt_memset(comm, 0, sizeof(comm));
    p->current_comm(p->ctx, comm);
    size_t n = bpfrt_strnlen(comm, sizeof(comm));
    if (n > size - 1)
        n = size - 1;
    bpfrt_memcpy(buf, comm, n);
    bpfrt_memset(buf + n, 0, size - n);
    return 0;
}
