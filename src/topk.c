/*
** topk.c - the ranked passages of a query, best first, reading only as
** many as the cursor needs.
**
** FTS5's ORDER BY rank scores and sorts every matching passage; for a
** common word that is most of a search. Here an unsorted MATCH scan feeds
** a heap of the best `want` rows, and fsearch_rank() is told the heap's
** worst score, so that a row that cannot beat it is dropped before its
** column sizes are read. Should the cursor need more rows (copies folded
** away), the scan runs again with a larger heap and skips what it handed
** out: the order is total (score, then rowid), so each run's prefix is the
** same.
**
** A short free-word query ("page cache" is "page" OR "cache") ranks a
** passage holding every word above any that does not: each group held adds
** a coverage weight larger than the rest of a score can be (the gap, which
** fsearch_rank() reports). So the passages holding every word ("page" AND
** "cache", often far fewer) are ranked first, and handed out while they
** score above what any other passage could; after that the whole query is
** scanned, skipping the passages already handed out. The scores are the
** same in both scans (same phrases, same statistics), so the stream is
** exactly the one ORDER BY rank gives.
**
** A query of one common word first scores only the word's impact list
** (impact.h, scored in rank.c) and the passages added since it was built,
** and hands them out while they score above the bound rank.c gives for
** every other passage; after that, the same fallback to the whole scan.
*/
#include "topk.h"
#include "alloc.h"
#include "tokenizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TIER_GROUPS 3        /* coverage counts up to this many words */

/* Is a better than b: higher score, then lower rowid (FTS5 scans rowids
** upwards and its sorter keeps ties in scan order). */
static int better(const fs_topk_ent *a, const fs_topk_ent *b)
{
    return a->score > b->score || (a->score == b->score && a->id < b->id);
}

static int cmp_best_first(const void *pa, const void *pb)
{
    const fs_topk_ent *a = pa, *b = pb;
    return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* The heap keeps its worst entry at [0]. */
static void sift_down(fs_topk_ent *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, w = i;
        if (l < n && better(&h[w], &h[l]))
            w = l;
        if (l + 1 < n && better(&h[w], &h[l + 1]))
            w = l + 1;
        if (w == i)
            return;
        fs_topk_ent x = h[i];
        h[i] = h[w];
        h[w] = x;
        i = w;
    }
}

static void sift_up(fs_topk_ent *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(&h[p], &h[i]))
            return;
        fs_topk_ent x = h[i];
        h[i] = h[p];
        h[p] = x;
        i = p;
    }
}

/* Offer a row, with its matches in t->rowmarks, to the heap. FSEARCH_OK
** or FSEARCH_ENOMEM. */
static int offer(fs_topk *t, fs_topk_ent *e)
{
    if (t->want && t->n == t->want) {
        t->complete = 0;
        if (!better(e, &t->heap[0]))
            return FSEARCH_OK;
        e->slot = t->heap[0].slot;      /* the evicted row's room */
        t->heap[0] = *e;
        sift_down(t->heap, t->n, 0);
    } else {
        if (t->n == t->cap) {
            size_t ncap = t->cap ? t->cap * 2 : 64;
            if (t->want && ncap > t->want)
                ncap = t->want;
            fs_topk_ent *h = fs_realloc(t->heap, ncap * sizeof *h);
            if (!h)
                return FSEARCH_ENOMEM;
            t->heap = h;
            if (t->ctl.marks) {
                int *m = fs_realloc(t->slab,
                                    ncap * FS_TOPK_MARKS * sizeof *m);
                if (!m)
                    return FSEARCH_ENOMEM;
                t->slab = m;
            }
            t->cap = ncap;
        }
        e->slot = t->n;
        t->heap[t->n] = *e;
        sift_up(t->heap, t->n++);
    }
    if (e->nmarks > 0)
        memcpy(t->slab + e->slot * FS_TOPK_MARKS, t->rowmarks,
               (size_t)e->nmarks * sizeof *t->rowmarks);
    if (t->want && t->n == t->want) {
        t->ctl.floor = t->heap[0].score;
        t->ctl.has_floor = 1;
    }
    return FSEARCH_OK;
}

const int *fs_topk_marks(const fs_topk *t, const fs_topk_ent *e)
{
    return e->nmarks > 0 ? t->slab + e->slot * FS_TOPK_MARKS : NULL;
}

