/*
** rank.c - the FTS5 auxiliary functions that rank passages and find the
** matched words in them.
**
** fsearch_rank(fts, 'G0 G1 ...') scores a passage. Its argument gives, for
** each phrase of the MATCH expression in FTS5's order, the query "group"
** (word) it stands for, or -1 for phrases under NOT, or FS_GROUP_FEEDBACK
** (-2) for a word added by feedback.c, which only adds its BM25 share;
** "G:W" weights a phrase's BM25 share by W (default 1). The score is BM25F
** over the title and body columns plus a bonus when the words stand close
** together. For short queries (up to STRICT_MAX_GROUPS words) the number of
** groups the passage holds comes first, so that passages with all the words
** lead, and closeness weighs more; long queries, such as questions, are
** read as a bag of words whose rare words count most, because there a
** passage holding one more common word, or holding the words closer, was
** measured to be no better for it. The value is negated so that ORDER
** BY rank puts the best first, as with FTS5's bm25().
**
** The search cursor calls it as fsearch_rank(fts, 'G0 ...', CTL), CTL an
** fs_rank_ctl pointer (internal.h): a row whose score cannot exceed
** CTL->floor then gives NULL without its column sizes being read (the
** b-tree lookup that dominates the cost of a common word), CTL->gap
** tells the cursor how far scores can stand apart within one coverage, and
** CTL->rows the passages in the index (feedback.c's IDF).
**
** fsearch_matches(fts, 'G0 G1 ...') returns the byte ranges of the matched
** words in the body column, as a blob of native int32 pairs [start, end);
** words added by feedback are not among them.
*/
#include "internal.h"
#include "alloc.h"
#include "feedback.h"
#include "impact.h"
#include "termcount.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
** Ranking parameters, chosen on the odd-numbered queries of the Cranfield
** collection only (bench/relevance.sh; the even half checks them). A
** word's weighted, length-normalised frequencies in title and body are added
** before the one saturation (BM25F), so a title word is not paid twice.
** k1 is higher than the textbook 1.2: repeated words meant more. A body b
** of 0.5 rather than 0.75 measured 0.003 to 0.004 MAP better: passages are
** cut to at most 1200 bytes, so a long one is not a rambling one.
*/
#define BM25_K1 2.0
#define BM25_B_TITLE 0.75
#define BM25_B_BODY 0.5
#define WEIGHT_BODY 1.0
#define WEIGHT_TITLE 2.0
#define STRICT_MAX_GROUPS FS_SHORT_QUERY_GROUPS /* coverage first */
#define COVERAGE_WEIGHT 100.0   /* one more query word outweighs any BM25 */
#define PROXIMITY_WEIGHT 2.0    /* short queries: words side by side first */
#define PROXIMITY_WEIGHT_LONG 0.5 /* long ones: more hurt, so ties only */
#define MAX_GROUPS 512
#define GATHER_MAX_PHRASES 8    /* rows of up to this many: gather() */

#define COL_TITLE 0
#define COL_BODY 1

/* Per-query data, computed on the first row and kept with xSetAuxdata. */
typedef struct rank_query {
    int nphrase;
    int ngroups;
    int *group;           /* [nphrase] */
    double *weight;       /* [nphrase] */
    double *idf;          /* [nphrase] */
    double avgdl[2];      /* average tokens per column */
    sqlite3_int64 nrow;   /* passages in the index */
    double gap;           /* bound of score less coverage, see fs_rank_ctl */
    int *scratch;         /* rank_func's per-row arrays, reused */
    size_t nscratch;      /* ints */
    int *size;            /* [nphrase] xPhraseSize, or NULL: see gather() */
    int *inst;            /* gather()'s body instances, reused */
    size_t ninst;         /* ints of room at inst */
    int df_pending;       /* phrase 0's count comes from the walk: see
                          ** walk_counted() */
} rank_query;

static void rank_query_free(void *p)
{
    rank_query *q = p;
    if (q) {
        fs_free(q->group);
        fs_free(q->weight);
        fs_free(q->idf);
        fs_free(q->scratch);
        fs_free(q->size);
        fs_free(q->inst);
        fs_free(q);
    }
}

int fs_fts5_api(sqlite3 *db, fts5_api **out)
{
    sqlite3_stmt *st = NULL;
    *out = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)out, "fts5_api_ptr", NULL);
        sqlite3_step(st);
        rc = sqlite3_finalize(st);
    }
    if (rc == SQLITE_OK && (!*out || (*out)->iVersion < 2))
        rc = SQLITE_ERROR;
    return rc;
}

/*
** Parse "0 0 1 -1 -2:0.4" into group[] and weight[]: a group, or -1 for an
** excluded phrase, or FS_GROUP_FEEDBACK for a word added by feedback.c,
** optionally with ":weight" (default 1). Phrases beyond the list get group
** 0.
*/
static int parse_groups(const char *s, int nphrase, int *group,
                        double *weight, int *ngroups)
{
    int max = -1;
    for (int i = 0; i < nphrase; i++) {
        int g = 0;
        weight[i] = 1.0;
        if (s) {
            while (*s == ' ')
                s++;
            if (*s) {
                char *end;
                long v = strtol(s, &end, 10);
                if (end == s)
                    return SQLITE_ERROR;
                s = end;
                g = v == FS_GROUP_FEEDBACK ? FS_GROUP_FEEDBACK
                    : v < -1               ? -1
                    : v >= MAX_GROUPS      ? MAX_GROUPS - 1
                                           : (int)v;
                if (*s == ':') {
                    double w = strtod(s + 1, &end);
                    if (end == s + 1)
                        return SQLITE_ERROR;
                    s = end;
                    weight[i] = w > 0 && w < 1e6 ? w : 0.0;
                }
            }
        }
        group[i] = g;
        if (g > max)
            max = g;
    }
    *ngroups = max + 1;
    return SQLITE_OK;
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *ctx,
                     void *payload)
{
    (void)api;
    (void)ctx;
    (*(sqlite3_int64 *)payload)++;
    return SQLITE_OK;
}

