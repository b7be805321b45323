/*
** feedback.c - pseudo-relevance feedback for question-like queries.
**
** A long question is ranked twice. The files the first ranking puts on top
** are taken as relevant; from the best passage of each, with the passages
** around it, the words that are frequent there and rare in the index
** (length-normalised frequency times IDF, summed over the files, as in
** Rocchio's and RM3's expansion) join the query with a small weight. They
** only add to the ranking: a passage holding none of the typed words can
** still come, low, but no typed word loses weight. Keyword queries (up to
** FS_SHORT_QUERY_GROUPS words) are left alone: their promise is "all the
** words first", and two passes would double their cost.
*/
#include "feedback.h"
#include "alloc.h"
#include "buf.h"
#include "topk.h"
#include "tokenizer.h"
#include "vocab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Chosen on the odd-numbered Cranfield queries (bench/relevance.sh). */
#define FB_FILES 8          /* top files taken as relevant */
#define FB_ROWS 50          /* ranked passages read to find them */
#define FB_AROUND 2         /* passages each side of a file's best one */
#define FB_WORDS 10         /* words added */
#define FB_CANDIDATES 40    /* most frequent words whose IDF is looked up */
#define FB_COUNT_UPTO 512   /* passages counted to rule a word out */
#define FB_WEIGHT 0.3       /* mean weight of an added word; a typed one: 1 */
#define FB_MAX_PHRASES 256  /* as query.c: FTS5 phrases in the expression */

typedef struct fb_word {
    char *stem;           /* the index's term: folded and stemmed */
    char *form;           /* the word as first written, to search for it */
    int is_query;         /* a typed word: never added */
    int bag;              /* bag that `tf` counts in, -1 none yet */
    int tf;               /* occurrences in that bag */
    double rel;           /* sum over bags of tf / bag length */
    double weight;        /* rel * IDF */
} fb_word;

typedef struct fb {
    fs_tokenizer *tok;    /* the handle's, borrowed */
    fb_word *words;       /* [nwords] */
    int nwords, capwords;
    int *slot;            /* [nslot] hash of stems: word index + 1, 0 free */
    int nslot;
    const char *text;     /* passage being read */
    int bag;              /* bag being read */
    int baglen;           /* its tokens */
    int is_query;         /* reading the query's words */
} fb;

static void fb_free(fb *f)
{
    for (int i = 0; i < f->nwords; i++) {
        fs_free(f->words[i].stem);
        fs_free(f->words[i].form);
    }
    fs_free(f->words);
    fs_free(f->slot);
}

static int grow_slots(fb *f)
{
    int n = f->nslot ? f->nslot * 2 : 1024;
    int *slot = fs_calloc(sizeof(int) * (size_t)n);
    if (!slot)
        return FSEARCH_ENOMEM;
    for (int i = 0; i < f->nwords; i++) {
        const char *s = f->words[i].stem;
        size_t h = (size_t)fs_hash_bytes(s, strlen(s)) & (size_t)(n - 1);
        while (slot[h])
            h = (h + 1) & (size_t)(n - 1);
        slot[h] = i + 1;
    }
    fs_free(f->slot);
    f->slot = slot;
    f->nslot = n;
    return FSEARCH_OK;
}

/* The entry of stem s[0..n), made if new with `form` [0..nform). */
static int find_word(fb *f, const char *s, int n, const char *form,
                     int nform, fb_word **out)
{
    if (2 * (f->nwords + 1) > f->nslot && grow_slots(f) != FSEARCH_OK)
        return FSEARCH_ENOMEM;
    size_t mask = (size_t)(f->nslot - 1);
    size_t h = (size_t)fs_hash_bytes(s, (size_t)n) & mask;
    for (; f->slot[h]; h = (h + 1) & mask) {
        fb_word *w = &f->words[f->slot[h] - 1];
        if ((int)strlen(w->stem) == n && memcmp(w->stem, s, (size_t)n) == 0) {
            *out = w;
            return FSEARCH_OK;
        }
    }
    if (f->nwords == f->capwords) {
        int cap = f->capwords ? f->capwords * 2 : 256;
        fb_word *nw = fs_realloc(f->words, sizeof(fb_word) * (size_t)cap);
        if (!nw)
            return FSEARCH_ENOMEM;
        f->words = nw;
        f->capwords = cap;
    }
    fb_word *w = &f->words[f->nwords];
    memset(w, 0, sizeof *w);
    w->bag = -1;
    w->stem = fs_strndup(s, (size_t)n);
    w->form = fs_strndup(form, (size_t)nform);
    if (!w->stem || !w->form) {
        fs_free(w->stem);
        fs_free(w->form);
        return FSEARCH_ENOMEM;
    }
    f->slot[h] = ++f->nwords;
    *out = w;
    return FSEARCH_OK;
}