/* ====================================================================== */
/* Path filters                                                            */

void fs_path_filter_sql(int *rc, fs_buf *sql, const fs_query *q)
{
    if (q->npaths == 0)
        return;
    fs_buf_puts(rc, sql, " AND (");
    for (int i = 0; i < q->npaths; i++)
        fs_buf_printf(rc, sql, "%sd.path GLOB ?%d", i ? " OR " : "", 4 + i);
    fs_buf_puts(rc, sql, ")");
}

/* A glob without wildcards matches anywhere in the path. */
int fs_path_filter_bind(sqlite3_stmt *st, const fs_query *q, fs_buf *tmp)
{
    int rc = FSEARCH_OK;
    for (int i = 0; i < q->npaths && rc == FSEARCH_OK; i++) {
        const char *g = q->paths[i];
        fs_buf_clear(tmp);
        if (!strpbrk(g, "*?[")) {
            fs_buf_putc(&rc, tmp, '*');
            fs_buf_puts(&rc, tmp, g);
            fs_buf_putc(&rc, tmp, '*');
        } else {
            fs_buf_puts(&rc, tmp, g);
        }
        /* A bind that runs out of memory leaves NULL, which would match
        ** nothing without a word: it must fail the search. */
        if (rc == FSEARCH_OK &&
            sqlite3_bind_text(st, 4 + i, tmp->p, (int)tmp->n,
                              SQLITE_TRANSIENT) != SQLITE_OK)
            rc = FSEARCH_ENOMEM;
    }
    return rc;
}

/* ====================================================================== */
/* The tier: every word required                                           */

/*
** For a match expression that is a plain list of words, each its own
** group ("a" OR "b" * OR "c"), the same list joined by AND; NULL for any
** other shape. The phrases keep their order, so their numbers, and the
** groups argument, stay valid.
*/
static int make_tier(const fs_query *q, char **out)
{
    *out = NULL;
    if (q->ngroups < 2 || q->ngroups > MAX_TIER_GROUPS ||
        q->nphrases != q->ngroups)
        return FSEARCH_OK;
    for (int i = 0; i < q->nphrases; i++)
        if (q->phrase_group[i] != i)
            return FSEARCH_OK;
    const char *s = q->match;
    int rc = FSEARCH_OK, nphrase = 0;
    fs_buf b = FS_BUF_INIT;
    for (;;) {
        if (*s != '"')
            goto other;
        const char *start = s++;
        while (*s && !(s[0] == '"' && s[1] != '"'))
            s += s[0] == '"' ? 2 : 1;
        if (*s != '"')
            goto other;
        s++;
        if (strncmp(s, " *", 2) == 0)
            s += 2;
        fs_buf_append(&rc, &b, start, (size_t)(s - start));
        nphrase++;
        if (*s == '\0')
            break;
        if (strncmp(s, " OR ", 4) != 0)
            goto other;
        s += 4;
        fs_buf_puts(&rc, &b, " AND ");
    }
    if (nphrase != q->nphrases)
        goto other;
    *out = fs_buf_take(&rc, &b);
    fs_buf_free(&b);
    return *out ? FSEARCH_OK : FSEARCH_ENOMEM;
other:
    fs_buf_free(&b);
    return rc;
}

/* ====================================================================== */
/* Cache keys of the phrases                                               */

