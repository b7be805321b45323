/*
** walk.h - walk a corpus folder in the order the index sorts paths.
**
** Files come out sorted by their '/'-separated path relative to the root,
** byte by byte (the order of SQLite's BINARY collation), so the indexer can
** compare the folder with the index in one merge pass without holding the
** whole list. Hidden entries (names starting with '.') are skipped; symbolic
** links are followed only when they stay inside the root, and a folder is
** never entered twice on one branch, so loops cannot hang the walk.
*/
#ifndef FS_WALK_H
#define FS_WALK_H

#include <stddef.h>
#include <stdint.h>

typedef struct fs_walk fs_walk;

typedef struct fs_walk_entry {
    const char *path;        /* relative to the root; borrowed until next */
    const char *full_path;   /* root + '/' + path; borrowed until next */
    uint64_t size;           /* bytes */
    int64_t mtime_ns;        /* modification time, ns since the epoch */
    const char *skip_reason; /* non-NULL: not a file to index, and why */
} fs_walk_entry;

/* Flags of fs_walk_open(). */
#define FS_WALK_ONE_THREAD 1u    /* no helper thread reading folders ahead */
#define FS_WALK_NO_RING 2u       /* stat one by one, never through io_uring
                                 ** (statring.h); the entries are the same */
#define FS_WALK_TEST_SLABS 4u    /* tests: listings in small slabs from the
                                 ** start (walk.c); the entries are the same */

/* Start a walk of `root`. Unless told otherwise (flags), and if the machine
** has more than one CPU, a helper thread reads folders ahead until
** fs_walk_free(). FSEARCH_OK, FSEARCH_ENOTFOUND (no such folder, or not a
** folder: message in err), FSEARCH_ENOMEM. */
int fs_walk_open(fs_walk **out, const char *root, unsigned flags, char *err,
                 size_t nerr);

/* Next entry: FSEARCH_OK with *out, FSEARCH_DONE at the end, or
** FSEARCH_ENOMEM. Unreadable folders and odd files come out as entries with
** a skip_reason, never as errors. */
int fs_walk_next(fs_walk *w, fs_walk_entry *out);

void fs_walk_free(fs_walk *w);

#endif