static int on_token(void *payload, const char *token, int ntoken, int start,
                    int end)
{
    fb *f = payload;
    fb_word *w;
    if (f->is_query) {
        if (find_word(f, token, ntoken, token, ntoken, &w) != FSEARCH_OK)
            return FSEARCH_ENOMEM;
        w->is_query = 1;
        return 0;
    }
    f->baglen++;
    /* Stop words and single characters say nothing about a subject. */
    if (ntoken < 2 ||
        fs_query_is_stop_word(f->text + start, (size_t)(end - start)))
        return 0;
    if (find_word(f, token, ntoken, f->text + start, end - start, &w) !=
        FSEARCH_OK)
        return FSEARCH_ENOMEM;
    if (w->bag != f->bag) {
        w->bag = f->bag;
        w->tf = 0;
    }
    w->tf++;
    return 0;
}

/* Add each word's share of the bag just read. */
static void end_bag(fb *f)
{
    for (int i = 0; i < f->nwords && f->baglen > 0; i++)
        if (f->words[i].bag == f->bag)
            f->words[i].rel += (double)f->words[i].tf / f->baglen;
    f->bag++;
    f->baglen = 0;
}

static int by_rel(const void *pa, const void *pb)
{
    const fb_word *a = *(fb_word *const *)pa, *b = *(fb_word *const *)pb;
    if (a->rel != b->rel)
        return a->rel < b->rel ? 1 : -1;
    return strcmp(a->stem, b->stem);
}

static int by_weight(const void *pa, const void *pb)
{
    const fb_word *a = *(fb_word *const *)pa, *b = *(fb_word *const *)pb;
    if (a->weight != b->weight)
        return a->weight < b->weight ? 1 : -1;
    return strcmp(a->stem, b->stem);
}

/* Should q be expanded at all? */
static int wants_feedback(const fs_query *q)
{
    if (q->ngroups <= FS_SHORT_QUERY_GROUPS || q->is_strict || q->npaths ||
        q->phrase_weight || q->nphrases >= FB_MAX_PHRASES)
        return 0;
    for (int i = 0; i < q->nphrases; i++)
        if (q->phrase_group[i] < 0)
            return 0;
    /* Required words: the expression is an AND; an OR added to it would
    ** widen what it matches. */
    return strstr(q->match, " AND ") == NULL;
}

