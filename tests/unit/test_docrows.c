/*
** test_docrows.c - the index's documents sorted by path in memory: rows in
** id order come out in SQLite's BINARY order (a prefix first, bytes as
** unsigned), whatever order they came in, with their fields kept.
*/
#include "../test.h"
#include "docrows.h"
#include "fsearch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(fs_docrows *r, const char *path, int64_t id)
{
    return fs_docrows_add(r, path, strlen(path), id, (uint64_t)id * 10,
                          id * 100, (uint64_t)id * 1000);
}

/* The rows are sorted, strictly, and each kept its own fields. */
static void check_sorted(const fs_docrows *r, size_t n)
{
    CHECK_INT((long long)r->n, (long long)n);
    for (size_t i = 0; i < r->n; i++) {
        const fs_docrow *d = &r->v[i];
        CHECK_INT((long long)strlen(fs_docrows_path(r, i)), (long long)d->npath);
        CHECK_INT((long long)d->size, (long long)d->id * 10);
        CHECK_INT((long long)d->mtime_ns, (long long)d->id * 100);
        CHECK_INT((long long)d->hash, (long long)d->id * 1000);
        if (i > 0) {
            const char *a = fs_docrows_path(r, i - 1);
            const char *b = fs_docrows_path(r, i);
            size_t na = r->v[i - 1].npath, nb = d->npath;
            int c = memcmp(a, b, na < nb ? na : nb);
            CHECK(c < 0 || (c == 0 && na < nb));
        }
    }
}

TEST(empty)
{
    fs_docrows r = { 0 };
    CHECK_INT(fs_docrows_sort(&r), FSEARCH_OK);
    CHECK_INT((long long)r.n, 0);
    fs_docrows_free(&r);
}

TEST(in_order_stays)
{
    fs_docrows r = { 0 };
    CHECK_INT(fs_docrows_reserve(&r, 3, 4), FSEARCH_OK);
    CHECK_INT(add(&r, "a", 1), FSEARCH_OK);
    CHECK_INT(add(&r, "a/b", 2), FSEARCH_OK);
    CHECK_INT(add(&r, "b", 3), FSEARCH_OK);
    CHECK_INT(fs_docrows_sort(&r), FSEARCH_OK);
    check_sorted(&r, 3);
    CHECK_STR(fs_docrows_path(&r, 0), "a");
    CHECK_STR(fs_docrows_path(&r, 2), "b");
    fs_docrows_free(&r);
}

/* Files added by later runs get higher ids: one early in the order, one
** at the end, a renamed one in the middle. */
TEST(later_files_merged_in)
{
    fs_docrows r = { 0 };
    const char *first[] = { "b/1.txt", "b/2.txt", "c.txt", "d/x.txt" };
    for (int i = 0; i < 4; i++)
        CHECK_INT(add(&r, first[i], i + 1), FSEARCH_OK);
    CHECK_INT(add(&r, "a.txt", 5), FSEARCH_OK);
    CHECK_INT(add(&r, "zz.txt", 6), FSEARCH_OK);
    CHECK_INT(add(&r, "b/15.txt", 7), FSEARCH_OK);
    CHECK_INT(fs_docrows_sort(&r), FSEARCH_OK);
    check_sorted(&r, 7);
    const char *want[] = { "a.txt", "b/1.txt", "b/15.txt", "b/2.txt",
                           "c.txt", "d/x.txt", "zz.txt" };
    for (int i = 0; i < 7; i++)
        CHECK_STR(fs_docrows_path(&r, (size_t)i), want[i]);
    CHECK_INT(r.v[0].id, 5);
    CHECK_INT(r.v[2].id, 7);
    fs_docrows_free(&r);
}

/* BINARY order: a byte >= 0x80 after every ASCII byte, '/' (0x2f) before
** '0', and a prefix before the longer name. */
TEST(bytewise_order)
{
    fs_docrows r = { 0 };
    CHECK_INT(add(&r, "\xc3\xa9t\xc3\xa9.txt", 1), FSEARCH_OK);
    CHECK_INT(add(&r, "a0", 2), FSEARCH_OK);
    CHECK_INT(add(&r, "a/z", 3), FSEARCH_OK);
    CHECK_INT(add(&r, "a", 4), FSEARCH_OK);
    CHECK_INT(add(&r, "Z", 5), FSEARCH_OK);
    CHECK_INT(fs_docrows_sort(&r), FSEARCH_OK);
    check_sorted(&r, 5);
    CHECK_STR(fs_docrows_path(&r, 0), "Z");
    CHECK_STR(fs_docrows_path(&r, 1), "a");
    CHECK_STR(fs_docrows_path(&r, 2), "a/z");
    CHECK_STR(fs_docrows_path(&r, 3), "a0");
    CHECK_STR(fs_docrows_path(&r, 4), "\xc3\xa9t\xc3\xa9.txt");
    fs_docrows_free(&r);
}