/*
** Each phrase of q's expression as written ("word", or "word" * for a
** prefix), the key under which rank.c keeps its passage count on the
** handle. Only for expressions of bare phrases joined by AND, OR, NOT and
** parentheses: a column filter or NEAR changes what a phrase counts, so
** any other shape gets no keys (*out NULL) and is counted every time.
*/
static int make_keys(const fs_query *q, char ***out)
{
    *out = NULL;
    if (q->nphrases <= 0)
        return FSEARCH_OK;
    char **keys = fs_calloc((size_t)q->nphrases * sizeof *keys);
    if (!keys)
        return FSEARCH_ENOMEM;
    int n = 0, rc = FSEARCH_OK;
    const char *s = q->match;
    while (*s && rc == FSEARCH_OK) {
        if (*s == '"') {
            const char *start = s++;
            while (*s && !(s[0] == '"' && s[1] != '"'))
                s += s[0] == '"' ? 2 : 1;
            if (*s != '"' || n == q->nphrases)
                break;
            s++;
            if (strncmp(s, " *", 2) == 0)
                s += 2;
            if (!(keys[n++] = fs_strndup(start, (size_t)(s - start))))
                rc = FSEARCH_ENOMEM;
        } else if (*s == ' ' || *s == '(' || *s == ')' ||
                   strncmp(s, "AND ", 4) == 0 || strncmp(s, "NOT ", 4) == 0) {
            s += *s == 'A' || *s == 'N' ? 4 : 1;
        } else if (strncmp(s, "OR ", 3) == 0) {
            s += 3;
        } else {
            break;                      /* NEAR, a column filter, ... */
        }
    }
    if (rc == FSEARCH_OK && *s == '\0' && n == q->nphrases) {
        *out = keys;
        return FSEARCH_OK;
    }
    for (int i = 0; i < n; i++)
        fs_free(keys[i]);
    fs_free(keys);
    return rc;
}

static void free_keys(char **keys, int n)
{
    for (int i = 0; keys && i < n; i++)
        fs_free(keys[i]);
    fs_free(keys);
}

/* ====================================================================== */
/* The one token of a one-word query                                       */

typedef struct one_token {
    char *tok;
    int n;
} one_token;

static int keep_token(void *payload, const char *token, int ntoken, int start,
                      int end)
{
    (void)start;
    (void)end;
    one_token *o = payload;
    if (o->n++ > 0) {
        fs_free(o->tok);
        o->tok = NULL;
        return 0;
    }
    return (o->tok = fs_strndup(token, (size_t)ntoken)) ? 0 : FSEARCH_ENOMEM;
}

/* For a query of one bare phrase of one token ("file", not a prefix),
** that token as the index holds it; else *out NULL. */
static int make_term(fs_topk *t, char **out)
{
    *out = NULL;
    const fs_query *q = t->q;
    if (q->nphrases != 1 || !t->keys || q->npaths != 0 || t->tier)
        return FSEARCH_OK;
    const char *k = t->keys[0];
    size_t n = strlen(k);
    if (n < 3 || k[0] != '"' || k[n - 1] != '"')
        return FSEARCH_OK;               /* a prefix: "word" * */
    int rc = FSEARCH_OK;
    fs_buf word = FS_BUF_INIT;
    for (size_t i = 1; i + 1 < n; i++) {
        fs_buf_putc(&rc, &word, k[i]);
        if (k[i] == '"')
            i++;                         /* "" stands for " */
    }
    struct fs_tokenizer *tok = NULL;
    one_token o = { NULL, 0 };
    if (rc == FSEARCH_OK && fs_handle_tokenizer(t->fs, &tok) != FSEARCH_OK)
        rc = FSEARCH_ENOMEM;
    if (rc == FSEARCH_OK)
        rc = fs_tokenizer_run(tok, 0, word.p, (int)word.n, keep_token, &o);
    fs_buf_free(&word);
    if (rc == FSEARCH_OK && o.n == 1)
        *out = o.tok;
    else
        fs_free(o.tok);
    return rc;
}

/* ====================================================================== */

int fs_topk_init(fs_topk *t, fsearch *fs, const fs_query *q,
                 const char *groups, size_t first)
{
    memset(t, 0, sizeof *t);
    t->fs = fs;
    t->q = q;
    t->chunk = first;
    t->want = first;
    int rc = (t->groups = fs_strdup(groups)) ? FSEARCH_OK : FSEARCH_ENOMEM;
    if (rc == FSEARCH_OK)
        rc = make_tier(q, &t->tier);
    if (rc == FSEARCH_OK)
        rc = make_keys(q, &t->keys);
    if (rc == FSEARCH_OK)
        rc = make_term(t, &t->term);
    if (rc != FSEARCH_OK) {
        fs_topk_free(t);
        return fs_error(fs, rc, "out of memory");
    }
    t->level = t->tier ? 0 : t->term ? 2 : 1;
    t->ctl.marks = t->rowmarks;
    t->ctl.capmarks = FS_TOPK_MARKS;
    t->ctl.fs = fs;
    t->ctl.keys = t->keys;
    t->ctl.nkeys = t->keys ? q->nphrases : 0;
    return FSEARCH_OK;
}

