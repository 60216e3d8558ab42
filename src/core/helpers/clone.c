/* bpf_clone_redirect(skb, ifindex, flags) (net/core/filter.c): sends a copy
 * of the packet to a device and lets the program go on with the original.
 * Only BPF_F_INGRESS is a valid flag. The hook receives each clone through
 * run->pkt->clone_out (as it was when the helper ran) and counts them.
 * Like bpf_redirect, any non-zero ifindex is a device here (Linux gives
 * -EINVAL for one that does not exist). */
#include "core/helpers/helpers_internal.h"

BPFRT_HELPER_DEF(clone_redirect)
{
    uint32_t ifindex = (uint32_t)r2;
    uint64_t flags = r3;
    struct bpfrt_pkt *pkt = run->pkt;
    if ((flags & ~BPF_F_INGRESS) || !ifindex || !pkt)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    pkt->clones++;
    if (pkt->clone_out)
        pkt->clone_out(pkt->clone_arg, pkt->data, (uint32_t)(pkt->data_end - pkt->data), ifindex, flags);
    return 0;
}
