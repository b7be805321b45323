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

/* Whether this system lets a program ask for transparent huge pages
** (Linux's MADV_HUGEPAGE). Where it does not, the callers below and in
** src/cli fall back to ordinary memory and nothing else changes. */
#if defined(__linux__)
#include <sys/mman.h>
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
#define FS_HAVE_HUGE_PAGES 1
#endif
#endif

/* A zeroed private mapping of len bytes starting at a multiple of align (a
** power of two, at least the page size), advised for huge pages so that
** each aligned 2 MB of it can be one: on a VM where every 4 KB page fault
** costs ~10 us, a big array touched page by page pays that hundreds of
** times. NULL when no mapping can be had or FS_HAVE_HUGE_PAGES is not
** defined. Outside SQLite's allocator, so not failed by the OOM tests:
** callers keep an fs_malloc path for small sizes. */
void *fs_map_huge(size_t len, size_t align);

/* Unmap what fs_map_huge(len, ...) returned; p may be NULL. */
void fs_unmap_huge(void *p, size_t len);

#endif
