/*
** indexer.c - bring the index up to date with a folder, doing work in
** proportion to what changed.
**
** Phase 1 merges the sorted walk of the folder with the index's documents,
** sorted by path and read a page at a time, into three short lists: new
** files, files whose size or time changed, and documents whose file is gone.
** Phase 2 works through them in transactions of bounded size: a changed file
** whose content hash is unchanged only gets its time updated; a new file
** whose hash equals a vanished document's is a rename; everything else is
** read, split into passages and tokenized. A run killed at any moment leaves
** the index as of its last committed batch, and the next run finishes.
*/
#include "internal.h"
#include "alloc.h"
#include "buf.h"
#include "ckpt.h"
#include "prep.h"
#include "textstore.h"
#include "tokenizer_fts5.h"
#include "text.h"
#include "docrows.h"
#include "impact.h"
#include "termcount.h"
#include "passlen.h"
#include "readonly.h"
#include "vocab.h"
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)          /* bytes read from a file at once */
#define BATCH_BYTES (16u << 20)        /* commit after this much text... */
#define BATCH_FILES 2000u              /* ...or this many files */
#define BATCH_SECONDS 0.5              /* ...or after this long, so that a
                                       ** killed run keeps its progress and
                                       ** searchers see new files soon */
#define WRITER_CACHE_KB (-32768)      /* PRAGMA cache_size while writing */

/* A file or document that phase 2 must look at. */
typedef struct change {
    char *path;           /* relative path */
    int64_t doc_id;       /* 0 for a new file */
    uint64_t size;        /* on disk now (new/changed) or indexed (gone) */
    int64_t mtime_ns;
    uint64_t old_hash;    /* indexed content hash (changed/gone) */
    int has_new_hash;     /* new_hash was computed */
    uint64_t new_hash;
    int done;             /* a gone document claimed by a rename */
    int need_read;        /* to be read and indexed by the second pass */
} change;

typedef struct change_list {
    change *v;
    size_t n, cap;
} change_list;

typedef struct indexer {
    fsearch *fs;
    const char *root;
    const fsearch_index_options *opts;
    fsearch_index_stats *stats;
    int dry_run;
    int in_txn;
    int wrote;                         /* a transaction was begun */
    int writer_ready;                  /* writer_start() was called */
    int settings_on;                   /* writer_settings(1) took effect */
    uint64_t batch_bytes, batch_files;
    double batch_start;                /* now_seconds() at BEGIN */
    int64_t scan_start_ns;             /* wall clock when the walk began */
    int64_t next_passage;              /* id of the next passage written */
    int64_t next_doc;                  /* id of the next document written */
    int64_t old_cache_size;            /* PRAGMA cache_size before the run */
    uint64_t files_done, files_total, bytes_done, bytes_total;
    uint64_t file_bytes;               /* read so far of the file at hand */
    fs_buf full;                       /* root + '/' + path */
    fs_buf title;                      /* of the document being written */
    fs_prep *prep;                     /* the worker reading the files */
    fs_ckpt *ckpt;                     /* the thread copying the WAL */
    char *chunk;                       /* READ_CHUNK bytes for reading */
    sqlite3_stmt *st_docs, *st_doc_ins, *st_doc_touch,
        *st_doc_move, *st_fts_del, *st_pas_del, *st_doc_del, *st_pas_ins,
        *st_fts_ins, *st_doc_get, *st_fts_undo;
    sqlite3_stmt *st_blk_ins, *st_blk_del;  /* passage_block rows */
    sqlite3_stmt *st_dict_ins;         /* a passage_dict row */
    int64_t block;                     /* id of the block being filled */
    int hash_index_due;                /* passage_hash to be made at the end */
    int hash_split;                    /* passage_hash_recent in use */
    int recent_on;                     /* this run's hashes go there */
    fs_termcount *tc;                  /* common terms' counts, moved with
                                       ** the passages (termcount.h) */
    fs_docrows docs;                   /* phase 1: doc rows sorted by path */
    size_t docs_next;                  /* the next of them to compare */
    int docs_held;                     /* docs holds all of doc */
    fs_passlen *pl;                    /* packed lengths (passlen.h) */
} indexer;

/* ---------------------------------------------------------------------- */

static int list_push(change_list *l, const char *path, int64_t doc_id,
                     uint64_t size, int64_t mtime_ns, uint64_t hash)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        change *p = fs_realloc(l->v, ncap * sizeof *p);
        if (!p)
            return FSEARCH_ENOMEM;
        l->v = p;
        l->cap = ncap;
    }
    change *c = &l->v[l->n];
    memset(c, 0, sizeof *c);
    if (!(c->path = fs_strdup(path)))
        return FSEARCH_ENOMEM;
    c->doc_id = doc_id;
    c->size = size;
    c->mtime_ns = mtime_ns;
    c->old_hash = hash;
    l->n++;
    return FSEARCH_OK;
}

static void list_free(change_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        fs_free(l->v[i].path);
    fs_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int prepare(indexer *ix, sqlite3_stmt **st, const char *sql)
{
    int rc = sqlite3_prepare_v3(ix->fs->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                st, NULL);
    return rc == SQLITE_OK ? FSEARCH_OK
                           : fs_error_sqlite(ix->fs, rc, "cannot read the index");
}

/* Phase 1 holds the documents in memory up to this many (about 100 bytes
** each); an index of more streams them in path order through the path
** index instead, a seek per row. */
#define DOCS_HELD_MAX 262144
#define DOC_PATH_GUESS 48          /* bytes of a path, to reserve room */

/* The statement phase 1 reads the index with: in rowid order, sorted in
** memory (docrows.h), or ORDER BY path once the index holds too many. */
static int prepare_reads(indexer *ix)
{
    return prepare(ix, &ix->st_docs,
                   "SELECT id, path, size, mtime, hash FROM doc");
}

/* The cache, in pages, while phase 1 reads `doc`: each of its 16 KB pages
** is read once, and into the cache's memory, which is fresh memory until
** the cache is full: four page faults a page (~10 us each on the bench
** machine; 2 MB by default, ~480 faults on the full slice). A few pages
** recycled over and over cost a handful of faults instead. */
#define DOCS_CACHE_PAGES 16

/* Read every document into ix->docs, sorted by path; if there are more
** than `max`, leave ix->docs_held 0 and st_docs reading them in path
** order instead. */
static int hold_docs(indexer *ix, size_t max)
{
    /* Ids are at least 1, so the largest bounds the count. */
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(ix->fs->db, "SELECT max(id) FROM doc", -1,
                                 &st, NULL);
    sqlite3_int64 top = 0;
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
        top = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (src != SQLITE_ROW)
        return fs_error_sqlite(ix->fs, src, "cannot read the index");
    int rc = fs_docrows_reserve(&ix->docs,
                                top < (sqlite3_int64)max ? (size_t)top : max,
                                DOC_PATH_GUESS);
    if (rc != FSEARCH_OK)
        return fs_error(ix->fs, rc, "out of memory");
    /* Outside a transaction only: within one (a rebuild) a small cache
    ** would spill its changes into the WAL early. */
    sqlite3_int64 old_cache = 0;
    int small_cache = 0;
    st = NULL;
    if (sqlite3_get_autocommit(ix->fs->db) &&
        sqlite3_prepare_v2(ix->fs->db, "PRAGMA cache_size", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        old_cache = sqlite3_column_int64(st, 0);
        char sql[48];
        snprintf(sql, sizeof sql, "PRAGMA cache_size=%d", DOCS_CACHE_PAGES);
        small_cache = sqlite3_exec(ix->fs->db, sql, NULL, NULL, NULL) ==
                      SQLITE_OK;
    }
    sqlite3_finalize(st);
    st = ix->st_docs;
    int too_many = 0;
    while (rc == FSEARCH_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(st, 1);
        if (!path) /* out of memory: the column is NOT NULL */
            rc = FSEARCH_ENOMEM;
        else if (ix->docs.n == max)
            too_many = 1;
        else
            rc = fs_docrows_add(&ix->docs, path,
                                (size_t)sqlite3_column_bytes(st, 1),
                                sqlite3_column_int64(st, 0),
                                (uint64_t)sqlite3_column_int64(st, 2),
                                sqlite3_column_int64(st, 3),
                                (uint64_t)sqlite3_column_int64(st, 4));
        if (too_many)
            break;
    }
    if (small_cache) {
        char sql[48];
        snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld",
                 (long long)old_cache);
        sqlite3_exec(ix->fs->db, sql, NULL, NULL, NULL);
    }
    if (too_many) {
        fs_docrows_free(&ix->docs);
        sqlite3_finalize(ix->st_docs);
        ix->st_docs = NULL;
        return prepare(ix, &ix->st_docs,
                       "SELECT id, path, size, mtime, hash FROM doc "
                       "ORDER BY path");
    }
    if (rc == FSEARCH_OK && src != SQLITE_DONE)
        return fs_error_sqlite(ix->fs, src, "cannot read the index");
    sqlite3_reset(st);
    if (rc == FSEARCH_OK)
        rc = fs_docrows_sort(&ix->docs);
    if (rc != FSEARCH_OK)
        return fs_error(ix->fs, rc, "out of memory");
    ix->docs_held = 1;
    ix->docs_next = 0;
    return FSEARCH_OK;
}

/* The statements that write, prepared by the first transaction. */
static int prepare_writes(indexer *ix)
{
    int rc = prepare(ix, &ix->st_doc_ins,
                     "INSERT INTO doc(id, path, size, mtime, hash, title, "
                     "first_passage, npassages) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    /* Takes back passages whose document row is not written yet, so the
    ** title comes from the caller, not from passage_content. */
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_fts_undo,
                     "INSERT INTO fts(fts, rowid, title, body) "
                     "SELECT 'delete', id, ?3, body FROM passage_text "
                     "WHERE id BETWEEN ?1 AND ?2");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_doc_touch,
                     "UPDATE doc SET size = ?2, mtime = ?3 WHERE id = ?1");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_doc_move,
                     "UPDATE doc SET path = ?2, size = ?3, mtime = ?4 "
                     "WHERE id = ?1");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_doc_get,
                     "SELECT first_passage, npassages FROM doc WHERE id = ?1");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_fts_del,
                     "INSERT INTO fts(fts, rowid, title, body) "
                     "SELECT 'delete', id, title, body FROM passage_content "
                     "WHERE id BETWEEN ?1 AND ?2");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_pas_del,
                     "DELETE FROM passage WHERE id BETWEEN ?1 AND ?2");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_doc_del, "DELETE FROM doc WHERE id = ?1");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_pas_ins,
                     "INSERT INTO passage(id, doc_id, line, end_line, off, "
                     "hash, block, boff, blen, sig, recent) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    /* A block's id is its first passage's: a passage id range holds the
    ** blocks of its documents. */
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_blk_ins,
                     "INSERT INTO passage_block(id, data) VALUES(?1, ?2)");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_blk_del,
                     "DELETE FROM passage_block WHERE id BETWEEN ?1 AND ?2");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_dict_ins,
                     "INSERT INTO passage_dict(id, data) VALUES(?1, ?2)");
    if (rc == FSEARCH_OK)
        rc = prepare(ix, &ix->st_fts_ins,
                     "INSERT INTO fts(rowid, title, body) VALUES(?1, ?2, ?3)");
    return rc;
}

