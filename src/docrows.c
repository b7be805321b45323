/*
** docrows.c - the index's documents sorted by path in memory (docrows.h).
**
** The rows come in rowid order. Each row that sorts after the last row kept
** in order joins that sorted run; any other is put aside. Sorting is then
** the few put aside, merged with the run: linear when the index was built
** in one go, no worse than a full sort when ids bear no relation to paths.
*/
#include "docrows.h"
#include "alloc.h"
#include "fsearch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Arrays of this many bytes or more get a mapping of their own, advised
** for huge pages: on the bench machine every 4 KB page touched costs a
** fault of ~10 us, and the rows and paths of the full slice (3.4 MB) were
** 850 faults, half a no-change run's; a 2 MB page costs one, and ~0.15 ms
** to clear. Smaller arrays come from fs_malloc (and its failure tests). */
#define HUGE_MIN ((size_t)1 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

/* Room for n bytes: *mapped says where it came from (0: fs_malloc, else
** the mapping's length). NULL when out of memory. */
static void *big_alloc(size_t n, size_t *mapped)
{
    *mapped = 0;
    if (n >= HUGE_MIN && n <= SIZE_MAX - 2 * HUGE_PAGE) {
        size_t len = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        void *a = fs_map_huge(len, HUGE_PAGE);
        if (a) {
            *mapped = len;
            return a;
        }
#ifdef FS_HAVE_HUGE_PAGES
        return NULL; /* the system is out of mappings */
#endif
    }
    return fs_malloc(n);
}

static void big_free(void *p, size_t mapped)
{
    if (mapped)
        fs_unmap_huge(p, mapped);
    else
        fs_free(p);
}

/* Grow the array *p of *mapped (see big_alloc) holding `used` bytes to
** `n` bytes; FSEARCH_OK or FSEARCH_ENOMEM (the array kept as it was). */
static int big_grow(void **p, size_t *mapped, size_t used, size_t n)
{
    if (!*mapped && n < HUGE_MIN) {
        void *q = fs_realloc(*p, n);
        if (!q)
            return FSEARCH_ENOMEM;
        *p = q;
        return FSEARCH_OK;
    }
    if (*mapped >= n)
        return FSEARCH_OK;
    size_t nm;
    void *q = big_alloc(n, &nm);
    if (!q)
        return FSEARCH_ENOMEM;
    if (used)
        memcpy(q, *p, used);
    big_free(*p, *mapped);
    *p = q;
    *mapped = nm;
    return FSEARCH_OK;
}

/* Bytewise, shorter first on a common prefix: SQLite's BINARY order. */
static int cmp_names(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na < nb ? -1 : na > nb);
}

static int row_cmp(const char *names, const fs_docrow *a, const fs_docrow *b)
{
    return cmp_names(names + a->off, a->npath, names + b->off, b->npath);
}

/* A row put aside, with its path at hand for qsort (no qsort_r in C11). */
typedef struct aside_row {
    const char *path;
    fs_docrow row;
} aside_row;

static int aside_cmp(const void *pa, const void *pb)
{
    const aside_row *a = pa, *b = pb;
    return cmp_names(a->path, a->row.npath, b->path, b->row.npath);
}

static int grow_rows(fs_docrows *r, size_t ncap)
{
    void *v = r->v;
    if (ncap > SIZE_MAX / sizeof *r->v ||
        big_grow(&v, &r->mapped_v, r->n * sizeof *r->v,
                 ncap * sizeof *r->v) != FSEARCH_OK)
        return FSEARCH_ENOMEM;
    r->v = v;
    r->cap = ncap;
    return FSEARCH_OK;
}

static int grow_names(fs_docrows *r, size_t ncap)
{
    void *p = r->names;
    if (big_grow(&p, &r->mapped_names, r->nnames, ncap) != FSEARCH_OK)
        return FSEARCH_ENOMEM;
    r->names = p;
    r->capnames = ncap;
    return FSEARCH_OK;
}

int fs_docrows_reserve(fs_docrows *r, size_t n, size_t path_bytes)
{
    int rc = n > r->cap ? grow_rows(r, n) : FSEARCH_OK;
    size_t nnames = n * (path_bytes + 1);
    if (rc == FSEARCH_OK && nnames > r->capnames)
        rc = grow_names(r, nnames);
    return rc;
}

int fs_docrows_add(fs_docrows *r, const char *path, size_t npath, int64_t id,
                   uint64_t size, int64_t mtime_ns, uint64_t hash)
{
    if (npath >= UINT32_MAX)
        return FSEARCH_EINVAL;
    if (r->n == r->cap && grow_rows(r, r->cap ? r->cap * 2 : 1024) != FSEARCH_OK)
        return FSEARCH_ENOMEM;
    if (r->capnames - r->nnames < npath + 1) {
        size_t ncap = r->capnames ? r->capnames * 2 : 65536;
        while (ncap - r->nnames < npath + 1)
            ncap *= 2;
        if (grow_names(r, ncap) != FSEARCH_OK)
            return FSEARCH_ENOMEM;
    }
    fs_docrow *d = &r->v[r->n];
    d->off = r->nnames;
    d->npath = (uint32_t)npath;
    d->id = id;
    d->size = size;
    d->mtime_ns = mtime_ns;
    d->hash = hash;
    memcpy(r->names + r->nnames, path, npath);
    r->names[r->nnames + npath] = '\0';
    r->nnames += npath + 1;
    const fs_docrow *last = r->n ? &r->v[r->last] : NULL;
    d->in_order = !last || cmp_names(r->names + last->off, last->npath,
                                     r->names + d->off, npath) <= 0;
    if (d->in_order)
        r->last = r->n;
    r->n++;
    return FSEARCH_OK;
}

int fs_docrows_sort(fs_docrows *r)
{
    size_t nrun = 0;
    for (size_t i = 0; i < r->n; i++)
        nrun += r->v[i].in_order != 0;
    size_t naside = r->n - nrun;
    if (naside == 0)
        return FSEARCH_OK;
    size_t mapped_out;
    fs_docrow *out = big_alloc(r->n * sizeof *out, &mapped_out);
    aside_row *aside = fs_malloc(naside * sizeof *aside);
    if (!out || !aside) {
        if (out)
            big_free(out, mapped_out);
        fs_free(aside);
        return FSEARCH_ENOMEM;
    }
    /* The run stays where it is, packed to the front of v. */
    size_t k = 0, a = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].in_order) {
            r->v[k++] = r->v[i];
        } else {
            aside[a].path = r->names + r->v[i].off;
            aside[a++].row = r->v[i];
        }
    }
    qsort(aside, naside, sizeof *aside, aside_cmp);
    size_t i = 0, j = 0, o = 0;
    while (i < nrun && j < naside)
        out[o++] = row_cmp(r->names, &r->v[i], &aside[j].row) <= 0
                       ? r->v[i++]
                       : aside[j++].row;
    while (i < nrun)
        out[o++] = r->v[i++];
    while (j < naside)
        out[o++] = aside[j++].row;
    fs_free(aside);
    big_free(r->v, r->mapped_v);
    r->v = out;
    r->mapped_v = mapped_out;
    r->cap = r->n;
    return FSEARCH_OK;
}

void fs_docrows_free(fs_docrows *r)
{
    big_free(r->v, r->mapped_v);
    big_free(r->names, r->mapped_names);
    memset(r, 0, sizeof *r);
}