/* ---------------------------------------------------------------------- */
/* Statistics kept between searches                                        */

/*
** A phrase's passage count costs a walk of its whole posting list (for a
** common word, as much again as the search), and the row count and column
** totals a read of FTS5's averages record; neither changes until the index
** does. So a handle keeps them, keyed by the phrase as written in the MATCH
** expression, for as long as the database's data version stays the same:
** the version is read inside the scan's own read transaction, so the
** numbers always belong to the snapshot being ranked.
*/
#define CACHE_MAX_TERMS 4096     /* entries; the table is cleared when full */

typedef struct fs_rank_cache fs_rank_cache;

typedef struct cache_ent {
    char *key;                   /* NULL: free slot */
    sqlite3_int64 df;            /* passages holding the phrase */
} cache_ent;

struct fs_rank_cache {
    unsigned int version;        /* SQLITE_FCNTL_DATA_VERSION of the data */
    int has_totals;              /* nrow and avgdl are known */
    int no_termcount;            /* the index has no term_count table */
    sqlite3_int64 nrow;
    double avgdl[2];
    cache_ent *ent;              /* open addressing, cap a power of two */
    size_t n, cap;
};

static void cache_clear(fs_rank_cache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        fs_free(c->ent[i].key);
    if (c->ent)
        memset(c->ent, 0, c->cap * sizeof *c->ent);
    c->n = 0;
    c->has_totals = 0;
    c->no_termcount = 0;
}

void fs_rank_cache_free(fs_rank_cache *c)
{
    if (!c)
        return;
    cache_clear(c);
    fs_free(c->ent);
    fs_free(c);
}

/*
** The handle's cache, emptied if the data changed, or NULL when it cannot
** be trusted: inside an explicit transaction (FTS5's pending, uncommitted
** rows count, but move no version) or when the version cannot be read.
*/
static fs_rank_cache *cache_get(fsearch *fs)
{
    unsigned int version = 0;
    if (!fs || !fs->db || !sqlite3_get_autocommit(fs->db) ||
        sqlite3_file_control(fs->db, "main", SQLITE_FCNTL_DATA_VERSION,
                             &version) != SQLITE_OK)
        return NULL;
    fs_rank_cache *c = fs->rank_cache;
    if (!c) {
        if (!(c = fs_calloc(sizeof *c)))
            return NULL;
        fs->rank_cache = c;
        c->version = version;
    }
    if (c->version != version) {
        cache_clear(c);
        c->version = version;
    }
    return c;
}

static cache_ent *cache_slot(const fs_rank_cache *c, const char *key)
{
    size_t mask = c->cap - 1;
    size_t i = (size_t)fs_hash_bytes(key, strlen(key)) & mask;
    while (c->ent[i].key && strcmp(c->ent[i].key, key) != 0)
        i = (i + 1) & mask;
    return &c->ent[i];
}

/* The cached count of phrase `key`: 1 with *df, or 0. */
static int cache_find(const fs_rank_cache *c, const char *key,
                      sqlite3_int64 *df)
{
    if (!c || !key || c->n == 0)
        return 0;
    const cache_ent *e = cache_slot(c, key);
    if (!e->key)
        return 0;
    *df = e->df;
    return 1;
}

/* Remember a count; failing to (no memory) only loses the saving. */
static void cache_put(fs_rank_cache *c, const char *key, sqlite3_int64 df)
{
    if (!c || !key)
        return;
    if (c->n >= CACHE_MAX_TERMS)
        cache_clear(c);
    if (2 * (c->n + 1) > c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 64;
        cache_ent *t = fs_calloc(ncap * sizeof *t);
        if (!t)
            return;
        cache_ent *old = c->ent;
        size_t ocap = c->cap;
        c->ent = t;
        c->cap = ncap;
        for (size_t i = 0; i < ocap; i++)
            if (old[i].key)
                *cache_slot(c, old[i].key) = old[i];
        fs_free(old);
    }
    cache_ent *e = cache_slot(c, key);
    if (e->key) {
        e->df = df;
        return;
    }
    if (!(e->key = fs_strdup(key)))
        return;
    e->df = df;
    c->n++;
}

/* Row count and average column lengths, from the cache or FTS5. */
static int load_totals(const Fts5ExtensionApi *api, Fts5Context *ctx,
                       fs_rank_cache *cache, rank_query *q)
{
    if (cache && cache->has_totals) {
        q->nrow = cache->nrow;
        q->avgdl[0] = cache->avgdl[0];
        q->avgdl[1] = cache->avgdl[1];
        return SQLITE_OK;
    }
    sqlite3_int64 nrow = 0;
    int rc = api->xRowCount(ctx, &nrow);
    q->nrow = nrow;
    for (int c = 0; rc == SQLITE_OK && c < 2; c++) {
        sqlite3_int64 total = 0;
        rc = api->xColumnTotalSize(ctx, c, &total);
        q->avgdl[c] = nrow > 0 ? (double)total / (double)nrow : 1.0;
        if (q->avgdl[c] <= 0)
            q->avgdl[c] = 1.0;
    }
    if (rc == SQLITE_OK && cache) {
        cache->nrow = q->nrow;
        cache->avgdl[0] = q->avgdl[0];
        cache->avgdl[1] = q->avgdl[1];
        cache->has_totals = 1;
    }
    return rc;
}

/* BM25's IDF in the form that stays positive (as Lucene's), so a word
** found in most passages still counts a little rather than being floored
** to nothing; `hits` passages hold phrase i. */
static void set_idf(rank_query *q, int i, sqlite3_int64 hits)
{
    double nrow = (double)q->nrow;
    q->idf[i] = log(1.0 + (nrow - (double)hits + 0.5) / ((double)hits + 0.5));
}

/* The bound of a score less its coverage (fs_rank_ctl.gap), once every
** IDF is known; summed in phrase order. */
static void set_gap(rank_query *q)
{
    q->gap = 0.0;
    /* BM25F saturates below idf * (k1 + 1). */
    for (int i = 0; i < q->nphrase; i++)
        if (q->group[i] != -1)
            q->gap += q->weight[i] * q->idf[i] * (BM25_K1 + 1.0);
    if (q->ngroups <= STRICT_MAX_GROUPS)
        q->gap += PROXIMITY_WEIGHT * (double)(q->ngroups - 1) * q->ngroups;
    else
        q->gap += PROXIMITY_WEIGHT_LONG * (double)(q->ngroups - 1) * q->ngroups;
}