static void finalize_all(indexer *ix)
{
    sqlite3_stmt **all[] = { &ix->st_docs, &ix->st_doc_ins, &ix->st_fts_undo,
                             &ix->st_doc_touch, &ix->st_doc_move,
                             &ix->st_fts_del, &ix->st_pas_del, &ix->st_doc_del,
                             &ix->st_pas_ins, &ix->st_fts_ins, &ix->st_doc_get,
                             &ix->st_blk_ins, &ix->st_blk_del,
                             &ix->st_dict_ins };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}

/* Step a write statement to its end and reset it. */
static int run(indexer *ix, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return FSEARCH_OK;
    rc = sqlite3_reset(st) != SQLITE_OK ? sqlite3_errcode(ix->fs->db) : rc;
    return fs_error_sqlite(ix->fs, rc, "cannot write the index");
}

/* ---------------------------------------------------------------------- */
/* Transactions                                                            */

/* The wall clock, fine-grained: a file changed before the walk began has
** an older time (file times never run ahead of it), so fsearch_index_stale()
** sees no false change. A change just after the start may carry a time from
** the kernel's coarse clock, a tick (1-4 ms) behind, and go unnoticed; since
** Linux 6.13, a folder the walk looked at gets a fine time on its next
** change, which closes that gap for the folders the check reads. */
static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int writer_settings(indexer *ix, int on);

/* What only a run that writes needs: its statements, its settings and the
** checkpoint thread, set up by its first transaction so that a run that
** finds nothing to do pays for none of it. */
static int writer_start(indexer *ix)
{
    ix->writer_ready = 1;
    int rc = prepare_writes(ix);
    if (rc == FSEARCH_OK)
        rc = fs_termcount_open(ix->fs, &ix->tc);
    if (rc == FSEARCH_OK)
        rc = fs_passlen_open(ix->fs, &ix->pl);
    if (rc == FSEARCH_OK)
        rc = writer_settings(ix, 1);
    /* If it cannot start, SQLite checkpoints on this thread as before. */
    if (rc == FSEARCH_OK)
        fs_ckpt_start(&ix->ckpt, ix->fs->db);
    return rc;
}

