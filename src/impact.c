/*
** impact.c - builds and reads the `impact` table (impact.h): each common
** word's best passages by BM25F frequency, so that a query of that word
** scores a few hundred listed passages instead of its whole posting list.
**
** The build walks each common term's posting list once (through FTS5, in
** one xQueryPhrase call per term), takes the column lengths from an array
** read once from fts_docsize, and keeps the FS_IMPACT_LIST (or _SHORT)
** passages of highest f in a heap; the highest f left out is the term's
** `rest`. The query side (rank.c) turns `rest` into a bound on every
** unlisted score.
*/
#include "impact.h"
#include "alloc.h"
#include "buf.h"
#include "tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BUILD_PTR "fs_impact_build"

/* ---------------------------------------------------------------------- */
/* The list's encoding: per entry, varints id, tf title, tf body, length   */
/* title, length body, npos + 1 (0: more than kept), then the positions    */
/* as gaps.                                                                */

static void put_varint(int *rc, fs_buf *b, sqlite3_uint64 v)
{
    unsigned char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    fs_buf_append(rc, b, (const char *)tmp, (size_t)n);
}

static int get_varint(fs_impact_list *l, sqlite3_uint64 *v)
{
    sqlite3_uint64 x = 0;
    for (int shift = 0; shift < 64 && l->off < l->nblob; shift += 7) {
        unsigned char c = l->blob[l->off++];
        x |= (sqlite3_uint64)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

static int get_int(fs_impact_list *l, int *out)
{
    sqlite3_uint64 v;
    if (!get_varint(l, &v) || v > 0x7fffffff)
        return 0;
    *out = (int)v;
    return 1;
}

int fs_impact_next(fs_impact_list *l, fs_impact_ent *e)
{
    if (l->off >= l->nblob)
        return 0;
    sqlite3_uint64 id;
    int npos1;
    if (!get_varint(l, &id) || id > (sqlite3_uint64)INT64_MAX ||
        !get_int(l, &e->tf[0]) || !get_int(l, &e->tf[1]) ||
        !get_int(l, &e->len[0]) || !get_int(l, &e->len[1]) ||
        !get_int(l, &npos1) || npos1 > FS_IMPACT_POS + 1)
        return -1;
    e->id = (sqlite3_int64)id;
    e->npos = npos1 - 1;
    int at = 0;
    for (int i = 0; i < e->npos; i++) {
        int gap;
        if (!get_int(l, &gap) || gap > 0x7fffffff - at)
            return -1;
        at += gap;
        e->pos[i] = at;
    }
    return 1;
}

int fs_impact_load(fsearch *fs, const char *term, int nterm,
                   fs_impact_list *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = NULL;
    /* Kept on the handle: every query of a common word reads it. */
    int rc = fs_stmt_take(fs, "SELECT hwm, avg_title, avg_body, rest, list "
                          "FROM impact WHERE term = ?1", &st);
    if (rc != SQLITE_OK) {
        /* No table: an index built before it, or by a reader's snapshot
        ** taken before it was made. */
        sqlite3_finalize(st);
        return rc == SQLITE_ERROR ? 0 : -rc;
    }
    int found = 0;
    rc = sqlite3_bind_text(st, 1, term, nterm, SQLITE_STATIC);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        out->hwm = sqlite3_column_int64(st, 0);
        out->avg[0] = sqlite3_column_double(st, 1);
        out->avg[1] = sqlite3_column_double(st, 2);
        out->rest = sqlite3_column_double(st, 3);
        const void *p = sqlite3_column_blob(st, 4);
        int n = sqlite3_column_bytes(st, 4);
        if (n > 0 && p && (out->blob = fs_malloc((size_t)n))) {
            memcpy(out->blob, p, (size_t)n);
            out->nblob = (size_t)n;
            found = out->avg[0] > 0 && out->avg[1] > 0 && out->rest >= 0;
            rc = SQLITE_DONE;
        } else {
            rc = n > 0 ? SQLITE_NOMEM : SQLITE_DONE;
        }
    }
    fs_stmt_give(fs, st);
    if (rc != SQLITE_DONE) {
        fs_impact_list_free(out);
        return -rc;
    }
    if (!found)
        fs_impact_list_free(out);
    return found;
}

void fs_impact_list_free(fs_impact_list *l)
{
    fs_free(l->blob);
    memset(l, 0, sizeof *l);
}

/* ---------------------------------------------------------------------- */
/* The build                                                               */

typedef struct slot {
    double f;
    sqlite3_int64 id;
    int tf[2];
    int len[2];
    int npos;                    /* -1: more than FS_IMPACT_POS */
    int *pos;                    /* [FS_IMPACT_POS], its own room */
} slot;

typedef struct build {
    int32_t *len;                /* [2 * (hwm + 1)]: column lengths */
    sqlite3_int64 hwm;
    double avg[2];               /* 0 until the first term */
    slot *heap;                  /* [cap], worst f at [0] */
    int *room;                   /* [cap * FS_IMPACT_POS] */
    size_t n, cap;               /* cap: this term's list length */
    size_t cap_full, cap_short;  /* list lengths by the term's count */
    sqlite3_int64 full_df;       /* terms this common: cap_full */
    double rest;
    double unit[2];              /* f of one match in a column of length 1:
                                 ** the most one match adds, no division */
} build;

static void heap_down(slot *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, w = i;
        if (l < n && h[l].f < h[w].f)
            w = l;
        if (l + 1 < n && h[l + 1].f < h[w].f)
            w = l + 1;
        if (w == i)
            return;
        slot x = h[i];
        h[i] = h[w];
        h[w] = x;
        i = w;
    }
}

