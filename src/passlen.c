/*
** passlen.c - the packed passage lengths (passlen.h): written by the
** indexer from fts_docsize, group by group, in the transaction that changed
** them; read by rank.c instead of one fts_docsize b-tree row per passage.
*/
#include "passlen.h"
#include "internal.h"
#include "alloc.h"
#include "impact.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

static int table_there(sqlite3 *db)
{
    return sqlite3_table_column_metadata(db, "main", "passage_len", "lens",
                                         NULL, NULL, NULL, NULL, NULL) ==
           SQLITE_OK;
}

/* Load group grp into r->lens; a missing row reads as all sentinels. */
static int load_group(sqlite3 *db, fs_passlen_rd *r, sqlite3_int64 grp)
{
    int rc;
    if (!r->blob)
        rc = sqlite3_blob_open(db, "main", "passage_len", "lens", grp, 0,
                               &r->blob);
    else
        rc = sqlite3_blob_reopen(r->blob, grp);
    r->grp = grp;
    r->have = 1;
    if (rc != SQLITE_OK) {
        /* No such row (a group with no passage left), or the handle could
        ** not be made: the group is asked of fts_docsize. A failed
        ** reopen leaves the handle unusable: a new one next time. */
        sqlite3_blob_close(r->blob);
        r->blob = NULL;
        memset(r->lens, 0xff, sizeof r->lens);
        r->have = rc != SQLITE_NOMEM;    /* out of memory: try again */
        return SQLITE_OK;
    }
    if (sqlite3_blob_bytes(r->blob) != FS_PASSLEN_BYTES) {
        r->have = 0;
        return SQLITE_CORRUPT;
    }
    rc = sqlite3_blob_read(r->blob, r->lens, FS_PASSLEN_BYTES, 0);
    if (rc != SQLITE_OK)
        r->have = 0;
    return rc;
}

int fs_passlen_get(sqlite3 *db, fs_passlen_rd *r, sqlite3_int64 id,
                   int *len)
{
    if (r->state == 0)
        r->state = table_there(db) ? 1 : -1;
    if (r->state < 0 || id < 0)
        return SQLITE_NOTFOUND;
    sqlite3_int64 grp = id >> FS_PASSLEN_SHIFT;
    if (!r->have || r->grp != grp) {
        int rc = load_group(db, r, grp);
        if (rc != SQLITE_OK)
            return rc;
    }
    const unsigned char *p = r->lens + 2 * (id & (FS_PASSLEN_GROUP - 1));
    unsigned v = (unsigned)p[0] | (unsigned)p[1] << 8;
    if ((v >> 11) > FS_PASSLEN_TITLE_MAX)
        return SQLITE_NOTFOUND;
    len[0] = (int)(v >> 11);
    len[1] = (int)(v & FS_PASSLEN_BODY_MAX);
    return SQLITE_OK;
}

