/* Verifier test cases (tests/verifier/<topic>.txt, format in tests/verifier/README.md):
 * the parser, a small BTF writer (map values with a bpf_spin_lock, func_info
 * for subprograms), and one case's load on a target - bpfrt (bpfrt_bpf) or
 * the running kernel (bpf(2)) - with maps created, map names resolved, the
 * kernel-syntax assembly assembled and PROG_LOAD run with a log. Shared by
 * test_verifier_cases.c (the case runner) and test_verifier_gen.c (random
 * programs). */
#ifndef BPFRT_TESTS_VERIFIER_CASE_H
#define BPFRT_TESTS_VERIFIER_CASE_H

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_test_util.h"
#include "bpfrt/asm.h"
#include "bpfrt/btf.h"
#include "bpfrt/object.h"
#include "bpfrt/prog_type.h"

#define VC_MAX_MAPS 8
#define VC_MAX_FUNCS 16
#define VC_MAX_LOGS 16
#define VC_NAME 64
#define VC_TEXT 256

struct vc_map {
    char name[VC_NAME];
    uint32_t type, key_size, value_size, max_entries, flags;
    int inner;   /* index of the inner map's template, -1 */
    int lock;    /* offset of a struct bpf_spin_lock in the value (needs BTF), -1; VC_BTF_NO_LOCK:
                    btf=1, key and value types without a lock (local storage maps need them) */
};
#define VC_BTF_NO_LOCK (-2)

/* A subprogram's BTF function (func_info), in subprogram order. */
struct vc_func {
    char name[VC_NAME];
    bool global;
    int nargs;
    char args[5][32]; /* "int", "long", "ctx", "ptr" (int *), "void" (void *), "task" (struct task_struct *,
                       * an empty local struct); ":TAG" adds an arg:TAG decl tag */
};

enum vc_log_kind { VC_LOG_SUB, VC_LOG_LINE, VC_LOG_NOT };
struct vc_log {
    enum vc_log_kind kind;
    char text[VC_TEXT];
};

struct vc_case {
    char file[VC_TEXT];
    int line;
    char name[VC_NAME * 2];
    uint32_t prog_type, attach_type;
    char attach_btf[64]; /* attach_btf_id: a FUNC or TYPEDEF of the kernel's BTF by name */
    char license[32];
    uint32_t log_level, log_size, prog_flags;
    struct vc_map maps[VC_MAX_MAPS];
    int nmaps;
    struct vc_func funcs[VC_MAX_FUNCS];
    int nfuncs;
    char *code;
    bool accept;
    int err;           /* the errno of a refusal */
    struct vc_log logs[VC_MAX_LOGS];
    int nlogs;
    bool have_type, have_expect;
    bool unpriv;       /* bpfrt loads it with BPFRT_PROG_F_UNPRIV; the kernel cannot (root, unprivileged BPF off) */
    bool have_priv;    /* ... and the privileged verdict, which both check */
    bool priv_accept;
    int priv_err;
};

/* ---- names ---- */

static const struct {
    const char *name;
    int value;
} vc_errnos[] = {
    { "EPERM", 1 }, { "ENOENT", 2 }, { "E2BIG", 7 }, { "EBADF", 9 }, { "ENOMEM", 12 }, { "EACCES", 13 },
    { "EFAULT", 14 }, { "EBUSY", 16 }, { "EINVAL", 22 }, { "ENOSPC", 28 }, { "ERANGE", 34 },
    { "EOPNOTSUPP", 95 }, { "ENOTSUPP", 524 },
};

static inline const char *vc_errno_name(int e)
{
    for (size_t i = 0; i < sizeof(vc_errnos) / sizeof(vc_errnos[0]); i++)
        if (vc_errnos[i].value == e)
            return vc_errnos[i].name;
    return "E?";
}

static const struct {
    const char *name;
    uint32_t flag;
} vc_prog_flags[] = {
    { "strict_alignment", BPF_F_STRICT_ALIGNMENT }, { "any_alignment", BPF_F_ANY_ALIGNMENT },
    { "test_state_freq", BPF_F_TEST_STATE_FREQ }, { "sleepable", BPF_F_SLEEPABLE },
    { "test_reg_invariants", BPF_F_TEST_REG_INVARIANTS },
};

static const struct {
    const char *name;
    uint32_t flag;
} vc_map_flags[] = {
    { "no_prealloc", BPF_F_NO_PREALLOC }, { "rdonly_prog", BPF_F_RDONLY_PROG },
};

/* A map type by bpftool's name ("hash", "percpu_array"), or -1. */
static inline int vc_map_type(const char *name)
{
    for (uint32_t t = 1; t < 64; t++) {
        const char *n = bpfrt_map_type_str(t);
        if (n && strcmp(n, name) == 0)
            return (int)t;
    }
    return -1;
}

