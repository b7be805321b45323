/*
** ckpt.h - copy the indexer's WAL into the database on a thread of its own.
**
** SQLite checkpoints on the thread that commits, so the single writer of an
** indexing run would stop at every commit to copy the pages it has just
** written. fs_ckpt moves that copy to a second connection on a second
** thread, which runs a PASSIVE checkpoint after each commit while the
** writer goes on. A checkpoint changes no content, so a run killed at any
** moment loses nothing it has committed.
*/
#ifndef FS_CKPT_H
#define FS_CKPT_H

#include <sqlite3.h>

typedef struct fs_ckpt fs_ckpt;

/*
** Take over the checkpoints of `writer` (a handle on a WAL database) until
** fs_ckpt_stop(). Returns SQLITE_OK with *out, or an SQLite error code with
** *out NULL and `writer` left as it was (checkpointing as before).
*/
int fs_ckpt_start(fs_ckpt **out, sqlite3 *writer);

/*
** Call before the writer begins a transaction. Once the WAL has grown past a
** limit, wait for the checkpoint of what is committed, so that the
** transaction writes the WAL from its start again rather than growing it.
*/
void fs_ckpt_before_begin(fs_ckpt *c);

/*
** Finish the last checkpoint, end the thread, give the writer back its
** automatic checkpoints and free `c`. Accepts NULL.
*/
void fs_ckpt_stop(fs_ckpt *c);

#endif
