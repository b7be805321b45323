/*
** alloc.c - small allocation helpers on top of fs_malloc().
*/
#include "alloc.h"

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
