/*
** termcount.c - the stored passage counts of common terms (termcount.h):
** filled from `vocab`, moved by the indexer passage by passage, read by
** rank.c instead of walking a common word's posting list.
**
** The indexer keeps the listed terms in an open-addressing table with a
** delta each. A passage's distinct listed terms are found by stamping each
** term with the passage's number, so that a word met twice, or in the title
** and the body, counts once, with no per-passage set to clear.
*/
#include "termcount.h"
#include "alloc.h"
#include "buf.h"
#include "tokenizer.h"

#include <stdio.h>
#include <string.h>

struct fs_termcount {
    fsearch *fs;
    char **term;                 /* [n] */
    int *len;                    /* [n] bytes of term[i] */
    int64_t *delta;              /* [n] passages added less removed */
    uint32_t *stamp;             /* [n] the passage that last counted it */
    size_t n;
    uint32_t *slot;              /* [cap] index + 1, 0 free */
    size_t cap;                  /* a power of two, >= 2n */
    uint32_t cur;                /* stamp of the passage at hand */
    int dirty;                   /* some delta is not 0 */
    sqlite3_stmt *st_content;    /* title and body of a passage range */
    sqlite3_stmt *st_body;       /* body only: their document has no row */
};

int fs_termcount_fill(fsearch *fs)
{
    char sql[640];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS term_count(term TEXT PRIMARY KEY, "
             "n INTEGER NOT NULL) WITHOUT ROWID;"
             "DELETE FROM term_count;"
             "INSERT INTO term_count(term, n) SELECT term, n FROM vocab "
             "WHERE n >= coalesce((SELECT CAST(value AS INTEGER) FROM meta "
             "WHERE key = 'term_count_min'), %d);", FS_TERMCOUNT_MIN);
    return fs_exec(fs, sql, "cannot write the term counts");
}

/* ---------------------------------------------------------------------- */
/* The indexer's table of listed terms                                    */

static long find(const fs_termcount *tc, const char *tok, int n)
{
    if (tc->n == 0)
        return -1;
    size_t mask = tc->cap - 1;
    size_t i = (size_t)fs_hash_bytes(tok, (size_t)n) & mask;
    for (; tc->slot[i]; i = (i + 1) & mask) {
        uint32_t k = tc->slot[i] - 1;
        if (tc->len[k] == n && memcmp(tc->term[k], tok, (size_t)n) == 0)
            return (long)k;
    }
    return -1;
}

static int load(fs_termcount *tc)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(tc->fs->db, "SELECT term FROM term_count",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return FSEARCH_OK;               /* no table: nothing listed */
    }
    size_t cap = 0;
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        int len = sqlite3_column_bytes(st, 0);
        if (!t)
            continue;
        if (tc->n == cap) {
            cap = cap ? 2 * cap : 256;
            char **nt = fs_realloc(tc->term, cap * sizeof *nt);
            if (nt)
                tc->term = nt;
            int *nl = fs_realloc(tc->len, cap * sizeof *nl);
            if (nl)
                tc->len = nl;
            if (!nt || !nl) {
                rc = SQLITE_NOMEM;
                break;
            }
        }
        if (!(tc->term[tc->n] = fs_strndup(t, (size_t)len))) {
            rc = SQLITE_NOMEM;
            break;
        }
        tc->len[tc->n++] = len;
    }
    int frc = sqlite3_finalize(st);
    if (rc == SQLITE_OK)
        rc = frc;
    if (rc != SQLITE_OK)
        return fs_error_sqlite(tc->fs, rc, "cannot read the term counts");
    if (tc->n == 0)
        return FSEARCH_OK;
    for (tc->cap = 64; tc->cap < 2 * tc->n; tc->cap *= 2)
        ;
    tc->slot = fs_calloc(tc->cap * sizeof *tc->slot);
    tc->delta = fs_calloc(tc->n * sizeof *tc->delta);
    tc->stamp = fs_calloc(tc->n * sizeof *tc->stamp);
    if (!tc->slot || !tc->delta || !tc->stamp)
        return fs_error(tc->fs, FSEARCH_ENOMEM, "out of memory");
    size_t mask = tc->cap - 1;
    for (size_t k = 0; k < tc->n; k++) {
        size_t i = (size_t)fs_hash_bytes(tc->term[k], (size_t)tc->len[k]) &
                   mask;
        while (tc->slot[i])
            i = (i + 1) & mask;
        tc->slot[i] = (uint32_t)k + 1;
    }
    return FSEARCH_OK;
}

