/*
** vocab.c - keeps the `vocab` table (term -> passages holding it) that "did
** you mean" reads: rebuilt from fts5vocab at the end of an index run once
** enough of the index changed since the last build (see vocab.h).
**
** Rebuilding reads every posting list (seconds on a large index), so a run
** that adds or changes a few files only notes how many passages it touched,
** in meta (`vocab_changed`, against `vocab_passages` counted at the build),
** in the same transaction as those changes.
** Passages removed are not counted by the indexer; each file updated or
** removed is taken as the average file at the last build.
*/
#include "vocab.h"
#include "termcount.h"
#include "vocabnear.h"

#include <stdio.h>
#include <string.h>

/* The table, its state in meta, and how much changed since. */
typedef struct vocab_state {
    int exists;                  /* the table is there, and vocab_near
                                 ** (an older fsearch made the table only) */
    int counts;                  /* and term_count (termcount.h) too */
    sqlite3_int64 passages;      /* passages at the last build */
    sqlite3_int64 docs;          /* documents then */
    sqlite3_int64 changed;       /* passages added or removed since */
} vocab_state;

static int read_state(fsearch *fs, vocab_state *s)
{
    sqlite3_stmt *st = NULL;
    memset(s, 0, sizeof *s);
    int rc = sqlite3_prepare_v2(
        fs->db,
        "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' "
        "AND name IN ('vocab', 'vocab_near')) = 2, "
        "EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' "
        "AND name = 'term_count'), "
        "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
        "'vocab_passages'), "
        "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'vocab_docs'), "
        "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
        "'vocab_changed')", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        s->exists = sqlite3_column_int(st, 0);
        s->counts = sqlite3_column_int(st, 1);
        s->passages = sqlite3_column_int64(st, 2);
        s->docs = sqlite3_column_int64(st, 3);
        s->changed = sqlite3_column_int64(st, 4);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? FSEARCH_OK
                           : fs_error_sqlite(fs, rc, "cannot read the index");
}

int fs_vocab_temp(sqlite3 *db)
{
    return sqlite3_exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS "
                        "temp.fsearch_vocab USING fts5vocab(main, fts, row)",
                        NULL, NULL, NULL);
}

int fs_vocab_rebuild(fsearch *fs)
{
    /* The copy and its counts commit together. */
    int src = fs_vocab_temp(fs->db);
    if (src != SQLITE_OK)
        return fs_error_sqlite(fs, src, "cannot read the index vocabulary");
    int rc = fs_exec(fs, "BEGIN IMMEDIATE", "cannot write the index");
    if (rc != FSEARCH_OK)
        return rc;
    rc = fs_exec(fs,
                 "CREATE TABLE IF NOT EXISTS vocab(term TEXT PRIMARY KEY, "
                 "n INTEGER NOT NULL) WITHOUT ROWID;"
                 "DELETE FROM vocab;"
                 "INSERT INTO vocab(term, n) SELECT term, doc FROM "
                 "temp.fsearch_vocab;"
                 "INSERT OR REPLACE INTO meta(key, value) SELECT "
                 "'vocab_passages', CAST(coalesce(sum(npassages), 0) AS TEXT) "
                 "FROM doc;"
                 "INSERT OR REPLACE INTO meta(key, value) SELECT "
                 "'vocab_docs', CAST(count(*) AS TEXT) FROM doc;"
                 "INSERT OR REPLACE INTO meta(key, value) VALUES("
                 "'vocab_changed', '0');",
                 "cannot write the index vocabulary");
    if (rc == FSEARCH_OK)
        rc = fs_vocab_near_build(fs);
    /* The exact counts of common terms start from the same snapshot. */
    if (rc == FSEARCH_OK)
        rc = fs_termcount_fill(fs);
    if (rc == FSEARCH_OK)
        rc = fs_exec(fs, "COMMIT", "cannot write the index vocabulary");
    if (rc != FSEARCH_OK)
        sqlite3_exec(fs->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int fs_vocab_note(fsearch *fs, const fsearch_index_stats *run, int *due)
{
    vocab_state s;
    *due = 0;
    int rc = read_state(fs, &s);
    if (rc != FSEARCH_OK)
        return rc;
    uint64_t gone = run->updated + run->removed;
    sqlite3_int64 per_doc = s.docs > 0 ? (s.passages + s.docs - 1) / s.docs
                                       : 1;
    sqlite3_int64 changed = s.changed + (sqlite3_int64)run->passages_added +
                            (sqlite3_int64)gone * per_doc;
    /* The count is noted before any rebuild, so that a rebuild killed
    ** half-way is done again by the next run, even one that changes
    ** nothing. */
    if (changed != s.changed) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)changed);
        rc = fs_meta_set(fs, "vocab_changed", v);
    }
    *due = !s.exists || !s.counts || changed * 100 > s.passages * FS_VOCAB_STALE_PERCENT;
    return rc;
}
