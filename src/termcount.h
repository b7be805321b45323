/*
** termcount.h - exact stored passage counts of the index's common terms,
** so that ranking a common word does not walk its whole posting list only
** to count it (BM25's IDF).
**
** The table is `term_count(term TEXT PRIMARY KEY, n INTEGER) WITHOUT
** ROWID`: n is the number of passages holding the term in any column, as
** FTS5's xQueryPhrase counts them for a one-token phrase (fts5vocab's
** `doc`). It lists the terms that had at least meta `term_count_min`
** (default FS_TERMCOUNT_MIN) passages when the `vocab` table was last built
** (vocab.c fills it in the same transaction); between builds the indexer
** adds and takes back the listed terms' passages in the transaction that
** writes or deletes them, so a listed count is always exact. A term not
** listed is counted by a walk, as is any term of an index without the
** table.
*/
#ifndef FS_TERMCOUNT_H
#define FS_TERMCOUNT_H

#include "internal.h"
#include "tokenizer_fts5.h"

#include <stdint.h>

/* Walking a list shorter than this costs under ~0.2 ms (bench, full). */
#define FS_TERMCOUNT_MIN 2000

typedef struct fs_termcount fs_termcount;

/* ---- building (vocab.c) ---- */

/* Make the table anew from `vocab`, inside the caller's transaction. */
int fs_termcount_fill(fsearch *fs);

/* ---- the indexer: deltas kept in memory, written at each commit ---- */

/* Load the listed terms (none when the table is missing). *out is set to a
** usable object (possibly listing nothing) or NULL on error. */
int fs_termcount_open(fsearch *fs, fs_termcount **out);
void fs_termcount_free(fs_termcount *tc);

/* A passage was written to FTS5 from r's replayed title (slot 0) and body
** (slot 1) tokens. */
void fs_termcount_added(fs_termcount *tc, const fs_replay *r);

/* Passages first..last are about to be deleted from FTS5: take back their
** terms, read from their stored text. `title` (may be NULL: the document's
** row is read) is their document's title. FSEARCH_OK or an error. */
int fs_termcount_removing(fs_termcount *tc, int64_t first, int64_t last,
                          const char *title, int ntitle);

/* Write the deltas, inside the transaction about to commit; on success
** they are cleared. */
int fs_termcount_flush(fs_termcount *tc);

/* The transaction was rolled back: forget the deltas. */
void fs_termcount_discard(fs_termcount *tc);

/* The index is being emptied (a rebuild): drop the table and list no term
** until the next fill. */
int fs_termcount_drop(fs_termcount *tc);

/* ---- readers ---- */

/*
** The stored count of the phrase written `key` in a MATCH expression (as
** topk.c's keys: "word", with "" for a quote): 1 with *n when it is one
** token and listed; 0 when it is not (or the table is missing: *missing
** is then set, so the caller need not ask again for this data version).
*/
int fs_termcount_lookup(fsearch *fs, const char *key, sqlite3_int64 *n,
                        int *missing);

#endif
