/*
** readonly.h - opening an index for reading from a folder we cannot write
** (see readonly.c for when and why).
*/
#ifndef FS_READONLY_H
#define FS_READONLY_H

#include <stddef.h>

/* An SQLite URI that opens `path` immutable, if the index can only be read
** that way and is quiet (no -shm, no WAL content, no index run, folder not
** writable); NULL otherwise, with *oom set if memory ran out. The caller
** opens it with SQLITE_OPEN_URI and frees it with fs_free(). */
char *fs_readonly_uri(const char *path, int *oom);

/* Why a search by this user cannot read `path` now (a sentence for the
** error message), when the folder is not writable and no -shm is there;
** NULL when that is not the reason. */
const char *fs_readonly_blocked(const char *path);

/* The name of the lock an index run holds exclusive for its whole length
** (indexer.c), "<path>.lock", into out[size]: 0, or -1 if it does not fit.
** Its one definition, since a search tests the lock that runs take. */
int fs_readonly_lock_path(char *out, size_t size, const char *path);

#endif
