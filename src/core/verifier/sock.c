/* Socket pointers (Linux 6.18 verifier.c check_sock_access, with
 * net/core/filter.c's bpf_sock_common_is_valid_access,
 * bpf_sock_is_valid_access, bpf_tcp_sock_is_valid_access and
 * bpf_xdp_sock_is_valid_access). A socket pointer (sock, sock_common,
 * tcp_sock, xdp_sock) is read-only; each field has its own read sizes. bpfrt
 * hands programs its struct bpf_sock view itself (struct bpfrt_sock starts
 * with it), so an accepted load needs no rewrite: the checks here are the
 * whole story. */
#include "core/verifier/verifier.h"

/* How a field of struct bpf_sock / bpf_tcp_sock may be read. */
enum { SF_WHOLE, SF_NARROW, SF_PORT, SF_NONE };

struct sock_field {
    uint8_t off, end, how, size; /* [off, end): the field's bytes; size: its full width */
};

/* struct bpf_sock (80 bytes): bound_dev_if, mark and priority whole words
 * only; the addresses narrow anywhere inside; family, type, protocol,
 * src_port, state and rx_queue_mapping narrow at their start; dst_port 2 or
 * 4 bytes; the padding after dst_port never. */
static const struct sock_field bpf_sock_fields[] = {
    { 0, 4, SF_WHOLE, 4 },   { 4, 8, SF_NARROW, 4 },  { 8, 12, SF_NARROW, 4 },  { 12, 16, SF_NARROW, 4 },
    { 16, 20, SF_WHOLE, 4 }, { 20, 24, SF_WHOLE, 4 }, { 24, 44, SF_NARROW, 4 }, { 44, 48, SF_NARROW, 4 },
    { 48, 50, SF_PORT, 2 },  { 50, 52, SF_NONE, 0 },  { 52, 72, SF_NARROW, 4 }, { 72, 76, SF_NARROW, 4 },
    { 76, 80, SF_NARROW, 4 },
};
#define BPF_SOCK_SIZE 80
#define BPF_TCP_SOCK_SIZE 112   /* offsetofend(struct bpf_tcp_sock, icsk_retransmits) */

/* Fields whose narrow reads may start anywhere inside (bpf_ctx_range):
 * the addresses; the others only at the field's first byte. */
static bool narrow_anywhere(uint8_t off)
{
    return off == 24 || off == 52;
}

static bool bpf_sock_access_ok(int off, int size, bool common)
{
    if (off < 0 || off >= BPF_SOCK_SIZE || off % size)
        return false;
    if (common && off >= 8 && off < 24) /* type .. priority: not in a sock_common */
        return false;
    for (size_t i = 0; i < sizeof(bpf_sock_fields) / sizeof(bpf_sock_fields[0]); i++) {
        const struct sock_field *f = &bpf_sock_fields[i];
        if (off < f->off || off >= f->end)
            continue;
        bool at_start = off == f->off || narrow_anywhere(f->off);
        bool pow2 = (size & (size - 1)) == 0;
        switch (f->how) {
        case SF_NARROW:
            if (at_start)
                return size <= 4 && pow2;
            return size == 4;
        case SF_PORT:
            return size == 4 ? off == f->off : size <= 2 && pow2;
        case SF_NONE:
            return false;
        default:
            return size == 4;
        }
    }
    return size == 4;
}

/* struct bpf_tcp_sock: aligned u32 words, bytes_received and bytes_acked
 * (offsets 80 and 88) whole u64s. */
static bool bpf_tcp_sock_access_ok(int off, int size)
{
    if (off < 0 || off >= BPF_TCP_SOCK_SIZE || off % size)
        return false;
    if (off == 80 || off == 88)
        return size == 8;
    return size == 4;
}

int bpfrt_v_check_sock_access(struct venv *env, uint32_t regno, int32_t off, int size)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    if (reg->s.smin_value < 0) {
        verbose(env, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n",
                regno);
        return -BPFRT_EACCES;
    }
    bool ok;
    switch (reg->type) {
    case PTR_TO_SOCK_COMMON: ok = bpf_sock_access_ok(off, size, true); break;
    case PTR_TO_SOCKET: ok = bpf_sock_access_ok(off, size, false); break;
    case PTR_TO_TCP_SOCK: ok = bpf_tcp_sock_access_ok(off, size); break;
    case PTR_TO_XDP_SOCK: ok = off == 0 && size == 4; break; /* queue_id */
    default: ok = false; break;
    }
    if (ok)
        return 0;
    verbose(env, "R%d invalid %s access off=%d size=%d\n", regno,
            bpfrt_v_reg_type_str(env, reg->type, reg->flags), off, size);
    return -BPFRT_EACCES;
}
