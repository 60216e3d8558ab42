/* The hosted platform's read-side sections (src/platform/hosted.c: a plain
 * store to enter when the freeing side fences with membarrier(2), else a
 * seq_cst store; a release store to leave) against defer_free, as a
 * map deleting an element under running programs uses them: readers
 * repeatedly enter a section, load the current object and read it all,
 * while a writer replaces the object and hands the old one to defer_free,
 * whose callback poisons it before freeing it. No reader may ever see a
 * poisoned object (ASan would also report the use after free, TSan a read
 * racing with the free: the test runs under ThreadSanitizer too, ctest -L
 * tsan); every object is freed once no reader can hold it. Readers come in
 * two waves, so the second reuses the records the first left, and nest
 * sections as helpers inside a run do. BPFRT_FUZZ_ITERS scales the work.
 * ctest runs it twice: as the environment finds it (membarrier where the
 * kernel has it) and with BPFRT_HOSTED_MEMBARRIER=0 (the seq_cst path,
 * test_platform_epoch_seqcst); each run checks that it got the path it
 * asked for, the kernel asked directly. */
#include <linux/membarrier.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test.h"
#include "bpfrt/platform.h"
#include "platform/hosted.h"

#define LIVE 0x5afe5afeu
#define DEAD 0xdeaddeadu
#define WORDS 8

struct obj {
    uint32_t magic;
    uint64_t gen;
    uint64_t words[WORDS]; /* gen * (i + 1) */
};

static struct obj *current;
static int writer_done;
static uint64_t bad_reads, freed_objs;

static const struct bpfrt_platform *plat(void)
{
    return bpfrt_platform_hosted();
}

static struct obj *obj_new(uint64_t gen)
{
    struct obj *o = malloc(sizeof(*o));
    if (!o)
        abort();
    o->magic = LIVE;
    o->gen = gen;
    for (unsigned i = 0; i < WORDS; i++)
        o->words[i] = gen * (i + 1);
    return o;
}

static void obj_free(void *arg)
{
    struct obj *o = arg;
    o->magic = DEAD;
    for (unsigned i = 0; i < WORDS; i++)
        o->words[i] = 0;
    __atomic_add_fetch(&freed_objs, 1, __ATOMIC_RELAXED);
    free(o);
}

static bool obj_ok(const struct obj *o)
{
    if (o->magic != LIVE)
        return false;
    for (unsigned i = 0; i < WORDS; i++)
        if (o->words[i] != o->gen * (i + 1))
            return false;
    return true;
}

static void *reader(void *arg)
{
    (void)arg;
    const struct bpfrt_platform *p = plat();
    unsigned long n = 0;
    while (!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE)) {
        p->read_lock(p->ctx);
        struct obj *o = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
        bool ok = obj_ok(o);
        if (n % 7 == 0) { /* a nested section (a helper's lookup inside a run) */
            p->read_lock(p->ctx);
            ok = ok && obj_ok(__atomic_load_n(&current, __ATOMIC_ACQUIRE));
            p->read_unlock(p->ctx);
        }
        ok = ok && obj_ok(o); /* still held after the nested section ended */
        p->read_unlock(p->ctx);
        if (!ok)
            __atomic_add_fetch(&bad_reads, 1, __ATOMIC_RELAXED);
        n++;
    }
    return NULL;
}

static void *writer(void *arg)
{
    const struct bpfrt_platform *p = plat();
    uint64_t iters = *(uint64_t *)arg;
    for (uint64_t g = 2; g < iters + 2; g++) {
        struct obj *old = __atomic_exchange_n(&current, obj_new(g), __ATOMIC_ACQ_REL);
        p->defer_free(p->ctx, obj_free, old);
    }
    __atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void wave(uint64_t iters)
{
    pthread_t r[3], w;
    writer_done = 0;
    for (int i = 0; i < 3; i++)
        pthread_create(&r[i], NULL, reader, NULL);
    pthread_create(&w, NULL, writer, &iters);
    pthread_join(w, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(r[i], NULL);
}

int main(void)
{
    const char *env = getenv("BPFRT_FUZZ_ITERS");
    uint64_t scale = env && atoi(env) > 0 ? (uint64_t)atoi(env) : 1000;
    uint64_t iters = scale * 20;
    test_current = "fence";
    const char *force = getenv("BPFRT_HOSTED_MEMBARRIER");
    long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    bool kernel_has = cmds >= 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED);
    bool forced_off = force && strcmp(force, "0") == 0;
    printf("read-side fence: %s (kernel membarrier %s%s)\n",
           bpfrt_hosted_membarrier() ? "membarrier" : "seq_cst", kernel_has ? "available" : "unavailable",
           forced_off ? ", BPFRT_HOSTED_MEMBARRIER=0" : "");
    CHECK_EQ(bpfrt_hosted_membarrier(), kernel_has && !forced_off);
    current = obj_new(1);
    test_current = "first wave";
    wave(iters);
    test_current = "second wave (records reused)";
    wave(iters);
    bpfrt_hosted_quiesce();
    CHECK_EQ(bad_reads, 0);
    CHECK_EQ(freed_objs, 2 * iters); /* all but the current one, each once */
    obj_free(current);
    return test_summary();
}
