/*
** passlen.h - the passages' column lengths (title and body, in tokens),
** packed so that nearby passages share a page: BM25 reads one per
** candidate row, and FTS5's fts_docsize (one b-tree row per passage) was
** most of the pages a fresh search process faulted in.
**
** The table is `passage_len(grp INTEGER PRIMARY KEY, lens BLOB)`: row grp
** holds passages grp * 256 .. grp * 256 + 255 as FS_PASSLEN_GROUP native-
** independent little-endian uint16 entries, title << 11 | body. An entry
** whose title field is 31 (FS_PASSLEN_NONE and its kin) says "no such
** passage, or its lengths do not fit: ask fts_docsize". It is derived from
** fts_docsize in the same transaction as the change (the indexer rewrites
** the groups it touched; a run that finds the table missing fills it
** whole), so it always holds exactly FTS5's numbers. An index without the
** table is read through fts_docsize as before.
*/
#ifndef FS_PASSLEN_H
#define FS_PASSLEN_H

#include <sqlite3.h>
#include <stdint.h>

#define FS_PASSLEN_SHIFT 8
#define FS_PASSLEN_GROUP (1 << FS_PASSLEN_SHIFT)      /* passages a row */
#define FS_PASSLEN_BYTES (2 * FS_PASSLEN_GROUP)       /* a row's blob */
#define FS_PASSLEN_NONE 0xffff
#define FS_PASSLEN_TITLE_MAX 30                       /* 31: no entry */
#define FS_PASSLEN_BODY_MAX 2047

/* ---- the reader, kept in fs_rank_ctl for one scan ---- */

typedef struct fs_passlen_rd {
    sqlite3_blob *blob;          /* on passage_len, or NULL */
    sqlite3_int64 grp;           /* the group in lens, when have */
    int state;                   /* 0 not looked, 1 table there, -1 not */
    int have;                    /* lens holds group grp */
    unsigned char lens[FS_PASSLEN_BYTES];
} fs_passlen_rd;

/* Passage id's title and body lengths into len[2]: SQLITE_OK; or
** SQLITE_NOTFOUND when the table has no entry for it (missing table or
** group, the sentinel): the caller reads fts_docsize; or SQLITE_CORRUPT
** for a row of the wrong size, or another error. */
int fs_passlen_get(sqlite3 *db, fs_passlen_rd *r, sqlite3_int64 id,
                   int *len);

/* After a scan: close the blob handle (it holds the read transaction) and
** forget what was read. */
void fs_passlen_rd_close(fs_passlen_rd *r);

/* ---- the indexer ---- */

struct fsearch;
typedef struct fs_passlen fs_passlen;

/* Set up for a run; the table is to be filled whole at the next flush if
** it is missing. *out is NULL on error. */
int fs_passlen_open(struct fsearch *fs, fs_passlen **out);
void fs_passlen_free(fs_passlen *pl);

/* 1 if the index has no passage_len table (a run should make it). */
int fs_passlen_missing(struct fsearch *fs);

/* Passages first..last were written to or deleted from FTS5. */
int fs_passlen_touch(fs_passlen *pl, int64_t first, int64_t last);

/* Inside the transaction about to commit: rewrite the touched groups from
** fts_docsize (or fill the table whole if due). */
int fs_passlen_flush(fs_passlen *pl);

/* The transaction was rolled back: forget the touched groups. */
void fs_passlen_discard(fs_passlen *pl);

/* The index was emptied (a rebuild): fill the table whole at the flush. */
void fs_passlen_reset(fs_passlen *pl);

#endif