static void heap_up(slot *h, size_t i)
{
    while (i > 0 && h[(i - 1) / 2].f > h[i].f) {
        slot x = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = x;
        i = (i - 1) / 2;
    }
}

/* One passage of the term being built. */
static int build_row(const Fts5ExtensionApi *api, Fts5Context *ctx,
                     void *payload)
{
    build *b = payload;
    sqlite3_int64 id = api->xRowid(ctx);
    if (id < 0 || id > b->hwm)
        return SQLITE_CORRUPT;
    Fts5PhraseIter it;
    int ic = -1, io = 0, tf[2] = { 0, 0 }, minlen[2] = { 0, 0 };
    int rc = api->xPhraseFirst(ctx, 0, &it, &ic, &io);
    for (; rc == SQLITE_OK && ic >= 0; api->xPhraseNext(ctx, &it, &ic, &io))
        if (ic <= 1) {
            tf[ic]++;
            minlen[ic] = io + 1;
        }
    if (rc != SQLITE_OK)
        return rc;
    /* Most passages cannot enter a full list nor raise `rest`: known from
    ** their matches alone (a column is at least as long as its last match,
    ** and f falls with length), without the cache miss of their lengths.
    ** The margin covers rounding. */
    if (b->n == b->cap &&
        ((tf[0] * b->unit[0] + tf[1] * b->unit[1]) * (1.0 + 1e-12) <= b->rest ||
         fs_rank_freq(tf, minlen, b->avg) * (1.0 + 1e-12) <= b->rest))
        return SQLITE_OK;
    const int len[2] = { b->len[2 * id], b->len[2 * id + 1] };
    double f = fs_rank_freq(tf, len, b->avg);
    slot *s;
    if (b->n < b->cap) {
        s = &b->heap[b->n];
        s->pos = b->room + b->n * FS_IMPACT_POS;
        b->n++;
    } else if (f > b->heap[0].f) {
        if (b->heap[0].f > b->rest)
            b->rest = b->heap[0].f;
        s = &b->heap[0];
    } else {
        if (f > b->rest)
            b->rest = f;
        return SQLITE_OK;
    }
    s->f = f;
    s->id = id;
    memcpy(s->tf, tf, sizeof tf);
    memcpy(s->len, len, sizeof len);
    s->npos = tf[1] <= FS_IMPACT_POS ? 0 : -1;
    rc = api->xPhraseFirst(ctx, 0, &it, &ic, &io);
    for (; rc == SQLITE_OK && ic >= 0 && s->npos >= 0;
         api->xPhraseNext(ctx, &it, &ic, &io))
        if (ic == 1 && s->npos < FS_IMPACT_POS)
            s->pos[s->npos++] = io;
    if (s == &b->heap[0])
        heap_down(b->heap, b->n, 0);
    else
        heap_up(b->heap, b->n - 1);
    return rc;
}