void fs_passlen_rd_close(fs_passlen_rd *r)
{
    sqlite3_blob_close(r->blob);
    r->blob = NULL;
    r->have = 0;
    r->state = 0;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

struct fs_passlen {
    fsearch *fs;
    int64_t *grp;                /* touched groups, unsorted, may repeat */
    size_t n, cap;
    int fill;                    /* fill the table whole at the flush */
    sqlite3_stmt *st_read;       /* fts_docsize rows of an id range */
    sqlite3_stmt *st_put;
    sqlite3_stmt *st_del;
};

int fs_passlen_missing(fsearch *fs)
{
    return !table_there(fs->db);
}

int fs_passlen_open(fsearch *fs, fs_passlen **out)
{
    *out = NULL;
    fs_passlen *pl = fs_calloc(sizeof *pl);
    if (!pl)
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    pl->fs = fs;
    pl->fill = fs_passlen_missing(fs);
    *out = pl;
    return FSEARCH_OK;
}

void fs_passlen_free(fs_passlen *pl)
{
    if (!pl)
        return;
    sqlite3_finalize(pl->st_read);
    sqlite3_finalize(pl->st_put);
    sqlite3_finalize(pl->st_del);
    fs_free(pl->grp);
    fs_free(pl);
}

int fs_passlen_touch(fs_passlen *pl, int64_t first, int64_t last)
{
    if (!pl || pl->fill || last < first)
        return FSEARCH_OK;
    for (int64_t g = first >> FS_PASSLEN_SHIFT; g <= last >> FS_PASSLEN_SHIFT;
         g++) {
        if (pl->n > 0 && pl->grp[pl->n - 1] == g)
            continue;                    /* passages come in runs */
        if (fs_grow((void **)&pl->grp, &pl->cap, pl->n + 1,
                    sizeof *pl->grp) != SQLITE_OK)
            return fs_error(pl->fs, FSEARCH_ENOMEM, "out of memory");
        pl->grp[pl->n++] = g;
    }
    return FSEARCH_OK;
}

/* One fts_docsize record into its entry (the sentinel if it does not
** fit or is not the two varints expected). */
static unsigned entry(const unsigned char *p, int n)
{
    sqlite3_uint64 v[2];
    int off = 0;
    for (int c = 0; c < 2; c++) {
        int k = p ? fs_rank_varint(p + off, n - off, &v[c]) : 0;
        if (k == 0)
            return FS_PASSLEN_NONE;
        off += k;
    }
    if (off != n || v[0] > FS_PASSLEN_TITLE_MAX || v[1] > FS_PASSLEN_BODY_MAX)
        return FS_PASSLEN_NONE;
    return (unsigned)(v[0] << 11 | v[1]);
}

/* Write group g from lens, or delete its row if it lists no passage. */
static int put_group(fs_passlen *pl, int64_t g, const unsigned char *lens,
                     int any)
{
    sqlite3_stmt *st = any ? pl->st_put : pl->st_del;
    sqlite3_bind_int64(st, 1, g);
    if (any)
        sqlite3_bind_blob(st, 2, lens, FS_PASSLEN_BYTES, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Rewrite every group of ids lo..hi (whole groups) from fts_docsize. */
static int rewrite(fs_passlen *pl, int64_t lo, int64_t hi)
{
    unsigned char lens[FS_PASSLEN_BYTES];
    int64_t g = -1;
    int any = 0, rc;
    sqlite3_stmt *st = pl->st_read;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const unsigned char *p = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        if ((id >> FS_PASSLEN_SHIFT) != g) {
            if (g >= 0 && (rc = put_group(pl, g, lens, any)) != SQLITE_OK)
                break;
            g = id >> FS_PASSLEN_SHIFT;
            memset(lens, 0xff, sizeof lens);
            any = 0;
        }
        unsigned v = entry(p, n);
        size_t i = 2 * (size_t)(id & (FS_PASSLEN_GROUP - 1));
        lens[i] = (unsigned char)(v & 0xff);
        lens[i + 1] = (unsigned char)(v >> 8);
        any = 1;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE && g >= 0)
        rc = put_group(pl, g, lens, any);
    else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    /* A touched group with no passage left has no row read above. */
    if (rc == SQLITE_OK && lo >> FS_PASSLEN_SHIFT == hi >> FS_PASSLEN_SHIFT &&
        g < 0)
        rc = put_group(pl, lo >> FS_PASSLEN_SHIFT, NULL, 0);
    return rc;
}

static int prepare(fs_passlen *pl)
{
    sqlite3 *db = pl->fs->db;
    int rc = SQLITE_OK;
    if (!pl->st_read)
        rc = sqlite3_prepare_v2(db, "SELECT id, sz FROM fts_docsize "
                                "WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
                                -1, &pl->st_read, NULL);
    if (rc == SQLITE_OK && !pl->st_put)
        rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO "
                                "passage_len(grp, lens) VALUES(?1, ?2)",
                                -1, &pl->st_put, NULL);
    if (rc == SQLITE_OK && !pl->st_del)
        rc = sqlite3_prepare_v2(db, "DELETE FROM passage_len WHERE grp = ?1",
                                -1, &pl->st_del, NULL);
    return rc;
}

static int cmp_grp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int fs_passlen_flush(fs_passlen *pl)
{
    if (!pl || (!pl->fill && pl->n == 0))
        return FSEARCH_OK;
    int rc = SQLITE_OK;
    if (pl->fill) {
        char *err = NULL;
        rc = sqlite3_exec(pl->fs->db,
                          "CREATE TABLE IF NOT EXISTS passage_len("
                          "grp INTEGER PRIMARY KEY, lens BLOB NOT NULL);"
                          "DELETE FROM passage_len;", NULL, NULL, &err);
        sqlite3_free(err);
        if (rc == SQLITE_OK)
            rc = prepare(pl);
        if (rc == SQLITE_OK)
            rc = rewrite(pl, 0, INT64_MAX);
    } else {
        rc = prepare(pl);
        qsort(pl->grp, pl->n, sizeof *pl->grp, cmp_grp);
        for (size_t i = 0; rc == SQLITE_OK && i < pl->n; i++)
            if (i == 0 || pl->grp[i] != pl->grp[i - 1])
                rc = rewrite(pl, pl->grp[i] << FS_PASSLEN_SHIFT,
                             (pl->grp[i] << FS_PASSLEN_SHIFT) +
                                 FS_PASSLEN_GROUP - 1);
    }
    if (rc != SQLITE_OK)
        return fs_error_sqlite(pl->fs, rc, "cannot write the passage lengths");
    pl->fill = 0;
    pl->n = 0;
    return FSEARCH_OK;
}

void fs_passlen_discard(fs_passlen *pl)
{
    if (!pl)
        return;
    pl->n = 0;
    /* A fill rolled back with its transaction is due again. */
    if (!pl->fill)
        pl->fill = fs_passlen_missing(pl->fs);
}

void fs_passlen_reset(fs_passlen *pl)
{
    if (!pl)
        return;
    pl->fill = 1;
    pl->n = 0;
}
