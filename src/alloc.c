/*
** alloc.c - small allocation helpers on top of fs_malloc().
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
