/*
** buf.h - a growable byte buffer with a sticky error, after fts5_buffer.c.
**
** Appenders take `int *rc` and do nothing once *rc is not FSEARCH_OK, so a
** sequence of appends reads straight and is checked once at the end. The
** buffer always keeps a NUL after its last byte (not counted in n).
*/
#ifndef FS_BUF_H
#define FS_BUF_H

#include <stddef.h>

typedef struct fs_buf {
    char *p;          /* bytes, NUL-terminated when cap > 0 */
    size_t n;         /* bytes used, not counting the NUL */
    size_t cap;       /* bytes allocated */
} fs_buf;

#define FS_BUF_INIT { NULL, 0, 0 }

/* Make room for `extra` more bytes (plus the NUL). */
void fs_buf_reserve(int *rc, fs_buf *b, size_t extra);
void fs_buf_append(int *rc, fs_buf *b, const void *data, size_t n);
void fs_buf_puts(int *rc, fs_buf *b, const char *s);
void fs_buf_putc(int *rc, fs_buf *b, char c);
/* printf-style append */
void fs_buf_printf(int *rc, fs_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Forget the contents, keep the memory. */
void fs_buf_clear(fs_buf *b);
/* Free the memory; the buffer may be reused after. */
void fs_buf_free(fs_buf *b);
/* Hand the bytes to the caller (who frees them with fs_free) and reset b.
** Returns NULL if nothing was ever allocated and the allocation fails. */
char *fs_buf_take(int *rc, fs_buf *b);

#endif