/*
** Read the passages around the best ones of the top files into f. The
** ranked passages come from the search cursor's top-k stream (topk.c), in
** the order ORDER BY rank gives but with the rows that cannot reach the
** first few pruned before their column sizes are read: scoring and sorting
** every match was most of the cost of feedback.
**
** The top files are the run of distinct files at the head of the ranking,
** at most FB_FILES: it ends at the first passage from a file already
** taken, where one file starts to dominate the answer. FB_* and FB_WEIGHT
** were chosen on Cranfield with this rule; reading on past the repeat to
** FB_FILES files measured worse (MAP 0.3308 against 0.3368), so a change
** here needs the tuning done again.
*/
static int read_bags(fsearch *fs, const fs_query *q, fb *f,
                     sqlite3_int64 *nrows)
{
    sqlite3_stmt *doc_of = NULL, *near = NULL;
    fs_topk t;
    fs_buf arg = FS_BUF_INIT;
    int rc = FSEARCH_OK;
    fs_query_rank_groups(&rc, &arg, q);
    if (rc != FSEARCH_OK) {
        fs_buf_free(&arg);
        return fs_error(fs, rc, "out of memory");
    }
    /* Each row read is a new file or the last: a heap of FB_FILES rows
    ** holds them all, and a small heap prunes the most. */
    rc = fs_topk_init(&t, fs, q, arg.p, FB_FILES);
    fs_buf_free(&arg);
    if (rc != FSEARCH_OK)
        return rc;
    int src = fs_stmt_take(fs, "SELECT doc_id FROM passage WHERE id = ?1",
                           &doc_of);
    if (src == SQLITE_OK)
        src = fs_stmt_take(fs, "SELECT body FROM passage_text WHERE doc_id = ?1 "
                           "AND id BETWEEN ?2 AND ?3 ORDER BY id", &near);
    sqlite3_int64 seen[FB_FILES];
    int nseen = 0, again = 0;
    for (int row = 0; src == SQLITE_OK && rc == FSEARCH_OK && !again &&
                      nseen < FB_FILES && row < FB_ROWS; row++) {
        fs_topk_ent e;
        rc = fs_topk_next(&t, &e);
        if (rc != FSEARCH_OK)
            break;
        *nrows = t.ctl.rows;
        sqlite3_bind_int64(doc_of, 1, e.id);
        src = sqlite3_step(doc_of);
        sqlite3_int64 doc = sqlite3_column_int64(doc_of, 0);
        sqlite3_reset(doc_of);
        /* The FTS5 row without its passage is a damaged index. */
        if (src != SQLITE_ROW) {
            src = src == SQLITE_DONE ? SQLITE_CORRUPT : src;
            break;
        }
        src = SQLITE_OK;
        for (int i = 0; i < nseen && !again; i++)
            again = seen[i] == doc;
        if (again)
            break;
        seen[nseen++] = doc;
        sqlite3_bind_int64(near, 1, doc);
        sqlite3_bind_int64(near, 2, e.id - FB_AROUND);
        sqlite3_bind_int64(near, 3, e.id + FB_AROUND);
        while ((src = sqlite3_step(near)) == SQLITE_ROW && rc == FSEARCH_OK) {
            f->text = (const char *)sqlite3_column_text(near, 0);
            int n = sqlite3_column_bytes(near, 0);
            if (f->text)
                rc = fs_tokenizer_run(f->tok, 0, f->text, n, on_token, f);
        }
        sqlite3_reset(near);
        end_bag(f);
        if (rc != FSEARCH_OK)
            rc = fs_error(fs, rc, "out of memory");
        src = src == SQLITE_DONE || src == SQLITE_ROW ? SQLITE_OK : src;
    }
    fs_stmt_give(fs, doc_of);
    fs_stmt_give(fs, near);
    fs_topk_free(&t);
    if (rc == FSEARCH_DONE)
        rc = FSEARCH_OK;
    if (rc != FSEARCH_OK)
        return rc;
    return src == SQLITE_OK ? FSEARCH_OK
                            : fs_error_sqlite(fs, src, "cannot search the "
                                              "index");
}

/* The IDF of rank.c, so a word weighs as it will be ranked. It falls as
** df grows. */
static double idf_of(sqlite3_int64 df, sqlite3_int64 nrows)
{
    return log(1.0 + ((double)nrows - (double)df + 0.5) / ((double)df + 0.5));
}

/* The fewest passages holding a word of frequency `rel` that put its
** weight below `floor`, or 0 if that is more than FB_COUNT_UPTO. */
static sqlite3_int64 enough_docs(double rel, double floor, sqlite3_int64 nrows)
{
    /* idf(d) = log((nrows + 1) / (d + 0.5)): solved for d, then checked
    ** with the formula itself, which decides. */
    double d = ((double)nrows + 1.0) / exp(floor / rel) - 0.5;
    if (!(d < FB_COUNT_UPTO))
        return 0;
    sqlite3_int64 n = d < 1.0 ? 1 : (sqlite3_int64)d;
    while (n > 1 && rel * idf_of(n - 1, nrows) < floor)
        n--;
    while (n <= FB_COUNT_UPTO && !(rel * idf_of(n, nrows) < floor))
        n++;
    return n <= FB_COUNT_UPTO ? n : 0;
}

