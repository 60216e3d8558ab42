/* The assembler: matches each source line against the opcode table's
 * templates (isa.h, templates.c) for the chosen syntax. The first form whose
 * template consumes the whole line wins; when none does, the error is the one
 * recorded furthest into the line (ties go to the more specific complaint),
 * which is where the line stopped making sense. Labels are resolved after
 * the last line. Freestanding: memory comes from the platform allocator. */
#include "core/core.h"
#include "core/isa/isa.h"

#define ASM_MAX_TOKEN_ECHO 32

/* ---- error tracking ---- */

/* Failure priorities at one position: a missing keyword is the vaguest
 * complaint, an out-of-range number the most specific. */
enum { PRIO_WORD = 0, PRIO_LITERAL = 1, PRIO_KIND = 2, PRIO_RANGE = 3 };

struct asm_fail {
    size_t pos;   /* byte offset in the line */
    int prio;
    bool set;
    char msg[160];
    char words[120]; /* PRIO_WORD: the keywords that would have fit here */
};

/* A label reference waiting for resolution. */
struct asm_fixup {
    const char *name;
    uint32_t len;
    uint32_t insn;   /* index of the referring instruction */
    uint32_t line, column;
    uint8_t to_imm;  /* 1: imm (ja32, call local, ld_imm64 func), 0: off */
};

struct asm_label {
    const char *name; /* NULL: empty slot */
    uint32_t len;
    uint32_t insn;
    uint32_t line;
};

struct asm_state {
    const struct bpfrt_platform *plat;
    enum bpfrt_syntax syntax;
    struct bpf_insn *insns;
    uint32_t nr, cap;
    struct asm_fixup *fixups;
    uint32_t nr_fixups, cap_fixups;
    struct asm_label *labels; /* open-addressing hash */
    uint32_t nr_labels, cap_labels;
    int32_t first_exit;
    struct bpfrt_asm_error *err;
};

