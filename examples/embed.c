/* Embedding bpfrt: load a clang-compiled XDP firewall, program its maps
 * through the bpf() command layer exactly as one would with Linux's bpf(2),
 * run packets through it and read the per-CPU counters back.
 *
 *   cc embed.c $(pkg-config --cflags --libs bpfrt) -o embed
 *   ./embed xdp_firewall.o
 *
 * Built and run by `make test` (ctest: example_embed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfrt/bpf.h>
#include <bpfrt/object.h>
#include <bpfrt/runtime.h>

struct port_rule_key { uint8_t protocol, pad; uint16_t dport; };
struct counters { uint64_t packets, bytes; };

static long map_update(struct bpfrt_runtime *rt, int map, const void *key, const void *value)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.map_fd = (uint32_t)map;
    attr.key = (uint64_t)(uintptr_t)key;
    attr.value = (uint64_t)(uintptr_t)value;
    attr.flags = BPF_ANY;
    return bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

/* Runs one frame through the program; returns the XDP verdict or -errno. */
static long run_frame(struct bpfrt_runtime *rt, int prog, const uint8_t *frame, uint32_t len)
{
    uint8_t out[256];
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.test.prog_fd = (uint32_t)prog;
    attr.test.data_in = (uint64_t)(uintptr_t)frame;
    attr.test.data_size_in = len;
    attr.test.data_out = (uint64_t)(uintptr_t)out;
    attr.test.data_size_out = sizeof(out);
    long err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &attr, sizeof(attr));
    return err < 0 ? err : (long)attr.test.retval;
}

/* Ethernet + IPv4 + TCP from 192.168.1.1 to 192.168.1.2, destination port dport. */
static uint32_t tcp_frame(uint8_t *f, uint16_t dport)
{
    static const uint8_t tmpl[54] = {
        0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,             /* ethernet */
        0x45, 0, 0, 0x28, 0, 0, 0x40, 0, 0x40, 0x06, 0, 0,                       /* ipv4 */
        0xc0, 0xa8, 1, 1, 0xc0, 0xa8, 1, 2,
        0x0f, 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0, /* tcp */
    };
    memcpy(f, tmpl, sizeof(tmpl));
    f[36] = (uint8_t)(dport >> 8);
    f[37] = (uint8_t)dport;
    return sizeof(tmpl);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s xdp_firewall.o\n", argv[0]);
        return 2;
    }
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0)
        return 1;

    char err[256];
    struct bpfrt_object *obj;
    if (bpfrt_object_open_file(rt, argv[1], NULL, &obj, err, sizeof(err)) != 0 ||
        bpfrt_object_load(obj, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], err);
        return 1;
    }
    int prog = bpfrt_object_prog_handle(bpfrt_object_find_prog(obj, "xdp_firewall"));
    int rules = bpfrt_object_map_handle(bpfrt_object_find_map(obj, "port_rules"));
    int stats = bpfrt_object_map_handle(bpfrt_object_find_map(obj, "stats"));

    /* Drop TCP to port 22. */
    struct port_rule_key ssh = {.protocol = 6, .dport = 22};
    uint32_t drop = 1; /* XDP_DROP */
    if (map_update(rt, rules, &ssh, &drop) < 0)
        return 1;

    uint8_t frame[64];
    int failures = 0;
    static const struct { uint16_t dport; long verdict; } cases[] = {{22, 1}, {80, 2}, {22, 1}, {443, 2}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long verdict = run_frame(rt, prog, frame, tcp_frame(frame, cases[i].dport));
        printf("tcp dport %-4u -> verdict %ld (%s)\n", cases[i].dport, verdict, verdict == 1 ? "XDP_DROP" : "XDP_PASS");
        failures += verdict != cases[i].verdict;
    }

    /* Per-CPU values come back as one 8-byte-aligned slot per CPU, as in Linux. */
    unsigned ncpus = bpfrt_runtime_platform(rt)->ncpus(NULL);
    struct counters *per_cpu = calloc(ncpus, sizeof(*per_cpu));
    uint64_t dropped = 0, passed = 0;
    for (uint32_t action = 1; action <= 2; action++) {
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.map_fd = (uint32_t)stats;
        attr.key = (uint64_t)(uintptr_t)&action;
        attr.value = (uint64_t)(uintptr_t)per_cpu;
        if (bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)) < 0)
            return 1;
        for (unsigned c = 0; c < ncpus; c++)
            *(action == 1 ? &dropped : &passed) += per_cpu[c].packets;
    }
    printf("counters: %llu dropped, %llu passed\n", (unsigned long long)dropped, (unsigned long long)passed);
    failures += dropped != 2 || passed != 2;

    free(per_cpu);
    bpfrt_object_close(obj);
    bpfrt_runtime_destroy(rt);
    return failures ? 1 : 0;
}