/* ---- parsing ---- */

struct vc_parser {
    const char *file;
    int line;
    char err[VC_TEXT * 2];
};

static inline bool vc_fail(struct vc_parser *p, const char *fmt, ...)
{
    char msg[VC_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(p->err, sizeof(p->err), "%s:%d: %s", p->file, p->line, msg);
    return false;
}

/* Copies src, truncating to size - 1 bytes. */
static inline void vc_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* "name: TYPE key=4 value=8 entries=16 [flags=no_prealloc|...] [inner=M] [lock=OFF] [btf=1]" */
static inline bool vc_parse_map(struct vc_parser *p, struct vc_case *c, char *s)
{
    if (c->nmaps == VC_MAX_MAPS)
        return vc_fail(p, "too many maps");
    struct vc_map *m = &c->maps[c->nmaps];
    memset(m, 0, sizeof(*m));
    m->inner = m->lock = -1;
    char *colon = strchr(s, ':');
    if (!colon)
        return vc_fail(p, "map needs 'NAME: TYPE ...'");
    *colon = '\0';
    if (sscanf(s, "%63s", m->name) != 1)
        return vc_fail(p, "map needs a name");
    char type[VC_NAME];
    int n = 0;
    if (sscanf(colon + 1, " %63s%n", type, &n) != 1 || vc_map_type(type) < 0)
        return vc_fail(p, "unknown map type in '%s'", colon + 1);
    m->type = (uint32_t)vc_map_type(type);
    for (char *tok = strtok(colon + 1 + n, " \t"); tok; tok = strtok(NULL, " \t")) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return vc_fail(p, "map attribute '%s' needs '='", tok);
        *eq++ = '\0';
        if (strcmp(tok, "key") == 0)
            m->key_size = (uint32_t)strtoul(eq, NULL, 0);
        else if (strcmp(tok, "value") == 0)
            m->value_size = (uint32_t)strtoul(eq, NULL, 0);
        else if (strcmp(tok, "entries") == 0)
            m->max_entries = (uint32_t)strtoul(eq, NULL, 0);
        else if (strcmp(tok, "lock") == 0)
            m->lock = (int)strtol(eq, NULL, 0);
        else if (strcmp(tok, "btf") == 0 && m->lock < 0)
            m->lock = strtol(eq, NULL, 0) ? VC_BTF_NO_LOCK : -1;
        else if (strcmp(tok, "inner") == 0) {
            for (int i = 0; i < c->nmaps; i++)
                if (strcmp(c->maps[i].name, eq) == 0)
                    m->inner = i;
            if (m->inner < 0)
                return vc_fail(p, "inner map '%s' is not declared before", eq);
        } else if (strcmp(tok, "flags") == 0) {
            for (char *f = strtok_r(eq, "|", &eq); f; f = strtok_r(NULL, "|", &eq)) {
                size_t i;
                for (i = 0; i < sizeof(vc_map_flags) / sizeof(vc_map_flags[0]); i++)
                    if (strcmp(vc_map_flags[i].name, f) == 0)
                        break;
                if (i == sizeof(vc_map_flags) / sizeof(vc_map_flags[0]))
                    return vc_fail(p, "unknown map flag '%s'", f);
                m->flags |= vc_map_flags[i].flag;
            }
        } else {
            return vc_fail(p, "unknown map attribute '%s'", tok);
        }
    }
    c->nmaps++;
    return true;
}

/* "NAME static|global [ARG...]" */
static inline bool vc_parse_func(struct vc_parser *p, struct vc_case *c, char *s)
{
    if (c->nfuncs == VC_MAX_FUNCS)
        return vc_fail(p, "too many funcs");
    struct vc_func *f = &c->funcs[c->nfuncs];
    memset(f, 0, sizeof(*f));
    char *tok = strtok(s, " \t");
    if (!tok)
        return vc_fail(p, "func needs a name");
    vc_copy(f->name, sizeof(f->name), tok);
    tok = strtok(NULL, " \t");
    if (!tok || (strcmp(tok, "static") && strcmp(tok, "global")))
        return vc_fail(p, "func '%s' needs 'static' or 'global'", f->name);
    f->global = strcmp(tok, "global") == 0;
    while ((tok = strtok(NULL, " \t")) != NULL) {
        if (f->nargs == 5)
            return vc_fail(p, "at most 5 arguments");
        size_t tl = strcspn(tok, ":"); /* TYPE or TYPE:TAG (an "arg:TAG" decl tag, e.g. ptr:nonnull) */
        static const char *const types[] = { "int", "long", "ctx", "ptr", "void", "task" };
        bool known = false;
        for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
            known |= strlen(types[k]) == tl && strncmp(tok, types[k], tl) == 0;
        if (!known || strlen(tok) >= sizeof(f->args[0]))
            return vc_fail(p, "unknown argument type '%s'", tok);
        vc_copy(f->args[f->nargs++], sizeof(f->args[0]), tok);
    }
    c->nfuncs++;
    return true;
}

