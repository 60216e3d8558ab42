/* Reading bpf_conformance .data files in the ISA tests: sections "-- asm",
 * "-- raw", "-- error", "-- result" (see shared/conformance/README.md). */
#ifndef BPFRT_TEST_ASM_DATA_H
#define BPFRT_TEST_ASM_DATA_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/insn.h"
#include "test_file.h"

struct data_file {
    char *asm_text;        /* the -- asm section, lines joined with '\n' */
    size_t asm_len;
    int has_asm, has_raw, has_error, has_result;
    int unknown_section;   /* a "-- " line naming no known section */
    struct bpf_insn *raw;  /* the -- raw section */
    uint32_t raw_cnt;
    char error[256];
};

static inline void data_add_raw(struct data_file *d, uint64_t w)
{
    d->raw = realloc(d->raw, (d->raw_cnt + 1) * sizeof(*d->raw));
    memcpy(&d->raw[d->raw_cnt++], &w, 8);
}

/* Parses text into d; returns 0. */
static inline int data_parse(const char *text, struct data_file *d)
{
    memset(d, 0, sizeof(*d));
    enum { S_NONE, S_ASM, S_RAW, S_ERROR, S_OTHER } sec = S_NONE;
    size_t cap = strlen(text) + 1;
    d->asm_text = calloc(1, cap);
    uint64_t bytes = 0;
    int nbytes = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[4096];
        size_t m = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
        memcpy(line, p, m);
        line[m] = 0;
        if (strncmp(line, "-- ", 3) == 0 || strcmp(line, "--") == 0) {
            const char *name = line + 3;
            if (strcmp(line, "--") == 0) name = "";
            if (strncmp(name, "asm", 3) == 0) { sec = S_ASM; d->has_asm = 1; }
            else if (strncmp(name, "raw", 3) == 0) { sec = S_RAW; d->has_raw = 1; }
            else if (strncmp(name, "error", 5) == 0) { sec = S_ERROR; d->has_error = 1; }
            else if (strncmp(name, "result", 6) == 0) { sec = S_OTHER; d->has_result = 1; }
            else if (strncmp(name, "mem", 3) == 0 || strncmp(name, "c", 1) == 0 ||
                     strncmp(name, "no register offset", 18) == 0) sec = S_OTHER;
            else { sec = S_OTHER; d->unknown_section = 1; }
        } else if (sec == S_ASM) {
            memcpy(d->asm_text + d->asm_len, p, n);
            d->asm_len += n;
            d->asm_text[d->asm_len++] = '\n';
        } else if (sec == S_RAW) {
            char *hash = strchr(line, '#');
            if (hash) *hash = 0;
            for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
                if (strncmp(tok, "0x", 2) == 0) {
                    data_add_raw(d, strtoull(tok, NULL, 16));
                } else {
                    bytes |= (uint64_t)strtoul(tok, NULL, 16) << (8 * nbytes);
                    if (++nbytes == 8) { data_add_raw(d, bytes); bytes = 0; nbytes = 0; }
                }
            }
        } else if (sec == S_ERROR && line[0] && line[0] != '#' && !d->error[0]) {
            snprintf(d->error, sizeof(d->error), "%.200s", line);
        }
        p += n;
        if (*p == '\n') p++;
    }
    d->asm_text[d->asm_len] = 0;
    return 0;
}

static inline void data_free(struct data_file *d)
{
    free(d->asm_text);
    free(d->raw);
}

static int data_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the .data files of dir, sorted; returns the count (names malloc'd). */
static inline int data_list(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0, cap = 64;
    char **names = malloc(cap * sizeof(*names));
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".data") != 0) continue;
        if (n == cap) names = realloc(names, (cap *= 2) * sizeof(*names));
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), data_name_cmp);
    *out = names;
    return n;
}

#endif