/* With `stats` 0 (fsearch_matches), only the groups are read: the IDF and
** average lengths cost a scan of every phrase's doclist, which the search
** cursor would otherwise pay once per hit it dresses. `ctl` (may be NULL)
** names the handle whose cache spares those scans. With `defer` (1, or 2
** when an impact list may be tried: see rank_func) a lone phrase's count
** that would need a walk is left to the walk that scores it
** (df_pending, walk_counted()). */
static int load_query(const Fts5ExtensionApi *api, Fts5Context *ctx,
                      const char *groups, int stats, int defer,
                      const fs_rank_ctl *ctl, rank_query **out)
{
    rank_query *q = api->xGetAuxdata(ctx, 0);
    if (q) {
        *out = q;
        return SQLITE_OK;
    }
    q = fs_calloc(sizeof *q);
    if (!q)
        return SQLITE_NOMEM;
    q->nphrase = api->xPhraseCount(ctx);
    int n = q->nphrase > 0 ? q->nphrase : 1;
    q->group = fs_calloc(sizeof(int) * (size_t)n);
    q->weight = fs_calloc(sizeof(double) * (size_t)n);
    q->idf = fs_calloc(sizeof(double) * (size_t)n);
    int rc = (q->group && q->weight && q->idf) ? SQLITE_OK : SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = parse_groups(groups, q->nphrase, q->group, q->weight,
                          &q->ngroups);
    fs_rank_cache *cache = NULL;
    char **keys = NULL;
    if (rc == SQLITE_OK && stats && ctl && ctl->fs) {
        cache = cache_get(ctl->fs);
        if (ctl->keys && ctl->nkeys == q->nphrase)
            keys = ctl->keys;
    }
    if (rc == SQLITE_OK && stats)
        rc = load_totals(api, ctx, cache, q);
    for (int i = 0; rc == SQLITE_OK && stats && i < q->nphrase; i++) {
        sqlite3_int64 hits = 0;
        if (q->group[i] != -1 &&
            !cache_find(cache, keys ? keys[i] : NULL, &hits)) {
            /* A common word's count is stored (termcount.h): the same
            ** number, without walking its list. Only where the cache may
            ** be used: inside a transaction, rows not yet committed count
            ** in the walk but not in the table. */
            if (!(cache && keys && !cache->no_termcount &&
                  api->xPhraseSize(ctx, i) == 1 &&
                  fs_termcount_lookup(ctl->fs, keys[i], &hits,
                                      &cache->no_termcount))) {
                /* The walk that scores a lone phrase visits exactly the
                ** rows this one would count: it counts them instead. */
                if (defer && q->nphrase == 1 &&
                    (defer == 1 || (cache && !cache->no_termcount))) {
                    q->df_pending = 1;
                    continue;
                }
                rc = api->xQueryPhrase(ctx, i, &hits, count_row);
            }
            if (rc == SQLITE_OK)
                cache_put(cache, keys ? keys[i] : NULL, hits);
        }
        set_idf(q, i, hits);
    }
    if (rc == SQLITE_OK && !q->df_pending)
        set_gap(q);
    if (rc == SQLITE_OK)
        rc = api->xSetAuxdata(ctx, q, rank_query_free);
    else
        rank_query_free(q);
    if (rc == SQLITE_OK)
        *out = q;
    return rc;
}

/* The shortest span of body tokens holding one instance of each group
** present, via a sliding window over instances sorted by offset. */
static int min_span(const int *grp, const int *off, int n, int want,
                    int *counts)
{
    int best = 0, have = 0, lo = 0;
    for (int hi = 0; hi < n; hi++) {
        if (counts[grp[hi]]++ == 0)
            have++;
        while (have == want) {
            int span = off[hi] - off[lo] + 1;
            if (best == 0 || span < best)
                best = span;
            if (--counts[grp[lo]] == 0)
                have--;
            lo++;
        }
    }
    for (int i = lo; i < n; i++)
        counts[grp[i]]--;
    return best;
}

/*
** xInstCount, trusted only when it finds something. Every row of a MATCH
** holds at least one instance of a phrase, yet FTS5 (3.40) answers 0 with
** SQLITE_OK when memory runs out while it gathers them, and the score and
** highlights would then silently be wrong. (Added with the query/output
** work, found by failing each allocation of a search in turn.)
*/
static int inst_count(const Fts5ExtensionApi *api, Fts5Context *ctx,
                      int *ninst)
{
    int rc = api->xInstCount(ctx, ninst);
    if (rc == SQLITE_OK && *ninst <= 0)
        rc = SQLITE_NOMEM;
    return rc;
}

/* The groups argument, NULL when absent. Running out of memory while
** reading it must not pass for "no groups": every score would change. */
static int group_arg(int nval, sqlite3_value **val, const char **out)
{
    *out = NULL;
    if (nval < 1 || sqlite3_value_type(val[0]) == SQLITE_NULL)
        return SQLITE_OK;
    *out = (const char *)sqlite3_value_text(val[0]);
    return *out ? SQLITE_OK : SQLITE_NOMEM;
}

/* The BM25F part of the score, for column lengths len[2] (in tokens). */
static double bm25f(const rank_query *q, const int *tf, const int *len)
{
    static const double weight[2] = { WEIGHT_TITLE, WEIGHT_BODY };
    static const double b[2] = { BM25_B_TITLE, BM25_B_BODY };
    double norm[2], score = 0.0;
    for (int c = 0; c < 2; c++)
        norm[c] = 1.0 - b[c] + b[c] * len[c] / q->avgdl[c];
    for (int p = 0; p < q->nphrase; p++) {
        if (q->group[p] == -1)
            continue;
        double f = 0.0;
        for (int c = 0; c < 2; c++)
            f += weight[c] * tf[p * 2 + c] / norm[c];
        if (f > 0)
            score += q->weight[p] * q->idf[p] * f * (BM25_K1 + 1.0) /
                     (f + BM25_K1);
    }
    return score;
}