static inline bool vc_parse_key(struct vc_parser *p, struct vc_case *c, const char *key, char *val)
{
    if (strcmp(key, "type") == 0) {
        int t = bpfrt_prog_type_parse(val);
        if (t < 0)
            return vc_fail(p, "unknown program type '%s'", val);
        c->prog_type = (uint32_t)t;
        c->have_type = true;
    } else if (strcmp(key, "section") == 0) {
        uint32_t type;
        const struct bpfrt_prog_sec *d = bpfrt_prog_sec_find(val, &type);
        if (!d)
            return vc_fail(p, "unknown section '%s'", val);
        c->prog_type = type;
        c->attach_type = (d->flags & BPFRT_SEC_ATTACH) ? d->attach_type : 0;
        if (d->flags & BPFRT_SEC_SLEEPABLE)
            c->prog_flags |= BPF_F_SLEEPABLE;
        c->have_type = true;
    } else if (strcmp(key, "attach") == 0) {
        c->attach_type = (uint32_t)strtoul(val, NULL, 0);
    } else if (strcmp(key, "attach_btf") == 0) {
        vc_copy(c->attach_btf, sizeof(c->attach_btf), val);
    } else if (strcmp(key, "license") == 0) {
        vc_copy(c->license, sizeof(c->license), val);
    } else if (strcmp(key, "log_level") == 0) {
        c->log_level = (uint32_t)strtoul(val, NULL, 0);
    } else if (strcmp(key, "log_size") == 0) {
        c->log_size = (uint32_t)strtoul(val, NULL, 0);
    } else if (strcmp(key, "prog_flags") == 0) {
        for (char *f = strtok(val, "| \t"); f; f = strtok(NULL, "| \t")) {
            size_t i;
            for (i = 0; i < sizeof(vc_prog_flags) / sizeof(vc_prog_flags[0]); i++)
                if (strcmp(vc_prog_flags[i].name, f) == 0)
                    break;
            if (i == sizeof(vc_prog_flags) / sizeof(vc_prog_flags[0]))
                return vc_fail(p, "unknown prog flag '%s'", f);
            c->prog_flags |= vc_prog_flags[i].flag;
        }
    } else if (strcmp(key, "map") == 0) {
        return vc_parse_map(p, c, val);
    } else if (strcmp(key, "func") == 0) {
        return vc_parse_func(p, c, val);
    } else if (strcmp(key, "unpriv") == 0) {
        c->unpriv = strcmp(val, "yes") == 0;
    } else if (strcmp(key, "expect") == 0 || strcmp(key, "priv") == 0) {
        bool priv = key[0] == 'p', accept;
        int e = 0;
        char verdict[16], err[16] = "";
        if (sscanf(val, "%15s %15s", verdict, err) < 1)
            return vc_fail(p, "%s needs 'accept' or 'reject ERRNO'", key);
        accept = strcmp(verdict, "accept") == 0;
        if (!accept) {
            if (strcmp(verdict, "reject"))
                return vc_fail(p, "%s needs 'accept' or 'reject ERRNO'", key);
            for (size_t i = 0; i < sizeof(vc_errnos) / sizeof(vc_errnos[0]); i++)
                if (strcmp(vc_errnos[i].name, err) == 0)
                    e = vc_errnos[i].value;
            if (!e)
                return vc_fail(p, "unknown errno '%s'", err);
        }
        if (priv) {
            c->have_priv = true;
            c->priv_accept = accept;
            c->priv_err = e;
        } else {
            c->have_expect = true;
            c->accept = accept;
            c->err = e;
        }
    } else if (strcmp(key, "log") == 0 || strcmp(key, "log_line") == 0 || strcmp(key, "log_not") == 0) {
        if (c->nlogs == VC_MAX_LOGS)
            return vc_fail(p, "too many log expectations");
        struct vc_log *l = &c->logs[c->nlogs++];
        l->kind = key[3] == '\0' ? VC_LOG_SUB : key[4] == 'l' ? VC_LOG_LINE : VC_LOG_NOT;
        vc_copy(l->text, sizeof(l->text), val);
    } else if (strcmp(key, "desc") != 0) {
        return vc_fail(p, "unknown key '%s'", key);
    }
    return true;
}