/* One step of a statement giving one integer, into *out; SQLite rc. */
static int step_int(sqlite3_stmt *st, sqlite3_int64 *out)
{
    int src = sqlite3_step(st);
    *out = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? SQLITE_OK : src;
}

/*
** IDF of the most frequent words, into their weight. Only the best `keep`
** weights are used, and a word's passage count costs a pass over its whole
** list of occurrences (a common word's is long). So once `keep` weights
** are known, a word whose weight could only reach the lowest of them with
** fewer than FB_COUNT_UPTO passages is counted just up to that many: if it
** has them all, its weight is below every word kept, so it is left at 0
** (not used); else the count is its exact passage count.
*/
static int weigh(fsearch *fs, fb_word **cand, int ncand, sqlite3_int64 nrows,
                 int keep)
{
    sqlite3_stmt *all = NULL, *upto = NULL;
    double best[FB_WORDS];      /* the best weights so far, descending */
    int nbest = 0;
    if (keep > FB_WORDS)
        keep = FB_WORDS;
    int src = fs_vocab_temp(fs->db);
    if (src == SQLITE_OK)
        src = fs_stmt_take(fs, "SELECT doc FROM temp.fsearch_vocab "
                           "WHERE term = ?1", &all);
    /* A common word's count is stored (termcount.h): the same number with
    ** no pass over its list. Not inside a transaction, where rows not yet
    ** committed are in the index but not in the table. */
    sqlite3_stmt *stored = NULL;
    if (src == SQLITE_OK && sqlite3_get_autocommit(fs->db) &&
        fs_stmt_take(fs, "SELECT n FROM term_count WHERE term = ?1",
                     &stored) != SQLITE_OK) {
        sqlite3_finalize(stored);        /* an index without the table */
        stored = NULL;
    }
    for (int i = 0; src == SQLITE_OK && i < ncand; i++) {
        fb_word *w = cand[i];
        sqlite3_int64 df = 0, limit = 0;
        w->weight = 0.0;
        /* The margin keeps a tie with the lowest kept weight counted. */
        if (keep > 0 && nbest == keep)
            limit = enough_docs(w->rel, best[keep - 1] * (1.0 - 1e-9), nrows);
        int have = 0;
        if (stored) {
            sqlite3_bind_text(stored, 1, w->stem, -1, SQLITE_STATIC);
            if ((have = sqlite3_step(stored) == SQLITE_ROW))
                df = sqlite3_column_int64(stored, 0);
            sqlite3_reset(stored);
        }
        if (!have && limit > 0 && !upto) {
            /* The instance table is read lazily, one occurrence a step. */
            src = sqlite3_exec(fs->db,
                               "CREATE VIRTUAL TABLE IF NOT EXISTS "
                               "temp.fsearch_vocab_inst USING "
                               "fts5vocab(main, fts, instance)", NULL, NULL,
                               NULL);
            if (src == SQLITE_OK)
                src = fs_stmt_take(fs, "SELECT count(*) FROM (SELECT "
                                   "DISTINCT doc FROM "
                                   "temp.fsearch_vocab_inst WHERE term "
                                   "= ?1 LIMIT ?2)", &upto);
            if (src != SQLITE_OK)
                break;
        }
        if (have) {
            if (limit > 0 && df >= limit)
                continue;
        } else if (limit > 0) {
            sqlite3_bind_text(upto, 1, w->stem, -1, SQLITE_STATIC);
            sqlite3_bind_int64(upto, 2, limit);
            src = step_int(upto, &df);
            if (df >= limit)
                continue;
        } else {
            sqlite3_bind_text(all, 1, w->stem, -1, SQLITE_STATIC);
            src = step_int(all, &df);
        }
        w->weight = w->rel * idf_of(df, nrows);
        /* Into best[], which keeps its `keep` largest. */
        int k = nbest < keep ? nbest++ : keep;
        while (k > 0 && best[k - 1] < w->weight) {
            if (k < keep)
                best[k] = best[k - 1];
            k--;
        }
        if (k < keep)
            best[k] = w->weight;
    }
    fs_stmt_give(fs, all);
    fs_stmt_give(fs, upto);
    fs_stmt_give(fs, stored);
    return src == SQLITE_OK ? FSEARCH_OK
                            : fs_error_sqlite(fs, src, "cannot read the index "
                                              "vocabulary");
}

