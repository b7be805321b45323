/*
** buf.c - growable byte buffer with a sticky error code.
*/
#include "buf.h"
#include "alloc.h"
#include "fsearch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fs_buf_reserve(int *rc, fs_buf *b, size_t extra)
{
    if (*rc != FSEARCH_OK)
        return;
    if (b->n + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            *rc = FSEARCH_ENOMEM;
            return;
        }
        cap *= 2;
    }
    char *p = fs_realloc(b->p, cap);
    if (!p) {
        *rc = FSEARCH_ENOMEM;
        return;
    }
    b->p = p;
    b->cap = cap;
}

void fs_buf_append(int *rc, fs_buf *b, const void *data, size_t n)
{
    fs_buf_reserve(rc, b, n);
    if (*rc != FSEARCH_OK)
        return;
    if (n)
        memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void fs_buf_puts(int *rc, fs_buf *b, const char *s)
{
    fs_buf_append(rc, b, s, strlen(s));
}

void fs_buf_putc(int *rc, fs_buf *b, char c)
{
    fs_buf_append(rc, b, &c, 1);
}

void fs_buf_printf(int *rc, fs_buf *b, const char *fmt, ...)
{
    if (*rc != FSEARCH_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) {
        *rc = FSEARCH_ERROR;
        return;
    }
    fs_buf_reserve(rc, b, (size_t)need);
    if (*rc != FSEARCH_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)need;
}

void fs_buf_clear(fs_buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

void fs_buf_free(fs_buf *b)
{
    fs_free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

char *fs_buf_take(int *rc, fs_buf *b)
{
    fs_buf_reserve(rc, b, 0);
    if (*rc != FSEARCH_OK)
        return NULL;
    char *p = b->p;
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}
