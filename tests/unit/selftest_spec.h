/* What one of Linux's verifier selftests expects of its program, read from
 * the object as Linux's own runner reads it (tools/testing/selftests/bpf/
 * test_loader.c, parse_test_spec): bpf_misc.h turns __success, __failure,
 * __msg("..."), __retval(N), __flag(...), __description("...") and friends
 * into BTF decl tags "comment:test_..." on the program's FUNC, which
 * clang -g keeps in the object's BTF in source order.
 *
 * Log expectations are matched as test_loader's validate_msgs matches
 * them: in order, each after the previous match, verbatim text with
 * {{...}} parts as POSIX extended regular expressions. */
#ifndef BPFRT_TESTS_SELFTEST_SPEC_H
#define BPFRT_TESTS_SELFTEST_SPEC_H

#include <limits.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/btf.h"
#include "bpfrt/object.h"

#define SPEC_MAX_MSGS 48

struct selftest_spec {
    char desc[200];          /* __description, else the program's name */
    bool priv_result;        /* __success or __failure given */
    bool expect_failure;     /* __failure */
    bool unpriv_result;      /* __success_unpriv or __failure_unpriv given */
    bool expect_failure_unpriv;
    bool unpriv_mode;        /* any *_unpriv tag: Linux's runner loads it unprivileged too */
    bool caps_unpriv;        /* __caps_unpriv: unprivileged with some capabilities back */
    bool auxiliary;          /* __auxiliary: loaded for other tests, not a test */
    bool other_arch;         /* __arch_* that excludes x86-64 */
    bool has_retval;
    int retval;
    uint32_t flags;          /* __flag(...) */
    int log_level;
    unsigned nr_msgs;        /* __msg (privileged), in order */
    const char *msgs[SPEC_MAX_MSGS];
    unsigned nr_msgs_unpriv; /* __msg_unpriv, or the privileged ones when none (test_loader) */
    const char *msgs_unpriv[SPEC_MAX_MSGS];
};

/* Value after "PREFIX=" or, for the counted tags, after "PREFIX=N=". */
static const char *spec_tag_value(const char *tag, const char *prefix, bool counted)
{
    size_t n = strlen(prefix);
    if (strncmp(tag, prefix, n) != 0)
        return NULL;
    tag += n;
    if (!counted)
        return tag;
    const char *eq = strchr(tag, '=');
    return eq ? eq + 1 : NULL;
}

static bool spec_parse_int(const char *s, int *out)
{
    if (strcmp(s, "_INT_MIN") == 0) {
        *out = INT_MIN;
        return true;
    }
    char *end;
    long v = strncmp(s, "0x", 2) == 0 ? strtol(s + 2, &end, 16) : strtol(s, &end, 10);
    *out = (int)v;
    return *s && !*end;
}

static uint32_t spec_flag(const char *s)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {
        {"BPF_F_STRICT_ALIGNMENT", BPF_F_STRICT_ALIGNMENT}, {"BPF_F_ANY_ALIGNMENT", BPF_F_ANY_ALIGNMENT},
        {"BPF_F_TEST_RND_HI32", BPF_F_TEST_RND_HI32},       {"BPF_F_TEST_STATE_FREQ", BPF_F_TEST_STATE_FREQ},
        {"BPF_F_SLEEPABLE", BPF_F_SLEEPABLE},               {"BPF_F_XDP_HAS_FRAGS", BPF_F_XDP_HAS_FRAGS},
        {"BPF_F_TEST_REG_INVARIANTS", BPF_F_TEST_REG_INVARIANTS},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].bit;
    int v;
    return spec_parse_int(s, &v) ? (uint32_t)v : 0;
}

/* Reads the tags on FUNC `name` of btf into *s; false when the object has
 * no such FUNC. Strings point into btf. */