/* Expands ".rept N" ... ".endr" blocks of the code (not nested). */
static inline bool vc_expand_rept(struct vc_parser *p, struct vc_case *c)
{
    char *rept = strstr(c->code, ".rept");
    if (!rept)
        return true;
    size_t cap = strlen(c->code) + 1, n = 0;
    char *out = malloc(cap);
    const char *s = c->code;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
        const char *t = s;
        while (*t == ' ' || *t == '\t')
            t++;
        if (strncmp(t, ".rept", 5) == 0) {
            long times = strtol(t + 5, NULL, 0);
            const char *body = s + len, *end = strstr(body, ".endr");
            if (!end || times < 0 || times > 100000) {
                free(out);
                return vc_fail(p, "case '%s': bad .rept/.endr block", c->name);
            }
            while (end > body && end[-1] != '\n')
                end--; /* the start of the .endr line */
            size_t blen = (size_t)(end - body);
            cap += blen * (size_t)times;
            out = realloc(out, cap);
            for (long i = 0; i < times; i++, n += blen)
                memcpy(out + n, body, blen);
            const char *after = strchr(end, '\n');
            s = after ? after + 1 : end + strlen(end);
            continue;
        }
        memcpy(out + n, s, len);
        n += len;
        s += len;
    }
    out[n] = '\0';
    free(c->code);
    c->code = out;
    return true;
}

static inline bool vc_finish(struct vc_parser *p, struct vc_case *c, size_t code_len)
{
    if (!c->have_type)
        return vc_fail(p, "case '%s' has no type or section", c->name);
    if (!c->have_expect)
        return vc_fail(p, "case '%s' has no expect", c->name);
    if (!code_len)
        return vc_fail(p, "case '%s' has no code", c->name);
    return vc_expand_rept(p, c);
}

/* Parses a case file into *cases (malloc'd, *ncases entries appended).
 * Returns false with p->err set on the first error. */
static inline bool vc_parse_file(struct vc_parser *p, const char *path, struct vc_case **cases, int *ncases)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        p->line = 0;
        return vc_fail(p, "cannot open");
    }
    char line[1024];
    struct vc_case *c = NULL;
    size_t code_len = 0, code_cap = 0;
    bool in_code = false;
    p->file = path;
    p->line = 0;
    while (fgets(line, sizeof(line), f)) {
        p->line++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (strncmp(line, "=== ", 4) == 0) {
            if (c && !vc_finish(p, c, code_len))
                goto fail;
            *cases = realloc(*cases, (size_t)(*ncases + 1) * sizeof(**cases));
            c = &(*cases)[(*ncases)++];
            memset(c, 0, sizeof(*c));
            vc_copy(c->file, sizeof(c->file), path);
            c->line = p->line;
            vc_copy(c->name, sizeof(c->name), line + 4);
            vc_copy(c->license, sizeof(c->license), "GPL");
            c->log_level = 1;
            c->log_size = 1 << 20;
            code_len = code_cap = 0;
            in_code = false;
            continue;
        }
        if (in_code && (line[0] == ' ' || line[0] == '\t' || line[0] == '\0')) {
            if (code_len + len + 2 > code_cap) {
                code_cap = (code_len + len + 2) * 2;
                c->code = realloc(c->code, code_cap);
            }
            memcpy(c->code + code_len, line, len);
            code_len += len;
            c->code[code_len++] = '\n';
            c->code[code_len] = '\0';
            continue;
        }
        in_code = false;
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (!c) {
            vc_fail(p, "text before the first '=== name' line");
            goto fail;
        }
        char *colon = strchr(line, ':');
        if (!colon) {
            vc_fail(p, "expected 'key: value'");
            goto fail;
        }
        *colon = '\0';
        char *val = colon + 1;
        while (*val == ' ' || *val == '\t')
            val++;
        if (strcmp(line, "code") == 0) {
            in_code = true;
            continue;
        }
        if (!vc_parse_key(p, c, line, val))
            goto fail;
    }
    fclose(f);
    return !c || vc_finish(p, c, code_len);
fail:
    fclose(f);
    return false;
}

/* ---- BTF ---- */

struct vc_btf {
    uint8_t types[4096];
    uint32_t tlen;
    char strs[1024];
    uint32_t slen;
    uint32_t ntypes;
    uint8_t blob[6144];
    uint32_t size;
};

/* (Past the buffers' room the text is dropped: BTF_LOAD then refuses the
 * blob and the case reports it.) */
static inline uint32_t vc_btf_str(struct vc_btf *b, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n == 1 || b->slen + n > sizeof(b->strs))
        return 0;
    uint32_t off = b->slen;
    memcpy(b->strs + off, s, n);
    b->slen += (uint32_t)n;
    return off;
}