/* fsearch_impact_build(fts, BUILD): walk the query's one phrase. */
static void build_func(const Fts5ExtensionApi *api, Fts5Context *ctx,
                       sqlite3_context *result, int nval, sqlite3_value **val)
{
    build *b = nval >= 1 ? sqlite3_value_pointer(val[0], BUILD_PTR) : NULL;
    if (!b || api->xPhraseCount(ctx) != 1 || api->xPhraseSize(ctx, 0) != 1) {
        sqlite3_result_int(result, 0);
        return;
    }
    int rc = SQLITE_OK;
    if (b->avg[0] <= 0) {
        /* As rank.c's load_totals reads them. */
        sqlite3_int64 nrow = 0;
        rc = api->xRowCount(ctx, &nrow);
        for (int c = 0; rc == SQLITE_OK && c < 2; c++) {
            sqlite3_int64 total = 0;
            rc = api->xColumnTotalSize(ctx, c, &total);
            b->avg[c] = nrow > 0 ? (double)total / (double)nrow : 1.0;
            if (b->avg[c] <= 0)
                b->avg[c] = 1.0;
        }
        static const int one[2][2] = { { 1, 0 }, { 0, 1 } }, len1[2] = { 1, 1 };
        for (int c = 0; c < 2; c++)
            b->unit[c] = fs_rank_freq(one[c], len1, b->avg);
    }
    if (rc == SQLITE_OK)
        rc = api->xQueryPhrase(ctx, 0, b, build_row);
    if (rc == SQLITE_OK)
        sqlite3_result_int(result, 1);
    else
        sqlite3_result_error_code(result, rc);
}

int fs_impact_register(fts5_api *api)
{
    return api->xCreateFunction(api, "fsearch_impact_build", NULL, build_func,
                                NULL);
}

static int cmp_best(const void *pa, const void *pb)
{
    const slot *a = pa, *b = pb;
    return a->f > b->f ? -1 : a->f < b->f ? 1 : a->id < b->id ? -1 : 1;
}

/* The heap as a list, best first. */
static void encode(int *rc, build *b, fs_buf *out)
{
    qsort(b->heap, b->n, sizeof *b->heap, cmp_best);
    fs_buf_clear(out);
    for (size_t i = 0; i < b->n; i++) {
        const slot *s = &b->heap[i];
        put_varint(rc, out, (sqlite3_uint64)s->id);
        put_varint(rc, out, (sqlite3_uint64)s->tf[0]);
        put_varint(rc, out, (sqlite3_uint64)s->tf[1]);
        put_varint(rc, out, (sqlite3_uint64)s->len[0]);
        put_varint(rc, out, (sqlite3_uint64)s->len[1]);
        put_varint(rc, out, (sqlite3_uint64)(s->npos + 1));
        int at = 0;
        for (int k = 0; k < s->npos; k++) {
            put_varint(rc, out, (sqlite3_uint64)(s->pos[k] - at));
            at = s->pos[k];
        }
    }
}

/* Every passage's column lengths, read once (the walk needs one per
** posting, and a b-tree lookup each would cost more than the walk). */
static int read_lengths(fsearch *fs, build *b)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(fs->db, "SELECT id, sz FROM fts_docsize",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        const unsigned char *p = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1), off = 0;
        if (id < 0 || id > b->hwm) {
            rc = SQLITE_CORRUPT;
            break;
        }
        for (int c = 0; c < 2; c++) {
            sqlite3_uint64 v = 0;
            int k = fs_rank_varint(p ? p + off : NULL, n - off, &v);
            if (k == 0 || v > 0x7fffffff) {
                rc = SQLITE_CORRUPT;
                break;
            }
            off += k;
            b->len[2 * id + c] = (int32_t)v;
        }
        if (rc != SQLITE_ROW)
            break;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The integer of a one-value query into *v (dflt if NULL or no row);
