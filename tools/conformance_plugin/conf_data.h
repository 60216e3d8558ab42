/* Reader for the bpf_conformance `.data` test format (hosted, header-only:
 * shared by the conformance runner, the plugin and `bpfrt run`).
 *
 *   # comment           text after '#' is ignored
 *   -- asm              program in the suite's assembly syntax
 *   -- raw              64-bit little-endian instruction words ("0x...b7"),
 *                       or lines of 8 hex bytes ("07 00 01 00 01 00 00 00")
 *   -- mem              input memory, hex bytes
 *   -- result           expected r0 (last non-empty line; hex with 0x, else decimal)
 *   -- error            expected error message (exact)
 *   other sections      ignored
 */
#ifndef BPFRT_CONF_DATA_H
#define BPFRT_CONF_DATA_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/insn.h"

struct conf_data {
    bool has_asm, has_raw, has_mem, has_result, has_error;
    char *asm_text;            /* NUL-terminated, comments removed */
    size_t asm_len;
    struct bpf_insn *raw;
    uint32_t nr_raw;
    uint8_t *mem;
    size_t mem_len;
    uint64_t result;
    char *error;               /* expected message, trimmed */
};

struct conf_buf {
    char *p;
    size_t len, cap;
};

static inline bool conf_buf_put(struct conf_buf *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return false;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

static inline void conf_data_free(struct conf_data *d)
{
    free(d->asm_text);
    free(d->raw);
    free(d->mem);
    free(d->error);
    memset(d, 0, sizeof(*d));
}

static inline int conf_hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses hex byte tokens ("00 ff", "0x1f") from a line into b. Returns false
 * (with err) on a bad token. */
static inline bool conf_hex_bytes(const char *s, struct conf_buf *b, char *err, size_t errsz)
{
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        const char *tok = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        size_t n = (size_t)(s - tok);
        if (n > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
            tok += 2;
            n -= 2;
        }
        if (n != 2 || conf_hexval(tok[0]) < 0 || conf_hexval(tok[1]) < 0) {
            snprintf(err, errsz, "bad hex byte '%.*s'", (int)n, tok);
            return false;
        }
        uint8_t v = (uint8_t)(conf_hexval(tok[0]) << 4 | conf_hexval(tok[1]));
        if (!conf_buf_put(b, &v, 1)) {
            snprintf(err, errsz, "out of memory");
            return false;
        }
    }
    return true;
}

/* One `-- raw` line: either 8 byte tokens or 64-bit word tokens. */
static inline bool conf_raw_line(const char *s, struct conf_buf *b, char *err, size_t errsz)
{
    char *copy = strdup(s);
    if (!copy)
        return false;
    int ntok = 0;
    bool all_bytes = true;
    for (char *save = NULL, *t = strtok_r(copy, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        ntok++;
        if (strlen(t) != 2 || conf_hexval(t[0]) < 0 || conf_hexval(t[1]) < 0)
            all_bytes = false;
    }
    free(copy);
    if (ntok == 0)
        return true;
    if (ntok == 8 && all_bytes)
        return conf_hex_bytes(s, b, err, errsz);
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        char *end;
        errno = 0;
        unsigned long long w = strtoull(s, &end, 16);
        if (end == s || (*end && !isspace((unsigned char)*end)) || errno) {
            snprintf(err, errsz, "bad instruction word '%.20s'", s);
            return false;
        }
        uint8_t bytes[8];
        for (int i = 0; i < 8; i++)
            bytes[i] = (uint8_t)(w >> (8 * i));
        if (!conf_buf_put(b, bytes, 8))
            return false;
        s = end;
    }
    return true;
}

static inline char *conf_trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Parses `len` bytes of .data text. Returns 0, or -1 with a message in err. */
static inline int conf_data_parse(const char *text, size_t len, struct conf_data *d, char *err, size_t errsz)
{
    enum { S_NONE, S_ASM, S_RAW, S_MEM, S_RESULT, S_ERROR, S_OTHER } sec = S_NONE;
    struct conf_buf asmb = { 0 }, rawb = { 0 }, memb = { 0 }, errb = { 0 };
    char result_line[128] = "";
    int rc = -1;
    memset(d, 0, sizeof(*d));
    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n')
            eol++;
        char *line = malloc(eol - pos + 1);
        if (!line)
            goto out;
        memcpy(line, text + pos, eol - pos);
        line[eol - pos] = '\0';
        pos = eol + 1;
        lineno++;
        if (strncmp(line, "-- ", 3) == 0 || strcmp(line, "--") == 0) {
            char *name = conf_trim(line + 2);
            if (strcmp(name, "asm") == 0) { sec = S_ASM; d->has_asm = true; }
            else if (strcmp(name, "raw") == 0) { sec = S_RAW; d->has_raw = true; }
            else if (strcmp(name, "mem") == 0) { sec = S_MEM; d->has_mem = true; }
            else if (strcmp(name, "result") == 0) { sec = S_RESULT; d->has_result = true; }
            else if (strcmp(name, "error") == 0) { sec = S_ERROR; d->has_error = true; }
            else sec = S_OTHER;
            free(line);
            continue;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        bool ok = true;
        switch (sec) {
        case S_ASM:
            ok = conf_buf_put(&asmb, line, strlen(line)) && conf_buf_put(&asmb, "\n", 1);
            break;
        case S_RAW:
            ok = conf_raw_line(line, &rawb, err, errsz);
            break;
        case S_MEM:
            ok = conf_hex_bytes(line, &memb, err, errsz);
            break;
        case S_RESULT: {
            char *t = conf_trim(line);
            if (*t)
                snprintf(result_line, sizeof(result_line), "%s", t);
            break;
        }
        case S_ERROR: {
            char *t = conf_trim(line);
            if (*t)
                ok = (errb.len == 0 || conf_buf_put(&errb, "\n", 1)) && conf_buf_put(&errb, t, strlen(t));
            break;
        }
        default:
            break;
        }
        free(line);
        if (!ok) {
            if (!err[0])
                snprintf(err, errsz, "out of memory");
            char tmp[160];
            snprintf(tmp, sizeof(tmp), "line %u: %.140s", lineno, err);
            snprintf(err, errsz, "%s", tmp);
            goto out;
        }
    }
    if (d->has_result) {
        char *end;
        const char *s = result_line;
        errno = 0;
        if (strstr(s, "0x") || strstr(s, "0X"))
            d->result = strtoull(s, &end, 16);
        else if (s[0] == '-')
            d->result = (uint64_t)strtoll(s, &end, 10);
        else
            d->result = strtoull(s, &end, 10);
        if (!*s || *end || errno) {
            snprintf(err, errsz, "bad -- result value '%s'", s);
            goto out;
        }
    }
    if (d->has_raw && rawb.len % 8) {
        snprintf(err, errsz, "-- raw holds %zu bytes, not whole instructions", rawb.len);
        goto out;
    }
    d->asm_text = asmb.p ? asmb.p : strdup("");
    d->asm_len = asmb.len;
    asmb.p = NULL;
    d->raw = (struct bpf_insn *)(void *)rawb.p;
    d->nr_raw = (uint32_t)(rawb.len / 8);
    rawb.p = NULL;
    d->mem = (uint8_t *)memb.p;
    d->mem_len = memb.len;
    memb.p = NULL;
    d->error = errb.p ? errb.p : strdup("");
    errb.p = NULL;
    rc = 0;
out:
    free(asmb.p);
    free(rawb.p);
    free(memb.p);
    free(errb.p);
    if (rc)
        conf_data_free(d);
    return rc;
}

#endif