static inline void vc_btf_u32(struct vc_btf *b, uint32_t v)
{
    if (b->tlen + 4 > sizeof(b->types))
        return;
    memcpy(b->types + b->tlen, &v, 4);
    b->tlen += 4;
}

/* Appends a type (and its extra words); returns its id. */
static inline uint32_t vc_btf_type(struct vc_btf *b, const char *name, uint32_t kind, uint32_t vlen, uint32_t size_or_type)
{
    vc_btf_u32(b, vc_btf_str(b, name));
    vc_btf_u32(b, BTF_INFO_ENC(kind, 0, vlen));
    vc_btf_u32(b, size_or_type);
    return ++b->ntypes;
}

static inline uint32_t vc_btf_int(struct vc_btf *b, const char *name, uint32_t bytes, bool is_signed)
{
    uint32_t id = vc_btf_type(b, name, BTF_KIND_INT, 0, bytes);
    vc_btf_u32(b, (is_signed ? BTF_INT_SIGNED : 0u) << 24 | bytes * 8);
    return id;
}

static inline void vc_btf_finish(struct vc_btf *b)
{
    struct btf_header h = { BTF_MAGIC, BTF_VERSION, 0, sizeof(h), 0, b->tlen, b->tlen, b->slen };
    memcpy(b->blob, &h, sizeof(h));
    memcpy(b->blob + sizeof(h), b->types, b->tlen);
    memcpy(b->blob + sizeof(h) + b->tlen, b->strs, b->slen);
    b->size = (uint32_t)sizeof(h) + b->tlen + b->slen;
}

/* The name of the context struct global functions take for a program type. */
static inline const char *vc_ctx_struct(uint32_t prog_type)
{
    switch (prog_type) {
    case BPF_PROG_TYPE_XDP: return "xdp_md";
    case BPF_PROG_TYPE_SK_MSG: return "sk_msg_md";
    case BPF_PROG_TYPE_CGROUP_SOCK: return "bpf_sock";
    case BPF_PROG_TYPE_SOCK_OPS: return "bpf_sock_ops";
    default: return "__sk_buff";
    }
}

struct vc_btf_ids {
    uint32_t key[VC_MAX_MAPS], value[VC_MAX_MAPS];
    uint32_t func[VC_MAX_FUNCS];
};

/* Builds the case's BTF: map key/value types for maps with a lock, one
 * FUNC per declared func. Returns false when the case needs none. */
