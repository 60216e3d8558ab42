/* Minimal unit-test support: CHECK macros that count, and a summary line
 * ("N passed, N failed", plus ", N skipped" when cases were skipped) that CI
 * reads. A test file defines test functions and lists them in main() with
 * RUN(fn). */
#ifndef BPFRT_TEST_H
#define BPFRT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed, test_failed, test_skipped;
static const char *test_current = "";

#define CHECK(cond) do { \
    if (cond) test_passed++; \
    else { test_failed++; fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, test_current, #cond); } \
} while (0)

#define CHECK_EQ(a, b) do { \
    long long _a = (long long)(a), _b = (long long)(b); \
    if (_a == _b) test_passed++; \
    else { test_failed++; fprintf(stderr, "%s:%d: %s: %s == %s failed: %lld != %lld (0x%llx != 0x%llx)\n", \
        __FILE__, __LINE__, test_current, #a, #b, _a, _b, (unsigned long long)_a, (unsigned long long)_b); } \
} while (0)

#define CHECK_STR(a, b) do { \
    const char *_a = (a), *_b = (b); \
    if (_a && _b && strcmp(_a, _b) == 0) test_passed++; \
    else { test_failed++; fprintf(stderr, "%s:%d: %s: strings differ:\n  got:  \"%s\"\n  want: \"%s\"\n", \
        __FILE__, __LINE__, test_current, _a ? _a : "(null)", _b ? _b : "(null)"); } \
} while (0)

#define CHECK_CONTAINS(hay, needle) do { \
    const char *_h = (hay), *_n = (needle); \
    if (_h && _n && strstr(_h, _n)) test_passed++; \
    else { test_failed++; fprintf(stderr, "%s:%d: %s: \"%s\" does not contain \"%s\"\n", \
        __FILE__, __LINE__, test_current, _h ? _h : "(null)", _n ? _n : "(null)"); } \
} while (0)

#define RUN(fn) do { test_current = #fn; fn(); } while (0)

/* Skips one case the environment cannot run (e.g. a helper this kernel
 * build withholds), loudly: a "SKIP: <case>: <reason>" line, counted in the
 * summary. The rest of the binary still runs. */
#define TEST_SKIP_CASE(name, reason) do { \
    test_skipped++; \
    printf("SKIP: %s: %s\n", (name), (reason)); \
} while (0)

/* Prints the summary and returns the process exit status. */
static inline int test_summary(void)
{
    if (test_skipped)
        printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed, test_skipped);
    else
        printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

/* Skips the whole test binary (ctest shows it as skipped via SKIP_RETURN_CODE 77). */
#define TEST_SKIP(...) do { printf("SKIP: " __VA_ARGS__); printf("\n"); exit(77); } while (0)

static inline const char *test_shared_dir(void)
{
    const char *s = getenv("BPFRT_SHARED");
    return s ? s : "../shared";
}

#endif