double fs_rank_freq(const int *tf, const int *len, const double *avg)
{
    static const double weight[2] = { WEIGHT_TITLE, WEIGHT_BODY };
    static const double b[2] = { BM25_B_TITLE, BM25_B_BODY };
    double f = 0.0;
    for (int c = 0; c < 2; c++)
        if (tf[c])
            f += weight[c] * tf[c] / (1.0 - b[c] + b[c] * len[c] / avg[c]);
    return f;
}

/* Note a body match for the cursor's highlights (fs_rank_ctl.marks). */
static void note_mark(fs_rank_ctl *ctl, int off, int size)
{
    if (ctl->nmarks < 0)
        return;
    if (ctl->nmarks + 2 > ctl->capmarks) {
        ctl->nmarks = -1;
        return;
    }
    ctl->marks[ctl->nmarks++] = off;
    ctl->marks[ctl->nmarks++] = size;
}

/* The control pointer of the third argument, or NULL. */
static fs_rank_ctl *ctl_arg(int nval, sqlite3_value **val)
{
    return nval >= 2 ? sqlite3_value_pointer(val[1], FS_RANK_CTL_TYPE) : NULL;
}

int fs_rank_varint(const unsigned char *p, int n, sqlite3_uint64 *v)
{
    sqlite3_uint64 x = 0;
    for (int i = 0; i < 9 && i < n; i++) {
        if (i == 8) {
            *v = (x << 8) | p[i];
            return 9;
        }
        x = (x << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/*
** The column lengths of row `id` into len[2], read from FTS5's docsize
** record with a blob handle kept in ctl for the whole scan: xColumnSize
** runs a statement (step and reset) per row, three times the cost of the
** read itself, and a common word's rows each need one. The record is the
** one xColumnSize decodes (one varint per column); anything unexpected
** returns an error code and the caller asks FTS5. passage_len (passlen.h)
** is asked first; SQLITE_CORRUPT from it is a damaged index.
*/
static int docsize_read(sqlite3 *db, fs_rank_ctl *ctl, sqlite3_int64 id,
                        int *len)
{
    /* First the packed lengths (passlen.h), 256 passages a row. */
    int rc = fs_passlen_get(db, &ctl->passlen, id, len);
    if (rc != SQLITE_NOTFOUND)
        return rc;
    if (!ctl->docsize)
        rc = sqlite3_blob_open(db, "main", "fts_docsize", "sz", id, 0,
                               &ctl->docsize);
    else
        rc = sqlite3_blob_reopen(ctl->docsize, id);
    unsigned char buf[32];
    int n = rc == SQLITE_OK ? sqlite3_blob_bytes(ctl->docsize) : 0;
    if (rc == SQLITE_OK && (n <= 0 || n > (int)sizeof buf))
        rc = SQLITE_ERROR;
    if (rc == SQLITE_OK)
        rc = sqlite3_blob_read(ctl->docsize, buf, n, 0);
    int off = 0;
    for (int c = 0; rc == SQLITE_OK && c < 2; c++) {
        sqlite3_uint64 v = 0;
        int k = fs_rank_varint(buf + off, n - off, &v);
        if (k == 0 || v > 0x7fffffff)
            rc = SQLITE_ERROR;
        off += k;
        len[c] = (int)v;
    }
    if (rc == SQLITE_OK && off != n)
        rc = SQLITE_ERROR;
    return rc;
}

/* Room for n ints at q->inst; SQLite rc. */
static int inst_room(rank_query *q, size_t n)
{
    if (n <= q->ninst)
        return SQLITE_OK;
    size_t ncap = q->ninst ? 2 * q->ninst : 256;
    while (ncap < n)
        ncap *= 2;
    int *p = fs_realloc(q->inst, ncap * sizeof *p);
    if (!p)
        return SQLITE_NOMEM;
    q->inst = p;
    q->ninst = ncap;
    return SQLITE_OK;
}

/*
** The row's instances for a query of a few phrases, read from each
** phrase's own position list: xInstCount would first build (and sort) the
** array of every instance, and xInst hands them out one call each, a fifth
** of a two-word row's cost. Fills tf, minlen and present as the xInst loop
** of score_row() does, and the body instances of positive phrases into
** *grp and *off (room at q->inst) in xInst's order, by offset, then phrase
** number, which is how FTS5 merges the phrases' lists; so closeness, the
** highlights and every sum come out the same. SQLite rc.
*/
static int gather(const Fts5ExtensionApi *api, Fts5Context *ctx,
                  rank_query *q, fs_rank_ctl *ctl, int *tf, int *minlen,
                  int *present, int **grp, int **off, int *nbody)
{
    int start[GATHER_MAX_PHRASES + 1], at[GATHER_MAX_PHRASES];
    int rc = SQLITE_OK, n = 0, found = 0;
    if (!q->size) {
        if (!(q->size = fs_malloc((size_t)q->nphrase * sizeof *q->size)))
            return SQLITE_NOMEM;
        for (int p = 0; p < q->nphrase; p++)
            q->size[p] = api->xPhraseSize(ctx, p);
    }
    for (int p = 0; rc == SQLITE_OK && p < q->nphrase; p++) {
        Fts5PhraseIter it;
        int ic = -1, io = 0, g = q->group[p], size = q->size[p];
        start[p] = n;
        rc = api->xPhraseFirst(ctx, p, &it, &ic, &io);
        for (; rc == SQLITE_OK && ic >= 0;
             api->xPhraseNext(ctx, &it, &ic, &io)) {
            found = 1;
            if (ic > 1)
                continue;
            tf[p * 2 + ic]++;
            if (io + size > minlen[ic])
                minlen[ic] = io + size;
            if (g < 0)
                continue;
            present[g] = 1;
            if (ic == COL_BODY) {
                if ((size_t)n >= q->ninst)
                    rc = inst_room(q, (size_t)n + 1);
                if (rc == SQLITE_OK)
                    q->inst[n++] = io;
            }
        }
    }
    start[q->nphrase] = n;
    /* Every row of a MATCH holds an instance: none is a failure (see
    ** inst_count). */
    if (rc == SQLITE_OK && !found)
        rc = SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = inst_room(q, 3 * (size_t)n + 3);
    if (rc != SQLITE_OK)
        return rc;
    int *raw = q->inst, *g_out = raw + n + 1, *o_out = g_out + n + 1;
    memcpy(at, start, (size_t)q->nphrase * sizeof *at);
    for (int k = 0; k < n; k++) {
        int best = -1;
        for (int p = 0; p < q->nphrase; p++)
            if (at[p] < start[p + 1] &&
                (best < 0 || raw[at[p]] < raw[at[best]]))
                best = p;
        g_out[k] = q->group[best];
        o_out[k] = raw[at[best]++];
        if (ctl && ctl->marks)
            note_mark(ctl, o_out[k], q->size[best]);
    }
    *grp = g_out;
    *off = o_out;
    *nbody = n;
    return SQLITE_OK;
}

/*
** Score the current row of ctx for query q into *score, or set *pruned
** when ctl's floor shows it cannot reach the heap (then its column sizes
** are not read). SQLite rc.
*/
static int score_row(const Fts5ExtensionApi *api, Fts5Context *ctx,
                     rank_query *q, fs_rank_ctl *ctl, double *score_out,
                     int *pruned_out)
{
    /* One phrase: its instances are read straight from its position list;
    ** xInstCount would first build the array of every phrase's (a fifth
    ** of the cost of a common word's row). */
    int single = q->nphrase == 1;
    /* A few phrases, for the cursor: gather(). The plain call (ORDER BY
    ** rank, which tests/unit/test_topk.c compares the cursor's stream
    ** with) keeps xInst. */
    int merged = !single && ctl && q->nphrase <= GATHER_MAX_PHRASES;
    int ninst = 0;
    int rc = single || merged ? SQLITE_OK : inst_count(api, ctx, &ninst);
    int ncell = q->nphrase * 2;
    int *tf = NULL, *present = NULL, *grp = NULL, *off = NULL, *counts = NULL;
    *score_out = 0.0;
    *pruned_out = 0;
    if (rc == SQLITE_OK) {
        /* One block per query, grown as needed: a common word calls this
        ** for every passage, and allocating per row cost a third of it. */
        size_t nzero = (size_t)(ncell + 1) + 2 * (size_t)(q->ngroups + 1);
        size_t need = nzero + 2 * (size_t)(ninst + 1);
        if (need > q->nscratch) {
            int *p = fs_realloc(q->scratch, need * sizeof *p);
            if (p) {
                q->scratch = p;
                q->nscratch = need;
            } else {
                rc = SQLITE_NOMEM;
            }
        }
        if (rc == SQLITE_OK) {
            memset(q->scratch, 0, nzero * sizeof *q->scratch);
            tf = q->scratch;
            present = tf + ncell + 1;
            counts = present + q->ngroups + 1;
            grp = counts + q->ngroups + 1;
            off = grp + ninst + 1;
        }
    }
    int nbody = 0, minlen[2] = { 0, 0 };
    if (ctl)
        ctl->nmarks = 0;
    if (rc == SQLITE_OK && single) {
        Fts5PhraseIter it;
        int ic = -1, io = 0, found = 0, size = api->xPhraseSize(ctx, 0);
        int g = q->group[0];
        rc = api->xPhraseFirst(ctx, 0, &it, &ic, &io);
        for (; rc == SQLITE_OK && ic >= 0;
             api->xPhraseNext(ctx, &it, &ic, &io)) {
            found = 1;
            if (ic > 1)
                continue;
            tf[ic]++;
            if (ctl && io + size > minlen[ic])
                minlen[ic] = io + size;
            if (g < 0)
                continue;
            present[g] = 1;
            if (ic == COL_BODY) {
                nbody++;
                if (ctl && ctl->marks)
                    note_mark(ctl, io, size);
            }
        }
        /* Every row of a MATCH holds an instance: none is a failure (see
        ** inst_count). */
        if (rc == SQLITE_OK && !found)
            rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK && merged)
        rc = gather(api, ctx, q, ctl, tf, minlen, present, &grp, &off, &nbody);
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;
        rc = api->xInst(ctx, i, &ip, &ic, &io);
        if (rc != SQLITE_OK || ip < 0 || ip >= q->nphrase || ic < 0 || ic > 1)
            continue;
        tf[ip * 2 + ic]++;
        /* A column is at least as long as its last matched token. */
        if (ctl && io + api->xPhraseSize(ctx, ip) > minlen[ic])
            minlen[ic] = io + api->xPhraseSize(ctx, ip);
        int g = q->group[ip];
        if (g < 0)
            continue;
        present[g] = 1;
        if (ic == COL_BODY) {
            grp[nbody] = g;
            off[nbody] = io;
            nbody++;
            if (ctl && ctl->marks)
                note_mark(ctl, io, api->xPhraseSize(ctx, ip));
        }
    }
    if (rc != SQLITE_OK)
        return rc;
    /* Added to BM25F in this order, as they always were: the sums must stay
    ** bit for bit the same, since ties are broken by rowid. */
    double score = 0.0, cover = 0.0, near = 0.0;
    int pruned = 0;
    if (q->ngroups <= STRICT_MAX_GROUPS) {
        int covered = 0;
        for (int g = 0; g < q->ngroups; g++)
            covered += present[g];
        cover = COVERAGE_WEIGHT * covered;
    }
    /* Words close together: a bonus that is largest when the groups
    ** found in the body stand side by side. */
    int inbody = single ? nbody > 0 : 0;
    for (int i = 0; !single && i < nbody; i++)
        if (counts[grp[i]]++ == 0)
            inbody++;
    for (int i = 0; !single && i < nbody; i++)
        counts[grp[i]] = 0;
    if (inbody >= 2) {
        int span = min_span(grp, off, nbody, inbody, counts);
        double w = q->ngroups <= STRICT_MAX_GROUPS ? PROXIMITY_WEIGHT
                                                   : PROXIMITY_WEIGHT_LONG;
        if (span > 0)
            near = w * (double)(inbody - 1) * inbody / (double)span;
    }
    /* Shorter columns only raise BM25F, so with the shortest lengths
    ** the matches allow, the row's best possible score is known before
    ** its lengths are read; the margin covers rounding. */
    if (ctl && ctl->has_floor) {
        double best = bm25f(q, tf, minlen);
        best += cover;
        best += near;
        pruned = best + 1e-9 * (1.0 + fabs(best)) < ctl->floor;
    }
    int len[2] = { 0, 0 };
    int drc = pruned || !ctl || !ctl->fs || !ctl->fs->db ? SQLITE_ERROR
              : docsize_read(ctl->fs->db, ctl, api->xRowid(ctx), len);
    if (drc == SQLITE_CORRUPT)
        rc = drc;                        /* a damaged passage_len row */
    if (!pruned && drc != SQLITE_OK)
        for (int c = 0; rc == SQLITE_OK && c < 2; c++)
            rc = api->xColumnSize(ctx, c, &len[c]);
    if (!pruned) {
        score = bm25f(q, tf, len);
        score += cover;
        score += near;
    }
    if (ctl) {
        ctl->gap = q->gap;
        ctl->rows = q->nrow;
        ctl->coverage = q->ngroups <= STRICT_MAX_GROUPS ? COVERAGE_WEIGHT
                                                        : 0.0;
    }
    *score_out = score;
    *pruned_out = pruned;
    return rc;
}

/* One row of a walked phrase: scored and handed to the cursor. */
typedef struct walk_ctx {
    rank_query *q;
    fs_rank_ctl *ctl;
} walk_ctx;

static int walk_row(const Fts5ExtensionApi *api, Fts5Context *ctx,
                    void *payload)
{
    walk_ctx *w = payload;
    double score;
    int pruned;
    int rc = score_row(api, ctx, w->q, w->ctl, &score, &pruned);
    if (rc == SQLITE_OK)
        rc = w->ctl->row(w->ctl->row_arg, api->xRowid(ctx),
                         pruned ? 0.0 : -score, pruned);
    return rc;
}

/* After a failed read of row id's sizes: SQLITE_OK if the row is gone
** (deleted since the list was built), else an error. */
static int gone(sqlite3 *db, sqlite3_int64 id)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM fts_docsize WHERE id = ?1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 1, id);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_CORRUPT : rc;
}