/* One attempt at matching a line against a template. */
struct match {
    const char *s;      /* the line */
    size_t len, pos;
    enum bpfrt_syntax syntax;
    const struct isa_opcode *op;
    const struct isa_form *form;
    struct bpf_insn insn[2];
    bool have_dst, have_src;
    const char *label;  /* label reference, if any */
    uint32_t label_len;
    size_t label_pos;
    uint8_t label_to_imm;
    struct asm_fail *fail;
};

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_ident(char c) { return is_alpha(c) || is_digit(c) || c == '.'; }
static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Copies the token at pos (up to a blank or delimiter) for an error message. */
static void token_at(const char *s, size_t len, size_t pos, char *out, size_t size)
{
    if (pos >= len) {
        bpfrt_strlcpy(out, "end of line", size);
        return;
    }
    size_t n = 0;
    out[n++] = '\'';
    size_t i = pos;
    /* a register-like or word token runs over identifier characters; any other
     * character is quoted alone */
    if (s[i] == '%' || is_ident(s[i]) || s[i] == '-' || s[i] == '+') {
        do {
            if (n + 4 >= size || i - pos >= ASM_MAX_TOKEN_ECHO) break;
            char c = s[i];
            out[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
            i++;
        } while (i < len && is_ident(s[i]));
    } else {
        char c = s[i];
        out[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    out[n++] = '\'';
    out[n] = '\0';
}

static void fail_at(struct match *m, size_t pos, int prio, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail_at(struct match *m, size_t pos, int prio, const char *fmt, ...)
{
    struct asm_fail *f = m->fail;
    if (f->set && (pos < f->pos || (pos == f->pos && prio <= f->prio)))
        return;
    f->set = true;
    f->pos = pos;
    f->prio = prio;
    va_list ap;
    va_start(ap, fmt);
    bpfrt_vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
    va_end(ap);
}

/* Fails with "expected WHAT, got 'TOKEN'". */
static bool expected(struct match *m, size_t pos, int prio, const char *what)
{
    char tok[ASM_MAX_TOKEN_ECHO + 8];
    token_at(m->s, m->len, pos, tok, sizeof(tok));
    if (pos >= m->len && what[0] == '\'' && what[1] == ',')
        fail_at(m, pos, prio, "expected %s, got %s (too few operands)", what, tok);
    else
        fail_at(m, pos, prio, "expected %s, got %s", what, tok);
    return false;
}

/* Records that keyword `word` was expected at input position pos. */
static bool expected_word(struct match *m, size_t pos, const char *word, size_t wlen)
{
    struct asm_fail *f = m->fail;
    if (f->set && (pos < f->pos || (pos == f->pos && f->prio > PRIO_WORD)))
        return false;
    if (!f->set || pos > f->pos) {
        f->set = true;
        f->pos = pos;
        f->prio = PRIO_WORD;
        f->words[0] = '\0';
        f->msg[0] = '\0';
    }
    char quoted[40];
    bpfrt_snprintf(quoted, sizeof(quoted), "'%.*s'", (int)(wlen > 30 ? 30 : wlen), word);
    /* keep a short, duplicate-free list */
    size_t have = bpfrt_strlen(f->words), ql = bpfrt_strlen(quoted);
    for (const char *w = f->words; *w; w++)
        if (bpfrt_strncmp(w, quoted, ql) == 0 && (w[ql] == ',' || w[ql] == '\0'))
            return false;
    if (have + ql + 2 < sizeof(f->words))
        bpfrt_snprintf(f->words + have, sizeof(f->words) - have, "%s%s", have ? ", " : "", quoted);
    return false;
}

static void skip_blanks(struct match *m)
{
    while (m->pos < m->len && is_blank(m->s[m->pos]))
        m->pos++;
}

/* ---- numbers ---- */

/* Parses an unsigned magnitude (decimal or 0x hex) at *pos. Sets *hex. Returns
 * false when there is no number; *overflow when it exceeds 64 bits. */
static bool scan_magnitude(const char *s, size_t len, size_t *pos, uint64_t *out, bool *hex,
                           bool *overflow)
{
    size_t i = *pos;
    uint64_t v = 0;
    *overflow = false;
    *hex = false;
    if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        size_t start = i + 2;
        i = start;
        while (i < len && hex_val(s[i]) >= 0) {
            if (v >> 60) *overflow = true;
            v = (v << 4) | (uint64_t)hex_val(s[i]);
            i++;
        }
        if (i == start) return false;
        *hex = true;
    } else {
        if (i >= len || !is_digit(s[i])) return false;
        while (i < len && is_digit(s[i])) {
            uint64_t d = (uint64_t)(s[i] - '0');
            if (v > (UINT64_MAX - d) / 10) *overflow = true;
            v = v * 10 + d;
            i++;
        }
    }
    if (i < len && is_ident(s[i])) return false; /* "12abc" is not a number */
    *pos = i;
    *out = v;
    return true;
}

enum num_sign { SIGN_OPTIONAL_MINUS, SIGN_REQUIRED };

/* Parses a signed number into [lo, hi] (hex magnitudes up to hex_max are
 * taken as unsigned bit patterns). */
static bool parse_number(struct match *m, enum num_sign sign, int64_t lo, int64_t hi,
                         uint64_t hex_max, const char *what, int64_t *out)
{
    size_t start = m->pos, i = m->pos;
    bool neg = false;
    if (i < m->len && (m->s[i] == '-' || (sign == SIGN_REQUIRED && m->s[i] == '+'))) {
        neg = m->s[i] == '-';
        i++;
        if (sign == SIGN_REQUIRED)
            while (i < m->len && is_blank(m->s[i])) i++;
    } else if (sign == SIGN_REQUIRED) {
        return expected(m, start, PRIO_LITERAL, what);
    }
    uint64_t mag;
    bool hex, overflow;
    if (!scan_magnitude(m->s, m->len, &i, &mag, &hex, &overflow))
        return expected(m, start, PRIO_LITERAL, what);
    bool ok = !overflow;
    int64_t v = 0;
    if (ok) {
        if (neg) {
            ok = mag <= (uint64_t)INT64_MAX + 1 && -(int64_t)(mag - 1) - 1 >= lo;
            if (ok) v = -(int64_t)(mag - 1) - 1;
        } else if (hex && mag <= hex_max) {
            v = (int64_t)mag;
            if (v > hi) /* a bit pattern: 0xffffffff is -1 as imm32 */
                v = (int64_t)(mag - hex_max - 1);
        } else {
            ok = mag <= (uint64_t)hi;
            v = (int64_t)mag;
        }
    }
    if (!ok) {
        if (hex_max)
            fail_at(m, start, PRIO_RANGE, "%s out of range: '%.*s' (expected %lld..%lld or 0x0..0x%llx)",
                    what, (int)(i - start > 40 ? 40 : i - start), m->s + start, (long long)lo,
                    (long long)hi, (unsigned long long)hex_max);
        else
            fail_at(m, start, PRIO_RANGE, "%s out of range: '%.*s' (expected %lld..%lld)", what,
                    (int)(i - start > 40 ? 40 : i - start), m->s + start, (long long)lo, (long long)hi);
        return false;
    }
    m->pos = i;
    *out = v;
    return true;
}

static bool parse_imm32(struct match *m, enum num_sign sign, int32_t *out, const char *what)
{
    int64_t v;
    if (!parse_number(m, sign, INT32_MIN, INT32_MAX, UINT32_MAX, what, &v))
        return false;
    *out = (int32_t)v;
    return true;
}

static bool parse_off16(struct match *m, enum num_sign sign, int16_t *out, const char *what)
{
    int64_t v;
    if (!parse_number(m, sign, INT16_MIN, INT16_MAX, 0, what, &v))
        return false;
    *out = (int16_t)v;
    return true;
}

/* 64-bit immediate of ld_imm64: -2^63 .. 2^64-1, any notation. */
static bool parse_imm64(struct match *m, bool hex_only, uint64_t *out)
{
    size_t start = m->pos, i = m->pos;
    bool neg = false;
    if (i < m->len && m->s[i] == '-') { neg = true; i++; }
    uint64_t mag;
    bool hex, overflow;
    if (!scan_magnitude(m->s, m->len, &i, &mag, &hex, &overflow))
        return expected(m, start, PRIO_LITERAL, "64-bit immediate");
    if (hex_only && !hex)
        return expected(m, start, PRIO_KIND, "hex 64-bit immediate");
    if (overflow || (neg && mag > (uint64_t)INT64_MAX + 1)) {
        fail_at(m, start, PRIO_RANGE, "64-bit immediate out of range: '%.*s'",
                (int)(i - start > 40 ? 40 : i - start), m->s + start);
        return false;
    }
    m->pos = i;
    *out = neg ? (uint64_t)0 - mag : mag;
    return true;
}

/* ---- registers ---- */

/* Parses a register. letter: 'r', 'w', or 0 for either (C-like syntaxes);
 * the conformance syntax spells registers "%rN". */
static bool parse_reg(struct match *m, char letter, uint8_t *out)
{
    size_t start = m->pos, i = m->pos;
    const char *what = "register";
    bool ok = true;
    if (m->syntax == BPFRT_SYNTAX_CONF) {
        ok = i + 1 < m->len && m->s[i] == '%' && m->s[i + 1] == 'r';
        i += 2;
    } else {
        char c = i < m->len ? m->s[i] : 0;
        ok = (letter == 0 && (c == 'r' || c == 'w')) || (letter != 0 && c == letter);
        if (!ok && (c == 'r' || c == 'w') && i + 1 < m->len && is_digit(m->s[i + 1]))
            what = letter == 'w' ? "32-bit register (w0..w10)" : "64-bit register (r0..r10)";
        i += 1;
    }
    size_t digits = i;
    unsigned v = 0;
    while (ok && i < m->len && is_digit(m->s[i]) && i - digits < 6)
        v = v * 10 + (unsigned)(m->s[i++] - '0');
    if (!ok || i == digits || (i < m->len && is_ident(m->s[i]))) {
        /* something register-shaped gets the specific complaint */
        bool looks = start < m->len && (m->s[start] == '%' || m->s[start] == 'r' || m->s[start] == 'w');
        return expected(m, start, looks ? PRIO_KIND : PRIO_LITERAL, what);
    }
    if (v > 10)
        return expected(m, start, PRIO_RANGE, "register");
    m->pos = i;
    *out = (uint8_t)v;
    return true;
}

/* Register placeholder that may repeat (e.g. "r1 = -r1", "r0 = atomic_fetch_add(.., r0)"). */
static bool parse_reg_field(struct match *m, char letter, bool dst)
{
    size_t start = m->pos;
    uint8_t r = 0;
    if (!parse_reg(m, letter, &r))
        return false;
    bool *have = dst ? &m->have_dst : &m->have_src;
    uint8_t cur = dst ? m->insn[0].dst_reg : m->insn[0].src_reg;
    if (*have && cur != r) {
        fail_at(m, start, PRIO_RANGE, "expected the same register as before (%s%u)",
                m->syntax == BPFRT_SYNTAX_CONF ? "%r" : "r", cur);
        return false;
    }
    *have = true;
    if (dst) m->insn[0].dst_reg = r;
    else m->insn[0].src_reg = r;
    return true;
}

/* ---- jump targets ---- */

/* "+N"/"-N" (optionally after "pc") or a label. */
static bool parse_target(struct match *m, bool to_imm)
{
    size_t start = m->pos;
    if (m->pos + 2 < m->len && m->s[m->pos] == 'p' && m->s[m->pos + 1] == 'c' &&
        (m->s[m->pos + 2] == '+' || m->s[m->pos + 2] == '-'))
        m->pos += 2;
    if (m->pos < m->len && (m->s[m->pos] == '+' || m->s[m->pos] == '-')) {
        if (to_imm)
            return parse_imm32(m, SIGN_REQUIRED, &m->insn[0].imm, "jump offset");
        return parse_off16(m, SIGN_REQUIRED, &m->insn[0].off, "jump offset");
    }
    m->pos = start;
    if (m->pos < m->len && (is_alpha(m->s[m->pos]) || m->s[m->pos] == '.')) {
        size_t i = m->pos;
        while (i < m->len && is_ident(m->s[i])) i++;
        m->label = m->s + m->pos;
        m->label_len = (uint32_t)(i - m->pos);
        m->label_pos = m->pos;
        m->label_to_imm = to_imm;
        m->pos = i;
        return true;
    }
    return expected(m, start, PRIO_LITERAL, "jump target (+N, -N or a label)");
}

/* Kernel helper operand: "name#id", "name" or a number. */
static bool parse_helper(struct match *m)
{
    size_t start = m->pos;
    if (m->pos < m->len && is_alpha(m->s[m->pos])) {
        size_t i = m->pos;
        while (i < m->len && is_ident(m->s[i])) i++;
        size_t name_len = i - m->pos;
        bool known = bpfrt_isa_helper_id(m->s + m->pos, name_len) >= 0 ||
                     (name_len == 7 && bpfrt_memcmp(m->s + m->pos, "unknown", 7) == 0);
        if (i < m->len && m->s[i] == '#' && known) {
            /* "name#id": the id decides ("kfunc#5" is not a helper) */
            m->pos = i + 1;
            return parse_imm32(m, SIGN_OPTIONAL_MINUS, &m->insn[0].imm, "helper id");
        }
        int32_t id = bpfrt_isa_helper_id(m->s + m->pos, name_len);
        if (id < 0) {
            char tok[ASM_MAX_TOKEN_ECHO + 8];
            token_at(m->s, m->len, start, tok, sizeof(tok));
            fail_at(m, start, PRIO_LITERAL, "unknown helper %s", tok);
            return false;
        }
        m->insn[0].imm = id;
        m->pos = i;
        return true;
    }
    return parse_imm32(m, SIGN_OPTIONAL_MINUS, &m->insn[0].imm, "helper id");
}

/* ---- template matching ---- */

static bool match_literal_text(struct match *m, const char *lit)
{
    for (const char *p = lit; *p; p++) {
        if (*p == ' ') {
            skip_blanks(m);
            continue;
        }
        if (m->pos >= m->len || m->s[m->pos] != *p) {
            if (is_ident(*p)) {
                /* a keyword: complain about the whole word where it starts */
                const char *ws = p, *we = p;
                while (ws > lit && is_ident(ws[-1])) ws--;
                while (*we && is_ident(*we)) we++;
                return expected_word(m, m->pos - (size_t)(p - ws), ws, (size_t)(we - ws));
            }
            char what[8] = {'\'', *p, '\'', 0};
            return expected(m, m->pos, PRIO_LITERAL, what);
        }
        m->pos++;
    }
    return true;
}

static bool match_template(struct match *m, const char *t, const char *end);

/* Finds the '}' closing the group that starts after p. */
static const char *group_end(const char *p, const char *end)
{
    while (p < end && *p != '}') p++;
    return p;
}

static bool match_placeholder(struct match *m, char ph)
{
    struct bpf_insn *in = &m->insn[0];
    char reg = m->op->reg;
    switch (ph) {
    case 'd': return parse_reg_field(m, reg, true);
    case 's': return parse_reg_field(m, reg, false);
    case 'D': return parse_reg_field(m, 0, true);
    case 'S': return parse_reg_field(m, 0, false);
    case 'R': {
        char lit[2] = {reg, 0};
        return match_literal_text(m, lit);
    }
    case 'i': case 'x': return parse_imm32(m, SIGN_OPTIONAL_MINUS, &in->imm, "immediate");
    case 'o': case 'O': return parse_off16(m, SIGN_REQUIRED, &in->off, "offset");
    case 'n': return parse_off16(m, SIGN_OPTIONAL_MINUS, &in->off, "offset");
    case 'I': return parse_imm32(m, SIGN_REQUIRED, &in->imm, "offset");
    case 'k': return parse_imm32(m, SIGN_REQUIRED, &m->insn[1].imm, "offset");
    case 'N': return parse_imm32(m, SIGN_OPTIONAL_MINUS, &m->insn[1].imm, "immediate");
    case 'j': return parse_target(m, false);
    case 'J': case 'F': return parse_target(m, true);
    case 'h': return parse_helper(m);
    case 'L': case 'Q': {
        uint64_t v = 0;
        if (!parse_imm64(m, ph == 'L' && m->syntax == BPFRT_SYNTAX_KERNEL, &v))
            return false;
        m->insn[0].imm = (int32_t)(uint32_t)v;
        m->insn[1].imm = (int32_t)(uint32_t)(v >> 32);
        return true;
    }
    case 'm': return match_literal_text(m, m->form->conf);
    case 'c': return match_literal_text(m, m->form->c);
    case 'z': return match_literal_text(m, m->op->size ? m->op->size : "");
    case 'K': return match_literal_text(m, m->op->katomic ? m->op->katomic : "");
    case '$': return match_literal_text(m, "$");
    default: return false;
    }
}

static bool match_template(struct match *m, const char *t, const char *end)
{
    while (t < end) {
        if (*t == '$' && t + 1 < end) {
            if (!match_placeholder(m, t[1]))
                return false;
            t += 2;
        } else if (*t == '{') {
            const char *ge = group_end(t + 1, end);
            /* optional: try it, and on failure go on as if it were absent
             * (the field stays 0); the failure is still recorded so a
             * malformed group ("+0x10000") explains itself */
            struct match saved = *m;
            if (!match_template(m, t + 1, ge)) {
                struct asm_fail *f = m->fail;
                *m = saved;
                m->fail = f;
            }
            t = ge < end ? ge + 1 : end;
        } else {
            const char *lit_end = t;
            while (lit_end < end && *lit_end != '$' && *lit_end != '{') lit_end++;
            char buf[48];
            size_t n = (size_t)(lit_end - t);
            if (n >= sizeof(buf)) n = sizeof(buf) - 1;
            bpfrt_memcpy(buf, t, n);
            buf[n] = 0;
            if (!match_literal_text(m, buf))
                return false;
            t += n;
        }
    }
    return true;
}

/* Tries every printable or alias form for the line; on success fills m. */
static bool match_line(struct match *m, const char *line, size_t len, enum bpfrt_syntax syntax,
                       struct asm_fail *fail)
{
    for (unsigned code = 0; code < 256; code++) {
        const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
        for (unsigned f = 0; f < op->nforms; f++) {
            const struct isa_form *form = &op->forms[f];
            if (form->shape == ISA_SH_NONE)
                continue;
            const char *t = bpfrt_isa_shapes[form->shape].text[syntax];
            if (!t)
                continue;
            bpfrt_memset(m, 0, sizeof(*m));
            m->s = line;
            m->len = len;
            m->syntax = syntax;
            m->op = op;
            m->form = form;
            m->fail = fail;
            m->insn[0].code = (uint8_t)code;
            bpfrt_isa_set_key(&m->insn[0], op->key, form->key);
            skip_blanks(m);
            if (!match_template(m, t, t + bpfrt_strlen(t)))
                continue;
            skip_blanks(m);
            if (m->pos < m->len) {
                char tok[ASM_MAX_TOKEN_ECHO + 8];
                token_at(line, len, m->pos, tok, sizeof(tok));
                fail_at(m, m->pos, PRIO_LITERAL, "unexpected %s after the instruction", tok);
                continue;
            }
            return true;
        }
    }
    return false;
}

/* ---- program state ---- */

static void *asm_alloc(struct asm_state *st, size_t size)
{
    return st->plat->alloc(st->plat->ctx, size, 16);
}

static bool grow(struct asm_state *st, void **arr, uint32_t *cap, size_t elem, uint32_t need)
{
    if (need <= *cap)
        return true;
    uint32_t ncap = *cap ? *cap : 64;
    while (ncap < need) ncap *= 2;
    void *n = asm_alloc(st, (size_t)ncap * elem);
    if (!n)
        return false;
    if (*arr) {
        bpfrt_memcpy(n, *arr, (size_t)*cap * elem);
        st->plat->free(st->plat->ctx, *arr, (size_t)*cap * elem);
    }
    *arr = n;
    *cap = ncap;
    return true;
}

static uint32_t hash_name(const char *s, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static struct asm_label *label_slot(struct asm_state *st, const char *name, uint32_t len)
{
    if (!st->cap_labels)
        return NULL;
    uint32_t mask = st->cap_labels - 1;
    for (uint32_t i = hash_name(name, len) & mask;; i = (i + 1) & mask) {
        struct asm_label *l = &st->labels[i];
        if (!l->name || (l->len == len && bpfrt_memcmp(l->name, name, len) == 0))
            return l;
    }
}

static bool label_add(struct asm_state *st, const char *name, uint32_t len, uint32_t line,
                      struct asm_label **dup)
{
    *dup = NULL;
    if ((st->nr_labels + 1) * 2 > st->cap_labels) {
        uint32_t old_cap = st->cap_labels;
        struct asm_label *old = st->labels;
        uint32_t ncap = old_cap ? old_cap * 2 : 64;
        struct asm_label *n = asm_alloc(st, (size_t)ncap * sizeof(*n));
        if (!n)
            return false;
        st->labels = n;
        st->cap_labels = ncap;
        for (uint32_t i = 0; i < old_cap; i++)
            if (old[i].name)
                *label_slot(st, old[i].name, old[i].len) = old[i];
        if (old)
            st->plat->free(st->plat->ctx, old, (size_t)old_cap * sizeof(*old));
    }
    struct asm_label *slot = label_slot(st, name, len);
    if (slot->name) {
        *dup = slot;
        return true;
    }
    slot->name = name;
    slot->len = len;
    slot->insn = st->nr;
    slot->line = line;
    st->nr_labels++;
    return true;
}

static int set_error(struct asm_state *st, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int set_error(struct asm_state *st, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (st->err) {
        st->err->line = line;
        st->err->column = col;
        va_list ap;
        va_start(ap, fmt);
        bpfrt_vsnprintf(st->err->msg, sizeof(st->err->msg), fmt, ap);
        va_end(ap);
    }
    return -BPFRT_EINVAL;
}

static int oom_error(struct asm_state *st)
{
    set_error(st, 0, 0, "out of memory");
    return -BPFRT_ENOMEM;
}

/* ---- line handling ---- */

/* Strips a trailing comment: ';', '//', and '#' at the line start or after a
 * blank (kernel syntax uses '#' inside "bpf_map_lookup_elem#1"). */
static size_t strip_comment(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ';') return i;
        if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') return i;
        if (s[i] == '#' && (i == 0 || is_blank(s[i - 1]))) return i;
    }
    return len;
}

/* What precedes the instruction text on a line of a dump. */
struct line_prefix {
    size_t text;       /* where the instruction text starts */
    uint8_t raw[16];   /* llvm-objdump's raw bytes, if any */
    unsigned nraw;     /* 0, 8 or 16 */
};

static bool starts_with(const char *s, size_t len, const char *word)
{
    size_t n = bpfrt_strlen(word);
    return len >= n && bpfrt_memcmp(s, word, n) == 0;
}

/* Skips a leading instruction index ("12:"), bpftool's "(b7)" opcode and
 * llvm-objdump's raw bytes (8, or 16 for ld_imm64), so that a dump can be
 * fed back. */
static void skip_prefixes(const char *s, size_t len, struct line_prefix *pre)
{
    size_t i = 0;
    pre->nraw = 0;
    while (i < len && is_blank(s[i])) i++;
    size_t j = i;
    while (j < len && is_digit(s[j])) j++;
    bool indexed = j > i && j < len && s[j] == ':';
    if (indexed) {
        i = j + 1;
        while (i < len && is_blank(s[i])) i++;
    }
    if (i + 3 < len && s[i] == '(' && hex_val(s[i + 1]) >= 0 && hex_val(s[i + 2]) >= 0 && s[i + 3] == ')') {
        pre->text = i + 4;
        return;
    }
    if (indexed) {
        size_t k = i;
        unsigned pairs = 0;
        uint8_t bytes[16];
        while (pairs < 16 && k + 1 < len && hex_val(s[k]) >= 0 && hex_val(s[k + 1]) >= 0 &&
               (k + 2 == len || is_blank(s[k + 2]))) {
            bytes[pairs++] = (uint8_t)(hex_val(s[k]) << 4 | hex_val(s[k + 1]));
            k += 2;
            while (k < len && is_blank(s[k])) k++;
        }
        if (pairs == 8 || pairs == 16) {
            bpfrt_memcpy(pre->raw, bytes, pairs);
            pre->nraw = pairs;
            i = k;
        }
    }
    pre->text = i;
}

/* llvm-objdump's decorations: "file format" and "Disassembly of section"
 * headers and relocation lines are skipped; "0000000000000000 <prog>:"
 * becomes label "prog"; a trailing "<prog+0x50>" target annotation is cut.
 * Returns false for a line to skip; sets the label of a header line. */
static bool objdump_line(const char *s, size_t *len, const char **label, size_t *label_len)
{
    size_t i = 0, n = *len;
    *label = NULL;
    while (i < n && is_blank(s[i])) i++;
    if (starts_with(s + i, n - i, "Disassembly of section"))
        return false;
    for (size_t k = i; k + 12 <= n; k++)
        if (bpfrt_memcmp(s + k, "file format ", 12) == 0)
            return false;
    size_t h = i;
    while (h < n && hex_val(s[h]) >= 0) h++;
    if (h - i >= 8 && h < n) {
        size_t k = h;
        if (s[k] == ':') {
            k++;
            while (k < n && is_blank(s[k])) k++;
            if (starts_with(s + k, n - k, "R_BPF_"))
                return false; /* relocation */
        } else if (s[k] == ' ' && k + 1 < n && s[k + 1] == '<' && n >= 3 && s[n - 1] == ':' && s[n - 2] == '>') {
            *label = s + k + 2;
            *label_len = n - 2 - (k + 2);
            return true;
        }
    }
    /* "goto +1 <prog+0x50>": drop the annotation */
    while (n > 0 && is_blank(s[n - 1])) n--;
    if (n > 0 && s[n - 1] == '>') {
        size_t k = n - 1;
        while (k > 0 && s[k] != '<') k--;
        if (s[k] == '<' && k > 0 && is_blank(s[k - 1]))
            n = k;
    }
    *len = n;
    return true;
}

static bool add_insns(struct asm_state *st, const struct bpf_insn *in, uint32_t n)
{
    if (!grow(st, (void **)&st->insns, &st->cap, sizeof(*in), st->nr + n))
        return false;
    bpfrt_memcpy(&st->insns[st->nr], in, n * sizeof(*in));
    st->nr += n;
    return true;
}

/* ".insn 0x..." : one raw instruction word (low byte = opcode), as the
 * disassembler prints instructions the table rejects. */
static int raw_insn(struct asm_state *st, const char *s, size_t len, size_t i, uint32_t lineno)
{
    while (i < len && is_blank(s[i])) i++;
    uint64_t w;
    bool hex, overflow;
    size_t start = i;
    if (!scan_magnitude(s, len, &i, &w, &hex, &overflow) || overflow)
        return set_error(st, lineno, (uint32_t)start + 1, "expected a 64-bit instruction word");
    while (i < len && is_blank(s[i])) i++;
    if (i < len)
        return set_error(st, lineno, (uint32_t)i + 1, "unexpected text after the instruction word");
    struct bpf_insn in;
    bpfrt_memcpy(&in, &w, sizeof(in));
    if (st->nr + 1 > BPFRT_MAX_INSNS)
        return set_error(st, lineno, 1, "program too large");
    return add_insns(st, &in, 1) ? 0 : oom_error(st);
}

static int assemble_line(struct asm_state *st, const char *s, size_t len, uint32_t lineno)
{
    for (size_t k = 0; k < len; k++)
        if (s[k] == '\0')
            return set_error(st, lineno, (uint32_t)k + 1, "unexpected NUL byte");
    len = strip_comment(s, len);
    const char *dump_label;
    size_t dump_label_len;
    if (!objdump_line(s, &len, &dump_label, &dump_label_len))
        return 0;
    if (dump_label) {
        struct asm_label *dup;
        if (!label_add(st, dump_label, (uint32_t)dump_label_len, lineno, &dup))
            return oom_error(st);
        return dup ? set_error(st, lineno, 1, "duplicate label '%.*s' (first defined on line %u)",
                               (int)(dump_label_len > 64 ? 64 : dump_label_len), dump_label, dup->line)
                   : 0;
    }
    struct line_prefix pre;
    skip_prefixes(s, len, &pre);
    size_t i = pre.text;
    while (len > i && is_blank(s[len - 1])) len--;
    if (pre.nraw) {
        /* an llvm-objdump line: its raw bytes are the instruction (older
         * objdumps print "<unknown>" or a v3 reading for v4 instructions) */
        if (st->nr + 2 > BPFRT_MAX_INSNS)
            return set_error(st, lineno, 1, "program too large");
        return add_insns(st, (const struct bpf_insn *)(const void *)pre.raw, pre.nraw / 8) ? 0 : oom_error(st);
    }
    /* labels: "name:" possibly followed by an instruction */
    for (;;) {
        while (i < len && is_blank(s[i])) i++;
        if (i >= len)
            return 0;
        if (!(is_alpha(s[i]) || s[i] == '.'))
            break;
        size_t j = i;
        while (j < len && is_ident(s[j])) j++;
        if (j < len && s[j] == ':') {
            struct asm_label *dup;
            if (!label_add(st, s + i, (uint32_t)(j - i), lineno, &dup))
                return oom_error(st);
            if (dup)
                return set_error(st, lineno, (uint32_t)i + 1,
                                 "duplicate label '%.*s' (first defined on line %u)",
                                 (int)(j - i > 64 ? 64 : j - i), s + i, dup->line);
            i = j + 1;
            continue;
        }
        if (j - i == 5 && bpfrt_memcmp(s + i, ".insn", 5) == 0)
            return raw_insn(st, s, len, j, lineno);
        if (s[i] == '.') {
            return set_error(st, lineno, (uint32_t)i + 1, "unknown directive '%.*s'",
                             (int)(j - i > 64 ? 64 : j - i), s + i);
        }
        break;
    }
    struct asm_fail fail = {0};
    struct match m;
    const char *line = s + i;
    size_t llen = len - i;
    if (!match_line(&m, line, llen, st->syntax, &fail)) {
        uint32_t col = (uint32_t)(i + fail.pos) + 1;
        if (fail.set && fail.prio == PRIO_WORD && fail.pos > 0) {
            char tok[ASM_MAX_TOKEN_ECHO + 8];
            token_at(line, llen, fail.pos, tok, sizeof(tok));
            bool one = !bpfrt_strchr(fail.words, ',');
            return set_error(st, lineno, col, "expected %s%s, got %s", one ? "" : "one of ",
                             fail.words, tok);
        }
        if (fail.pos == 0 || !fail.set) {
            size_t w = 0;
            while (w < llen && !is_blank(line[w])) w++;
            return set_error(st, lineno, (uint32_t)i + 1, "unknown instruction '%.*s'",
                             (int)(w > 40 ? 40 : w), line);
        }
        return set_error(st, lineno, col, "%s", fail.msg);
    }
    if (m.label) {
        if (!grow(st, (void **)&st->fixups, &st->cap_fixups, sizeof(struct asm_fixup),
                  st->nr_fixups + 1))
            return oom_error(st);
        struct asm_fixup *fx = &st->fixups[st->nr_fixups++];
        fx->name = m.label;
        fx->len = m.label_len;
        fx->insn = st->nr;
        fx->line = lineno;
        fx->column = (uint32_t)(i + m.label_pos) + 1;
        fx->to_imm = m.label_to_imm;
    }
    if (st->first_exit < 0 && m.insn[0].code == (BPF_JMP | BPF_EXIT))
        st->first_exit = (int32_t)st->nr;
    if (st->nr + 2 > BPFRT_MAX_INSNS)
        return set_error(st, lineno, 1, "program too large (more than %u instructions)",
                         BPFRT_MAX_INSNS);
    if (!add_insns(st, m.insn, bpfrt_insn_is_lddw(&m.insn[0]) ? 2 : 1))
        return oom_error(st);
    return 0;
}

static int resolve_fixups(struct asm_state *st)
{
    for (uint32_t i = 0; i < st->nr_fixups; i++) {
        struct asm_fixup *fx = &st->fixups[i];
        struct asm_label *l = label_slot(st, fx->name, fx->len);
        int64_t target;
        if (l && l->name) {
            target = l->insn;
        } else if (fx->len == 4 && bpfrt_memcmp(fx->name, "exit", 4) == 0 && st->first_exit >= 0) {
            /* the conformance suite's implicit label: the first exit */
            target = st->first_exit;
        } else {
            return set_error(st, fx->line, fx->column, "undefined label '%.*s'",
                             (int)(fx->len > 64 ? 64 : fx->len), fx->name);
        }
        int64_t rel = target - (int64_t)fx->insn - 1;
        struct bpf_insn *in = &st->insns[fx->insn];
        if (fx->to_imm) {
            in->imm = (int32_t)rel;
        } else {
            if (rel < INT16_MIN || rel > INT16_MAX)
                return set_error(st, fx->line, fx->column,
                                 "jump to '%.*s' out of range (%lld instructions)",
                                 (int)(fx->len > 64 ? 64 : fx->len), fx->name, (long long)rel);
            in->off = (int16_t)rel;
        }
    }
    return 0;
}

static void state_free(struct asm_state *st)
{
    const struct bpfrt_platform *p = st->plat;
    if (st->fixups) p->free(p->ctx, st->fixups, (size_t)st->cap_fixups * sizeof(*st->fixups));
    if (st->labels) p->free(p->ctx, st->labels, (size_t)st->cap_labels * sizeof(*st->labels));
    st->fixups = NULL;
    st->labels = NULL;
}

static int assemble(const struct bpfrt_platform *plat, const char *src, size_t len,
                    enum bpfrt_syntax syntax, struct bpf_insn **out, uint32_t *nr_insns,
                    struct bpfrt_asm_error *err)
{
    struct asm_state st = {.plat = plat, .syntax = syntax, .first_exit = -1, .err = err};
    int rc = 0;
    uint32_t lineno = 1;
    size_t start = 0;
    for (size_t i = 0; i <= len && rc == 0; i++) {
        if (i == len || src[i] == '\n') {
            rc = assemble_line(&st, src + start, i - start, lineno);
            lineno++;
            start = i + 1;
        }
    }
    if (rc == 0)
        rc = resolve_fixups(&st);
    if (rc == 0 && st.nr == 0)
        rc = set_error(&st, 0, 0, "empty program: no instructions");
    state_free(&st);
    if (rc) {
        if (st.insns) plat->free(plat->ctx, st.insns, (size_t)st.cap * sizeof(*st.insns));
        return rc;
    }
    /* hand back an exactly-sized array (the caller frees nr * 8 bytes) */
    struct bpf_insn *exact = plat->alloc(plat->ctx, (size_t)st.nr * sizeof(*exact), 16);
    if (!exact) {
        plat->free(plat->ctx, st.insns, (size_t)st.cap * sizeof(*st.insns));
        return oom_error(&st);
    }
    bpfrt_memcpy(exact, st.insns, (size_t)st.nr * sizeof(*exact));
    plat->free(plat->ctx, st.insns, (size_t)st.cap * sizeof(*st.insns));
    *out = exact;
    *nr_insns = st.nr;
    return 0;
}

/* Guesses the syntax: "%r" means the conformance syntax; "goto pc", "call
 * name#id" or a bpftool "(xx)" opcode mean the kernel's; else LLVM's. */
static enum bpfrt_syntax guess_syntax(const char *src, size_t len)
{
    bool kernel = false;
    for (size_t i = 0; i + 1 < len; i++) {
        if (src[i] == '%' && src[i + 1] == 'r')
            return BPFRT_SYNTAX_CONF;
        if (i + 2 < len && src[i] == 'p' && src[i + 1] == 'c' && (src[i + 2] == '+' || src[i + 2] == '-'))
            kernel = true;
        if (src[i] == '#' && i > 0 && is_ident(src[i - 1]))
            kernel = true;
        if (src[i] == ')' && i >= 3 && src[i - 3] == '(' && hex_val(src[i - 1]) >= 0 &&
            hex_val(src[i - 2]) >= 0)
            kernel = true;
    }
    return kernel ? BPFRT_SYNTAX_KERNEL : BPFRT_SYNTAX_LLVM;
}

int bpfrt_asm(const struct bpfrt_platform *plat, const char *src, size_t len,
              enum bpfrt_syntax syntax, struct bpf_insn **out, uint32_t *nr_insns,
              struct bpfrt_asm_error *err)
{
    if (err) {
        err->line = err->column = 0;
        err->msg[0] = '\0';
    }
    if (!plat || !out || !nr_insns || (!src && len))
        return -BPFRT_EINVAL;
    *out = NULL;
    *nr_insns = 0;
    if (len && src[len - 1] == '\0')
        len--; /* a C string passed with its terminator */
    if (syntax != BPFRT_SYNTAX_AUTO) {
        if ((unsigned)syntax > BPFRT_SYNTAX_CONF)
            return -BPFRT_EINVAL;
        return assemble(plat, src, len, syntax, out, nr_insns, err);
    }
    enum bpfrt_syntax first = guess_syntax(src, len);
    int rc = assemble(plat, src, len, first, out, nr_insns, err);
    if (rc != -BPFRT_EINVAL)
        return rc;
    struct bpfrt_asm_error first_err;
    if (err) first_err = *err;
    static const enum bpfrt_syntax order[3] = {BPFRT_SYNTAX_LLVM, BPFRT_SYNTAX_KERNEL,
                                               BPFRT_SYNTAX_CONF};
    for (int k = 0; k < 3; k++) {
        if (order[k] == first)
            continue;
        if (assemble(plat, src, len, order[k], out, nr_insns, NULL) == 0) {
            if (err) err->msg[0] = '\0';
            return 0;
        }
    }
    if (err) *err = first_err;
    return rc;
}