void fs_topk_all(fs_topk *t)
{
    if (t->scanned && t->want == 0)
        return;
    t->want = 0;
    t->level = 1;
    t->scanned = 0;
    /* Every row: too many to keep their matches. */
    t->ctl.marks = NULL;
}

/* Scan statement `slot` (see st), prepared once. */
static int prepare_scan(fs_topk *t, int slot, sqlite3_stmt **out)
{
    if (t->st[slot]) {
        *out = t->st[slot];
        return FSEARCH_OK;
    }
    int rc = FSEARCH_OK;
    fs_buf sql = FS_BUF_INIT, tmp = FS_BUF_INIT;
    if (t->q->npaths == 0)
        fs_buf_puts(&rc, &sql, "SELECT fts.rowid, fsearch_rank(fts, ?1, ?2) "
                    "FROM fts WHERE fts MATCH ?3");
    else
        fs_buf_puts(&rc, &sql, "SELECT fts.rowid, fsearch_rank(fts, ?1, ?2) "
                    "FROM fts CROSS JOIN passage p ON p.id = fts.rowid "
                    "CROSS JOIN doc d ON d.id = p.doc_id "
                    "WHERE fts MATCH ?3");
    fs_path_filter_sql(&rc, &sql, t->q);
    if (slot == 2)                      /* no path filter: ?4 is free */
        fs_buf_puts(&rc, &sql, " AND fts.rowid > ?4");
    if (rc != FSEARCH_OK) {
        fs_buf_free(&sql);
        return fs_error(t->fs, rc, "out of memory");
    }
    sqlite3_stmt *st = NULL;
    int src = fs_stmt_take(t->fs, sql.p, &st);
    fs_buf_free(&sql);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(st, 1, t->groups, -1, SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = sqlite3_bind_pointer(st, 2, &t->ctl, FS_RANK_CTL_TYPE, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(st, 3, slot ? t->q->match : t->tier, -1,
                                SQLITE_STATIC);
    if (src != SQLITE_OK) {
        fs_stmt_give(t->fs, st);
        return fs_error_sqlite(t->fs, src, "cannot search the index");
    }
    rc = fs_path_filter_bind(st, t->q, &tmp);
    fs_buf_free(&tmp);
    if (rc != FSEARCH_OK) {
        fs_stmt_give(t->fs, st);
        return fs_error(t->fs, rc, "out of memory");
    }
    t->st[slot] = st;
    *out = st;
    return FSEARCH_OK;
}

/* A row of a walked phrase (rank.c), offered as the scan's rows are. */
static int walked_row(void *arg, sqlite3_int64 rowid, double rank, int pruned)
{
    fs_topk *t = arg;
    if (pruned) {
        t->complete = 0;                /* below the heap */
        return SQLITE_OK;
    }
    fs_topk_ent e = { rowid, -rank, 0, t->ctl.marks ? t->ctl.nmarks : -1 };
    return offer(t, &e) == FSEARCH_OK ? SQLITE_OK : SQLITE_NOMEM;
}

/* Step st, a scan, offering its rows to the heap. SQLite rc. */
static int run_scan(fs_topk *t, sqlite3_stmt *st)
{
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (t->ctl.walked) {
            src = SQLITE_DONE;          /* every row came through the walk */
            break;
        }
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
            t->complete = 0;            /* pruned: below the heap */
            continue;
        }
        fs_topk_ent e = { sqlite3_column_int64(st, 0),
                          -sqlite3_column_double(st, 1), 0,
                          t->ctl.marks ? t->ctl.nmarks : -1 };
        if (offer(t, &e) != FSEARCH_OK) {
            src = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_reset(st);
    return src;
}

/* Run the current level's scan into the heap, sorted best first, with
** the rows already handed out skipped. */
static int scan(fs_topk *t)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare_scan(t, t->level == 2 ? 1 : t->level, &st);
    if (rc != FSEARCH_OK)
        return rc;
    if (t->want && t->want < t->yielded + t->chunk)
        t->want = t->yielded + t->chunk;
    t->n = 0;
    t->pos = 0;
    t->complete = 1;
    t->ctl.has_floor = 0;
    t->ctl.floor = 0;
    /* A bare single phrase (keys says it is bare) is walked by rank.c. */
    t->ctl.walked = 0;
    t->ctl.row = t->level >= 1 && t->q->nphrases == 1 && t->keys &&
                         t->q->npaths == 0
                     ? walked_row
                     : NULL;
    t->ctl.row_arg = t;
    memset(&t->use, 0, sizeof t->use);
    t->use.term = t->term;
    t->use.nterm = t->term ? (int)strlen(t->term) : 0;
    t->ctl.impact = t->level == 2 ? &t->use : NULL;
    int src = run_scan(t, st);
    t->ctl.impact = NULL;
    if (src == SQLITE_DONE && t->level == 2 && !t->use.used)
        t->level = 1;                   /* no list: the walk was the scan */
    if (src == SQLITE_DONE && t->level == 2) {
        /* The passages added since the list was built, scored row by row
        ** in the same read transaction (the blob handle holds it). */
        t->ctl.row = NULL;
        t->ctl.walked = 0;
        rc = prepare_scan(t, 2, &st);
        if (rc != FSEARCH_OK) {
            sqlite3_blob_close(t->ctl.docsize);
            t->ctl.docsize = NULL;
            fs_passlen_rd_close(&t->ctl.passlen);
            return rc;
        }
        src = sqlite3_bind_int64(st, 4, t->use.hwm);
        if (src == SQLITE_OK)
            src = run_scan(t, st);
    }
    sqlite3_blob_close(t->ctl.docsize);
    t->ctl.docsize = NULL;
    fs_passlen_rd_close(&t->ctl.passlen);
    if (src == SQLITE_NOMEM)
        return fs_error(t->fs, FSEARCH_ENOMEM, "out of memory");
    if (src != SQLITE_DONE)
        return fs_error_sqlite(t->fs, src, "cannot search the index");
    if (t->n > 1)
        qsort(t->heap, t->n, sizeof *t->heap, cmp_best_first);
    t->pos = t->yielded < t->n ? t->yielded : t->n;
    t->scanned = 1;
    return FSEARCH_OK;
}

/* May this tier row be handed out: does it score above anything that
** lacks a word? */
static int safe(const fs_topk *t, const fs_topk_ent *e)
{
    if (t->ctl.coverage <= 0)
        return 0;
    double others = t->ctl.coverage * (t->q->ngroups - 1) + t->ctl.gap;
    return e->score > others + 1e-9 * (1.0 + fabs(others));
}

/* May this row of the impact level be handed out: does it score above
** any passage not scored there? */
static int above_rest(const fs_topk *t, const fs_topk_ent *e)
{
    double b = t->use.bound;
    return e->score > b + 1e-9 * (1.0 + fabs(b));
}

int fs_topk_next(fs_topk *t, fs_topk_ent *out)
{
    for (;;) {
        if (!t->scanned) {
            int rc = scan(t);
            if (rc != FSEARCH_OK)
                return rc;
        }
        if (t->pos < t->n) {
            if ((t->level == 0 && !safe(t, &t->heap[t->pos])) ||
                (t->level == 2 && !above_rest(t, &t->heap[t->pos]))) {
                t->level = 1;
                t->scanned = 0;
                continue;
            }
            *out = t->heap[t->pos++];
            t->yielded++;
            return FSEARCH_OK;
        }
        if (t->complete && t->level == 1)
            return FSEARCH_DONE;
        if (t->level == 2) {
            /* Rows of the list were left out of the heap: a larger heap
            ** may prove more. Else the list proves no more. */
            if (!t->complete && t->want)
                t->want *= 4;
            else
                t->level = 1;
            t->scanned = 0;
            continue;
        }
        if (t->complete)
            t->level = 1;
        else if (t->want)
            t->want = t->want * 4;
        t->scanned = 0;
    }
}

void fs_topk_free(fs_topk *t)
{
    if (t->fs) {
        fs_stmt_give(t->fs, t->st[0]);
        fs_stmt_give(t->fs, t->st[1]);
        fs_stmt_give(t->fs, t->st[2]);
    }
    fs_free(t->term);
    fs_free(t->groups);
    fs_free(t->tier);
    free_keys(t->keys, t->q ? t->q->nphrases : 0);
    fs_free(t->heap);
    fs_free(t->slab);
    memset(t, 0, sizeof *t);
}
