/*
** test.h - a tiny test harness: CHECK macros, named cases, a closing line.
**
** Each test program defines cases with TEST(name) and lists them in
** RUN_TESTS(). A failed check prints file:line and the expression and the
** case goes on; the program ends with "N passed, N failed" and exits
** non-zero if any check failed.
*/
#ifndef FS_TEST_H
#define FS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_checks_failed;
static int test_case_failed;

#define CHECK(expr)                                                        \
    do {                                                                   \
        if (!(expr)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,        \
                    __LINE__, #expr);                                      \
            test_checks_failed++;                                          \
            test_case_failed = 1;                                          \
        }                                                                  \
    } while (0)

#define CHECK_INT(a, b)                                                    \
    do {                                                                   \
        long long va_ = (long long)(a), vb_ = (long long)(b);              \
        if (va_ != vb_) {                                                  \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n",    \
                    __FILE__, __LINE__, #a, va_, #b, vb_);                 \
            test_checks_failed++;                                          \
            test_case_failed = 1;                                          \
        }                                                                  \
    } while (0)

#define CHECK_STR(a, b)                                                    \
    do {                                                                   \
        const char *sa_ = (a), *sb_ = (b);                                 \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                       \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n",      \
                    __FILE__, __LINE__, #a, sa_ ? sa_ : "(null)",          \
                    sb_ ? sb_ : "(null)");                                 \
            test_checks_failed++;                                          \
            test_case_failed = 1;                                          \
        }                                                                  \
    } while (0)

#define TEST(name) static void test_##name(void)

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

#define T(name) { #name, test_##name }

static int run_tests(const char *suite, const test_case *cases, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        test_case_failed = 0;
        cases[i].fn();
        if (test_case_failed) {
            failed++;
            fprintf(stderr, "FAIL %s/%s\n", suite, cases[i].name);
        } else {
            passed++;
        }
    }
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    return failed ? 1 : 0;
}

#define RUN_TESTS(suite, ...)                                              \
    int main(void)                                                         \
    {                                                                      \
        static const test_case cases_[] = { __VA_ARGS__ };                 \
        return run_tests(suite, cases_, sizeof cases_ / sizeof cases_[0]); \
    }

#endif