static void unload(fs_termcount *tc)
{
    for (size_t k = 0; k < tc->n; k++)
        fs_free(tc->term[k]);
    fs_free(tc->term);
    fs_free(tc->len);
    fs_free(tc->delta);
    fs_free(tc->stamp);
    fs_free(tc->slot);
    tc->term = NULL;
    tc->len = NULL;
    tc->delta = NULL;
    tc->stamp = NULL;
    tc->slot = NULL;
    tc->n = tc->cap = 0;
    tc->dirty = 0;
}

int fs_termcount_open(fsearch *fs, fs_termcount **out)
{
    *out = NULL;
    fs_termcount *tc = fs_calloc(sizeof *tc);
    if (!tc)
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    tc->fs = fs;
    int rc = load(tc);
    if (rc != FSEARCH_OK) {
        fs_termcount_free(tc);
        return rc;
    }
    *out = tc;
    return FSEARCH_OK;
}

void fs_termcount_free(fs_termcount *tc)
{
    if (!tc)
        return;
    unload(tc);
    sqlite3_finalize(tc->st_content);
    sqlite3_finalize(tc->st_body);
    fs_free(tc);
}

/* A new passage: a stamp no term holds yet. */
static void next_passage(fs_termcount *tc)
{
    if (++tc->cur == 0) {
        memset(tc->stamp, 0, tc->n * sizeof *tc->stamp);
        tc->cur = 1;
    }
}

/* Count one token of the passage at hand by `sign`. */
static void count(fs_termcount *tc, const char *tok, int n, int sign)
{
    long k = find(tc, tok, n);
    if (k >= 0 && tc->stamp[k] != tc->cur) {
        tc->stamp[k] = tc->cur;
        tc->delta[k] += sign;
        tc->dirty = 1;
    }
}

/* Tokens in fs_replay_put's format (tokenizer_fts5.c): per token two
** native int32 offsets, a length byte, the bytes. */
static void count_replayed(fs_termcount *tc, const unsigned char *p,
                           size_t n)
{
    size_t i = 0;
    while (p && i + 9 <= n) {
        size_t len = p[i + 8];
        if (i + 9 + len > n)
            break;
        count(tc, (const char *)p + i + 9, (int)len, 1);
        i += 9 + len;
    }
}

void fs_termcount_added(fs_termcount *tc, const fs_replay *r)
{
    if (!tc || tc->n == 0)
        return;
    next_passage(tc);
    for (int s = 0; s < 2; s++)
        if (r->text[s])
            count_replayed(tc, r->toks[s], r->ntoks[s]);
}

static int count_removed(void *payload, const char *token, int ntoken,
                         int start, int end)
{
    (void)start;
    (void)end;
    count(payload, token, ntoken, -1);
    return 0;
}

int fs_termcount_removing(fs_termcount *tc, int64_t first, int64_t last,
                          const char *title, int ntitle)
{
    if (!tc || tc->n == 0 || last < first)
        return FSEARCH_OK;
    fs_tokenizer *tok = NULL;
    int rc = fs_handle_tokenizer(tc->fs, &tok);
    if (rc != FSEARCH_OK)
        return rc;
    /* What FTS5's 'delete' reads (indexer.c): the same text, so the
    ** same tokens. */
    sqlite3_stmt **stp = title ? &tc->st_body : &tc->st_content;
    int src = SQLITE_OK;
    if (!*stp)
        src = sqlite3_prepare_v2(
            tc->fs->db,
            title ? "SELECT NULL, body FROM passage_text "
                    "WHERE id BETWEEN ?1 AND ?2"
                  : "SELECT title, body FROM passage_content "
                    "WHERE id BETWEEN ?1 AND ?2",
            -1, stp, NULL);
    if (src != SQLITE_OK)
        return fs_error_sqlite(tc->fs, src, "cannot read the index");
    sqlite3_stmt *st = *stp;
    sqlite3_bind_int64(st, 1, first);
    sqlite3_bind_int64(st, 2, last);
    while (rc == FSEARCH_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        next_passage(tc);
        const char *t = title;
        int nt = ntitle;
        if (!t) {
            t = (const char *)sqlite3_column_text(st, 0);
            nt = sqlite3_column_bytes(st, 0);
        }
        const char *b = (const char *)sqlite3_column_text(st, 1);
        int nb = sqlite3_column_bytes(st, 1);
        if (t)
            rc = fs_tokenizer_run(tok, 0, t, nt, count_removed, tc);
        if (rc == FSEARCH_OK && b)
            rc = fs_tokenizer_run(tok, 0, b, nb, count_removed, tc);
    }
    sqlite3_reset(st);
    if (rc != FSEARCH_OK)
        return fs_error(tc->fs, rc, "out of memory");
    if (src != SQLITE_DONE)
        return fs_error_sqlite(tc->fs, src, "cannot read the index");
    return FSEARCH_OK;
}

