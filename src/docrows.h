/*
** docrows.h - the index's documents held in memory and sorted by path, for
** the indexer's comparison with the folder.
**
** SQLite hands rows out by path only through the path index, which costs a
** lookup in `doc` per row for the size, time and hash. Read in rowid order
** instead, the rows are almost sorted already: ids are given in walk order,
** so only files added or renamed by later runs are out of place. Those few
** are sorted and merged in. (Full bench slice, no-change run: 138.6 M ->
** 123.2 M instructions in user space.)
*/
#ifndef FS_DOCROWS_H
#define FS_DOCROWS_H

#include <stddef.h>
#include <stdint.h>

typedef struct fs_docrow {
    size_t off;          /* where in names the path is (NUL-terminated) */
    uint32_t npath;      /* bytes, without the NUL */
    uint32_t in_order;   /* not before the last in-order row's path */
    int64_t id;
    uint64_t size;
    int64_t mtime_ns;
    uint64_t hash;
} fs_docrow;

typedef struct fs_docrows {
    fs_docrow *v;
    size_t n, cap;
    char *names;         /* every path and its NUL */
    size_t nnames, capnames;
    size_t last;         /* index of the last in-order row, if n > 0 */
    size_t mapped_v;     /* v and names: 0 if from fs_malloc, else the */
    size_t mapped_names; /* length of their own mapping (docrows.c) */
} fs_docrows;

/* Room for n rows of about `path_bytes` each, to save growing (FSEARCH_OK
** or FSEARCH_ENOMEM). */
int fs_docrows_reserve(fs_docrows *r, size_t n, size_t path_bytes);

/* Append one row (FSEARCH_OK, or FSEARCH_ENOMEM; a path of 4 GB or more is
** FSEARCH_EINVAL). */
int fs_docrows_add(fs_docrows *r, const char *path, size_t npath, int64_t id,
                   uint64_t size, int64_t mtime_ns, uint64_t hash);

/* Sort the rows by path, bytewise (SQLite's BINARY collation); FSEARCH_OK
** or FSEARCH_ENOMEM (the rows are kept as they were). */
int fs_docrows_sort(fs_docrows *r);

/* Row i's path. */
static inline const char *fs_docrows_path(const fs_docrows *r, size_t i)
{
    return r->names + r->v[i].off;
}

void fs_docrows_free(fs_docrows *r);

#endif
