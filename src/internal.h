/*
** internal.h - the fsearch handle and what the library's modules share.
**
** Only library files include this; the CLI and embedders see the opaque
** handle declared in include/fsearch.h.
*/
#ifndef FS_INTERNAL_H
#define FS_INTERNAL_H

#include <sqlite3.h>

#include "fsearch.h"
#include "passlen.h"
#include "query.h"
#include "tokenizer_fts5.h"

/* The index format this build reads and writes (PRAGMA user_version). */
#define FS_FORMAT_VERSION 2
/* PRAGMA application_id of an fsearch index: "fsea". */
#define FS_APPLICATION_ID 0x66736561

#define FS_ERRMSG_MAX 512

#define FS_STMT_CACHE 16          /* statements kept per handle */

struct fsearch {
    sqlite3 *db;                 /* the open index */
    char *path;                  /* index file path as given */
    char *language;              /* stemmer recorded in the index */
    char *root;                  /* corpus folder of the last run, or NULL */
    unsigned int flags;          /* FSEARCH_OPEN_* */
    int errcode;                 /* code of the last failure */
    char errmsg[FS_ERRMSG_MAX];  /* its message, "" if none */
    fs_synonyms *synonyms;       /* synonym groups, or NULL */
    fs_replay replay;            /* tokens the indexer hands to FTS5 */
    struct fs_tokenizer *tk;     /* made on first use: highlights, "did you
                                 ** mean" (search.c); freed on close */
    struct fs_rank_cache *rank_cache; /* rank.c: statistics kept between
                                 ** searches; freed on close */
    sqlite3_stmt *stmts[FS_STMT_CACHE]; /* stmtcache.c: prepared statements
                                 ** not lent out; finalized on close */
};

/*
** Statements kept on the handle (stmtcache.c). fs_stmt_take lends one of
** exactly this SQL, prepared if none is kept (SQLite rc); fs_stmt_give
** takes it back (NULL is fine), reset with its bindings cleared.
** fs_stmt_cache_free finalizes what is kept, before the handle closes.
*/
int fs_stmt_take(fsearch *fs, const char *sql, sqlite3_stmt **out);
void fs_stmt_give(fsearch *fs, sqlite3_stmt *st);
void fs_stmt_cache_free(fsearch *fs);

/* The handle's own tokenizer (its index's language), made on first use and
** borrowed until fsearch_close(). FSEARCH_OK or an error recorded on fs. */
int fs_handle_tokenizer(fsearch *fs, struct fs_tokenizer **out);

/*
** Record a failure on the handle and return `code`, so callers can write
** `return fs_error(fs, FSEARCH_EIO, "cannot read '%s'", path);`.
*/
int fs_error(fsearch *fs, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
** Turn an SQLite result code into an fsearch one, recording sqlite3_errmsg()
** prefixed by `what` ("cannot write the index"). Returns FSEARCH_OK for
** SQLITE_OK/ROW/DONE.
*/
int fs_error_sqlite(fsearch *fs, int sqlite_rc, const char *what);

/* Clear the last error. */
void fs_error_clear(fsearch *fs);

/* Register the tokenizer and the auxiliary functions on a connection. */
int fs_register_all(sqlite3 *db);

/*
** What the search cursor's own top-k scan (topk.c) passes to fsearch_rank()
** as its third argument, bound with sqlite3_bind_pointer() under the type
** FS_RANK_CTL_TYPE. With has_floor set, a row whose score cannot exceed
** `floor` gives NULL and costs no column-size lookup. Each row sets
** `coverage` (the score a passage gains per query group it holds; 0 when
** the query is long and coverage does not count) and `gap` (a bound of the
** rest of any score: BM25F and the proximity bonus), and with `marks` the
** matched body tokens, as fsearch_matches() would find them, so that the
** cursor can highlight a hit without running its query again.
*/
#define FS_RANK_CTL_TYPE "fsearch_rank_ctl"
typedef struct fs_rank_ctl {
    double floor;                /* in: with has_floor */
    int has_floor;               /* in */
    double coverage;             /* out: score per group held */
    double gap;                  /* out: score less coverage is below this */
    sqlite3_int64 rows;          /* out: passages in the index */
    int *marks;                  /* in: room for the row's body matches, or
                                 ** NULL; out: (token, phrase size) pairs */
    int capmarks;                /* in: ints of room */
    int nmarks;                  /* out: ints written, -1 if they overflowed */
    fsearch *fs;                 /* in: keep statistics on this handle (its
                                 ** rank_cache), or NULL */
    char **keys;                 /* in: [nkeys] each phrase's cache key, NULL
                                 ** for one not to cache */
    int nkeys;                   /* in: must equal the phrase count */
    /* in: when set, a query of one phrase is walked whole on its first
    ** row: each row goes to row(row_arg, rowid, -score, pruned) (nonzero
    ** return: an SQLite error that stops it), `walked` is set, and the
    ** statement's rows are not to be read further. */
    int (*row)(void *row_arg, sqlite3_int64 rowid, double rank, int pruned);
    void *row_arg;
    int walked;                  /* out: the walk was done */
    sqlite3_blob *docsize;       /* out: rank.c's reader of column sizes,
                                 ** opened on first use; the caller closes
                                 ** it (sqlite3_blob_close) after the scan,
                                 ** since it holds the read transaction */
    struct fs_impact_use *impact; /* in/out: with `row`, try the word's
                                 ** impact list first (impact.h) */
    fs_passlen_rd passlen;       /* out: rank.c's reader of passage_len;
                                 ** the caller closes it with docsize
                                 ** (fs_passlen_rd_close) */
} fs_rank_ctl;

/* Free a handle's rank statistics (rank.c); accepts NULL. */
struct fs_rank_cache;
void fs_rank_cache_free(struct fs_rank_cache *c);

/* Register fsearch_rank() and fsearch_matches() (rank.c); SQLite rc. */
int fs_rank_register(sqlite3 *db);

/* The FTS5 API of a connection; SQLite rc. */
int fs_fts5_api(sqlite3 *db, fts5_api **out);

/* Write meta(key) = value. */
int fs_meta_set(fsearch *fs, const char *key, const char *value);

/* Run a statement of no result; fs_error_sqlite() on failure. */
int fs_exec(fsearch *fs, const char *sql, const char *what);

/* 64-bit hash of bytes, for change detection and duplicate passages. The
** streaming form (init, update..., final) equals the one-shot form. */
#define FS_HASH_SEED 0x9e3779b97f4a7c15ULL
typedef struct fs_hasher {
    unsigned long long h;        /* state */
    unsigned long long total;    /* bytes seen */
    unsigned char tail[8];       /* bytes not yet folded in */
    unsigned int ntail;
} fs_hasher;
void fs_hash_init(fs_hasher *hs);
void fs_hash_update(fs_hasher *hs, const void *p, size_t n);
unsigned long long fs_hash_final(const fs_hasher *hs);
unsigned long long fs_hash_bytes(const void *p, size_t n);

/* Hash of a passage's text that ignores case, spacing and ASCII punctuation,
** so near-identical copies of a paragraph collide. */
unsigned long long fs_hash_passage(const char *text, size_t n);

#endif