static int begin(indexer *ix)
{
    if (ix->in_txn || ix->dry_run)
        return FSEARCH_OK;
    int rc = ix->writer_ready ? FSEARCH_OK : writer_start(ix);
    if (rc != FSEARCH_OK)
        return rc;
    fs_ckpt_before_begin(ix->ckpt);
    rc = fs_exec(ix->fs, "BEGIN IMMEDIATE", "cannot write the index");
    if (rc != FSEARCH_OK)
        return rc;
    ix->in_txn = 1;
    ix->wrote = 1;
    ix->batch_bytes = ix->batch_files = 0;
    ix->batch_start = now_seconds();
    /* Ids are handed out here rather than by SQLite, so that a document's
    ** passages can be written before its own row. */
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(ix->fs->db,
                                 "SELECT max((SELECT coalesce(max(id), 0) + 1 "
                                 "FROM passage), coalesce((SELECT CAST(value "
                                 "AS INTEGER) FROM meta WHERE key = "
                                 "'passage_next'), 1)), (SELECT "
                                 "coalesce(max(id), 0) + 1 FROM doc)", -1, &st,
                                 NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        ix->next_passage = sqlite3_column_int64(st, 0);
        ix->next_doc = sqlite3_column_int64(st, 1);
        src = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return src == SQLITE_OK ? FSEARCH_OK
                            : fs_error_sqlite(ix->fs, src, "cannot read the index");
}

static int commit(indexer *ix)
{
    if (!ix->in_txn)
        return FSEARCH_OK;
    /* Passage ids are never handed out twice, even after the highest are
    ** removed: the impact lists (impact.h) name passages by id. */
    char next[32];
    snprintf(next, sizeof next, "%lld", (long long)ix->next_passage);
    int rc = fs_meta_set(ix->fs, "passage_next", next);
    if (rc == FSEARCH_OK)
        rc = fs_termcount_flush(ix->tc);
    if (rc == FSEARCH_OK)
        rc = fs_passlen_flush(ix->pl);
    ix->in_txn = 0;
    if (rc != FSEARCH_OK) {
        fs_termcount_discard(ix->tc);
        sqlite3_exec(ix->fs->db, "ROLLBACK", NULL, NULL, NULL);
        fs_passlen_discard(ix->pl);
        return rc;
    }
    return fs_exec(ix->fs, "COMMIT", "cannot write the index");
}

/* A first build or a rebuild fills an empty passage table. Its hash index
** is then made once at the end, by a sort, instead of by a random b-tree
** insert per passage that dirtied most of the index's pages in every
** transaction (measured: ~15% of a full build's CPU). A run killed before
** the end leaves the index missing; searches stay right, only slower at
** finding copies, and the next run makes it.
**
** The hashes are in two partial indexes (fsearch.c): passage_hash for
** rows whose `recent` is NULL, passage_hash_recent for the others. An
** index made before that has one whole passage_hash; the first run that
** writes remakes it partial (once: a sort of every hash), so that an old
** binary's index never has a row in both or in neither. */
static int defer_hash_index(indexer *ix, size_t nadds, size_t nwrites)
{
    if (ix->dry_run)
        return FSEARCH_OK;
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(ix->fs->db,
                                 "SELECT (SELECT sql FROM sqlite_schema "
                                 "WHERE type = 'index' AND name = "
                                 "'passage_hash'), (SELECT count(*) FROM "
                                 "sqlite_schema WHERE type = 'index' AND "
                                 "name = 'passage_hash_recent'), NOT EXISTS "
                                 "(SELECT 1 FROM passage)", -1, &st, NULL);
    int have = 1, partial = 1, have_recent = 1, empty = 0;
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *sql = (const char *)sqlite3_column_text(st, 0);
        have = sql != NULL;
        partial = sql && strstr(sql, "recent IS NULL") != NULL;
        have_recent = sqlite3_column_int(st, 1);
        empty = sqlite3_column_int(st, 2);
        src = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (src != SQLITE_OK)
        return fs_error_sqlite(ix->fs, src, "cannot read the index");
    ix->hash_index_due = !have;
    int drop = have && ((empty && nadds > 0) || (!partial && nwrites > 0));
    /* (A missing small index is made by a run that writes, with the big
    ** one if that is due: a run with nothing to do writes nothing.) */
    if (!have_recent && (nwrites > 0 || !have))
        ix->hash_index_due = 1;
    int rc = FSEARCH_OK;
    if (drop) {
        rc = begin(ix);
        if (rc == FSEARCH_OK)
            rc = fs_exec(ix->fs, "DROP INDEX passage_hash",
                         "cannot write the index");
        if (rc == FSEARCH_OK)
            ix->hash_index_due = 1;
    }
    /* Only when both are in place, and the big one is partial: a row with
    ** `recent` set is then in the small one only. */
    ix->hash_split = rc == FSEARCH_OK && !ix->hash_index_due && partial;
    return rc;
}

/* Make the indexes defer_hash_index() put off. The sort's memory follows
** cache_size: a smaller cache keeps the run under its memory budget. */
static int make_hash_index(indexer *ix)
{
    if (!ix->hash_index_due || ix->dry_run)
        return FSEARCH_OK;
    int rc = begin(ix);
    if (rc == FSEARCH_OK)
        rc = fs_exec(ix->fs, "PRAGMA cache_size=-8192;"
                     "CREATE INDEX IF NOT EXISTS passage_hash ON "
                     "passage(hash) WHERE recent IS NULL;"
                     "CREATE INDEX IF NOT EXISTS passage_hash_recent ON "
                     "passage(hash) WHERE recent IS NOT NULL",
                     "cannot write the index");
    if (rc == FSEARCH_OK)
        ix->hash_index_due = 0;
    return rc;
}

/* When the small index of recent hashes passes FOLD_AT rows (or the test
** hook FS_TEST_RECENT_FOLD's), they are moved into the big one, in the
** run's last transaction. Its size bounds what a small run writes there
** (8 192 rows: ~10 leaves of 16 KB), and a fold touches most of the big
** index's leaves once (~1 500 on the bench's full slice) for ~90 small
** runs of a 35 KB file. */
#define FOLD_AT 8192

/* Runs reading at most this much use the small index (~10 000 passages
** of text; a 35 KB file makes ~90). */
#define RECENT_MAX_BYTES (4u << 20)

static int fold_recent(indexer *ix)
{
    if (!ix->hash_split || !ix->wrote || ix->dry_run)
        return FSEARCH_OK;
    long long at = FOLD_AT;
    const char *e = getenv("FS_TEST_RECENT_FOLD");
    if (e && *e)
        at = atoll(e);
    sqlite3_stmt *st = NULL;
    long long n = 0;
    int src = sqlite3_prepare_v2(ix->fs->db,
                                 "SELECT count(*) FROM passage "
                                 "WHERE recent IS NOT NULL", -1, &st, NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        src = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (src != SQLITE_OK)
        return fs_error_sqlite(ix->fs, src, "cannot read the index");
    if (n < at)
        return FSEARCH_OK;
    int rc = begin(ix);
    if (rc == FSEARCH_OK)
        rc = fs_exec(ix->fs, "UPDATE passage SET recent = NULL "
                     "WHERE recent IS NOT NULL", "cannot write the index");
    return rc;
}

static void rollback(indexer *ix)
{
    if (ix->in_txn)
        sqlite3_exec(ix->fs->db, "ROLLBACK", NULL, NULL, NULL);
    ix->in_txn = 0;
    fs_termcount_discard(ix->tc);
    fs_passlen_discard(ix->pl);
}

/* Commit when the batch is large enough; start a new one lazily. */
static int maybe_commit(indexer *ix)
{
    if (ix->in_txn && (ix->batch_bytes >= BATCH_BYTES ||
                       ix->batch_files >= BATCH_FILES ||
                       now_seconds() - ix->batch_start >= BATCH_SECONDS))
        return commit(ix);
    return FSEARCH_OK;
}

/* ---------------------------------------------------------------------- */
/* Events                                                                  */

static int report(indexer *ix, int kind, const char *path,
                  const char *old_path, const char *reason)
{
    if (!ix->opts->progress)
        return FSEARCH_OK;
    fsearch_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.path = path;
    ev.old_path = old_path;
    ev.reason = reason;
    ev.files_done = ix->files_done;
    ev.files_total = ix->files_total;
    ev.bytes_done = ix->bytes_done + ix->file_bytes;
    ev.bytes_total = ix->bytes_total;
    if (ix->opts->progress(&ev, ix->opts->payload) != 0)
        return fs_error(ix->fs, FSEARCH_EINTR, "indexing was interrupted");
    return FSEARCH_OK;
}

/* ---------------------------------------------------------------------- */
/* Reading files                                                           */

static int set_full(indexer *ix, const char *path)
{
    int rc = FSEARCH_OK;
    fs_buf_clear(&ix->full);
    fs_buf_puts(&rc, &ix->full, ix->root);
    fs_buf_putc(&rc, &ix->full, '/');
    fs_buf_puts(&rc, &ix->full, path);
    return rc == FSEARCH_OK ? rc : fs_error(ix->fs, rc, "out of memory");
}

/* Open a file for reading; on a failure that only concerns this file,
** *reason says why and FSEARCH_OK is returned with *fd_out = -1. */
static int open_file(indexer *ix, const char *path, int *fd_out,
                     const char **reason, char *why, size_t nwhy)
{
    *fd_out = -1;
    *reason = NULL;
    int rc = set_full(ix, path);
    if (rc != FSEARCH_OK)
        return rc;
    /* O_NONBLOCK: a FIFO that replaced the file must not hang the run. */
    int fd = open(ix->full.p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, nwhy, "unreadable: %s", strerror(errno));
        *reason = why;
        return FSEARCH_OK;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *reason = "not a regular file";
        return FSEARCH_OK;
    }
    *fd_out = fd;
    return FSEARCH_OK;
}

/* Hash a whole file (for touch and rename detection). *reason set when the
** file cannot be read. */
static int hash_file(indexer *ix, const char *path, uint64_t *out,
                     const char **reason, char *why, size_t nwhy)
{
    int fd;
    int rc = open_file(ix, path, &fd, reason, why, nwhy);
    if (rc != FSEARCH_OK || fd < 0)
        return rc;
    fs_hasher hs;
    fs_hash_init(&hs);
    ssize_t n;
    while ((n = fs_read_full(fd, ix->chunk, READ_CHUNK)) > 0)
        fs_hash_update(&hs, ix->chunk, (size_t)n);
    if (n < 0) {
        snprintf(why, nwhy, "unreadable: %s", strerror(errno));
        *reason = why;
    }
    close(fd);
    *out = fs_hash_final(&hs);
    return FSEARCH_OK;
}

/* Write one prepared passage of the document; its tokens are replayed to
** FTS5 instead of tokenizing the text again on this thread. */
static int write_passage(indexer *ix, int64_t doc_id, const fs_prep_msg *m,
                         const fs_prep_passage *pp)
{
    const char *text = m->text.p + pp->text_off;
    int n = (int)pp->text_len;
    int64_t id = ix->next_passage++;
    sqlite3_stmt *st;
    int rc;
    if (pp->block_start) {
        st = ix->st_blk_ins;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_blob(st, 2, m->zdata.p + pp->z_off, (int)pp->z_len,
                          SQLITE_STATIC);
        rc = run(ix, st);
        sqlite3_clear_bindings(st);
        if (rc != FSEARCH_OK)
            return rc;
        ix->block = id;
    }
    st = ix->st_pas_ins;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, doc_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)pp->line);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)pp->end_line);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)pp->off);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)pp->hash);
    sqlite3_bind_int64(st, 7, ix->block);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)pp->boff);
    sqlite3_bind_int64(st, 9, n);
    sqlite3_bind_blob(st, 10, m->sigs.p + pp->sig_off, (int)pp->sig_len,
                      SQLITE_STATIC);
    if (ix->recent_on)
        sqlite3_bind_int(st, 11, 1);
    rc = run(ix, st);
    if (rc != FSEARCH_OK)
        return rc;
    fs_replay *r = &ix->fs->replay;
    r->text[1] = text;
    r->ntext[1] = n;
    r->toks[1] = (const unsigned char *)m->toks.p + pp->tok_off;
    r->ntoks[1] = pp->tok_len;
    st = ix->st_fts_ins;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, ix->title.p, (int)ix->title.n, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, n, SQLITE_STATIC);
    rc = run(ix, st);
    if (rc == FSEARCH_OK)
        fs_termcount_added(ix->tc, r);
    if (rc == FSEARCH_OK)
        rc = fs_passlen_touch(ix->pl, id, id);
    r->text[1] = NULL;
    sqlite3_clear_bindings(ix->st_pas_ins);
    sqlite3_clear_bindings(ix->st_fts_ins);
    if (rc == FSEARCH_OK && ix->stats)
        ix->stats->passages_added++;
    return rc;
}