/* The most a passage of frequency f can score for one word: its BM25F
** share plus the coverage of its one group (it adds no closeness). */
static double one_word_max(const rank_query *q, double f)
{
    double s = q->weight[0] * q->idf[0] * f * (BM25_K1 + 1.0) / (f + BM25_K1);
    return s + COVERAGE_WEIGHT;
}

/*
** A query of one word with an impact list (impact.h): score the listed
** passages instead of the whole posting list; *done says it was used.
**
** Exact scores: a listed passage's frequencies are the ones stored (its id
** still means the same text: ids are never reused), its lengths are read
** from fts_docsize, which also shows it still exists, and it is scored by
** bm25f() as score_row() would. The bound on the rest: an unlisted passage
** at or below the list's hwm had f <= rest under the build's averages A0.
** Each column's term tf / (1 - b + b len / A) grows by at most A1 / A0 when
** the average moves to A1 (if A1 > A0; it shrinks otherwise), so f is now
** at most rest * max(1, A1/A0 per column); the score rises with f, and the
** IDF is the same for every passage, so one_word_max() of that bounds it.
** The list is best first by f under A0, so once even an entry's f scaled
** the same way cannot reach the cursor's floor, neither can the ones after.
*/
static int impact_walk(rank_query *q, fs_rank_ctl *ctl, int *done)
{
    fs_impact_use *u = ctl->impact;
    *done = 0;
    if (!u || !u->term || !ctl->fs || !ctl->fs->db || q->nphrase != 1 ||
        q->group[0] < 0 || q->ngroups != 1 || q->ngroups > STRICT_MAX_GROUPS)
        return SQLITE_OK;
    sqlite3 *db = ctl->fs->db;
    fs_impact_list l;
    int found = fs_impact_load(ctl->fs, u->term, u->nterm, &l);
    if (found <= 0)
        return -found;
    double r = 1.0;
    for (int c = 0; c < 2; c++)
        if (q->avgdl[c] / l.avg[c] > r)
            r = q->avgdl[c] / l.avg[c];
    ctl->gap = q->gap;
    ctl->rows = q->nrow;
    ctl->coverage = COVERAGE_WEIGHT;
    fs_impact_ent e;
    int k, rc = SQLITE_OK;
    while (rc == SQLITE_OK && (k = fs_impact_next(&l, &e)) == 1) {
        if (ctl->has_floor) {
            double best = one_word_max(q, fs_rank_freq(e.tf, e.len, l.avg) * r);
            if (best + 1e-9 * (1.0 + fabs(best)) < ctl->floor) {
                rc = ctl->row(ctl->row_arg, e.id, 0.0, 1); /* and the rest */
                break;
            }
        }
        int len[2] = { 0, 0 };
        rc = docsize_read(db, ctl, e.id, len);
        if (rc == SQLITE_CORRUPT)
            break;
        if (rc != SQLITE_OK) {
            /* A missing row aborts the blob handle: start a new one. */
            sqlite3_blob_close(ctl->docsize);
            ctl->docsize = NULL;
            rc = gone(db, e.id);
            continue;
        }
        if (len[0] != e.len[0] || len[1] != e.len[1]) {
            rc = SQLITE_CORRUPT;         /* an id reused: never written */
            break;
        }
        /* As score_row() adds them: BM25F, then coverage (one word: no
        ** closeness). */
        double score = bm25f(q, e.tf, len);
        score += COVERAGE_WEIGHT * 1;
        ctl->nmarks = e.npos < 0 ? -1 : 0;
        for (int i = 0; ctl->marks && i < e.npos; i++)
            note_mark(ctl, e.pos[i], 1);
        rc = ctl->row(ctl->row_arg, e.id, -score, 0);
    }
    if (rc == SQLITE_OK && k < 0)
        rc = SQLITE_CORRUPT;
    if (rc == SQLITE_OK) {
        u->used = 1;
        u->hwm = l.hwm;
        u->bound = one_word_max(q, l.rest * r);
        *done = 1;
    }
    fs_impact_list_free(&l);
    return rc;
}

