/* The disassembler: prints the opcode table's template for an instruction's
 * form in the chosen syntax (see isa.h), so every printed line is one the
 * assembler reads back to the same bytes. */
#include "core/core.h"
#include "core/isa/isa.h"

struct printer {
    struct bpfrt_strbuf *sb;
    const struct bpf_insn *insn; /* two for ld_imm64 */
    const struct isa_opcode *op;
    const struct isa_form *form;
    enum bpfrt_syntax syntax;
};

/* "+ 8" / "- 8": LLVM's spacing of memory offsets. */
static void put_spaced_sign(struct bpfrt_strbuf *sb, long long v)
{
    bpfrt_strbuf_printf(sb, "%c %lld", v < 0 ? '-' : '+', v < 0 ? -v : v);
}

static void put_target(const struct printer *p, long long rel)
{
    bpfrt_strbuf_printf(p->sb, p->syntax == BPFRT_SYNTAX_KERNEL ? "pc%+lld" : "%+lld", rel);
}

static void put_reg(const struct printer *p, unsigned reg, char letter)
{
    if (p->syntax == BPFRT_SYNTAX_CONF)
        bpfrt_strbuf_printf(p->sb, "%%r%u", reg);
    else
        bpfrt_strbuf_printf(p->sb, "%c%u", letter, reg);
}

/* The value a placeholder prints, for optional groups. */
static long long placeholder_value(const struct printer *p, char ph)
{
    switch (ph) {
    case 'o': case 'O': case 'n': case 'j': return p->insn[0].off;
    case 'k': case 'N': return p->insn[1].imm;
    default: return p->insn[0].imm;
    }
}

static void put_placeholder(const struct printer *p, char ph)
{
    const struct bpf_insn *in = p->insn;
    struct bpfrt_strbuf *sb = p->sb;
    switch (ph) {
    case 'd': put_reg(p, in->dst_reg, p->op->reg); break;
    case 's': put_reg(p, in->src_reg, p->op->reg); break;
    case 'D': put_reg(p, in->dst_reg, 'r'); break;
    case 'S': put_reg(p, in->src_reg, 'r'); break;
    case 'R': bpfrt_strbuf_printf(sb, "%c", p->op->reg); break;
    case 'i': bpfrt_strbuf_printf(sb, "%d", in->imm); break;
    case 'x': bpfrt_strbuf_printf(sb, "0x%x", (uint32_t)in->imm); break;
    case 'o': bpfrt_strbuf_printf(sb, "%+d", in->off); break;
    case 'O': put_spaced_sign(sb, in->off); break;
    case 'n': bpfrt_strbuf_printf(sb, "%d", in->off); break;
    case 'I': put_spaced_sign(sb, in->imm); break;
    case 'k': bpfrt_strbuf_printf(sb, "%+d", in[1].imm); break;
    case 'N': bpfrt_strbuf_printf(sb, "%d", in[1].imm); break;
    case 'j': put_target(p, in->off); break;
    case 'J': case 'F': put_target(p, in->imm); break;
    case 'h': {
        /* Linux prints "unknown#id" for ids it has no name for */
        const char *name = in->imm >= 0 ? bpfrt_helper_name((uint32_t)in->imm) : NULL;
        bpfrt_strbuf_printf(sb, "%s#%d", name ? name : "unknown", in->imm);
        break;
    }
    case 'L': case 'Q': {
        uint64_t v = (uint64_t)(uint32_t)in[0].imm | ((uint64_t)(uint32_t)in[1].imm << 32);
        bpfrt_strbuf_printf(sb, "0x%llx", (unsigned long long)v);
        break;
    }
    case 'm': bpfrt_strbuf_puts(sb, p->form->conf); break;
    case 'c': bpfrt_strbuf_puts(sb, p->form->c); break;
    case 'z': bpfrt_strbuf_puts(sb, p->op->size ? p->op->size : ""); break;
    case 'K': bpfrt_strbuf_puts(sb, p->op->katomic ? p->op->katomic : ""); break;
    case '$': bpfrt_strbuf_puts(sb, "$"); break;
    default: break;
    }
}

static void put_template(const struct printer *p, const char *t, const char *end)
{
    while (t < end) {
        if (*t == '$' && t + 1 < end) {
            put_placeholder(p, t[1]);
            t += 2;
        } else if (*t == '{') {
            const char *ge = t + 1;
            while (ge < end && *ge != '}') ge++;
            const char *ph = t + 1;
            while (ph < ge && *ph != '$') ph++;
            if (ph + 1 < ge && placeholder_value(p, ph[1]) != 0)
                put_template(p, t + 1, ge);
            t = ge < end ? ge + 1 : end;
        } else {
            bpfrt_strbuf_printf(p->sb, "%c", *t);
            t++;
        }
    }
}

int bpfrt_disasm_insn(const struct bpf_insn *insn, uint32_t avail, uint32_t index,
                      enum bpfrt_syntax syntax, char *buf, size_t size, uint32_t *used)
{
    if (!insn || avail == 0 || (unsigned)syntax > BPFRT_SYNTAX_CONF)
        return -BPFRT_EINVAL;
    const struct isa_form *form;
    char msg[96];
    if (bpfrt_isa_check_insn(insn, avail, &form, msg, sizeof(msg)))
        return -BPFRT_EINVAL;
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, buf, size);
    struct printer p = {&sb, insn, &bpfrt_isa_opcodes[insn->code], form, syntax};
    if (syntax == BPFRT_SYNTAX_KERNEL)
        bpfrt_strbuf_printf(&sb, "(%02x) ", insn->code);
    const char *t = bpfrt_isa_shapes[form->shape].text[syntax];
    put_template(&p, t, t + bpfrt_strlen(t));
    if (used)
        *used = bpfrt_insn_is_lddw(insn) ? 2 : 1;
    return sb.len > INT32_MAX ? INT32_MAX : (int)sb.len;
}

size_t bpfrt_disasm(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syntax,
                    char *buf, size_t size)
{
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, buf, size);
    char line[256];
    for (uint32_t i = 0; i < cnt;) {
        uint32_t used = 1;
        int n = bpfrt_disasm_insn(&insns[i], cnt - i, i, syntax, line, sizeof(line), &used);
        if (syntax == BPFRT_SYNTAX_KERNEL)
            bpfrt_strbuf_printf(&sb, "%4u: ", i);
        if (n >= 0) {
            bpfrt_strbuf_printf(&sb, "%s\n", line);
        } else {
            /* an instruction the table rejects: its raw word, which the
             * assembler's ".insn" directive reads back */
            uint64_t w;
            bpfrt_memcpy(&w, &insns[i], sizeof(w));
            char why[96];
            bpfrt_isa_check_insn(&insns[i], cnt - i, NULL, why, sizeof(why));
            bpfrt_strbuf_printf(&sb, ".insn 0x%016llx ; invalid: %s\n", (unsigned long long)w, why);
            used = 1;
        }
        i += used;
    }
    return sb.len;
}
