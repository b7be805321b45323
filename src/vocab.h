/*
** vocab.h - the index's term -> passage count table, read by "did you
** mean" (suggest.c) instead of fts5vocab, which would walk the posting list
** of every term it is asked about.
**
** The table is `vocab(term TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID`, a
** copy of fts5vocab's (term, doc) rows taken at the end of an index run. It
** is not kept in step with every change: it is rebuilt when the passages
** added and removed since its last build pass FS_VOCAB_STALE_PERCENT of
** those it counted. Until then its counts may be off a little, a term
** only in the newest files is missing from it, and one whose passages were
** all removed may remain: a reader checks a term with the index itself
** before trusting it.
*/
#ifndef FS_VOCAB_H
#define FS_VOCAB_H

#include "internal.h"

/* Passages changed since the last build, in percent of those it counted,
** past which an index run rebuilds the table. */
#define FS_VOCAB_STALE_PERCENT 5

/*
** Called at the end of an index run with that run's counts, inside its last
** transaction if it has one, so that the note commits with the changes it
** counts: adds them to the ones noted in meta. *due is set when the table
** must be rebuilt (fs_vocab_rebuild(), once that transaction is committed):
** the changes are too many, or the table (or term_count, termcount.h,
** which the rebuild fills too) is missing (a new index, or one
** made before the table existed). A run that changed nothing writes
** nothing. FSEARCH_OK or an error recorded on fs.
*/
int fs_vocab_note(fsearch *fs, const fsearch_index_stats *run, int *due);

/*
** Make temp.fsearch_vocab, fts5vocab's (term, doc, cnt) rows over the index,
** if this connection has not yet: in TEMP, so the index file is never
** written. The rebuild, "did you mean" on an index without the table, and
** feedback's word counts all read it. An SQLite result code.
*/
int fs_vocab_temp(sqlite3 *db);

/* Rebuild the table now, from fts5vocab. FSEARCH_OK or an error. */
int fs_vocab_rebuild(fsearch *fs);

#endif