/*
** A lone phrase whose passage count is not known yet (a phrase of several
** words, or a word without a stored count): walking its rows once to
** count them and again to score them cost a fresh process as much again
** as the search (ファイル 3.4 ms). Its rows are walked once here instead,
** keeping for each what scoring needs before the IDF (frequencies, the
** shortest lengths the matches allow, the body matches for highlights);
** with the count known, they are handed to the cursor in the same order,
** scored and pruned as walk_row() would: same scores to the bit, same
** floor, same column sizes read.
*/
typedef struct counted_row {
    sqlite3_int64 id;
    int tf[2], minlen[2], len[2];  /* len: only without the blob reader */
    int covered;                   /* a title or body match: coverage */
    int mark0, nmark;              /* its body offsets at counted.marks */
} counted_row;

typedef struct counted {
    rank_query *q;
    fs_rank_ctl *ctl;
    counted_row *row;
    size_t n, cap;
    int *marks;                    /* body offsets, at most keep a row */
    size_t nmarks, capmarks;
    int keep;                      /* offsets kept a row: one past ctl's room */
    int no_blob;                   /* docsize_read failed: sizes from FTS5 */
    int size;                      /* tokens in the phrase */
} counted;

static int count_keep(const Fts5ExtensionApi *api, Fts5Context *ctx,
                      void *payload)
{
    counted *c = payload;
    int rc = fs_grow((void **)&c->row, &c->cap, c->n + 1, sizeof *c->row);
    if (rc != SQLITE_OK)
        return rc;
    counted_row *r = &c->row[c->n];
    memset(r, 0, sizeof *r);
    r->id = api->xRowid(ctx);
    r->mark0 = (int)c->nmarks;
    Fts5PhraseIter it;
    int ic = -1, io = 0, found = 0;
    rc = api->xPhraseFirst(ctx, 0, &it, &ic, &io);
    for (; rc == SQLITE_OK && ic >= 0; api->xPhraseNext(ctx, &it, &ic, &io)) {
        found = 1;
        if (ic > 1)
            continue;
        r->tf[ic]++;
        if (io + c->size > r->minlen[ic])
            r->minlen[ic] = io + c->size;
        r->covered = 1;
        if (ic == 1 && r->nmark < c->keep) {
            rc = fs_grow((void **)&c->marks, &c->capmarks, c->nmarks + 1,
                      sizeof *c->marks);
            if (rc == SQLITE_OK) {
                c->marks[c->nmarks++] = io;
                r->nmark++;
            }
        }
    }
    /* Every row of a MATCH holds an instance: none is a failure (see
    ** inst_count). */
    if (rc == SQLITE_OK && !found)
        rc = SQLITE_NOMEM;
    /* The blob reader is tried on the first row; should it fail, as in
    ** score_row() FTS5 gives the sizes, which only the row's own context
    ** can, so they are read here for every row. */
    if (rc == SQLITE_OK && c->n == 0 && c->ctl->fs && c->ctl->fs->db) {
        int drc = docsize_read(c->ctl->fs->db, c->ctl, r->id, r->len);
        if (drc == SQLITE_CORRUPT)
            rc = drc;                    /* a damaged passage_len row */
        c->no_blob = drc != SQLITE_OK;
    } else if (rc == SQLITE_OK && c->n == 0)
        c->no_blob = 1;
    for (int k = 0; rc == SQLITE_OK && c->no_blob && k < 2; k++)
        rc = api->xColumnSize(ctx, k, &r->len[k]);
    if (rc == SQLITE_OK)
        c->n++;
    return rc;
}