static inline bool vc_build_btf(const struct vc_case *c, struct vc_btf *b, struct vc_btf_ids *ids)
{
    bool need = c->nfuncs > 0;
    for (int i = 0; i < c->nmaps; i++)
        need |= c->maps[i].lock >= 0 || c->maps[i].lock == VC_BTF_NO_LOCK;
    if (!need)
        return false;
    memset(b, 0, sizeof(*b));
    memset(ids, 0, sizeof(*ids));
    b->strs[0] = '\0';
    b->slen = 1;
    uint32_t t_int = vc_btf_int(b, "int", 4, true);
    uint32_t t_long = vc_btf_int(b, "long", 8, true);
    uint32_t t_u8 = vc_btf_int(b, "unsigned char", 1, false);
    uint32_t t_u32 = vc_btf_int(b, "unsigned int", 4, false);
    uint32_t t_lock = vc_btf_type(b, "bpf_spin_lock", BTF_KIND_STRUCT, 1, 4);
    vc_btf_u32(b, vc_btf_str(b, "val"));
    vc_btf_u32(b, t_u32);
    vc_btf_u32(b, 0);
    for (int i = 0; i < c->nmaps; i++) {
        const struct vc_map *m = &c->maps[i];
        if (m->lock == -1)
            continue;
        char name[VC_NAME + 8];
        if (m->lock < 0) { /* an int key, a value struct of one u32 */
            ids->key[i] = t_int;
            snprintf(name, sizeof(name), "%s_value", m->name);
            ids->value[i] = vc_btf_type(b, name, BTF_KIND_STRUCT, 1, m->value_size);
            vc_btf_u32(b, vc_btf_str(b, "val"));
            vc_btf_u32(b, t_u32);
            vc_btf_u32(b, 0);
            continue;
        }
        if (m->key_size == 4) { /* arrays insist on an unsigned int key */
            ids->key[i] = t_u32;
        } else {
            ids->key[i] = vc_btf_type(b, "", BTF_KIND_ARRAY, 0, 0);
            vc_btf_u32(b, t_u8);
            vc_btf_u32(b, t_u32);
            vc_btf_u32(b, m->key_size);
        }
        snprintf(name, sizeof(name), "%s_value", m->name);
        ids->value[i] = vc_btf_type(b, name, BTF_KIND_STRUCT, 1, m->value_size);
        vc_btf_u32(b, vc_btf_str(b, "lock"));
        vc_btf_u32(b, t_lock);
        vc_btf_u32(b, (uint32_t)m->lock * 8);
    }
    uint32_t t_ctx = 0, t_ctx_ptr = 0, t_int_ptr = 0, t_void_ptr = 0, t_task_ptr = 0;
    for (int i = 0; i < c->nfuncs; i++) {
        const struct vc_func *f = &c->funcs[i];
        for (int a = 0; a < f->nargs; a++) {
            if (strncmp(f->args[a], "ctx", 3) == 0 && !t_ctx) {
                t_ctx = vc_btf_type(b, vc_ctx_struct(c->prog_type), BTF_KIND_STRUCT, 0, 0);
                t_ctx_ptr = vc_btf_type(b, "", BTF_KIND_PTR, 0, t_ctx);
            } else if (strncmp(f->args[a], "ptr", 3) == 0 && !t_int_ptr) {
                t_int_ptr = vc_btf_type(b, "", BTF_KIND_PTR, 0, t_int);
            } else if (strncmp(f->args[a], "void", 4) == 0 && !t_void_ptr) {
                t_void_ptr = vc_btf_type(b, "", BTF_KIND_PTR, 0, 0);
            } else if (strncmp(f->args[a], "task", 4) == 0 && !t_task_ptr) {
                uint32_t t_task = vc_btf_type(b, "task_struct", BTF_KIND_STRUCT, 0, 0);
                t_task_ptr = vc_btf_type(b, "", BTF_KIND_PTR, 0, t_task);
            }
        }
        uint32_t proto = vc_btf_type(b, "", BTF_KIND_FUNC_PROTO, (uint32_t)f->nargs, t_int);
        for (int a = 0; a < f->nargs; a++) {
            char an[4] = { 'a', (char)('0' + a), '\0', '\0' };
            vc_btf_u32(b, vc_btf_str(b, an));
            vc_btf_u32(b, strncmp(f->args[a], "ctx", 3) == 0    ? t_ctx_ptr
                          : strncmp(f->args[a], "ptr", 3) == 0  ? t_int_ptr
                          : strncmp(f->args[a], "void", 4) == 0 ? t_void_ptr
                          : strncmp(f->args[a], "task", 4) == 0 ? t_task_ptr
                          : strncmp(f->args[a], "long", 4) == 0 ? t_long
                                                                : t_int);
        }
        ids->func[i] = vc_btf_type(b, f->name, BTF_KIND_FUNC, f->global ? BTF_FUNC_GLOBAL : BTF_FUNC_STATIC, proto);
        for (int a = 0; a < f->nargs; a++) {
            for (const char *tag = strchr(f->args[a], ':'); tag; tag = strchr(tag + 1, ':')) {
                char tn[40];
                snprintf(tn, sizeof(tn), "arg%.*s", (int)strcspn(tag + 1, ":") + 1, tag);
                vc_btf_type(b, tn, BTF_KIND_DECL_TAG, 0, ids->func[i]);
                vc_btf_u32(b, (uint32_t)a); /* component_idx */
            }
        }
    }
    vc_btf_finish(b);
    return true;
}

/* ---- running a case on a target ---- */

struct vc_target {
    bool kernel;
    struct bpfrt_runtime *rt;
    bool keep_prog; /* vc_run leaves a loaded program open (the caller closes r->ret) */
    bool keep_maps; /* ... and its maps (the caller closes r->map_fds) */
};

struct vc_result {
    long ret;            /* program handle/fd (closed again) or -errno */
    char *log;           /* the verifier log (malloc'd, NUL-terminated) */
    uint32_t log_true_size;
    char setup_err[VC_TEXT]; /* set when the case could not be loaded at all */
    long map_fds[VC_MAX_MAPS]; /* with t->keep_maps: the maps created, in order */
    int nmaps;
};

/* Replaces map_fd(NAME) and map_value(NAME) with the handles in fds. */
static inline char *vc_resolve_maps(const struct vc_case *c, const long *fds)
{
    size_t cap = strlen(c->code) * 2 + 64, n = 0;
    char *out = malloc(cap);
    for (const char *s = c->code; *s;) {
        const char *fn = NULL;
        if (strncmp(s, "map_fd(", 7) == 0)
            fn = "map_fd(";
        else if (strncmp(s, "map_value(", 10) == 0)
            fn = "map_value(";
        if (fn) {
            const char *name = s + strlen(fn), *end = strchr(name, ')');
            int idx = -1;
            for (int i = 0; end && i < c->nmaps; i++)
                if (strlen(c->maps[i].name) == (size_t)(end - name) && !strncmp(c->maps[i].name, name, (size_t)(end - name)))
                    idx = i;
            if (idx >= 0) {
                n += (size_t)snprintf(out + n, cap - n, "%s%ld)", fn, fds[idx]);
                s = end + 1;
                continue;
            }
        }
        out[n++] = *s++;
    }
    out[n] = '\0';
    return out;
}

