/* uBPF beside bpfrt in `make bench`: its x86-64 JIT and its interpreter on
 * the same programs and inputs. uBPF is not part of the project: the user builds
 * it from its own sources and points BENCH_UBPF_DIR at it, and CMake defines
 * BPFRT_BENCH_UBPF when it is there; without it these report "absent". */
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

#ifdef BPFRT_BENCH_UBPF
#include <ubpf.h>

struct ubpf_h {
    struct ubpf_vm *vm;
    ubpf_jit_fn fn; /* NULL: the interpreter */
};

bool bench_ubpf_available(void)
{
    return true;
}

void *bench_ubpf_open(const void *code, size_t len, bool jit, char *msg, size_t msgsz)
{
    struct ubpf_h *h = calloc(1, sizeof(*h));
    char *err = NULL;
    if (!h || !(h->vm = ubpf_create())) {
        snprintf(msg, msgsz, "ubpf_create failed");
        free(h);
        return NULL;
    }
    if (ubpf_load(h->vm, code, (uint32_t)len, &err) < 0 || (jit && !(h->fn = ubpf_compile(h->vm, &err)))) {
        snprintf(msg, msgsz, "uBPF: %s", err ? err : "load failed");
        free(err);
        ubpf_destroy(h->vm);
        free(h);
        return NULL;
    }
    return h;
}

int bench_ubpf_run(void *hv, uint8_t *mem, uint64_t len, uint64_t *ret)
{
    struct ubpf_h *h = hv;
    if (h->fn) {
        *ret = h->fn(mem, len);
        return 0;
    }
    return ubpf_exec(h->vm, mem, len, ret) < 0 ? -1 : 0;
}

void bench_ubpf_close(void *hv)
{
    struct ubpf_h *h = hv;
    if (h) {
        ubpf_destroy(h->vm);
        free(h);
    }
}

double bench_ubpf_compile_us(const void *code, size_t len, int reps)
{
    double best = -1;
    for (int i = 0; i < reps; i++) {
        char msg[256];
        double t0 = bench_cpu_us();
        void *h = bench_ubpf_open(code, len, true, msg, sizeof(msg));
        double t = bench_cpu_us() - t0;
        if (!h)
            return -1;
        bench_ubpf_close(h);
        if (best < 0 || t < best)
            best = t;
    }
    return best;
}

#else

bool bench_ubpf_available(void)
{
    return false;
}

void *bench_ubpf_open(const void *code, size_t len, bool jit, char *msg, size_t msgsz)
{
    (void)code, (void)len, (void)jit;
    snprintf(msg, msgsz, "uBPF absent (BENCH_UBPF_DIR)");
    return NULL;
}

int bench_ubpf_run(void *h, uint8_t *mem, uint64_t len, uint64_t *ret)
{
    (void)h, (void)mem, (void)len, (void)ret;
    return -1;
}

void bench_ubpf_close(void *h)
{
    (void)h;
}

double bench_ubpf_compile_us(const void *code, size_t len, int reps)
{
    (void)code, (void)len, (void)reps;
    return -1;
}

#endif