int fs_termcount_flush(fs_termcount *tc)
{
    if (!tc || !tc->dirty)
        return FSEARCH_OK;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(tc->fs->db,
                                "UPDATE term_count SET n = n + ?2 "
                                "WHERE term = ?1", -1, &st, NULL);
    for (size_t k = 0; rc == SQLITE_OK && k < tc->n; k++) {
        if (tc->delta[k] == 0)
            continue;
        sqlite3_bind_text(st, 1, tc->term[k], tc->len[k], SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, tc->delta[k]);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? sqlite3_reset(st) : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return fs_error_sqlite(tc->fs, rc, "cannot write the term counts");
    fs_termcount_discard(tc);
    return FSEARCH_OK;
}

void fs_termcount_discard(fs_termcount *tc)
{
    if (!tc || !tc->dirty)
        return;
    memset(tc->delta, 0, tc->n * sizeof *tc->delta);
    tc->dirty = 0;
}

int fs_termcount_drop(fs_termcount *tc)
{
    if (tc)
        unload(tc);
    return tc ? fs_exec(tc->fs, "DROP TABLE IF EXISTS term_count",
                        "cannot clear the index")
              : FSEARCH_OK;
}

/* ---------------------------------------------------------------------- */
/* Readers                                                                 */

typedef struct one_tok {
    char tok[FS_TOKEN_MAX_BYTES + 1];
    int len, n;
} one_tok;

static int keep_one(void *payload, const char *token, int ntoken, int start,
                    int end)
{
    (void)start;
    (void)end;
    one_tok *o = payload;
    if (o->n++ == 0 && ntoken <= FS_TOKEN_MAX_BYTES) {
        memcpy(o->tok, token, (size_t)ntoken);
        o->len = ntoken;
    }
    return o->n > 1;                     /* a second token: not one word */
}

int fs_termcount_lookup(fsearch *fs, const char *key, sqlite3_int64 *n,
                        int *missing)
{
    size_t klen = key ? strlen(key) : 0;
    if (klen < 3 || key[0] != '"' || key[klen - 1] != '"')
        return 0;                        /* a prefix ("word" *) or unknown */
    int rc = FSEARCH_OK;
    fs_buf word = FS_BUF_INIT;
    for (size_t i = 1; i + 1 < klen; i++) {
        fs_buf_putc(&rc, &word, key[i]);
        if (key[i] == '"')
            i++;                         /* "" stands for " */
    }
    fs_tokenizer *tok = NULL;
    one_tok o;
    o.len = o.n = 0;
    if (rc == FSEARCH_OK)
        rc = fs_handle_tokenizer(fs, &tok);
    if (rc == FSEARCH_OK)
        rc = fs_tokenizer_run(tok, 0, word.p, (int)word.n, keep_one, &o);
    fs_buf_free(&word);
    if (rc != FSEARCH_OK || o.n != 1 || o.len == 0)
        return 0;
    sqlite3_stmt *st = NULL;
    if (fs_stmt_take(fs, "SELECT n FROM term_count WHERE term = ?1", &st) !=
        SQLITE_OK) {
        sqlite3_finalize(st);
        *missing = 1;
        return 0;
    }
    int found = 0;
    sqlite3_bind_text(st, 1, o.tok, o.len, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        found = 1;
    }
    fs_stmt_give(fs, st);
    return found;
}