/* Ids with no relation to the paths (reversed, then shuffled), past the
** first sizes of both arrays so that they grow. */
TEST(any_order_sorts)
{
    for (int round = 0; round < 2; round++) {
        fs_docrows r = { 0 };
        enum { N = 5000 };
        static int perm[N];
        for (int i = 0; i < N; i++)
            perm[i] = N - 1 - i;
        unsigned seed = 12345;
        for (int i = N - 1; round == 1 && i > 0; i--) {
            seed = seed * 1103515245u + 12345u;
            int j = (int)((seed >> 8) % (unsigned)(i + 1));
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int i = 0; i < N; i++) {
            char path[64];
            snprintf(path, sizeof path, "dir%02d/a-rather-long-file-name-%05d.txt",
                     perm[i] % 37, perm[i]);
            CHECK_INT(add(&r, path, i + 1), FSEARCH_OK);
        }
        CHECK_INT(fs_docrows_sort(&r), FSEARCH_OK);
        check_sorted(&r, N);
        fs_docrows_free(&r);
    }
}

/* Is the memory at p in a mapping advised for huge pages (smaps' "hg")? */
static int advised_huge(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int in = 0, huge = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') &&
            line[strspn(line, "0123456789abcdef")] == '-') {
            in = (unsigned long)p >= lo && (unsigned long)p < hi;
            continue;
        }
        if (in && strncmp(line, "VmFlags:", 8) == 0)
            huge = strstr(line, " hg") != NULL;
    }
    fclose(f);
    return huge;
}

/* The rows of a big index (37 879 on the bench's slice, 3.4 MB) are held
** in memory advised for huge pages: a fault each 2 MB instead of each 4
** KB. Rows and paths start small, grow into such a mapping, keep what
** they held, and sort there; a reserve that big starts in one. (The old
** code held them in fs_malloc'd memory: not advised.) */
TEST(big_arrays_in_huge_pages)
{
    FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!thp) {
        printf("  (no transparent huge pages in this kernel)\n");
        return;
    }
    fclose(thp);
    fs_docrows r = { 0 };
    enum { N = 40000 };
    for (int i = 0; i < N; i++) {
        char path[64];
        /* In id order but for every 100th, as later runs' files are. */
        snprintf(path, sizeof path, "%s/some-file-name-%05d.txt",
                 i % 100 == 99 ? "a" : "m", i);
        CHECK_INT(add(&r, path, i + 1), FSEARCH_OK);
    }
    CHECK_INT(advised_huge(r.v), 1);
    CHECK_INT(advised_huge(r.names), 1);
    CHECK_INT(fs_docrows_sort(&r), FSEARCH_OK);
    check_sorted(&r, N);
    CHECK_INT(advised_huge(r.v), 1);
    fs_docrows_free(&r);

    fs_docrows q = { 0 };
    CHECK_INT(fs_docrows_reserve(&q, N, 48), FSEARCH_OK);
    CHECK_INT(advised_huge(q.v), 1);
    CHECK_INT(advised_huge(q.names), 1);
    CHECK_INT(add(&q, "a", 1), FSEARCH_OK);
    CHECK_INT(fs_docrows_sort(&q), FSEARCH_OK);
    check_sorted(&q, 1);
    fs_docrows_free(&q);

    /* Small ones stay with fs_malloc. */
    fs_docrows s = { 0 };
    CHECK_INT(add(&s, "a", 1), FSEARCH_OK);
    CHECK_INT(advised_huge(s.v), 0);
    fs_docrows_free(&s);
}

RUN_TESTS("docrows", T(empty), T(in_order_stays), T(later_files_merged_in),
          T(bytewise_order), T(any_order_sorts), T(big_arrays_in_huge_pages))