/* Subprogram starts: 0 and every local call or func reference target. */
static inline int vc_subprogs(const struct bpf_insn *insns, uint32_t cnt, uint32_t *starts, int max)
{
    int n = 0;
    starts[n++] = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        bool call = insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL;
        bool func = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg == BPF_PSEUDO_FUNC;
        if (!call && !func)
            continue;
        int64_t t = (int64_t)i + insns[i].imm + 1;
        if (t < 0 || t >= (int64_t)cnt)
            continue;
        bool seen = false;
        for (int k = 0; k < n; k++)
            seen |= starts[k] == (uint32_t)t;
        if (!seen && n < max)
            starts[n++] = (uint32_t)t;
    }
    for (int a = 1; a < n; a++) /* insertion sort */
        for (int b = a; b > 0 && starts[b] < starts[b - 1]; b--) {
            uint32_t t = starts[b];
            starts[b] = starts[b - 1];
            starts[b - 1] = t;
        }
    return n;
}

static inline long vc_bpf(struct vc_target *t, int cmd, union bpf_attr *a)
{
    return do_bpf(t->rt, t->kernel, cmd, a);
}

/* The kernel's BTF (/sys/kernel/btf/vmlinux, parsed by bpfrt: its ids are
 * the kernel's), for attach_btf; the runner sets it up, NULL without. */
static struct bpfrt_btf *vc_kernel_btf;

static inline uint32_t vc_kernel_btf_id(const char *name)
{
    static const uint32_t kinds[] = { BTF_KIND_FUNC, BTF_KIND_TYPEDEF, BTF_KIND_STRUCT };
    for (size_t i = 0; vc_kernel_btf && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        long id = bpfrt_btf_find_by_name_kind(vc_kernel_btf, name, kinds[i]);
        if (id > 0)
            return (uint32_t)id;
    }
    return 0;
}

/* Loads an already assembled program (maps created by the caller). */
static inline long vc_load_insns(struct vc_target *t, const struct vc_case *c, const struct bpf_insn *insns,
                                 uint32_t cnt, long btf_fd, const struct vc_btf_ids *ids, struct vc_result *r)
{
    struct bpf_func_info fi[VC_MAX_FUNCS];
    uint32_t starts[VC_MAX_FUNCS * 2];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = c->prog_type;
    a.expected_attach_type = c->attach_type;
    a.insns = ptr(insns);
    a.insn_cnt = cnt;
    a.license = ptr(c->license);
    a.prog_flags = c->prog_flags | (c->unpriv && !t->kernel ? BPFRT_PROG_F_UNPRIV : 0);
    if (c->attach_btf[0])
        a.attach_btf_id = vc_kernel_btf_id(c->attach_btf);
    r->log = calloc(1, c->log_size ? c->log_size : 1);
    if (c->log_level) {
        a.log_level = c->log_level;
        a.log_buf = ptr(r->log);
        a.log_size = c->log_size;
    }
    if (btf_fd >= 0 && c->nfuncs) {
        int n = vc_subprogs(insns, cnt, starts, VC_MAX_FUNCS * 2);
        for (int i = 0; i < c->nfuncs; i++)
            fi[i] = (struct bpf_func_info){ i < n ? starts[i] : 0, ids->func[i] };
        a.prog_btf_fd = (uint32_t)btf_fd;
        a.func_info = ptr(fi);
        a.func_info_cnt = (uint32_t)c->nfuncs;
        a.func_info_rec_size = sizeof(fi[0]);
    }
    long ret = vc_bpf(t, BPF_PROG_LOAD, &a);
    r->log_true_size = a.log_true_size;
    return ret;
}

/* Runs case c on t: BTF, maps, assembly, PROG_LOAD. r->ret is the result;
 * everything created is closed again (the program only without
 * t->keep_prog; maps live on while a program holds them). */
