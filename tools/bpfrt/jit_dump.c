/* The JIT's machine code as text, for `bpfrt prog dump jited` and
 * `bpfrt run --dump-jited` (Linux: `bpftool prog dump jited`, which also
 * uses a disassembler library). objdump disassembles the image when it is
 * installed (Intel syntax); without it the bytes are printed in hex. Each
 * eBPF instruction's code is headed by the instruction in kernel syntax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/asm.h"
#include "bpfrt/jit.h"
#include "cli.h"
#include "jit_dump.h"

/* Heads the code of every instruction that starts at offset `off`. */
static void headers(FILE *out, const struct bpfrt_prog *prog, uint32_t off, uint32_t *pc)
{
    while (*pc <= prog->len && bpfrt_jit_insn_offset(prog, *pc) <= off) {
        uint32_t at = bpfrt_jit_insn_offset(prog, *pc);
        if (*pc == prog->len) {
            if (at == off)
                fprintf(out, "; -- past the last instruction: out-of-line paths --\n");
            (*pc)++;
            break;
        }
        char text[160];
        uint32_t used = 1;
        if (bpfrt_disasm_insn(&prog->insns[*pc], prog->len - *pc, *pc, BPFRT_SYNTAX_KERNEL, text, sizeof(text),
                              &used) < 0)
            snprintf(text, sizeof(text), "(invalid)");
        fprintf(out, "; %u: %s\n", *pc, text);
        *pc += used ? used : 1;
    }
}

/* objdump's listing of the image: false when objdump cannot be run. */
static bool with_objdump(FILE *out, const struct bpfrt_prog *prog, const uint8_t *img, uint32_t len)
{
    char path[] = "/tmp/bpfrt_jited_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    bool ok = write(fd, img, len) == (ssize_t)len;
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "objdump -D -b binary -mi386:x86-64 -M intel %s 2>/dev/null", path);
    FILE *p = ok ? popen(cmd, "r") : NULL;
    uint32_t pc = 0, lines = 0;
    if (p) {
        char line[512];
        bool body = false;
        while (fgets(line, sizeof(line), p)) {
            unsigned off;
            if (strstr(line, "<.data>:")) {
                body = true;
                continue;
            }
            if (!body || sscanf(line, " %x:", &off) != 1)
                continue;
            if (lines++ == 0)
                fprintf(out, "; -- the entry stub and shared slow paths --\n");
            headers(out, prog, off, &pc);
            fputs(line, out);
        }
        ok = pclose(p) == 0 && lines > 0;
    }
    unlink(path);
    return ok;
}

int cli_dump_jited(FILE *out, const struct bpfrt_prog *prog)
{
    const void *code;
    uint32_t len;
    if (!bpfrt_jit_image(prog, &code, &len)) {
        fprintf(stderr, "bpfrt: the program is not JIT-compiled (engine: %s)\n",
                prog->engine_ops ? prog->engine_ops->name : "none");
        return CLI_ERROR;
    }
    struct bpfrt_jit_stats st;
    bpfrt_jit_get_stats(prog, &st);
    fprintf(out, "; %u eBPF instructions -> %u bytes of x86-64 (%s mode%s), compiled in %.1f us "
                 "(%.1f us executable memory), %u layout passes\n",
            st.insns, st.image_len, st.mode, st.blinded ? ", constants blinded" : "", st.compile_ns / 1e3,
            st.exec_mem_ns / 1e3, st.passes);
    const uint8_t *img = code;
    if (with_objdump(out, prog, img, len))
        return CLI_OK;
    fprintf(out, "; (objdump not found: raw bytes)\n");
    uint32_t pc = 0;
    for (uint32_t off = 0; off < len;) {
        headers(out, prog, off, &pc);
        uint32_t next = pc <= prog->len ? bpfrt_jit_insn_offset(prog, pc) : len;
        if (next <= off || next > len)
            next = len;
        if (next - off > 16)
            next = off + 16;
        fprintf(out, "%8x:", off);
        for (; off < next; off++)
            fprintf(out, " %02x", img[off]);
        fputc('\n', out);
    }
    return CLI_OK;
}
