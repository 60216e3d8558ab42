/* bpf_seq_write and bpf_seq_printf, the output of iterator programs, with
 * the expectations of Linux 6.18's fs/seq_file.c (seq_write, seq_bprintf:
 * output is appended while count + len < size, else the file overflows -
 * count = size - and the helper returns -EOVERFLOW) and
 * kernel/trace/bpf_trace.c (bpf_seq_printf's data_len checks, the
 * bpf_snprintf formats). The seq_file is reached as Linux's programs reach
 * it, through the iterator context's meta->seq; any other pointer, or a run
 * of a program that is not an iterator, is -EINVAL. Also: the kernel and
 * bpfrt both refuse the helpers outside tracing programs. */
#include "test.h"

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/helpers.h"
#include "bpfrt/runtime.h"
#include "kernel_bpf.h"

#define P(x) ((uint64_t)(uintptr_t)(x))

static struct bpfrt_runtime *rt;
static struct bpfrt_prog prog;
static struct bpfrt_run run;
static struct bpfrt_seq_file seq;
static uint64_t meta[3];   /* struct bpf_iter_meta: seq, session_id, seq_num */
static uint64_t ctx[2];    /* struct bpf_iter__task: meta, task */
static char buf[16];

static void reset(uint32_t size)
{
    memset(buf, 0, sizeof(buf));
    seq = (struct bpfrt_seq_file){ .buf = buf, .size = size };
    meta[0] = P(&seq);
    ctx[0] = P(meta);
    prog.type = BPF_PROG_TYPE_TRACING;
    prog.expected_attach_type = BPF_TRACE_ITER;
    run.rt = rt;
    run.prog = &prog;
    run.ctx = ctx;
}

static int64_t call(uint32_t id, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(rt, id);
    CHECK(p != NULL);
    return p ? (int64_t)p->fn(a, b, c, d, e, &run) : 0;
}

static int64_t seq_write(const void *data, uint32_t len)
{
    return call(BPF_FUNC_seq_write, P(&seq), P(data), len, 0, 0);
}

static void test_seq_write(void)
{
    reset(16);
    CHECK_EQ(seq_write("hello", 5), 0);
    CHECK_EQ(seq_write(" world!!!!", 10), 0); /* 15 < 16 */
    CHECK_EQ(seq.count, 15);
    CHECK(memcmp(buf, "hello world!!!!", 15) == 0);
    CHECK_EQ(seq_write("x", 1), -BPFRT_EOVERFLOW); /* 16 is not < 16 */
    CHECK_EQ(seq.count, 16);                        /* overflowed */
    CHECK_EQ(seq_write("", 0), -BPFRT_EOVERFLOW);   /* and stays so */
    reset(16);
    CHECK_EQ(seq_write("", 0), 0);
    CHECK_EQ(seq_write("0123456789abcdef", 16), -BPFRT_EOVERFLOW);
}

static void test_seq_not_ours(void)
{
    reset(16);
    struct bpfrt_seq_file other = { .buf = buf, .size = 16 };
    CHECK_EQ(call(BPF_FUNC_seq_write, P(&other), P("a"), 1, 0, 0), -BPFRT_EINVAL);
    CHECK_EQ(call(BPF_FUNC_seq_write, 0, P("a"), 1, 0, 0), -BPFRT_EINVAL);
    meta[0] = 0; /* no seq_file in the context */
    CHECK_EQ(seq_write("a", 1), -BPFRT_EINVAL);
    reset(16);
    prog.expected_attach_type = BPF_TRACE_FENTRY; /* Linux gives only iterators the proto */
    CHECK_EQ(seq_write("a", 1), -BPFRT_EINVAL);
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P("a"), 2, 0, 0), -BPFRT_EINVAL);
    reset(16);
    run.ctx = NULL;
    CHECK_EQ(seq_write("a", 1), -BPFRT_EINVAL);
    CHECK_EQ(seq.count, 0);
}

static void test_seq_printf(void)
{
    static const char fmt[] = "pid %d %s\n";
    static const char comm[] = "ls";
    reset(16);
    uint64_t args[2] = { 42, P(comm) };
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(fmt), sizeof(fmt), P(args), sizeof(args)), 0);
    CHECK_EQ(seq.count, 10);
    CHECK(memcmp(buf, "pid 42 ls\n", 10) == 0);
    /* "pid 42 ls\n" again needs 10 more: 20 is not < 16 */
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(fmt), sizeof(fmt), P(args), sizeof(args)), -BPFRT_EOVERFLOW);
    CHECK_EQ(seq.count, 16);
    reset(16);
    static const char plain[] = "abc";
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(plain), sizeof(plain), 0, 0), 0);
    CHECK_EQ(seq.count, 3);
    /* data_len not a multiple of 8, too many arguments, data NULL with a length */
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(fmt), sizeof(fmt), P(args), 12), -BPFRT_EINVAL);
    static uint64_t many[13];
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(fmt), sizeof(fmt), P(many), sizeof(many)), -BPFRT_EINVAL);
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(fmt), sizeof(fmt), 0, 16), -BPFRT_EINVAL);
    /* a format bpf_snprintf refuses (%n), or one without its NUL */
    static const char bad[] = "%n";
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(bad), sizeof(bad), P(args), 8), -BPFRT_EINVAL);
    CHECK_EQ(call(BPF_FUNC_seq_printf, P(&seq), P(plain), 3, 0, 0), -BPFRT_EINVAL);
    CHECK_EQ(seq.count, 3);
}

/* Outside tracing programs neither Linux nor bpfrt has the helpers:
 * `call seq_write` in a socket filter is refused at load by both. */
static void test_refused_outside_tracing(void)
{
    const struct bpf_insn insns[] = {
        { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_seq_write },
        { .code = BPF_JMP | BPF_EXIT },
    };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = P(insns);
    a.insn_cnt = 2;
    a.license = P("GPL");
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    a.prog_flags = BPFRT_PROG_F_NO_VERIFY;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    if (!kbpf_available()) {
        TEST_SKIP_CASE("kernel", "bpf(2) not available");
        return;
    }
    a.prog_flags = 0;
    CHECK_EQ(kbpf(BPF_PROG_LOAD, &a), -EINVAL);
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        return 1;
    /* %s reads the string where it is, as a probe reads the kernel: this
     * process's memory here, which the embedder opts into */
    bpfrt_runtime_set_host_reads(rt, BPFRT_HOST_READS_ALL);
    RUN(test_seq_write);
    RUN(test_seq_not_ours);
    RUN(test_seq_printf);
    RUN(test_refused_outside_tracing);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
