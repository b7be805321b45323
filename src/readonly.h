/*
** readonly.h - opening an index for reading from a folder we cannot write
** (see readonly.c for when and why).
*/
#ifndef FS_READONLY_H
#define FS_READONLY_H

/* An SQLite URI that opens `path` immutable, if the index can only be read
** that way and is quiet (no -shm, no WAL content, no index run, folder not
** writable); NULL otherwise, with *oom set if memory ran out. The caller
** opens it with SQLITE_OPEN_URI and frees it with fs_free(). */
char *fs_readonly_uri(const char *path, int *oom);

/* Why a search by this user cannot read `path` now (a sentence for the
** error message), when the folder is not writable and no -shm is there;
** NULL when that is not the reason. */
const char *fs_readonly_blocked(const char *path);

#endif
