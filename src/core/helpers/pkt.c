/* The packet under a run (struct bpfrt_pkt, set by the hook) and keeping
 * the program's view of it in step when a helper moves its pointers. */
#include "core/helpers/helpers_internal.h"

static void store_u64(void *at, uint64_t v)
{
    bpfrt_memcpy(at, &v, sizeof(v));
}

/* The context's pointer shadows: for every field the context description
 * marks as a packet pointer, the u64 at kern_off in the kernel-side
 * context. This keeps helpers independent of each context's layout. */
static void update_ctx_shadows(struct bpfrt_run *run)
{
    const struct bpfrt_ctx_desc *desc = run->ctx_desc;
    struct bpfrt_pkt *pkt = run->pkt;
    uint8_t *ctx = pkt->skb_ctx ? pkt->skb_ctx : run->ctx;
    if (!desc || !ctx)
        return;
    for (uint32_t i = 0; i < desc->nr_fields; i++) {
        const struct bpfrt_ctx_field *f = &desc->fields[i];
        switch (f->kind) {
        case BPFRT_CTX_PTR_TO_PACKET:
            store_u64(ctx + f->kern_off, (uint64_t)(uintptr_t)pkt->data);
            break;
        case BPFRT_CTX_PTR_TO_PACKET_END:
            store_u64(ctx + f->kern_off, (uint64_t)(uintptr_t)pkt->data_end);
            break;
        case BPFRT_CTX_PTR_TO_PACKET_META:
            /* no metadata support: Linux reports data_meta = data */
            store_u64(ctx + f->kern_off,
                      (uint64_t)(uintptr_t)(pkt->data_meta ? pkt->data_meta : pkt->data));
            break;
        default:
            break;
        }
    }
}

void bpfrt_pkt_resync(struct bpfrt_run *run, const struct bpfrt_pkt_snap *old)
{
    struct bpfrt_pkt *pkt = run->pkt;
    if (!bpfrt_pkt_valid(pkt)) /* a helper broke the invariants: stop here */
        bpfrt_run_fail(run, BPFRT_RUN_BAD_INSN, (uint64_t)(uintptr_t)pkt->data,
                       "a packet helper left the packet outside its buffer");
    update_ctx_shadows(run);
    /* In a checked run the packet region follows: the program may touch
     * [data_meta, data_end) as it is now, nothing of what it was. */
    bpfrt_run_packet_moved(run);
}

struct bpfrt_pkt_snap bpfrt_pkt_snapshot(const struct bpfrt_pkt *pkt)
{
    struct bpfrt_pkt_snap s = { (uintptr_t)pkt->data, (uintptr_t)pkt->data_end,
                                (uintptr_t)pkt->data_meta };
    return s;
}

struct __sk_buff *bpfrt_skb_view(struct bpfrt_run *run)
{
    uint8_t *ctx = run->pkt && run->pkt->skb_ctx ? run->pkt->skb_ctx : run->ctx;
    const struct bpfrt_ctx_desc *d = run->ctx_desc;
    if (!ctx || !d || !(BPFRT_PROG_TYPE_BIT(d->prog_type) & BPFRT_PT_SKB) ||
        d->ctx_size < sizeof(struct __sk_buff) - 8)
        return 0;
    return (struct __sk_buff *)ctx;
}

struct bpfrt_skb_ctx *bpfrt_skb_state(struct bpfrt_run *run)
{
    struct __sk_buff *skb = bpfrt_skb_view(run);
    if (!skb || run->ctx_desc->kern_size < sizeof(struct bpfrt_skb_ctx))
        return NULL;
    return (struct bpfrt_skb_ctx *)(void *)skb;
}

void bpfrt_skb_publish(struct bpfrt_run *run, const struct bpfrt_pkt_snap *old)
{
    struct __sk_buff *skb = bpfrt_skb_view(run);
    if (skb) {
        uint32_t len = (uint32_t)(run->pkt->data_end - run->pkt->data);
        bpfrt_memcpy(&skb->len, &len, sizeof(len));
    }
    bpfrt_pkt_resync(run, old);
}

/* skb->protocol (network order in the low 16 bits, as __sk_buff shows it):
 * from the context when there is one, else the packet's EtherType. */
uint16_t bpfrt_skb_protocol(struct bpfrt_run *run)
{
    struct __sk_buff *skb = bpfrt_skb_view(run);
    if (skb) {
        uint32_t p;
        bpfrt_memcpy(&p, &skb->protocol, sizeof(p));
        return (uint16_t)p;
    }
    const struct bpfrt_pkt *pkt = run->pkt;
    if (pkt && pkt->net_off >= BPFRT_ETH_HLEN &&
        (uint64_t)(pkt->data_end - pkt->data) >= pkt->net_off) {
        uint16_t v;
        bpfrt_memcpy(&v, pkt->data + pkt->net_off - 2, sizeof(v));
        return v;
    }
    return 0;
}

void bpfrt_skb_set_protocol(struct bpfrt_run *run, uint16_t proto)
{
    struct __sk_buff *skb = bpfrt_skb_view(run);
    if (skb) {
        uint32_t p = proto;
        bpfrt_memcpy(&skb->protocol, &p, sizeof(p));
    }
}
