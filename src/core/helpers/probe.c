/* Fault-safe reads of arbitrary memory (Linux's copy_from_*_nofault /
 * strncpy_from_*_nofault): -EFAULT with the destination zero-filled when
 * any byte cannot be read - or may not be: the runtime's host-read policy
 * decides what a program may reach (host_read.c). */
#include "core/helpers/helpers_internal.h"
#include "core/helpers/kobj.h"

/* Linux on x86-64 refuses kernel reads from user-space addresses with
 * -ERANGE before touching memory (copy_from_kernel_nofault_allowed); the
 * case programs meet is a NULL pointer plus a field offset, read by a
 * BPF_CORE_READ chain. One address space cannot tell kernel from user
 * addresses, but the lowest 64 KiB (Linux's default mmap_min_addr) are
 * never mapped in either, so kernel reads from there get Linux's -ERANGE. */
#define KERNEL_READ_REFUSED_BELOW 0x10000u

static bool kernel_read_refused(const void *src)
{
    return (uintptr_t)src < KERNEL_READ_REFUSED_BELOW;
}

static uint64_t probe_read_common(struct bpfrt_run *run, void *dst, uint32_t size,
                                  const void *src, bool user)
{
    if (!user && kernel_read_refused(src)) { /* checked before the size, as Linux */
        bpfrt_memset(dst, 0, size);
        return bpfrt_helper_err(-BPFRT_ERANGE);
    }
    if (!size)
        return 0;
    int err = bpfrt_host_read(run, dst, src, size, user);
    if (err < 0) {
        bpfrt_memset(dst, 0, size);
        return bpfrt_helper_err(err);
    }
    return 0;
}

/* Returns the string length including the NUL, or a negative error with
 * dst zero-filled. */
static uint64_t probe_read_str_common(struct bpfrt_run *run, void *dst, uint32_t size,
                                      const void *src, bool user)
{
    if (!size)
        return 0;
    if (!user && kernel_read_refused(src)) {
        bpfrt_memset(dst, 0, size);
        return bpfrt_helper_err(-BPFRT_ERANGE);
    }
    long n = bpfrt_host_read_str(run, dst, src, size, user);
    if (n < 0) {
        bpfrt_memset(dst, 0, size);
        return bpfrt_helper_err((int)n);
    }
    return (uint64_t)n;
}

/* The compat forms pick user or kernel by address on Linux (x86-64 reads
 * addresses below TASK_SIZE as user memory: -EFAULT, not -ERANGE, for
 * NULL); in one address space both read the same memory. */
BPFRT_HELPER_DEF(probe_read)
{
    return probe_read_common(run, bpfrt_u2p(r1), (uint32_t)r2, bpfrt_u2p(r3), kernel_read_refused(bpfrt_u2p(r3)));
}

BPFRT_HELPER_DEF(probe_read_str)
{
    return probe_read_str_common(run, bpfrt_u2p(r1), (uint32_t)r2, bpfrt_u2p(r3),
                                 kernel_read_refused(bpfrt_u2p(r3)));
}

BPFRT_HELPER_DEF(probe_read_user)
{
    return probe_read_common(run, bpfrt_u2p(r1), (uint32_t)r2, bpfrt_u2p(r3), true);
}

BPFRT_HELPER_DEF(probe_read_kernel)
{
    return probe_read_common(run, bpfrt_u2p(r1), (uint32_t)r2, bpfrt_u2p(r3), false);
}

BPFRT_HELPER_DEF(probe_read_user_str)
{
    return probe_read_str_common(run, bpfrt_u2p(r1), (uint32_t)r2, bpfrt_u2p(r3), true);
}

BPFRT_HELPER_DEF(probe_read_kernel_str)
{
    return probe_read_str_common(run, bpfrt_u2p(r1), (uint32_t)r2, bpfrt_u2p(r3), false);
}

/* bpf_copy_from_user: like probe_read_user (Linux may sleep to fault pages
 * in; the platform's read either succeeds or reports -EFAULT). */
BPFRT_HELPER_DEF(copy_from_user)
{
    return probe_read_common(run, bpfrt_u2p(r1), (uint32_t)r2, bpfrt_u2p(r3), true);
}

/* bpf_copy_from_user_task(dst, size, user_ptr, task, flags): the user
 * memory of task. bpfrt's one address space is the current task's: from
 * it the read is copy_from_user's; any other task's memory cannot be
 * reached, so dst is zeroed and the answer -EFAULT (Linux's for a task it
 * cannot read, such as a kernel thread with no mm). Flags are -EINVAL and
 * size 0 is 0, both before anything is touched, as in Linux. */
BPFRT_HELPER_DEF(copy_from_user_task)
{
    void *dst = bpfrt_u2p(r1);
    uint32_t size = (uint32_t)r2;
    if (r5)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!size)
        return 0;
    size_t task_size;
    if (!r4 || bpfrt_u2p(r4) != bpfrt_kobj_current(run, &task_size)) {
        bpfrt_memset(dst, 0, size);
        return bpfrt_helper_err(-BPFRT_EFAULT);
    }
    return probe_read_common(run, dst, size, bpfrt_u2p(r3), true);
}
