/* Byte-order helpers for BPF programs (bpfrt's stand-in for libbpf's
 * <bpf/bpf_endian.h>; BPF targets here are little-endian). */
#ifndef BPFRT_PROGS_BPF_ENDIAN_H
#define BPFRT_PROGS_BPF_ENDIAN_H

#define bpf_htons(x) ((__be16)__builtin_bswap16((__u16)(x)))
#define bpf_ntohs(x) ((__u16)__builtin_bswap16((__u16)(x)))
#define bpf_htonl(x) ((__be32)__builtin_bswap32((__u32)(x)))
#define bpf_ntohl(x) ((__u32)__builtin_bswap32((__u32)(x)))
#define bpf_cpu_to_be64(x) __builtin_bswap64(x)
#define bpf_be64_to_cpu(x) __builtin_bswap64(x)

#endif
