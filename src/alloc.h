/*
** alloc.h - the one door through which fsearch allocates memory.
**
** Everything the library allocates goes through sqlite3_malloc64() so that a
** test can replace SQLite's allocator (sqlite3_config(SQLITE_CONFIG_MALLOC))
** and fail the Nth allocation of SQLite and of fsearch alike. No global state
** of our own is involved.
*/
#ifndef FS_ALLOC_H
#define FS_ALLOC_H

#include <stddef.h>
#include <sqlite3.h>

static inline void *fs_malloc(size_t n) { return sqlite3_malloc64(n ? n : 1); }
static inline void *fs_realloc(void *p, size_t n)
{
    return sqlite3_realloc64(p, n ? n : 1);
}
static inline void fs_free(void *p) { sqlite3_free(p); }

/* Zeroed allocation; NULL on OOM. */
void *fs_calloc(size_t n);

/* Room for `need` elements of `elem` bytes in the array *p of *cap
** elements, doubling from 256: SQLITE_OK, or SQLITE_NOMEM with *p and *cap
** as they were. */
int fs_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Copy of s[0..n) plus a NUL; NULL on OOM. s may be NULL when n is 0. */
char *fs_strndup(const char *s, size_t n);

/* Copy of the NUL-terminated s; NULL on OOM or when s is NULL. */
char *fs_strdup(const char *s);

#endif
