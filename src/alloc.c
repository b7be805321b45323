/*
** alloc.c - small allocation helpers on top of fs_malloc(), and the
** huge-page mappings of the update's big arrays.
*/
#include "alloc.h"

#include <stdint.h>
#include <string.h>

void *fs_calloc(size_t n)
{
    void *p = fs_malloc(n);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}

char *fs_strndup(const char *s, size_t n)
{
    char *p = fs_malloc(n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *fs_strdup(const char *s)
{
    return s ? fs_strndup(s, strlen(s)) : NULL;
}

int fs_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return SQLITE_OK;
    size_t ncap = *cap ? 2 * *cap : 256;
    while (ncap < need)
        ncap *= 2;
    if (elem && ncap > SIZE_MAX / elem)
        return SQLITE_NOMEM;
    void *t = fs_realloc(*p, ncap * elem);
    if (!t)
        return SQLITE_NOMEM;
    *p = t;
    *cap = ncap;
    return SQLITE_OK;
}

void *fs_map_huge(size_t len, size_t align)
{
#ifdef FS_HAVE_HUGE_PAGES
    if (!len || !align || (align & (align - 1)) || len > SIZE_MAX - align)
        return NULL;
    /* Over-map by align, then trim both ends to the aligned part. */
    char *m = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    char *a = (char *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1));
    if (a > m)
        munmap(m, (size_t)(a - m));
    munmap(a + len, (size_t)(m + align - a));
    (void)madvise(a, len, MADV_HUGEPAGE); /* advice only: may be refused */
    return a;
#else
    (void)len;
    (void)align;
    return NULL;
#endif
}

void fs_unmap_huge(void *p, size_t len)
{
#ifdef FS_HAVE_HUGE_PAGES
    if (p)
        munmap(p, len);
#else
    (void)p;
    (void)len;
#endif
}