static bool selftest_spec_read(const struct bpfrt_btf *btf, const char *name, struct selftest_spec *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->desc, sizeof(s->desc), "%.199s", name);
    if (!btf)
        return false;
    long func = bpfrt_btf_find_by_name_kind(btf, name, BTF_KIND_FUNC);
    if (func <= 0)
        return false;
    bool x86 = false, arch = false;
    uint32_t n = bpfrt_btf_nr_types(btf);
    for (uint32_t id = 1; id < n; id++) {
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
        if (btf_kind(t) != BTF_KIND_DECL_TAG || t->type != (uint32_t)func ||
            ((const struct btf_decl_tag *)btf_type_extra(t))->component_idx != -1)
            continue;
        const char *tag = bpfrt_btf_name(btf, id), *v;
        if ((v = spec_tag_value(tag, "comment:test_description=", false)))
            snprintf(s->desc, sizeof(s->desc), "%.199s", v);
        else if (strcmp(tag, "comment:test_expect_failure") == 0)
            s->priv_result = s->expect_failure = true;
        else if (strcmp(tag, "comment:test_expect_success") == 0)
            s->priv_result = true, s->expect_failure = false;
        else if (strcmp(tag, "comment:test_expect_failure_unpriv") == 0)
            s->unpriv_result = s->expect_failure_unpriv = true;
        else if (strcmp(tag, "comment:test_expect_success_unpriv") == 0)
            s->unpriv_result = true, s->expect_failure_unpriv = false;
        else if ((v = spec_tag_value(tag, "comment:test_expect_msg_unpriv=", true)) &&
                 s->nr_msgs_unpriv < SPEC_MAX_MSGS)
            s->unpriv_mode = true, s->msgs_unpriv[s->nr_msgs_unpriv++] = v;
        else if (spec_tag_value(tag, "comment:test_retval_unpriv=", false))
            s->unpriv_mode = true;
        else if (spec_tag_value(tag, "comment:test_caps_unpriv=", false))
            s->caps_unpriv = true;
        else if (strcmp(tag, "comment:test_auxiliary") == 0 || strcmp(tag, "comment:test_auxiliary_unpriv") == 0)
            s->auxiliary = true;
        else if ((v = spec_tag_value(tag, "comment:test_retval=", false)))
            s->has_retval = spec_parse_int(v, &s->retval);
        else if ((v = spec_tag_value(tag, "comment:test_log_level=", false)))
            spec_parse_int(v, &s->log_level);
        else if ((v = spec_tag_value(tag, "comment:test_prog_flags=", false)))
            s->flags = v[0] == '!' ? s->flags & ~spec_flag(v + 1) : s->flags | spec_flag(v);
        else if ((v = spec_tag_value(tag, "comment:test_arch=", false)))
            arch = true, x86 |= strcmp(v, "X86_64") == 0;
        else if ((v = spec_tag_value(tag, "comment:test_expect_msg=", true)) && s->nr_msgs < SPEC_MAX_MSGS)
            s->msgs[s->nr_msgs++] = v;
    }
    s->other_arch = arch && !x86;
    s->unpriv_mode |= s->unpriv_result;
    if (s->unpriv_mode && !s->unpriv_result) /* test_loader: the privileged expectation stands */
        s->expect_failure_unpriv = s->expect_failure;
    if (!s->nr_msgs_unpriv) {
        s->nr_msgs_unpriv = s->nr_msgs;
        memcpy(s->msgs_unpriv, s->msgs, sizeof(s->msgs));
    }
    return true;
}

/* A pattern as a POSIX extended regex: verbatim text escaped, {{...}} kept. */
static bool spec_regex(const char *pat, regex_t *re)
{
    char buf[1024];
    size_t o = 0;
    bool in = false;
    for (const char *p = pat; *p && o + 3 < sizeof(buf); p++) {
        if (!in && p[0] == '{' && p[1] == '{') {
            in = true, p++;
        } else if (in && p[0] == '}' && p[1] == '}') {
            in = false, p++;
        } else {
            if (!in && strchr(".[]\\()*+?{}|^$", *p))
                buf[o++] = '\\';
            buf[o++] = *p;
        }
    }
    buf[o] = '\0';
    return regcomp(re, buf, REG_EXTENDED | REG_NEWLINE) == 0;
}

/* Index of the first of msgs[0..n) the log does not hold (in order), or n
 * when it holds them all. */
static unsigned selftest_msgs_match(const char *log, const char *const *msgs, unsigned n)
{
    const char *at = log ? log : "";
    for (unsigned i = 0; i < n; i++) {
        if (!strstr(msgs[i], "{{")) {
            const char *f = strstr(at, msgs[i]);
            if (!f)
                return i;
            at = f + strlen(msgs[i]);
            continue;
        }
        regex_t re;
        regmatch_t m;
        if (!spec_regex(msgs[i], &re))
            return i;
        int rc = regexec(&re, at, 1, &m, 0);
        regfree(&re);
        if (rc != 0)
            return i;
        at += m.rm_eo;
    }
    return n;
}

#endif