** SQLite rc. */
static int query_int(fsearch *fs, const char *sql, sqlite3_int64 dflt,
                     sqlite3_int64 *v)
{
    sqlite3_stmt *st = NULL;
    *v = dflt;
    int rc = sqlite3_prepare_v2(fs->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            *v = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Does `term` read back as itself, one token? Only then are the
** postings walked for it the ones a query of that word matches. */
typedef struct one_token {
    const char *term;
    int n;
    int same;
} one_token;

static int on_token(void *payload, const char *token, int ntoken, int start,
                    int end)
{
    (void)start;
    (void)end;
    one_token *o = payload;
    o->same = o->n++ == 0 && ntoken == (int)strlen(o->term) &&
              memcmp(token, o->term, (size_t)ntoken) == 0;
    return 0;
}

static int tokenizes_to(fsearch *fs, const char *term)
{
    struct fs_tokenizer *t = NULL;
    if (fs_handle_tokenizer(fs, &t) != FSEARCH_OK)
        return 0;
    one_token o = { term, 0, 0 };
    return fs_tokenizer_run(t, 0, term, (int)strlen(term), on_token, &o) ==
               FSEARCH_OK &&
           o.n == 1 && o.same;
}

/* Walk each term of >= min_df passages and write its row. */
static int build_terms(fsearch *fs, build *b, sqlite3_int64 min_df)
{
    sqlite3_stmt *terms = NULL, *walk = NULL, *ins = NULL;
    int rc = sqlite3_prepare_v2(fs->db,
                                "SELECT term, n FROM vocab WHERE n >= ?1",
                                -1, &terms, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(fs->db,
                                "SELECT fsearch_impact_build(fts, ?1) FROM fts "
                                "WHERE fts MATCH ?2 LIMIT 1", -1, &walk, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(fs->db,
                                "INSERT INTO impact(term, hwm, avg_title, "
                                "avg_body, rest, list) VALUES(?1, ?2, ?3, ?4, "
                                "?5, ?6)", -1, &ins, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(terms, 1, min_df);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_pointer(walk, 1, b, BUILD_PTR, NULL);
    fs_buf phrase = FS_BUF_INIT, list = FS_BUF_INIT;
    while (rc == SQLITE_OK && (rc = sqlite3_step(terms)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(terms, 0);
        rc = SQLITE_OK;
        if (!term || !*term)
            continue;
        /* The term as a phrase; the tokenizer must give it back as is
        ** (checked below: one token, and its rows carry the term). */
        int brc = FSEARCH_OK;
        fs_buf_clear(&phrase);
        fs_buf_putc(&brc, &phrase, '"');
        for (const char *s = term; *s; s++) {
            if (*s == '"')
                fs_buf_putc(&brc, &phrase, '"');
            fs_buf_putc(&brc, &phrase, *s);
        }
        fs_buf_puts(&brc, &phrase, "\"");
        fs_buf_putc(&brc, &phrase, '\0');
        if (brc != FSEARCH_OK) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!tokenizes_to(fs, term))
            continue;
        b->n = 0;
        b->rest = 0;
        b->cap = sqlite3_column_int64(terms, 1) >= b->full_df ? b->cap_full
                                                              : b->cap_short;
        rc = sqlite3_bind_text(walk, 2, phrase.p, -1, SQLITE_STATIC);
        int walked = 0;
        if (rc == SQLITE_OK && (rc = sqlite3_step(walk)) == SQLITE_ROW) {
            walked = sqlite3_column_int(walk, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
        sqlite3_reset(walk);
        if (rc != SQLITE_OK || !walked || b->n == 0)
            continue;
        encode(&brc, b, &list);
        if (brc != FSEARCH_OK) {
            rc = SQLITE_NOMEM;
            break;
        }
        sqlite3_bind_text(ins, 1, term, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, b->hwm);
        sqlite3_bind_double(ins, 3, b->avg[0]);
        sqlite3_bind_double(ins, 4, b->avg[1]);
        sqlite3_bind_double(ins, 5, b->rest);
        sqlite3_bind_blob(ins, 6, list.p, (int)list.n, SQLITE_STATIC);
        rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    fs_buf_free(&phrase);
    fs_buf_free(&list);
    sqlite3_finalize(terms);
    sqlite3_finalize(walk);
    sqlite3_finalize(ins);
    return rc;
}

int fs_impact_rebuild(fsearch *fs, sqlite3_int64 min_df)
{
    int rc = fs_exec(fs, "BEGIN IMMEDIATE", "cannot write the index");
    if (rc != FSEARCH_OK)
        return rc;
    build b;
    memset(&b, 0, sizeof b);
    sqlite3_int64 cap = FS_IMPACT_LIST;
    int src = SQLITE_OK;
    if (min_df <= 0)
        src = query_int(fs, "SELECT CAST(value AS INTEGER) FROM meta WHERE "
                        "key = 'impact_min_df'", FS_IMPACT_MIN_DF, &min_df);
    if (min_df < 1)
        min_df = 1;
    /* meta impact_list, impact_list_short, impact_full_df: other lengths,
    ** for tests of the bound. */
    sqlite3_int64 cap_short = FS_IMPACT_LIST_SHORT;
    b.full_df = FS_IMPACT_FULL_DF;
    if (src == SQLITE_OK)
        src = query_int(fs, "SELECT CAST(value AS INTEGER) FROM meta WHERE "
                        "key = 'impact_list'", FS_IMPACT_LIST, &cap);
    if (src == SQLITE_OK)
        src = query_int(fs, "SELECT CAST(value AS INTEGER) FROM meta WHERE "
                        "key = 'impact_list_short'", FS_IMPACT_LIST_SHORT,
                        &cap_short);
    if (src == SQLITE_OK)
        src = query_int(fs, "SELECT CAST(value AS INTEGER) FROM meta WHERE "
                        "key = 'impact_full_df'", FS_IMPACT_FULL_DF,
                        &b.full_df);
    b.cap_full = cap >= 1 && cap <= FS_IMPACT_LIST ? (size_t)cap
                                                   : FS_IMPACT_LIST;
    b.cap_short = cap_short >= 1 && (size_t)cap_short <= b.cap_full
                      ? (size_t)cap_short
                      : b.cap_full;
    b.cap = b.cap_full;                 /* the room; each term sets its own */
    if (src == SQLITE_OK)
        src = query_int(fs, "SELECT coalesce(max(id), 0) FROM passage", 0,
                        &b.hwm);
    if (src == SQLITE_OK &&
        (!(b.len = fs_calloc(2 * ((size_t)b.hwm + 1) * sizeof *b.len)) ||
         !(b.heap = fs_calloc(b.cap * sizeof *b.heap)) ||
         !(b.room = fs_calloc(b.cap * FS_IMPACT_POS * sizeof *b.room))))
        src = SQLITE_NOMEM;
    if (src == SQLITE_OK)
        src = sqlite3_exec(fs->db,
                           /* A rowid table, the terms in an index of
                           ** their own: in a WITHOUT ROWID table each key
                           ** compared on the way to a term is read whole,
                           ** its list and all (overflow pages). Made anew,
                           ** so an older index's table takes this form. */
                           "DROP TABLE IF EXISTS impact;"
                           "CREATE TABLE impact("
                           "term TEXT NOT NULL UNIQUE, hwm INTEGER NOT NULL, "
                           "avg_title REAL NOT NULL, avg_body REAL NOT NULL, "
                           "rest REAL NOT NULL, list BLOB NOT NULL);",
                           NULL, NULL, NULL);
    if (src == SQLITE_OK)
        src = read_lengths(fs, &b);
    if (src == SQLITE_OK)
        src = build_terms(fs, &b, min_df);
    fs_free(b.len);
    fs_free(b.heap);
    fs_free(b.room);
    if (src == SQLITE_OK)
        return fs_exec(fs, "COMMIT", "cannot write the index");
    sqlite3_exec(fs->db, "ROLLBACK", NULL, NULL, NULL);
    return fs_error_sqlite(fs, src, "cannot build the impact lists");
}

int fs_impact_due(fsearch *fs, int due, int *out)
{
    sqlite3_int64 exists = 0;
    *out = due;
    if (due)
        return FSEARCH_OK;
    int src = query_int(fs, "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE "
                        "type = 'table' AND name = 'impact')", 0, &exists);
    if (src != SQLITE_OK)
        return fs_error_sqlite(fs, src, "cannot read the index");
    *out = !exists;
    return FSEARCH_OK;
}
