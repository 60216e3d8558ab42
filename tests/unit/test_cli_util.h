/* Running the bpfrt CLI from a test: cli() runs `bpfrt ARGS` (a shell
 * fragment) with stdout and stderr in cli_out; cli_file() writes a file
 * into the test's scratch directory under the build directory. */
#ifndef BPFRT_TESTS_CLI_UTIL_H
#define BPFRT_TESTS_CLI_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static inline const char *cli_build(void)
{
    const char *b = getenv("BPFRT_BUILD");
    return b ? b : "build";
}

static char cli_out[1 << 20];
static char cli_dir[512];

/* Returns the exit status (-1 when it did not exit normally). */
static inline int cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int cli(const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof(cmd), "%s/bpfrt %s 2>&1", cli_build(), args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(cli_out, 1, sizeof(cli_out) - 1, p);
    cli_out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether the CLI is built; creates the scratch directory <build>/<name>.d. */
static inline bool cli_setup(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/bpfrt", cli_build());
    if (access(path, X_OK))
        return false;
    snprintf(cli_dir, sizeof(cli_dir), "%s/%s.d", cli_build(), name);
    mkdir(cli_dir, 0755);
    return true;
}

/* A corpus object of the v3 build: <build>/progs/v3/<name>.o */
static inline const char *cpath(const char *name)
{
    static char path[2][1024];
    static int k;
    char *p = path[k++ & 1];
    snprintf(p, sizeof(path[0]), "%s/progs/v3/%s.o", cli_build(), name);
    return p;
}

static inline bool cpath_exists(void)
{
    return access(cpath("socket_dns_filter"), R_OK) == 0;
}

static inline const char *cli_file(const char *name, const char *text)
{
    static char path[2][1024];
    static int k;
    char *p = path[k++ & 1];
    snprintf(p, sizeof(path[0]), "%s/%s", cli_dir, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

#endif