static inline void vc_run(struct vc_target *t, const struct vc_case *c, struct vc_result *r)
{
    static struct vc_btf btf;
    struct vc_btf_ids ids;
    long fds[VC_MAX_MAPS], btf_fd = -1;
    int nfds = 0;
    memset(r, 0, sizeof(*r));
    r->ret = -1;
    if (vc_build_btf(c, &btf, &ids)) {
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.btf = ptr(btf.blob);
        a.btf_size = btf.size;
        btf_fd = vc_bpf(t, BPF_BTF_LOAD, &a);
        if (btf_fd < 0) {
            snprintf(r->setup_err, sizeof(r->setup_err), "BTF_LOAD failed: %ld", btf_fd);
            return;
        }
    }
    for (; nfds < c->nmaps; nfds++) {
        const struct vc_map *m = &c->maps[nfds];
        union bpf_attr a = kbpf_map_attr(m->type, m->key_size, m->value_size, m->max_entries, m->flags);
        vc_copy(a.map_name, sizeof(a.map_name), m->name); /* the log names the map */
        if (m->inner >= 0)
            a.inner_map_fd = (uint32_t)fds[m->inner];
        if (m->lock != -1) {
            a.btf_fd = (uint32_t)btf_fd;
            a.btf_key_type_id = ids.key[nfds];
            a.btf_value_type_id = ids.value[nfds];
        }
        fds[nfds] = vc_bpf(t, BPF_MAP_CREATE, &a);
        if (fds[nfds] < 0) {
            snprintf(r->setup_err, sizeof(r->setup_err), "MAP_CREATE of '%s' failed: %ld", m->name, fds[nfds]);
            goto out;
        }
    }
    char *src = vc_resolve_maps(c, fds);
    const struct bpfrt_platform *plat = bpfrt_platform_hosted();
    struct bpf_insn *insns = NULL;
    uint32_t cnt = 0;
    struct bpfrt_asm_error aerr;
    if (bpfrt_asm(plat, src, strlen(src), BPFRT_SYNTAX_KERNEL, &insns, &cnt, &aerr) != 0) {
        snprintf(r->setup_err, sizeof(r->setup_err), "assembly line %u:%u: %s", aerr.line, aerr.column, aerr.msg);
        free(src);
        goto out;
    }
    free(src);
    r->ret = vc_load_insns(t, c, insns, cnt, btf_fd, &ids, r);
    plat->free(plat->ctx, insns, (size_t)cnt * sizeof(*insns));
    if (r->ret >= 0 && !t->keep_prog)
        do_close(t->rt, t->kernel, r->ret);
out:
    if (t->keep_maps && r->ret >= 0) {
        memcpy(r->map_fds, fds, sizeof(fds[0]) * (size_t)nfds);
        r->nmaps = nfds;
        nfds = 0;
    }
    while (nfds-- > 0)
        do_close(t->rt, t->kernel, fds[nfds]);
    if (btf_fd >= 0)
        do_close(t->rt, t->kernel, btf_fd);
}

/* ---- checking a result against the expectations ---- */

/* Whether a log line matches an expectation. */
static inline bool vc_line_matches(const struct vc_log *l, const char *line, size_t len)
{
    if (l->kind == VC_LOG_LINE)
        return strlen(l->text) == len && strncmp(line, l->text, len) == 0;
    size_t tl = strlen(l->text);
    for (size_t i = 0; i + tl <= len; i++)
        if (strncmp(line + i, l->text, tl) == 0)
            return true;
    return false;
}

/* Compares r with c's expectations; on a mismatch writes why into why. The
 * log and log_line expectations must match lines in order (each on a line
 * after the previous match's line, or the same line for a substring);
 * log_not texts must appear nowhere. */
static inline bool vc_check(const struct vc_case *c, const struct vc_result *r, char *why, size_t size)
{
    if (r->setup_err[0]) {
        snprintf(why, size, "%s", r->setup_err);
        return false;
    }
    if (c->accept && r->ret < 0) {
        snprintf(why, size, "refused with %s, expected acceptance", vc_errno_name((int)-r->ret));
        return false;
    }
    if (!c->accept && r->ret >= 0) {
        snprintf(why, size, "accepted, expected refusal with %s", vc_errno_name(c->err));
        return false;
    }
    if (!c->accept && -r->ret != c->err) {
        snprintf(why, size, "refused with %s, expected %s", vc_errno_name((int)-r->ret), vc_errno_name(c->err));
        return false;
    }
    const char *pos = r->log ? r->log : "";
    for (int i = 0; i < c->nlogs; i++) {
        const struct vc_log *l = &c->logs[i];
        const char *s = l->kind == VC_LOG_NOT ? (r->log ? r->log : "") : pos;
        bool found = false;
        while (*s) {
            const char *nl = strchr(s, '\n');
            size_t len = nl ? (size_t)(nl - s) : strlen(s);
            if (vc_line_matches(l, s, len)) {
                found = true;
                pos = s;
                break;
            }
            s += len + (nl != NULL);
        }
        if (l->kind == VC_LOG_NOT ? found : !found) {
            snprintf(why, size, "log %s '%s'", l->kind == VC_LOG_NOT ? "has" : "lacks (in order)", l->text);
            return false;
        }
    }
    return true;
}

#endif