static int remove_document(indexer *ix, int64_t doc_id);

/* A new dictionary id: random, in zstd's range for private ones, so that
** a connection keeping a dictionary by id (textstore.c) never meets another
** one of the same id, made after a rebuild or a rolled-back run. */
static unsigned new_dict_id(const indexer *ix)
{
    uint64_t x = (uint64_t)wall_ns() ^ (uint64_t)getpid() << 32 ^
                 (uint64_t)(uintptr_t)ix;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return FS_TEXTSTORE_DICT_ID0 +
           (unsigned)(x % (0x7fffffffu - FS_TEXTSTORE_DICT_ID0));
}

/* The index's text dictionary into *dict; none yet: *train_id is the id
** the worker gives the one it trains. */
static int read_dict(indexer *ix, fs_buf *dict, unsigned *train_id)
{
    sqlite3_stmt *st = NULL;
    int rc = FSEARCH_OK;
    int src = sqlite3_prepare_v2(ix->fs->db, "SELECT id, data FROM "
                                 "passage_dict ORDER BY id DESC LIMIT 1",
                                 -1, &st, NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        fs_buf_append(&rc, dict, sqlite3_column_blob(st, 1),
                      (size_t)sqlite3_column_bytes(st, 1));
        src = SQLITE_OK;
    } else if (src == SQLITE_DONE) {
        *train_id = new_dict_id(ix);
        src = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (src != SQLITE_OK)
        return fs_error_sqlite(ix->fs, src, "cannot read the index");
    return rc == FSEARCH_OK ? rc : fs_error(ix->fs, rc, "out of memory");
}

/* Store the dictionary the worker trained, if it did, before any block
** packed with it (in the same transaction). */
static int store_dict(indexer *ix)
{
    fs_buf dict = FS_BUF_INIT;
    unsigned id;
    if (!fs_prep_take_dict(ix->prep, &dict, &id))
        return FSEARCH_OK;
    int rc = begin(ix);
    if (rc == FSEARCH_OK) {
        sqlite3_stmt *st = ix->st_dict_ins;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_blob(st, 2, dict.p, (int)dict.n, SQLITE_STATIC);
        rc = run(ix, st);
        sqlite3_clear_bindings(st);
    }
    fs_buf_free(&dict);
    return rc;
}

/* Delete the passages first..last and their text blocks (FTS5's rows
** must be taken back before: it reads the text). */
static int delete_passages(indexer *ix, int64_t first, int64_t last)
{
    sqlite3_bind_int64(ix->st_pas_del, 1, first);
    sqlite3_bind_int64(ix->st_pas_del, 2, last);
    int rc = fs_passlen_touch(ix->pl, first, last);
    if (rc == FSEARCH_OK)
        rc = run(ix, ix->st_pas_del);
    if (rc == FSEARCH_OK) {
        sqlite3_bind_int64(ix->st_blk_del, 1, first);
        sqlite3_bind_int64(ix->st_blk_del, 2, last);
        rc = run(ix, ix->st_blk_del);
    }
    return rc;
}

/* Take back the passages written since `first` of a document whose row is
** not written yet. Without a savepoint per document (each one would make
** FTS5 flush its terms to a new segment, and then merge them again and
** again), this is how a file stopped half-way leaves nothing behind. */
static int undo_passages(indexer *ix, int64_t first)
{
    int64_t last = ix->next_passage - 1;
    ix->next_passage = first;
    if (last < first)
        return FSEARCH_OK;
    int rc = fs_termcount_removing(ix->tc, first, last,
                                   ix->title.p ? ix->title.p : "",
                                   (int)ix->title.n);
    if (rc != FSEARCH_OK)
        return rc;
    sqlite3_stmt *st = ix->st_fts_undo;
    sqlite3_bind_int64(st, 1, first);
    sqlite3_bind_int64(st, 2, last);
    sqlite3_bind_text(st, 3, ix->title.p, (int)ix->title.n, SQLITE_STATIC);
    rc = run(ix, st);
    sqlite3_clear_bindings(st);
    if (rc == FSEARCH_OK)
        rc = delete_passages(ix, first, last);
    if (rc == FSEARCH_OK && ix->stats)
        ix->stats->passages_added -= (uint64_t)(last - first + 1);
    return rc;
}

/*
** Read, split and write the file at `path` as a new document, replacing
** document c->doc_id (when not 0) once the new version is complete. On
** success *indexed is 1; a file that must be skipped leaves *indexed 0 and
** *reason, and the index as it was (the old version included).
*/
static int add_document(indexer *ix, const change *c, int *indexed,
                        const char **reason, char *why, size_t nwhy)
{
    *indexed = 0;
    fs_prep_msg *m = NULL;
    int rc = fs_prep_next(ix->prep, &m);
    if (rc != FSEARCH_OK)
        return fs_error(ix->fs, rc, "out of memory");
    if ((rc = store_dict(ix)) != FSEARCH_OK) {
        fs_prep_msg_free(m);
        return rc;
    }
    if (m->has_end && (m->rc != FSEARCH_OK || (m->reason && !m->npas))) {
        /* Nothing written yet: unreadable, binary, or out of memory. */
        rc = m->rc;
        if (rc == FSEARCH_OK) {
            snprintf(why, nwhy, "%s", m->reason);
            *reason = why;
        }
        fs_prep_msg_free(m);
        return rc == FSEARCH_OK ? rc : fs_error(ix->fs, rc, "out of memory");
    }
    fs_buf_clear(&ix->title);
    fs_buf_append(&rc, &ix->title, m->title.p, m->title.n);
    if (rc != FSEARCH_OK) {
        fs_prep_msg_free(m);
        return fs_error(ix->fs, rc, "out of memory");
    }
    rc = begin(ix);
    if (rc != FSEARCH_OK) {
        fs_prep_msg_free(m);
        return rc;
    }
    /* The title's tokens stand for every passage of the file. */
    fs_replay *r = &ix->fs->replay;
    fs_buf title_toks = m->title_toks;
    memset(&m->title_toks, 0, sizeof m->title_toks);
    r->text[0] = ix->title.p;
    r->ntext[0] = (int)ix->title.n;
    r->toks[0] = (const unsigned char *)title_toks.p;
    r->ntoks[0] = title_toks.n;

    /* The passages go first and the document's row last: a file that
    ** fails half-way is taken back alone (undo_passages) and the batch goes
    ** on; a batch commits only documents whose row is written. */
    int64_t first = ix->next_passage;
    int64_t doc_id = ix->next_doc;
    int64_t npassages = 0;
    for (;;) {
        for (size_t i = 0; rc == FSEARCH_OK && i < m->npas; i++) {
            rc = write_passage(ix, doc_id, m, &m->pas[i]);
            npassages++;
        }
        if (rc == FSEARCH_OK && m->progress) {
            ix->file_bytes = m->bytes;
            rc = report(ix, FSEARCH_EVENT_PROGRESS, NULL, NULL, NULL);
        }
        if (rc != FSEARCH_OK || m->has_end)
            break;
        fs_prep_msg_free(m);
        m = NULL;
        rc = fs_prep_next(ix->prep, &m);
        if (rc != FSEARCH_OK)
            rc = fs_error(ix->fs, rc, "out of memory");
    }
    r->text[0] = NULL;
    fs_buf_free(&title_toks);
    ix->file_bytes = 0;
    if (rc == FSEARCH_OK && m->rc != FSEARCH_OK)
        rc = fs_error(ix->fs, m->rc, "out of memory");
    if (rc == FSEARCH_OK && m->reason) {
        snprintf(why, nwhy, "%s", m->reason);
        *reason = why;
    }
    uint64_t bytes = m ? m->bytes : 0, hash = m ? m->hash : 0;
    fs_prep_msg_free(m);
    if (rc == FSEARCH_EINTR || (rc == FSEARCH_OK && *reason)) {
        /* Stopped or failed half-way: the run keeps whole files only. */
        int xrc = undo_passages(ix, first);
        return xrc != FSEARCH_OK ? xrc : rc;
    }
    if (rc != FSEARCH_OK) {
        /* Keep the first error: finishing the document here would commit
        ** it with passages missing (the caller rolls the batch back). */
        ix->next_passage = first;
        return rc;
    }
    if (c->doc_id)
        rc = remove_document(ix, c->doc_id);
    if (rc == FSEARCH_OK) {
        sqlite3_stmt *st = ix->st_doc_ins;
        sqlite3_bind_int64(st, 1, doc_id);
        sqlite3_bind_text(st, 2, c->path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)bytes);
        sqlite3_bind_int64(st, 4, c->mtime_ns);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)hash);
        sqlite3_bind_text(st, 6, ix->title.p, (int)ix->title.n,
                          SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, first);
        sqlite3_bind_int64(st, 8, npassages);
        rc = run(ix, st);
        sqlite3_clear_bindings(st);
    }
    if (rc == FSEARCH_OK) {
        ix->next_doc++;
        *indexed = 1;
        ix->batch_bytes += bytes;
        ix->batch_files++;
        if (ix->stats)
            ix->stats->bytes_read += bytes;
    }
    return rc;
}