/* Score the kept rows as score_row() does for one phrase and hand them
** to the cursor. */
static int hand_counted(counted *c)
{
    rank_query *q = c->q;
    fs_rank_ctl *ctl = c->ctl;
    int rc = SQLITE_OK;
    ctl->gap = q->gap;
    ctl->rows = q->nrow;
    ctl->coverage = q->ngroups <= STRICT_MAX_GROUPS ? COVERAGE_WEIGHT : 0.0;
    for (size_t i = 0; rc == SQLITE_OK && i < c->n; i++) {
        counted_row *r = &c->row[i];
        ctl->nmarks = 0;
        for (int k = 0; ctl->marks && k < r->nmark; k++)
            note_mark(ctl, c->marks[r->mark0 + k], c->size);
        /* One group: coverage if matched, no closeness (one group). */
        double cover = 0.0, near = 0.0, score = 0.0;
        if (q->ngroups <= STRICT_MAX_GROUPS)
            cover = COVERAGE_WEIGHT * r->covered;
        int pruned = 0;
        if (ctl->has_floor) {
            double best = bm25f(q, r->tf, r->minlen);
            best += cover;
            best += near;
            pruned = best + 1e-9 * (1.0 + fabs(best)) < ctl->floor;
        }
        if (!pruned) {
            int len[2] = { r->len[0], r->len[1] };
            if (!c->no_blob)
                rc = docsize_read(ctl->fs->db, ctl, r->id, len);
            score = bm25f(q, r->tf, len);
            score += cover;
            score += near;
        }
        if (rc == SQLITE_OK)
            rc = ctl->row(ctl->row_arg, r->id, pruned ? 0.0 : -score, pruned);
    }
    return rc;
}