/* Append the chosen words to q, each an FTS5 string OR-ed to the query. */
static int extend(fs_query *q, fb_word **add, int nadd)
{
    int rc = FSEARCH_OK, n = q->nphrases + nadd;
    double total = 0;
    for (int i = 0; i < nadd; i++)
        total += add[i]->weight;
    fs_buf m = FS_BUF_INIT;
    fs_buf_printf(&rc, &m, "(%s)", q->match);
    for (int i = 0; i < nadd; i++) {
        fs_buf_puts(&rc, &m, " OR \"");
        for (const char *s = add[i]->form; *s; s++) {
            if (*s == '"')
                fs_buf_putc(&rc, &m, '"');
            fs_buf_putc(&rc, &m, *s);
        }
        fs_buf_putc(&rc, &m, '"');
    }
    char *match = fs_buf_take(&rc, &m);
    fs_buf_free(&m);
    int *group = fs_malloc(sizeof(int) * (size_t)n);
    double *weight = fs_malloc(sizeof(double) * (size_t)n);
    if (!match || !group || !weight) {
        fs_free(match);
        fs_free(group);
        fs_free(weight);
        return FSEARCH_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        int is_new = i >= q->nphrases;
        group[i] = is_new ? FS_GROUP_FEEDBACK : q->phrase_group[i];
        weight[i] = is_new ? FB_WEIGHT * nadd *
                                 add[i - q->nphrases]->weight / total
                           : 1.0;
    }
    fs_free(q->match);
    fs_free(q->phrase_group);
    q->match = match;
    q->phrase_group = group;
    q->phrase_weight = weight;
    q->nphrases = n;
    return FSEARCH_OK;
}

int fs_feedback_expand(fsearch *fs, fs_query *q)
{
    if (!wants_feedback(q))
        return FSEARCH_OK;
    fb f;
    memset(&f, 0, sizeof f);
    fb_word **cand = NULL;
    sqlite3_int64 nrows = 0;
    /* The handle's tokenizer: making one costs as much as a cheap
    ** search. */
    int rc = fs_handle_tokenizer(fs, &f.tok);
    if (rc != FSEARCH_OK)
        goto done;
    /* The typed words, as the index spells them, are not added again. */
    f.is_query = 1;
    for (int i = 0; rc == FSEARCH_OK && i < q->nterms; i++)
        rc = fs_tokenizer_run(f.tok, 0, q->terms[i],
                              (int)strlen(q->terms[i]), on_token, &f);
    f.is_query = 0;
    if (rc != FSEARCH_OK) {
        rc = fs_error(fs, FSEARCH_ENOMEM, "out of memory");
        goto done;
    }
    rc = read_bags(fs, q, &f, &nrows);
    if (rc != FSEARCH_OK || nrows <= 0)
        goto done;

    int ncand = 0;
    cand = fs_malloc(sizeof(fb_word *) * (size_t)(f.nwords + 1));
    if (!cand) {
        rc = fs_error(fs, FSEARCH_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < f.nwords; i++)
        if (!f.words[i].is_query && f.words[i].rel > 0)
            cand[ncand++] = &f.words[i];
    qsort(cand, (size_t)ncand, sizeof *cand, by_rel);
    if (ncand > FB_CANDIDATES)
        ncand = FB_CANDIDATES;
    int nadd = ncand < FB_WORDS ? ncand : FB_WORDS;
    if (nadd > FB_MAX_PHRASES - q->nphrases)
        nadd = FB_MAX_PHRASES - q->nphrases;
    rc = weigh(fs, cand, ncand, nrows, nadd);
    if (rc != FSEARCH_OK)
        goto done;
    qsort(cand, (size_t)ncand, sizeof *cand, by_weight);
    while (nadd > 0 && cand[nadd - 1]->weight <= 0)
        nadd--;
    if (nadd > 0 && extend(q, cand, nadd) != FSEARCH_OK)
        rc = fs_error(fs, FSEARCH_ENOMEM, "out of memory");

done:
    fs_free(cand);
    fb_free(&f);
    return rc;
}