/* Remove a document and its passages. */
static int remove_document(indexer *ix, int64_t doc_id)
{
    int rc = begin(ix);
    if (rc != FSEARCH_OK)
        return rc;
    sqlite3_stmt *st = ix->st_doc_get;
    sqlite3_bind_int64(st, 1, doc_id);
    int64_t first = 0, n = 0;
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        first = sqlite3_column_int64(st, 0);
        n = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return fs_error_sqlite(ix->fs, src, "cannot read the index");
    if (n > 0)
        rc = fs_termcount_removing(ix->tc, first, first + n - 1, NULL, 0);
    if (rc == FSEARCH_OK && n > 0) {
        sqlite3_bind_int64(ix->st_fts_del, 1, first);
        sqlite3_bind_int64(ix->st_fts_del, 2, first + n - 1);
        rc = run(ix, ix->st_fts_del);
        if (rc == FSEARCH_OK)
            rc = delete_passages(ix, first, first + n - 1);
    }
    if (rc == FSEARCH_OK) {
        sqlite3_bind_int64(ix->st_doc_del, 1, doc_id);
        rc = run(ix, ix->st_doc_del);
    }
    ix->batch_files++;
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Phase 1: compare the folder with the index                              */

/* Compare two paths the way SQLite's BINARY collation does. */
static int path_cmp(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na < nb ? -1 : na > nb);
}

/* The next of the index's documents, in path order, into *d; d->path is
** the statement's, valid until the next step. *have says whether there
** was one. The statement runs through phase 1, which writes nothing. */
static int next_doc(indexer *ix, change *d, int *have)
{
    sqlite3_stmt *st = ix->st_docs;
    *have = 0;
    if (ix->docs_held) {
        if (ix->docs_next == ix->docs.n)
            return FSEARCH_OK;
        const fs_docrow *r = &ix->docs.v[ix->docs_next++];
        memset(d, 0, sizeof *d);
        d->path = (char *)fs_docrows_path(&ix->docs, ix->docs_next - 1);
        d->doc_id = r->id;
        d->size = r->size;
        d->mtime_ns = r->mtime_ns;
        d->old_hash = r->hash;
        *have = 1;
        return FSEARCH_OK;
    }
    int src = sqlite3_step(st);
    if (src == SQLITE_DONE)
        return FSEARCH_OK;
    if (src != SQLITE_ROW)
        return fs_error_sqlite(ix->fs, src, "cannot read the index");
    /* NULL here is out of memory: the column is NOT NULL. Taken for the
    ** end of the index, it would make every later file look new. */
    const char *path = (const char *)sqlite3_column_text(st, 1);
    if (!path)
        return fs_error(ix->fs, FSEARCH_ENOMEM, "out of memory");
    memset(d, 0, sizeof *d);
    d->path = (char *)path;
    d->doc_id = sqlite3_column_int64(st, 0);
    d->size = (uint64_t)sqlite3_column_int64(st, 2);
    d->mtime_ns = sqlite3_column_int64(st, 3);
    d->old_hash = (uint64_t)sqlite3_column_int64(st, 4);
    *have = 1;
    return FSEARCH_OK;
}

/* Start the walk of the folder, which reads ahead on a thread of its own
** while the index is being opened for the merge. */
static int open_walk(indexer *ix, fs_walk **w)
{
    char err[512];
    int rc = fs_walk_open(w, ix->root, 0, err, sizeof err);
    if (rc == FSEARCH_ENOTFOUND)
        return fs_error(ix->fs, rc, "%s", err);
    return rc == FSEARCH_OK ? rc : fs_error(ix->fs, rc, "out of memory");
}