static int walk_counted(const Fts5ExtensionApi *api, Fts5Context *ctx,
                        rank_query *q, fs_rank_ctl *ctl)
{
    counted c;
    memset(&c, 0, sizeof c);
    c.q = q;
    c.ctl = ctl;
    c.size = api->xPhraseSize(ctx, 0);
    c.keep = ctl->capmarks / 2 + 1;
    int rc = api->xQueryPhrase(ctx, 0, &c, count_keep);
    if (rc == SQLITE_OK) {
        set_idf(q, 0, (sqlite3_int64)c.n);
        set_gap(q);
        q->df_pending = 0;
        fs_rank_cache *cache = ctl->fs ? cache_get(ctl->fs) : NULL;
        if (ctl->keys && ctl->nkeys == 1)
            cache_put(cache, ctl->keys[0], (sqlite3_int64)c.n);
        rc = hand_counted(&c);
    }
    fs_free(c.row);
    fs_free(c.marks);
    return rc;
}

static void rank_func(const Fts5ExtensionApi *api, Fts5Context *ctx,
                      sqlite3_context *result, int nval, sqlite3_value **val)
{
    const char *groups;
    rank_query *q = NULL;
    fs_rank_ctl *ctl = ctl_arg(nval, val);
    int rc = group_arg(nval, val, &groups);
    /* The walk below: 1, or 2 if a word's impact list may answer first.
    ** A list needs the IDF before it starts; but a word with a list is in
    ** 2 000 passages or more, so its count is stored (termcount.h), and a
    ** word whose count is not is walked whole, without a list. */
    int walk = !(ctl && ctl->row && !ctl->walked) ? 0
               : ctl->impact && ctl->impact->term ? 2 : 1;
    if (rc == SQLITE_OK)
        rc = load_query(api, ctx, groups, 1, walk, ctl, &q);
    /*
    ** A query of one phrase matches exactly that phrase's rows, so the
    ** cursor may ask for them all from this first row: FTS5 walks them
    ** in one call (xQueryPhrase), each scored as below and handed over,
    ** without a step of the statement per row (a quarter of the cost of
    ** a common word). The statement is then abandoned.
    */
    if (rc == SQLITE_OK && ctl && ctl->row && !ctl->walked &&
        q->nphrase == 1 && q->group[0] >= 0) {
        walk_ctx w = { q, ctl };
        int done = 0;
        ctl->walked = 1;
        if (q->df_pending) {
            /* No list is tried: it needs the IDF first (see above). */
            rc = walk_counted(api, ctx, q, ctl);
            done = 1;
        } else {
            rc = impact_walk(q, ctl, &done);
        }
        if (rc == SQLITE_OK && !done)
            rc = api->xQueryPhrase(ctx, 0, &w, walk_row);
        if (rc == SQLITE_OK)
            sqlite3_result_null(result);
        else
            sqlite3_result_error_code(result, rc);
        return;
    }
    double score = 0.0;
    int pruned = 0;
    if (rc == SQLITE_OK)
        rc = score_row(api, ctx, q, ctl, &score, &pruned);
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(result, rc);
    else if (!pruned)
        sqlite3_result_double(result, -score);
}

/* ---------------------------------------------------------------------- */

typedef struct match_ctx {
    const char *marked;   /* [ntokens] 1 if the token is matched */
    int ntokens;
    int index;            /* tokens seen so far */
    int *ranges;          /* pairs, growing */
    int n, cap;
} match_ctx;

static int on_token(void *payload, int tflags, const char *token, int ntoken,
                    int start, int end)
{
    (void)token;
    (void)ntoken;
    match_ctx *m = payload;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    int i = m->index++;
    if (i >= m->ntokens)
        return SQLITE_DONE;
    if (!m->marked[i])
        return SQLITE_OK;
    if (m->n + 2 > m->cap) {
        int ncap = m->cap ? m->cap * 2 : 32;
        int *p = fs_realloc(m->ranges, sizeof(int) * (size_t)ncap);
        if (!p)
            return SQLITE_NOMEM;
        m->ranges = p;
        m->cap = ncap;
    }
    m->ranges[m->n++] = start;
    m->ranges[m->n++] = end;
    return SQLITE_OK;
}

static void matches_func(const Fts5ExtensionApi *api, Fts5Context *ctx,
                         sqlite3_context *result, int nval,
                         sqlite3_value **val)
{
    const char *groups;
    rank_query *q = NULL;
    int rc = group_arg(nval, val, &groups);
    if (rc == SQLITE_OK)
        rc = load_query(api, ctx, groups, 0, 0, NULL, &q);
    int ntokens = 0, ninst = 0;
    if (rc == SQLITE_OK)
        rc = api->xColumnSize(ctx, COL_BODY, &ntokens);
    if (rc == SQLITE_OK)
        rc = inst_count(api, ctx, &ninst);
    char *marked = NULL;
    if (rc == SQLITE_OK && !(marked = fs_calloc((size_t)ntokens + 1)))
        rc = SQLITE_NOMEM;
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;
        rc = api->xInst(ctx, i, &ip, &ic, &io);
        if (rc != SQLITE_OK || ic != COL_BODY || ip < 0 || ip >= q->nphrase ||
            q->group[ip] < 0)
            continue;
        int size = api->xPhraseSize(ctx, ip);
        for (int k = 0; k < size; k++)
            if (io + k >= 0 && io + k < ntokens)
                marked[io + k] = 1;
    }
    match_ctx m;
    memset(&m, 0, sizeof m);
    m.marked = marked;
    m.ntokens = ntokens;
    const char *text = NULL;
    int ntext = 0;
    if (rc == SQLITE_OK)
        rc = api->xColumnText(ctx, COL_BODY, &text, &ntext);
    if (rc == SQLITE_OK && text && ninst > 0) {
        rc = api->xTokenize(ctx, text, ntext, &m, on_token);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc == SQLITE_OK)
        sqlite3_result_blob(result, m.ranges ? (void *)m.ranges : (void *)"",
                            (int)sizeof(int) * m.n, SQLITE_TRANSIENT);
    else
        sqlite3_result_error_code(result, rc);
    fs_free(m.ranges);
    fs_free(marked);
}

int fs_rank_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    int rc = fs_fts5_api(db, &api);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, "fsearch_rank", NULL, rank_func, NULL);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, "fsearch_matches", NULL, matches_func,
                                  NULL);
    if (rc == SQLITE_OK)
        rc = fs_impact_register(api);
    return rc;
}