static int diff(indexer *ix, fs_walk *w, change_list *adds,
                change_list *changed, change_list *gone)
{
    int rc = FSEARCH_OK;
    change doc, *d = NULL;
    int need_doc = 1;
    fs_walk_entry e;
    int have_entry = 0;
    rc = hold_docs(ix, DOCS_HELD_MAX);
    for (; rc == FSEARCH_OK;) {
        if (!have_entry) {
            int wrc = fs_walk_next(w, &e);
            if (wrc == FSEARCH_DONE)
                have_entry = -1;
            else if (wrc != FSEARCH_OK) {
                rc = fs_error(ix->fs, wrc, "out of memory");
                break;
            } else
                have_entry = 1;
        }
        if (need_doc) {
            int have;
            rc = next_doc(ix, &doc, &have);
            if (rc != FSEARCH_OK)
                break;
            d = have ? &doc : NULL;
            need_doc = 0;
        }
        if (have_entry < 0 && !d)
            break;
        int cmp = have_entry < 0 ? 1 : !d ? -1 : path_cmp(e.path, d->path);
        if (cmp < 0) { /* only on disk */
            if (e.skip_reason) {
                if (ix->stats)
                    ix->stats->skipped++;
                rc = report(ix, FSEARCH_EVENT_SKIPPED, e.path, NULL,
                            e.skip_reason);
            } else {
                rc = list_push(adds, e.path, 0, e.size, e.mtime_ns, 0);
                if (rc != FSEARCH_OK)
                    rc = fs_error(ix->fs, rc, "out of memory");
            }
            have_entry = 0;
        } else if (cmp > 0) { /* only in the index */
            rc = list_push(gone, d->path, d->doc_id, d->size, d->mtime_ns,
                           d->old_hash);
            if (rc != FSEARCH_OK)
                rc = fs_error(ix->fs, rc, "out of memory");
            need_doc = 1;
        } else {
            if (e.skip_reason) {
                if (ix->stats)
                    ix->stats->skipped++;
                rc = report(ix, FSEARCH_EVENT_SKIPPED, e.path, NULL,
                            e.skip_reason);
                if (rc == FSEARCH_OK)
                    rc = list_push(gone, d->path, d->doc_id, d->size,
                                   d->mtime_ns, d->old_hash);
            } else if (e.size == d->size && e.mtime_ns == d->mtime_ns) {
                if (ix->stats)
                    ix->stats->unchanged++;
            } else {
                rc = list_push(changed, e.path, d->doc_id, e.size, e.mtime_ns,
                               d->old_hash);
            }
            if (rc == FSEARCH_ENOMEM)
                rc = fs_error(ix->fs, rc, "out of memory");
            have_entry = 0;
            need_doc = 1;
        }
        if (rc != FSEARCH_OK)
            break;
    }
    sqlite3_reset(ix->st_docs);
    /* The change lists hold copies of the paths. */
    fs_docrows_free(&ix->docs);
    ix->docs_held = 0;
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Phase 2                                                                 */

static int skip_file(indexer *ix, const char *path, const char *reason)
{
    if (ix->stats)
        ix->stats->skipped++;
    return report(ix, FSEARCH_EVENT_SKIPPED, path, NULL, reason);
}

static int do_changed(indexer *ix, change *c)
{
    char why[300];
    const char *reason = NULL;
    uint64_t h = 0;
    int rc = hash_file(ix, c->path, &h, &reason, why, sizeof why);
    if (rc != FSEARCH_OK)
        return rc;
    if (reason) {
        /* It can no longer be read: it leaves the index. */
        rc = ix->dry_run ? FSEARCH_OK : remove_document(ix, c->doc_id);
        if (rc == FSEARCH_OK)
            rc = skip_file(ix, c->path, reason);
        return rc;
    }
    if (h == c->old_hash) {
        /* Touched, not changed: remember the new time, read nothing. */
        if (ix->stats)
            ix->stats->unchanged++;
        if (ix->dry_run)
            return FSEARCH_OK;
        rc = begin(ix);
        if (rc == FSEARCH_OK) {
            sqlite3_bind_int64(ix->st_doc_touch, 1, c->doc_id);
            sqlite3_bind_int64(ix->st_doc_touch, 2, (sqlite3_int64)c->size);
            sqlite3_bind_int64(ix->st_doc_touch, 3, c->mtime_ns);
            rc = run(ix, ix->st_doc_touch);
            ix->batch_files++;
        }
        return rc;
    }
    if (ix->dry_run) {
        if (ix->stats)
            ix->stats->updated++;
        return report(ix, FSEARCH_EVENT_UPDATED, c->path, NULL, NULL);
    }
    /* To be read by the worker (read_changed), in a second pass. */
    c->need_read = 1;
    return FSEARCH_OK;
}

static int read_changed(indexer *ix, change *c)
{
    char why[300];
    const char *reason = NULL;
    /* The old version goes only once the new one is complete: a run
    ** stopped while re-reading keeps the old version of the file, not
    ** none. */
    int indexed = 0;
    int rc = add_document(ix, c, &indexed, &reason, why, sizeof why);
    if (rc != FSEARCH_OK)
        return rc;
    if (!indexed) {
        /* It can no longer be read as text: it leaves the index. */
        rc = remove_document(ix, c->doc_id);
        return rc != FSEARCH_OK ? rc : skip_file(ix, c->path, reason);
    }
    if (ix->stats)
        ix->stats->updated++;
    return report(ix, FSEARCH_EVENT_UPDATED, c->path, NULL, NULL);
}

static int do_added(indexer *ix, change *c, change_list *gone)
{
    char why[300];
    const char *reason = NULL;
    int rc;
    /* A new file may be a vanished document under a new name. */
    for (size_t i = 0; i < gone->n; i++) {
        change *g = &gone->v[i];
        if (g->done || g->size != c->size)
            continue;
        if (!c->has_new_hash) {
            rc = hash_file(ix, c->path, &c->new_hash, &reason, why, sizeof why);
            if (rc != FSEARCH_OK)
                return rc;
            if (reason)
                return skip_file(ix, c->path, reason);
            c->has_new_hash = 1;
        }
        if (g->old_hash != c->new_hash)
            continue;
        g->done = 1;
        if (!ix->dry_run) {
            rc = begin(ix);
            if (rc == FSEARCH_OK) {
                sqlite3_bind_int64(ix->st_doc_move, 1, g->doc_id);
                sqlite3_bind_text(ix->st_doc_move, 2, c->path, -1,
                                  SQLITE_STATIC);
                sqlite3_bind_int64(ix->st_doc_move, 3, (sqlite3_int64)c->size);
                sqlite3_bind_int64(ix->st_doc_move, 4, c->mtime_ns);
                rc = run(ix, ix->st_doc_move);
                ix->batch_files++;
            }
            if (rc != FSEARCH_OK)
                return rc;
        }
        if (ix->stats)
            ix->stats->renamed++;
        return report(ix, FSEARCH_EVENT_RENAMED, c->path, g->path, NULL);
    }
    if (ix->dry_run) {
        if (ix->stats)
            ix->stats->added++;
        return report(ix, FSEARCH_EVENT_ADDED, c->path, NULL, NULL);
    }
    c->need_read = 1;
    return FSEARCH_OK;
}

static int read_added(indexer *ix, change *c)
{
    char why[300];
    const char *reason = NULL;
    int indexed = 0;
    int rc = add_document(ix, c, &indexed, &reason, why, sizeof why);
    if (rc != FSEARCH_OK)
        return rc;
    if (!indexed)
        return skip_file(ix, c->path, reason);
    if (ix->stats)
        ix->stats->added++;
    return report(ix, FSEARCH_EVENT_ADDED, c->path, NULL, NULL);
}

static int do_gone(indexer *ix, change *g)
{
    if (g->done)
        return FSEARCH_OK;
    int rc = ix->dry_run ? FSEARCH_OK : remove_document(ix, g->doc_id);
    if (rc != FSEARCH_OK)
        return rc;
    if (ix->stats)
        ix->stats->removed++;
    return report(ix, FSEARCH_EVENT_REMOVED, g->path, NULL, NULL);
}

/* Start the worker on the files marked need_read, in the order the
** second pass takes them. *paths_out (the caller's) lists their paths. */
static int start_reading(indexer *ix, const change_list *changed,
                         const change_list *adds, const char ***paths_out)
{
    size_t n = 0;
    for (size_t i = 0; i < changed->n; i++)
        n += changed->v[i].need_read != 0;
    for (size_t i = 0; i < adds->n; i++)
        n += adds->v[i].need_read != 0;
    if (n == 0)
        return FSEARCH_OK;
    const char **paths = fs_malloc(n * sizeof *paths);
    if (!paths)
        return fs_error(ix->fs, FSEARCH_ENOMEM, "out of memory");
    *paths_out = paths;
    n = 0;
    for (size_t i = 0; i < changed->n; i++)
        if (changed->v[i].need_read)
            paths[n++] = changed->v[i].path;
    for (size_t i = 0; i < adds->n; i++)
        if (adds->v[i].need_read)
            paths[n++] = adds->v[i].path;
    fs_buf dict = FS_BUF_INIT;
    unsigned train_id = 0;
    int rc = read_dict(ix, &dict, &train_id);
    if (rc != FSEARCH_OK)
        return rc;
    rc = fs_prep_start(&ix->prep, ix->root, ix->fs->language, paths, n,
                       dict.p, dict.n, train_id, 0);
    fs_buf_free(&dict);
    if (rc == FSEARCH_EIO)
        return fs_error(ix->fs, rc, "cannot start a thread to read files");
    if (rc != FSEARCH_OK)
        return fs_error(ix->fs, rc, "out of memory");
    /* The writer's statements and settings (nothing is written yet) while
    ** the worker makes its tokenizer and reads the first file: a run that
    ** adds one file otherwise waited for the one, then did the other. */
    return ix->dry_run || ix->writer_ready ? FSEARCH_OK : writer_start(ix);
}

/* Does meta's `root` differ from `where`? Unreadable: taken as yes. */
static int root_differs(indexer *ix, const char *where)
{
    sqlite3_stmt *st = NULL;
    int differs = 1;
    if (sqlite3_prepare_v2(ix->fs->db, "SELECT value FROM meta "
                           "WHERE key = 'root'", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        differs = !v || strcmp(v, where) != 0;
    }
    sqlite3_finalize(st);
    return differs;
}

/*
** Must this run record itself in meta? One that wrote does. One that wrote
** nothing need not, and so leaves the index file as it was, when what is
** recorded still holds: the same folder, and nothing in it that
** fsearch_index_stale() looks at newer than the recorded start of the last
** walk. Whatever changes later is newer still, so the older start misses
** nothing; and keeping it shows no false change, as that check just found.
** `last_update` then stays the time the index last changed.
*/
static int must_record(indexer *ix, const char *where)
{
    if (ix->wrote || root_differs(ix, where))
        return 1;
    uint64_t n = 0;
    int rc = fsearch_index_stale(ix->fs, ix->root, &n);
    fs_error_clear(ix->fs);
    return rc != FSEARCH_OK || n > 0;
}

/*
** After a run that changed much of the index (the rule that rebuilds the
** vocabulary), FTS5's segments are merged into one. A build leaves a
** dozen or more segments of several levels, and every term a search looks
** up is looked up in each: on the bench's full slice one segment made its
** 25 queries about 0.75x the time (geometric mean; single words 0.5-0.8x)
** and a fresh search process touches fewer pages. It costs a fraction of
** a full build's time, once; small runs add small segments that FTS5's
** automerge keeps few.
** The merge is FTS5's incremental optimize ('merge' with a negative page
** count starts it, positive counts continue it), in transactions of
** MERGE_STEP_PAGES leaf pages each, so that the WAL stays bounded and
** checkpointed as in the run, and a run killed or interrupted part-way
** keeps what it merged; the next run that is due merges the rest.
*/
#define MERGE_STEP_PAGES 4000

/* Tell the caller a step of the run's end begins: the file counters stand
** still while it works. */
static int finishing(indexer *ix, const char *name)
{
    return report(ix, FSEARCH_EVENT_FINISHING, NULL, NULL, name);
}

static int merge_segments(indexer *ix)
{
    int rc = finishing(ix, "merging");
    for (int step = 0; rc == FSEARCH_OK; step++) {
        rc = report(ix, FSEARCH_EVENT_PROGRESS, NULL, NULL, NULL);
        if (rc != FSEARCH_OK)
            break;
        fs_ckpt_before_begin(ix->ckpt);
        rc = fs_exec(ix->fs, "BEGIN IMMEDIATE", "cannot write the index");
        if (rc != FSEARCH_OK)
            break;
        sqlite3_int64 before = sqlite3_total_changes64(ix->fs->db);
        char sql[96];
        snprintf(sql, sizeof sql,
                 "INSERT INTO fts(fts, rank) VALUES('merge', %d)",
                 step == 0 ? -MERGE_STEP_PAGES : MERGE_STEP_PAGES);
        rc = fs_exec(ix->fs, sql, "cannot merge the index's segments");
        /* The command itself counts one change; the pages a merge writes
        ** count too, so one means there was nothing left to merge. */
        int more = sqlite3_total_changes64(ix->fs->db) - before >= 2;
        if (rc == FSEARCH_OK)
            rc = fs_exec(ix->fs, "COMMIT", "cannot write the index");
        else
            sqlite3_exec(ix->fs->db, "ROLLBACK", NULL, NULL, NULL);
        if (!more)
            break;
    }
    return rc;
}

/* Record when and from where the index was last brought up to date, with
** the count of changes "did you mean" goes by, in the run's last
** transaction; then rebuild that table if it is due. */
static int finish(indexer *ix)
{
    if (ix->dry_run)
        return FSEARCH_OK;
    char *real = realpath(ix->root, NULL);
    const char *where = real ? real : ix->root;
    int rc = FSEARCH_OK;
    if (must_record(ix, where)) {
        char now[32];
        rc = begin(ix);
        snprintf(now, sizeof now, "%lld", (long long)time(NULL));
        if (rc == FSEARCH_OK)
            rc = fs_meta_set(ix->fs, "last_update", now);
        /* What fsearch_index_stale() compares with: anything modified
        ** after the walk began may have been missed by it. */
        snprintf(now, sizeof now, "%lld", (long long)ix->scan_start_ns);
        if (rc == FSEARCH_OK)
            rc = fs_meta_set(ix->fs, "scan_start_ns", now);
        if (rc == FSEARCH_OK)
            rc = fs_meta_set(ix->fs, "root", where);
    }
    free(real);
    /* "did you mean"'s term counts: a run that changed nothing writes
    ** nothing here. */
    int due = 0;
    if (rc == FSEARCH_OK)
        rc = fs_vocab_note(ix->fs, ix->stats, &due);
    if (rc == FSEARCH_OK)
        rc = fold_recent(ix);
    if (rc == FSEARCH_OK)
        rc = commit(ix);
    /* The merge first: the pages it frees then hold the hash index and the
    ** tables below instead of growing the file. */
    if (rc == FSEARCH_OK && due)
        rc = merge_segments(ix);
    if (rc == FSEARCH_OK && ix->hash_index_due)
        rc = finishing(ix, "hash index");
    if (rc == FSEARCH_OK)
        rc = make_hash_index(ix);
    /* An index made before passage_len gets it (passlen.h). */
    if (rc == FSEARCH_OK && fs_passlen_missing(ix->fs))
        rc = begin(ix);
    if (rc == FSEARCH_OK)
        rc = commit(ix);
    /* The impact lists read the fresh counts; rebuilt on the same rule, or
    ** made when missing. One step for both, so that a run stopped at its
    ** start leaves both due. */
    int impact_due = 0;
    if (rc == FSEARCH_OK)
        rc = fs_impact_due(ix->fs, due, &impact_due);
    if (rc == FSEARCH_OK && impact_due)       /* (set when due is) */
        rc = finishing(ix, "word counts");
    if (rc == FSEARCH_OK && due)
        rc = fs_vocab_rebuild(ix->fs);
    if (rc == FSEARCH_OK && impact_due)
        rc = fs_impact_rebuild(ix->fs, 0);
    return rc;
}

/* Take the lock that makes this the only indexer of the index. */
static int lock_index(fsearch *fs, int *fd_out)
{
    char path[4096];
    *fd_out = -1;
    if (fs_readonly_lock_path(path, sizeof path, fs->path) != 0)
        return fs_error(fs, FSEARCH_EINVAL, "the index path is too long");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return fs_error(fs, FSEARCH_EIO, "cannot create the lock file '%s': %s",
                        path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        close(fd);
        if (busy)
            return fs_error(fs, FSEARCH_EBUSY,
                            "another 'fsearch index' is updating '%s'; "
                            "try again when it has finished", fs->path);
        return fs_error(fs, FSEARCH_EIO, "cannot lock '%s': %s", path,
                        strerror(errno));
    }
    *fd_out = fd;
    return FSEARCH_OK;
}

/*
** Settings for a writing run, taken back when it ends (on = 0) so that a
** handle that goes on to search keeps its small cache. A larger page cache
** keeps the b-trees FTS5 merges in memory instead of spilling dirty pages;
** secure_delete (on in Debian's build) would zero every page a merge frees.
*/
static int writer_settings(indexer *ix, int on)
{
    char sql[96];
    if (on) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ix->fs->db, "PRAGMA cache_size", -1, &st,
                               NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            ix->old_cache_size = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        snprintf(sql, sizeof sql,
                 "PRAGMA cache_size=%d; PRAGMA secure_delete=OFF;",
                 WRITER_CACHE_KB);
        ix->settings_on = 1;
    } else {
        snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld;",
                 (long long)ix->old_cache_size);
    }
    return fs_exec(ix->fs, sql, "cannot set up the index");
}

static int rebuild_clear(indexer *ix)
{
    int rc = begin(ix);
    if (rc == FSEARCH_OK)
        rc = fs_exec(ix->fs,
                     "INSERT INTO fts(fts) VALUES('delete-all');"
                     "DELETE FROM passage; DELETE FROM passage_block; "
                     "DELETE FROM passage_dict; DELETE FROM doc; "
                     "DROP TABLE IF EXISTS impact;",
                     "cannot clear the index");
    if (rc == FSEARCH_OK)
        rc = fs_termcount_drop(ix->tc);
    fs_passlen_reset(ix->pl);
    if (rc == FSEARCH_OK)
        ix->next_passage = ix->next_doc = 1;
    return rc;
}

int fsearch_index(fsearch *fs, const char *root,
                  const fsearch_index_options *opts,
                  fsearch_index_stats *stats_out)
{
    static const fsearch_index_options defaults = FSEARCH_INDEX_OPTIONS_INIT;
    if (!fs)
        return FSEARCH_EINVAL;
    fs_error_clear(fs);
    if (!root || !*root)
        return fs_error(fs, FSEARCH_EINVAL, "no folder given to index");
    if (!opts)
        opts = &defaults;
    if (opts->version != FSEARCH_INDEX_OPTIONS_VERSION)
        return fs_error(fs, FSEARCH_EINVAL,
                        "unknown fsearch_index_options version %u",
                        opts->version);
    if (!fs->db)
        return fs_error(fs, FSEARCH_EINVAL, "the index is not open");
    if (fs->flags & FSEARCH_OPEN_READONLY)
        return fs_error(fs, FSEARCH_EINVAL, "the index was opened read-only");

    fsearch_index_stats local;
    fsearch_index_stats *stats = stats_out ? stats_out : &local;
    memset(stats, 0, sizeof *stats);
    double t0 = now_seconds();

    indexer ix;
    memset(&ix, 0, sizeof ix);
    ix.fs = fs;
    ix.opts = opts;
    ix.stats = stats;
    ix.dry_run = (opts->flags & FSEARCH_INDEX_DRY_RUN) != 0;
    size_t nroot = strlen(root);
    while (nroot > 1 && root[nroot - 1] == '/')
        nroot--;
    char *root_copy = fs_strndup(root, nroot);
    ix.root = root_copy;
    ix.chunk = fs_malloc(READ_CHUNK);
    int lock_fd = -1;
    fs_walk *walk = NULL;
    change_list adds = { 0 }, changed = { 0 }, gone = { 0 };
    const char **reading = NULL;
    int rc = (root_copy && ix.chunk) ? FSEARCH_OK
                                     : fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    /* The walk first: its thread reads folders ahead while this one takes
    ** the lock and prepares. */
    if (rc == FSEARCH_OK) {
        ix.scan_start_ns = wall_ns();
        rc = open_walk(&ix, &walk);
    }
    if (rc == FSEARCH_OK && !ix.dry_run)
        rc = lock_index(fs, &lock_fd);
    if (rc == FSEARCH_OK)
        rc = prepare_reads(&ix);
    if (rc == FSEARCH_OK && (opts->flags & FSEARCH_INDEX_REBUILD)) {
        /* Clear and refill in ONE transaction, so searchers keep the old
        ** index until the new one is complete, and a killed rebuild
        ** leaves the old one intact. */
        if (ix.dry_run)
            rc = fs_error(fs, FSEARCH_EINVAL,
                          "--rebuild and --dry-run do not go together");
        else
            rc = rebuild_clear(&ix);
    }
    if (rc == FSEARCH_OK)
        rc = diff(&ix, walk, &adds, &changed, &gone);
    fs_walk_free(walk);
    walk = NULL;
    if (rc == FSEARCH_OK)
        rc = defer_hash_index(&ix, adds.n, adds.n + changed.n + gone.n);
    if (rc == FSEARCH_OK) {
        ix.files_total = adds.n + changed.n + gone.n;
        for (size_t i = 0; i < adds.n; i++)
            ix.bytes_total += adds.v[i].size;
        for (size_t i = 0; i < changed.n; i++)
            ix.bytes_total += changed.v[i].size;
        /* A large run writes its hashes into the big index directly:
        ** through the small one they would be written twice. */
        ix.recent_on = ix.hash_split && ix.bytes_total <= RECENT_MAX_BYTES;
    }
    int rebuilding = (opts->flags & FSEARCH_INDEX_REBUILD) != 0;
    /* First what needs no reading (touched files, renames), then the files
    ** to read, which a worker thread reads, splits and tokenizes ahead of
    ** this one writing them. */
    for (size_t i = 0; rc == FSEARCH_OK && i < changed.n; i++) {
        rc = do_changed(&ix, &changed.v[i]);
        if (changed.v[i].need_read)
            continue;
        ix.files_done++;
        ix.bytes_done += changed.v[i].size;
        if (rc == FSEARCH_OK && !rebuilding)
            rc = maybe_commit(&ix);
    }
    for (size_t i = 0; rc == FSEARCH_OK && i < adds.n; i++) {
        rc = do_added(&ix, &adds.v[i], &gone);
        if (adds.v[i].need_read)
            continue;
        ix.files_done++;
        ix.bytes_done += adds.v[i].size;
        if (rc == FSEARCH_OK && !rebuilding)
            rc = maybe_commit(&ix);
    }
    if (rc == FSEARCH_OK)
        rc = start_reading(&ix, &changed, &adds, &reading);
    for (size_t i = 0; rc == FSEARCH_OK && i < changed.n; i++) {
        if (!changed.v[i].need_read)
            continue;
        rc = read_changed(&ix, &changed.v[i]);
        ix.files_done++;
        ix.bytes_done += changed.v[i].size;
        if (rc == FSEARCH_OK && !rebuilding)
            rc = maybe_commit(&ix);
    }
    for (size_t i = 0; rc == FSEARCH_OK && i < adds.n; i++) {
        if (!adds.v[i].need_read)
            continue;
        rc = read_added(&ix, &adds.v[i]);
        ix.files_done++;
        ix.bytes_done += adds.v[i].size;
        if (rc == FSEARCH_OK && !rebuilding)
            rc = maybe_commit(&ix);
    }
    fs_prep_free(ix.prep);
    ix.prep = NULL;
    fs_free(reading);
    for (size_t i = 0; rc == FSEARCH_OK && i < gone.n; i++) {
        rc = do_gone(&ix, &gone.v[i]);
        ix.files_done++;
        if (rc == FSEARCH_OK && !rebuilding)
            rc = maybe_commit(&ix);
    }
    if (rc == FSEARCH_OK)
        rc = finish(&ix);
    if (rc == FSEARCH_EINTR && !rebuilding) {
        /* Keep the files already done: each one is whole. */
        int crc = make_hash_index(&ix);
        if (crc == FSEARCH_OK)
            crc = commit(&ix);
        if (crc != FSEARCH_OK)
            rc = crc;
    }
    rollback(&ix);
    fs_ckpt_stop(ix.ckpt);
    if (ix.settings_on)
        writer_settings(&ix, 0);
    fs_walk_free(walk);
    finalize_all(&ix);
    fs_termcount_free(ix.tc);
    fs_passlen_free(ix.pl);
    list_free(&adds);
    list_free(&changed);
    list_free(&gone);
    fs_buf_free(&ix.full);
    fs_buf_free(&ix.title);
    fs_free(ix.chunk);
    fs_free(root_copy);
    if (lock_fd >= 0)
        close(lock_fd);
    stats->seconds = now_seconds() - t0;
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Staleness                                                               */

#define STALE_MAX_DIRS 2000     /* subfolders of the root looked at, at most */
#define STALE_MAX_FILES 500     /* files directly in the root looked at */
#define STALE_MAX_READ 5000     /* entries of the root read, at most */

/* Read meta(key) as an integer; *out 0 when absent. */
static int meta_int(fsearch *fs, const char *key, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int rc = sqlite3_prepare_v2(fs->db,
                                "SELECT CAST(value AS INTEGER) FROM meta "
                                "WHERE key = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *out = sqlite3_column_int64(st, 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? FSEARCH_OK
                           : fs_error_sqlite(fs, rc, "cannot read the index");
}

static int64_t mtime_ns_of(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

int fsearch_index_stale(fsearch *fs, const char *root, uint64_t *nchanged_out)
{
    if (!fs || !nchanged_out)
        return FSEARCH_EINVAL;
    *nchanged_out = 0;
    fs_error_clear(fs);
    if (!root || !*root)
        return fs_error(fs, FSEARCH_EINVAL, "no folder given");
    if (!fs->db)
        return fs_error(fs, FSEARCH_EINVAL, "the index is not open");
    int64_t since = 0;
    int rc = meta_int(fs, "scan_start_ns", &since);
    if (rc == FSEARCH_OK && since == 0) {
        /* An index from before scan_start_ns was recorded: trust only the
        ** whole seconds after its last update. */
        rc = meta_int(fs, "last_update", &since);
        if (since > 0)
            since = (since + 1) * 1000000000LL - 1;
    }
    if (rc != FSEARCH_OK)
        return rc;

    /* One stat of the root and one per entry directly in it: changes
    ** below a subfolder's top level are not seen, by design, to stay
    ** within a few milliseconds. */
    DIR *d = opendir(root);
    struct stat st;
    if (!d || fstat(dirfd(d), &st) != 0) {
        int e = errno;
        if (d)
            closedir(d);
        return fs_error(fs, FSEARCH_ENOTFOUND,
                        "cannot read the folder '%s': %s", root, strerror(e));
    }
    uint64_t n = 0;
    int root_newer = since == 0 || mtime_ns_of(&st) > since;
    struct dirent *e;
    unsigned ndirs = 0, nfiles = 0, nread = 0;
    while ((e = readdir(d)) != NULL && ++nread <= STALE_MAX_READ) {
        if (e->d_name[0] == '.')
            continue;
        /* A stat costs a microsecond or two: folders matter most (their
        ** time shows files added or removed in them); files directly in
        ** the root only show edits in place, so fewer are looked at. */
        if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
            if (++ndirs > STALE_MAX_DIRS)
                continue;
        } else if (++nfiles > STALE_MAX_FILES) {
            continue;
        }
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* vanished meanwhile: the root's time shows it */
        if (since == 0 || mtime_ns_of(&st) > since)
            n++;
    }
    closedir(d);
    /* A removal or rename directly in the root shows only in its time. */
    if (n == 0 && root_newer)
        n = 1;
    *nchanged_out = n;
    return FSEARCH_OK;
}
