/*
** suggest.c - "did you mean": corrections for misspelled query words, taken
** from the words the index actually holds.
**
** The vocabulary holds stemmed, folded terms: the groups of vocab_near
** (vocabnear.h, by first letter and length) made with the vocab table the
** indexer keeps (vocab.c); in an index made before them, that table, or
** an fts5vocab table made in the TEMP schema so the index file is never
** written. A query word is tokenized the way documents are; each token
** that is absent or rare (asked of the index itself, as the table may be
** stale) is compared with the terms that share its first or second letter
** and are of a near length, by an edit distance that gives up past the
** bound. Terms with a digit are never offered (vocabnear.h). A term from
** the table is checked to be in the index still. The winning term is
** shown as a document spells it: its first occurrence in a passage.
*/
#include "suggest.h"
#include "alloc.h"
#include "buf.h"
#include "tokenizer.h"
#include "vocab.h"
#include "vocabnear.h"

#include <limits.h>
#include <string.h>
#include <utf8proc.h>

#define MAX_CP 64               /* code points compared */
#define MAX_TOKENS 16           /* tokens of one query word looked at */
#define RARE 5                  /* passages: fewer is "rare" */
#define MORE 10                 /* a correction of a rare word is this many
                                ** times as frequent */
#define SUFFIX_MAX 4            /* code points of an ending a stem lacks */
#define MAX_SCAN 200000         /* vocabulary rows read per range */

/* ====================================================================== */
/* Edit distance                                                           */

/* Decode up to MAX_CP code points; invalid bytes count one each. */
static int decode(const char *s, size_t n, int32_t *cp)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < MAX_CP) {
        if ((unsigned char)s[i] < 0x80) {
            cp[k++] = (unsigned char)s[i++];
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                (utf8proc_ssize_t)(n - i), &c);
        if (len <= 0) {
            c = 0x110000 + (unsigned char)s[i];
            len = 1;
        }
        cp[k++] = c;
        i += (size_t)len;
    }
    return k;
}

/*
** The edit distance of b to a prefix of a that lacks at most `tail` of a's
** last code points (0: to a itself), or max + 1 once it is sure to exceed
** max. A stem is near a prefix of the word typed: "invas" and "invasoin".
*/
static int distance_cp(const int32_t *x, int n, const int32_t *y, int m,
                       int max, int tail)
{
    if (max < 0)
        max = 0;
    if (m - n > max || n - m > max + tail)
        return max + 1;
    /* Three rows of the optimal-string-alignment table. */
    int rows[3][MAX_CP + 1];
    int *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (int j = 0; j <= m; j++)
        prev[j] = j;
    int result = n - tail <= 0 ? m : max + 1;
    for (int i = 1; i <= n; i++) {
        cur[0] = i;
        int best = cur[0];
        for (int j = 1; j <= m; j++) {
            int cost = x[i - 1] != y[j - 1];
            int d = prev[j - 1] + cost;
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] &&
                x[i - 2] == y[j - 1] && pp[j - 2] + 1 < d)
                d = pp[j - 2] + 1;
            cur[j] = d;
            if (d < best)
                best = d;
        }
        if (i >= n - tail && cur[m] < result)
            result = cur[m];
        /* Later rows never go below this row's least value. */
        if (best > max || best >= result)
            break;
        int *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return result > max ? max + 1 : result;
}

static int distance_tail(const char *a, size_t na, const char *b, size_t nb,
                         int max, int tail)
{
    int32_t x[MAX_CP], y[MAX_CP];
    int n = decode(a, na, x), m = decode(b, nb, y);
    return distance_cp(x, n, y, m, max, tail);
}

int fs_edit_distance(const char *a, size_t na, const char *b, size_t nb,
                     int max)
{
    return distance_tail(a, na, b, nb, max, 0);
}

/* ====================================================================== */
/* The vocabulary                                                          */

typedef struct token {
    int start, end;                     /* in the query word */
    int n;                              /* bytes of stem */
    char stem[FS_TOKEN_MAX_BYTES + 1];
} token;

typedef struct tokens {
    token t[MAX_TOKENS];
    int n;
} tokens;

static int on_token(void *payload, const char *tok, int ntok, int start,
                    int end)
{
    tokens *ts = payload;
    if (ts->n == MAX_TOKENS)
        return 0;
    token *t = &ts->t[ts->n++];
    if (ntok > FS_TOKEN_MAX_BYTES)
        ntok = FS_TOKEN_MAX_BYTES;
    memcpy(t->stem, tok, (size_t)ntok);
    t->stem[ntok] = '\0';
    t->n = ntok;
    t->start = start;
    t->end = end;
    return 0;
}

typedef struct vocab {
    fsearch *fs;
    sqlite3_stmt *count;                /* passages holding a term */
    sqlite3_stmt *range;                /* terms in [?1, ?2), in ?3 passages
                                        ** or more */
    sqlite3_stmt *near;                 /* vocab_near's groups of a first
                                        ** character, by length (?2..?3) */
    sqlite3_stmt *form;                 /* a passage holding a term */
    sqlite3_stmt *few;                  /* up to ?2 passages of a term */
    int fts5vocab;                      /* temp.fsearch_vocab was made */
    int table;                          /* range reads the vocab table, whose
                                        ** counts may be stale (vocab.h) */
    fs_buf tmp, folded, word;
} vocab;

static int vocab_error(vocab *v, int rc)
{
    return fs_error_sqlite(v->fs, rc, "cannot read the index vocabulary");
}

/*
** fts5vocab over the index, made in the TEMP schema so the index file is
** never written. It counts a term's passages by walking its whole posting
** list: cheap for one term, not for a range of them.
*/
static int vocab_fts5vocab(vocab *v)
{
    if (v->fts5vocab)
        return FSEARCH_OK;
    int rc = fs_vocab_temp(v->fs->db);
    if (rc != SQLITE_OK)
        return vocab_error(v, rc);
    v->fts5vocab = 1;
    return FSEARCH_OK;
}

/*
** The statements that look for spellings, prepared when a word turns out
** rare. The terms come from the vocab table the indexer keeps (vocab.c), or
** from fts5vocab in an index made before it, at the cost of every posting
** list in the range read.
*/
static int vocab_full(vocab *v)
{
    fsearch *fs = v->fs;
    if (v->range || v->near)
        return FSEARCH_OK;
    /* vocab_near is made with the vocab table; an index whose table was
    ** last built by an older fsearch lacks it until the next rebuild. */
    int rc = sqlite3_prepare_v2(fs->db, "SELECT len, terms FROM "
                                "main.vocab_near WHERE lead = ?1 AND len "
                                "BETWEEN ?2 AND ?3", -1, &v->near, NULL);
    if (rc != SQLITE_OK)
        rc = sqlite3_prepare_v2(fs->db, "SELECT term, n FROM main.vocab "
                                "WHERE term >= ?1 AND term < ?2 AND n >= ?3 "
                                "AND length(term) BETWEEN ?4 AND ?5", -1,
                                &v->range, NULL);
    v->table = rc == SQLITE_OK;
    if (rc != SQLITE_OK) {
        int erc = vocab_fts5vocab(v);
        if (erc != FSEARCH_OK)
            return erc;
        rc = sqlite3_prepare_v2(fs->db, "SELECT term, doc FROM "
                                "temp.fsearch_vocab WHERE term >= ?1 AND "
                                "term < ?2 AND doc >= ?3 AND length(term) "
                                "BETWEEN ?4 AND ?5", -1, &v->range, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(fs->db, "SELECT fsearch_matches(fts, '0'), "
                                "p.body FROM fts CROSS JOIN passage_text p ON "
                                "p.id = fts.rowid WHERE fts MATCH ?1 LIMIT 8",
                                -1, &v->form, NULL);
    return rc == SQLITE_OK ? FSEARCH_OK : vocab_error(v, rc);
}

static int vocab_open(vocab *v, fsearch *fs)
{
    memset(v, 0, sizeof *v);
    v->fs = fs;
    int rc = sqlite3_prepare_v2(fs->db, "SELECT count(*) FROM (SELECT 1 "
                                "FROM fts WHERE fts MATCH ?1 LIMIT ?2)", -1,
                                &v->few, NULL);
    return rc == SQLITE_OK ? FSEARCH_OK : vocab_error(v, rc);
}

static void vocab_close(vocab *v)
{
    sqlite3_finalize(v->count);
    sqlite3_finalize(v->range);
    sqlite3_finalize(v->near);
    sqlite3_finalize(v->form);
    sqlite3_finalize(v->few);
    fs_buf_free(&v->tmp);
    fs_buf_free(&v->folded);
    fs_buf_free(&v->word);
}

/* Passages holding term s[0..n), into *out: exact, from fts5vocab. */
static int vocab_count(vocab *v, const char *s, int n, sqlite3_int64 *out)
{
    *out = 0;
    int erc = vocab_fts5vocab(v);
    if (erc != FSEARCH_OK)
        return erc;
    if (!v->count) {
        int rc = sqlite3_prepare_v2(v->fs->db, "SELECT doc FROM "
                                    "temp.fsearch_vocab WHERE term = ?1", -1,
                                    &v->count, NULL);
        if (rc != SQLITE_OK)
            return vocab_error(v, rc);
    }
    sqlite3_bind_text(v->count, 1, s, n, SQLITE_STATIC);
    int rc = sqlite3_step(v->count);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(v->count, 0);
    sqlite3_reset(v->count);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vocab_error(v, rc);
    return FSEARCH_OK;
}

#define NBEST 8                 /* spellings of a term tried, best first */

typedef struct cand {
    int dist;                           /* from the stem */
    sqlite3_int64 docs;                 /* passages holding it */
    fs_buf term;
} cand;

/* The NBEST closest terms so far: smaller distance, then more passages. */
typedef struct best {
    cand c[NBEST];
    int n;
} best;

static int better(int dist, sqlite3_int64 docs, const cand *than)
{
    return dist < than->dist || (dist == than->dist && docs > than->docs);
}

/* Insert a term into the list, reusing the memory of the one it drops. */
static int best_add(best *b, int dist, sqlite3_int64 docs, const char *term,
                    int n)
{
    int pos = b->n;
    while (pos > 0 && better(dist, docs, &b->c[pos - 1]))
        pos--;
    if (pos == NBEST)
        return FSEARCH_OK;
    fs_buf spare = b->c[b->n < NBEST ? b->n : NBEST - 1].term;
    int last = b->n < NBEST ? b->n : NBEST - 1;
    for (int k = last; k > pos; k--)
        b->c[k] = b->c[k - 1];
    if (b->n < NBEST)
        b->n++;
    b->c[pos].dist = dist;
    b->c[pos].docs = docs;
    b->c[pos].term = spare;
    int rc = FSEARCH_OK;
    fs_buf_clear(&b->c[pos].term);
    fs_buf_append(&rc, &b->c[pos].term, term, (size_t)n);
    return rc;
}

static int ncodepoints(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* What a range's terms are compared with: the stem and the typed word,
** decoded once, since a range may hold tens of thousands of terms. */
typedef struct near_ctx {
    const token *t;
    int32_t xs[MAX_CP], xt[MAX_CP];
    int ns, nt;
    int tail;                           /* characters of an ending dropped */
    int maxd;
    sqlite3_int64 need;
    signed char hs[64], ht[64];         /* xs's and xt's code points counted
                                        ** by their value mod 64 */
} near_ctx;

static void count_mod64(const int32_t *x, int n, signed char h[64])
{
    memset(h, 0, 64);
    for (int i = 0; i < n; i++)
        h[x[i] & 63]++;
}

/* Keep term[0..n), in `docs` passages, in b if it is one of the closest. */
static int consider(const near_ctx *c, const char *term, int n,
                    sqlite3_int64 docs, best *b)
{
    if (docs < c->need || !term || !fs_near_wanted(term, n) ||
        (n == c->t->n && memcmp(term, c->t->stem, (size_t)n) == 0))
        return FSEARCH_OK;
    const cand *worst = b->n == NBEST ? &b->c[NBEST - 1] : NULL;
    int lim = worst && worst->dist < c->maxd ? worst->dist : c->maxd;
    int32_t y[MAX_CP];
    int m = decode(term, (size_t)n, y);
    /* Most terms of a range are far off, and cheaper to rule out by their
    ** letters: an edit changes by at most one how many letters of y the
    ** other word lacks (and the reverse), so those counts bound the
    ** distance from below. Dropping an ending only adds letters y may lack. */
    signed char ds[64], dtyped[64];
    memcpy(ds, c->hs, sizeof ds);
    memcpy(dtyped, c->ht, sizeof dtyped);
    int ys = 0, yt = 0;                 /* letters of y the stem, the typed
                                        ** word lack */
    for (int k = 0; k < m; k++) {
        ys += --ds[y[k] & 63] < 0;
        yt += --dtyped[y[k] & 63] < 0;
    }
    int stem_lacks = c->ns - (m - ys);  /* letters of the stem y lacks */
    int low = ys > stem_lacks ? ys : stem_lacks;
    int d = low > lim ? lim + 1 : distance_cp(c->xs, c->ns, y, m, lim, 0);
    if (d > 0 && yt <= lim) {
        int dt = distance_cp(c->xt, c->nt, y, m, lim, c->tail);
        if (dt < d)
            d = dt;
    }
    if (d > lim || (worst && !better(d, docs, worst)))
        return FSEARCH_OK;
    return best_add(b, d, docs, term, n);
}

/* End a scan: reset its statement; its SQLite result code rc (SQLITE_ROW
** if it stopped early) and a failure of the caller's own, erc, made one. */
static int scan_done(vocab *v, sqlite3_stmt *st, int rc, int erc)
{
    sqlite3_reset(st);
    if (erc != FSEARCH_OK)
        return fs_error(v->fs, erc, "out of memory");
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fs_error_sqlite(v->fs, rc, "cannot read the index vocabulary");
    return FSEARCH_OK;
}

/* The terms of vocab_near's groups for the first character p[0..np), of
** lengths shortest..longest. */
static int scan_near(vocab *v, const near_ctx *c, const char *p, size_t np,
                     int shortest, int longest, best *b)
{
    sqlite3_bind_blob(v->near, 1, p, (int)np, SQLITE_TRANSIENT);
    sqlite3_bind_int(v->near, 2, shortest);
    sqlite3_bind_int(v->near, 3, longest >= MAX_CP ? FS_NEAR_LEN_CAP : longest);
    int rc = SQLITE_DONE, erc = FSEARCH_OK, nread = 0;
    while (erc == FSEARCH_OK && (rc = sqlite3_step(v->near)) == SQLITE_ROW) {
        fs_near_iter it;
        fs_near_iter_init(&it, sqlite3_column_blob(v->near, 1),
                          sqlite3_column_bytes(v->near, 1));
        const char *term;
        int n, more;
        sqlite3_int64 docs;
        while ((more = fs_near_next(&it, &term, &n, &docs)) == 1 &&
               nread++ < MAX_SCAN) {
            erc = consider(c, term, n, docs, b);
            if (erc != FSEARCH_OK)
                break;
        }
        if (more == SQLITE_CORRUPT)
            rc = SQLITE_CORRUPT;
        if (rc != SQLITE_ROW)
            break;
    }
    return scan_done(v, v->near, rc, erc);
}

/*
** Look at the terms starting with the code point at p[0..np) for spellings
** of t within maxd edits and found in at least `need` passages. A term is
** near t's stem, or near the word as typed (`typed`, folded) less an
** ending: a misspelled word may stem oddly ("invasoin" stays whole).
*/
static int scan_range(vocab *v, const token *t, const fs_buf *typed,
                      const char *p, size_t np, int maxd, sqlite3_int64 need,
                      best *b)
{
    if (np == 0 || np > 4)
        return FSEARCH_OK;
    near_ctx c;
    c.t = t;
    c.maxd = maxd;
    c.need = need;
    /* A short word may not drop much: "his" is no stem of "histroy". */
    c.tail = ncodepoints(typed->p, typed->n) / 3;
    if (c.tail > SUFFIX_MAX)
        c.tail = SUFFIX_MAX;
    c.ns = decode(t->stem, (size_t)t->n, c.xs);
    c.nt = decode(typed->p, typed->n, c.xt);
    count_mod64(c.xs, c.ns, c.hs);
    count_mod64(c.xt, c.nt, c.ht);
    /* Only terms of a length within maxd of the stem's, or of the typed
    ** word's less an ending, can be near (distance_cp's first test), so
    ** the others are not read. Past MAX_CP, lengths are not compared. */
    int shortest = (c.ns < c.nt - c.tail ? c.ns : c.nt - c.tail) - maxd;
    int longest = (c.ns > c.nt ? c.ns : c.nt) + maxd;
    if (v->near)
        return scan_near(v, &c, p, np, shortest, longest, b);
    char lo[8], hi[8];
    memcpy(lo, p, np);
    memcpy(hi, p, np);
    if ((unsigned char)hi[np - 1] == 0xFF)
        return FSEARCH_OK;
    hi[np - 1] = (char)((unsigned char)hi[np - 1] + 1);
    sqlite3_bind_text(v->range, 1, lo, (int)np, SQLITE_TRANSIENT);
    sqlite3_bind_text(v->range, 2, hi, (int)np, SQLITE_TRANSIENT);
    sqlite3_bind_int64(v->range, 3, need);
    sqlite3_bind_int(v->range, 4, shortest);
    sqlite3_bind_int(v->range, 5, longest >= MAX_CP ? INT_MAX : longest);
    int rc, nread = 0, erc = FSEARCH_OK;
    while ((rc = sqlite3_step(v->range)) == SQLITE_ROW && nread++ < MAX_SCAN) {
        erc = consider(&c, (const char *)sqlite3_column_text(v->range, 0),
                       sqlite3_column_bytes(v->range, 0),
                       sqlite3_column_int64(v->range, 1), b);
        if (erc != FSEARCH_OK)
            break;
    }
    return scan_done(v, v->range, rc, erc);
}

typedef struct first_token {
    fs_buf *out;
    int rc;
    int seen;
} first_token;

static int on_first(void *payload, const char *tok, int ntok, int start,
                    int end)
{
    (void)start;
    (void)end;
    first_token *f = payload;
    fs_buf_append(&f->rc, f->out, tok, (size_t)ntok);
    f->seen = 1;
    return 1;                           /* stop: one is enough */
}

/* The first word of s[0..n), folded but not stemmed, into out. */
static int fold_word(fs_tokenizer *tk, const char *s, size_t n, fs_buf *out)
{
    first_token f = { out, FSEARCH_OK, 0 };
    fs_buf_clear(out);
    int rc = fs_tokenizer_run(tk, FS_TOKENIZE_NOSTEM, s, (int)n, on_first, &f);
    if (rc == 1)
        rc = FSEARCH_OK;
    return rc != FSEARCH_OK ? rc : f.rc;
}

/* Does the word s[0..n) stem to term[0..nterm)? */
typedef struct stem_check {
    const char *term;
    size_t nterm;
    int equal;
} stem_check;

static int on_stem(void *payload, const char *tok, int ntok, int start,
                   int end)
{
    (void)start;
    (void)end;
    stem_check *k = payload;
    k->equal = (size_t)ntok == k->nterm && memcmp(tok, k->term, k->nterm) == 0;
    return 1;
}

/* Append w[0..n) lowercased by code point; the bytes stay valid UTF-8. */
static void put_lower(int *rc, fs_buf *out, const char *w, size_t n)
{
    size_t i = 0;
    while (i < n && *rc == FSEARCH_OK) {
        utf8proc_int32_t c;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)w + i,
                                                (utf8proc_ssize_t)(n - i), &c);
        if (len <= 0) {
            fs_buf_putc(rc, out, w[i]);
            i++;
            continue;
        }
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(utf8proc_tolower(c), enc);
        fs_buf_append(rc, out, enc, (size_t)k);
        i += (size_t)len;
    }
}

/*
** Append the word as documents write it, lowercased: an occurrence of
** `term` in a passage body; the term itself if none is found. The passages
** are found by prefix (a prefix is not stemmed, and a stem stemmed again
** may change: "japanes" -> "japan"), and each word found is stemmed to see
** that it is this term.
*/
static int real_form(vocab *v, fs_tokenizer *tk, const char *term, size_t n,
                     const fs_buf *typed, fs_buf *out)
{
    int rc = FSEARCH_OK;
    fs_buf_clear(&v->tmp);
    fs_buf_puts(&rc, &v->tmp, "{body} : \"");
    for (size_t i = 0; i < n; i++) {
        if (term[i] == '"')
            fs_buf_putc(&rc, &v->tmp, '"');
        fs_buf_putc(&rc, &v->tmp, term[i]);
    }
    fs_buf_puts(&rc, &v->tmp, "\" *");
    if (rc != FSEARCH_OK)
        return fs_error(v->fs, rc, "out of memory");
    sqlite3_bind_text(v->form, 1, v->tmp.p, (int)v->tmp.n, SQLITE_STATIC);
    const char *w = term;
    size_t nw = n;
    int wdist = MAX_CP + 1, src = SQLITE_DONE;
    while (wdist > 0 && (src = sqlite3_step(v->form)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(v->form, 1);
        size_t nbody = (size_t)sqlite3_column_bytes(v->form, 1);
        const char *blob = sqlite3_column_blob(v->form, 0);
        size_t npairs = (size_t)sqlite3_column_bytes(v->form, 0) /
                        (2 * sizeof(int));
        for (size_t i = 0; body && blob && i < npairs && wdist > 0; i++) {
            int pair[2];
            memcpy(pair, blob + i * sizeof pair, sizeof pair);
            if (pair[0] < 0 || pair[1] <= pair[0] || (size_t)pair[1] > nbody)
                continue;
            stem_check k = { term, n, 0 };
            rc = fs_tokenizer_run(tk, 0, body + pair[0], pair[1] - pair[0],
                                  on_stem, &k);
            if (rc != 1 && rc != FSEARCH_OK)
                break;
            rc = FSEARCH_OK;
            if (!k.equal)
                continue;
            /* Of the words of this stem, the one nearest to what was
            ** typed: "soldiers" rather than "soldier" for "soldeirs". */
            rc = fold_word(tk, body + pair[0], (size_t)(pair[1] - pair[0]),
                           &v->folded);
            if (rc != FSEARCH_OK)
                break;
            int d = fs_edit_distance(typed->p, typed->n, v->folded.p,
                                     v->folded.n, MAX_CP);
            if (d < wdist) {
                wdist = d;
                fs_buf_clear(&v->word);
                fs_buf_append(&rc, &v->word, body + pair[0],
                              (size_t)(pair[1] - pair[0]));
                w = v->word.p;
                nw = v->word.n;
            }
        }
        if (rc != FSEARCH_OK)
            break;
    }
    put_lower(&rc, out, w, nw);
    sqlite3_reset(v->form);
    if (rc != FSEARCH_OK)
        return fs_error(v->fs, rc, "out of memory");
    /* A failed step is an error, not "no passage": under memory pressure
    ** the answer must be the same or none at all. */
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return fs_error_sqlite(v->fs, src, "cannot read the index vocabulary");
    return FSEARCH_OK;
}

/* Bytes of the UTF-8 character at s[0] (1 for a stray byte). */
static size_t char_len(const char *s, size_t n)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                            (utf8proc_ssize_t)n, &c);
    return len > 0 ? (size_t)len : 1;
}

static int has_digit(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return 1;
    return 0;
}


/* Does a term tokenize to itself alone (stemming a stem may change it)? */
typedef struct self_check {
    const char *term;
    int nterm;
    int ntokens;
    int equal;
} self_check;

static int on_self(void *payload, const char *tok, int ntok, int start,
                   int end)
{
    (void)start;
    (void)end;
    self_check *k = payload;
    if (k->ntokens++ == 0)
        k->equal = ntok == k->nterm && memcmp(tok, k->term, (size_t)ntok) == 0;
    return k->ntokens > 1;
}

/*
** Passages holding term s[0..n), counted up to `limit`, into *out, asking
** the index with the term as a phrase: a few postings read, not all. *known
** is 0 when the term does not read back as itself; fts5vocab must say.
*/
static int vocab_few(vocab *v, fs_tokenizer *tk, const char *s, int n,
                     int limit, sqlite3_int64 *out, int *known)
{
    *out = 0;
    *known = 0;
    self_check k = { s, n, 0, 0 };
    int rc = fs_tokenizer_run(tk, 0, s, n, on_self, &k);
    if (rc < 0)
        return fs_error(v->fs, rc, "out of memory");
    if (k.ntokens != 1 || !k.equal)
        return FSEARCH_OK;
    rc = FSEARCH_OK;
    fs_buf_clear(&v->tmp);
    fs_buf_putc(&rc, &v->tmp, '"');
    for (int i = 0; i < n; i++) {
        if (s[i] == '"')
            fs_buf_putc(&rc, &v->tmp, '"');
        fs_buf_putc(&rc, &v->tmp, s[i]);
    }
    fs_buf_putc(&rc, &v->tmp, '"');
    if (rc != FSEARCH_OK)
        return fs_error(v->fs, rc, "out of memory");
    sqlite3_bind_text(v->few, 1, v->tmp.p, (int)v->tmp.n, SQLITE_STATIC);
    sqlite3_bind_int(v->few, 2, limit);
    int src = sqlite3_step(v->few);
    if (src == SQLITE_ROW)
        *out = sqlite3_column_int64(v->few, 0);
    sqlite3_reset(v->few);
    if (src != SQLITE_ROW)
        return fs_error_sqlite(v->fs, src == SQLITE_DONE ? SQLITE_CORRUPT : src,
                               "cannot read the index vocabulary");
    *known = 1;
    return FSEARCH_OK;
}

/* Is term s[0..n) in some passage now? Into *yes. */
static int vocab_has(vocab *v, fs_tokenizer *tk, const char *s, int n,
                     int *yes)
{
    sqlite3_int64 docs = 0;
    int known;
    int rc = vocab_few(v, tk, s, n, 1, &docs, &known);
    if (rc == FSEARCH_OK && !known)
        rc = vocab_count(v, s, n, &docs);
    *yes = docs > 0;
    return rc;
}

typedef struct scratch {
    best b;
    fs_buf typed, form, folded;
} scratch;

/*
** Append to `out` the correction of token t (the word typed at
** term[t->start, t->end)), and set *found; nothing if there is none. The
** search runs on stems, so each spelling found is checked again on the
** words as written: "unclosed" is not "uncle" though "unclos" is near
** "uncl". Words of fewer than 4 letters have too many neighbours to guess.
*/
static int correct_token(vocab *v, fs_tokenizer *tk, const char *term,
                         const token *t, scratch *w, fs_buf *out, int *found)
{
    *found = 0;
    w->b.n = 0;
    int rc = fold_word(tk, term + t->start, (size_t)(t->end - t->start),
                       &w->typed);
    if (rc != FSEARCH_OK)
        return fs_error(v->fs, rc, "out of memory");
    int ntyped = ncodepoints(w->typed.p, w->typed.n);
    if (ntyped < 4 || has_digit(t->stem, t->n))
        return FSEARCH_OK;
    sqlite3_int64 docs;
    int known;
    rc = vocab_few(v, tk, t->stem, t->n, RARE, &docs, &known);
    if (rc == FSEARCH_OK && !known)
        rc = vocab_count(v, t->stem, t->n, &docs);
    if (rc == FSEARCH_OK && docs < RARE)
        rc = vocab_full(v);
    if (rc != FSEARCH_OK || docs >= RARE)
        return rc;
    int nstem = ncodepoints(t->stem, (size_t)t->n);
    int maxd = nstem <= 4 ? 1 : 2;
    sqlite3_int64 need = docs == 0 ? 1 : docs * MORE;
    /* Terms sharing the first letter, then the second (a slip on the first
    ** letter: dropped, doubled or swapped). */
    size_t l1 = char_len(t->stem, (size_t)t->n);
    size_t l2 = char_len(t->stem + l1, (size_t)t->n - l1);
    rc = scan_range(v, t, &w->typed, t->stem, l1, maxd, need, &w->b);
    if (rc == FSEARCH_OK && (l1 != l2 || memcmp(t->stem, t->stem + l1, l1)))
        rc = scan_range(v, t, &w->typed, t->stem + l1, l2, maxd, need, &w->b);
    for (int i = 0; rc == FSEARCH_OK && i < w->b.n && !*found; i++) {
        if (v->table) {
            /* The table may be stale: is the term still in the index? */
            rc = vocab_has(v, tk, w->b.c[i].term.p, (int)w->b.c[i].term.n,
                           &known);
            if (rc != FSEARCH_OK)
                break;
            if (!known)
                continue;
        }
        fs_buf_clear(&w->form);
        rc = real_form(v, tk, w->b.c[i].term.p, w->b.c[i].term.n, &w->typed,
                       &w->form);
        if (rc == FSEARCH_OK)
            rc = fold_word(tk, w->form.p, w->form.n, &w->folded);
        if (rc != FSEARCH_OK) {
            rc = rc < 0 ? fs_error(v->fs, rc, "out of memory") : rc;
            break;
        }
        int nform = ncodepoints(w->folded.p, w->folded.n);
        int shorter = nform < ntyped ? nform : ntyped;
        int k = ntyped <= 4 ? 1 : 2;
        if (k > shorter / 3)
            k = shorter / 3;
        if (nform < 4 || k < 1)
            continue;
        int d = fs_edit_distance(w->typed.p, w->typed.n, w->folded.p,
                                 w->folded.n, k);
        if (d < 1 || d > k)
            continue;
        fs_buf_append(&rc, out, w->form.p, w->form.n);
        *found = 1;
    }
    return rc;
}

void fs_suggestions_free(fs_suggestion *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        fs_free(s[i].word);
    fs_free(s);
}

int fs_suggest(fsearch *fs, const fs_query *q, fs_suggestion **out,
               size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (q->nterms == 0)
        return FSEARCH_OK;
    fs_tokenizer *tk = NULL;
    int rc = fs_handle_tokenizer(fs, &tk);
    if (rc != FSEARCH_OK)
        return rc;
    vocab v;
    rc = vocab_open(&v, fs);
    fs_suggestion *list = NULL;
    size_t n = 0;
    fs_buf word = FS_BUF_INIT;
    scratch w;
    memset(&w, 0, sizeof w);
    tokens ts;
    for (int i = 0; rc == FSEARCH_OK && i < q->nterms; i++) {
        const char *term = q->terms[i];
        size_t nterm = strlen(term);
        if (nterm > (size_t)FS_TOKEN_MAX_BYTES * MAX_TOKENS)
            continue;
        ts.n = 0;
        rc = fs_tokenizer_run(tk, 0, term, (int)nterm, on_token, &ts);
        if (rc != FSEARCH_OK) {
            rc = fs_error(fs, rc, "out of memory");
            break;
        }
        if (ts.n == 0)
            continue;
        /* The word from its first token to its last, each corrected token
        ** replaced: "safety-zome" -> "safety-zone", "doc;" -> "do". */
        fs_buf_clear(&word);
        size_t done = (size_t)ts.t[0].start;
        int changed = 0;
        for (int k = 0; rc == FSEARCH_OK && k < ts.n; k++) {
            size_t mark = word.n;
            fs_buf_append(&rc, &word, term + done,
                          (size_t)ts.t[k].start - done);
            int found = 0;
            if (rc != FSEARCH_OK) {
                rc = fs_error(fs, rc, "out of memory");
                break;
            }
            rc = correct_token(&v, tk, term, &ts.t[k], &w, &word, &found);
            if (rc == FSEARCH_OK && !found) {
                word.n = mark;
                continue;
            }
            done = (size_t)ts.t[k].end;
            changed = 1;
        }
        if (rc != FSEARCH_OK || !changed)
            continue;
        fs_buf_append(&rc, &word, term + done,
                      (size_t)ts.t[ts.n - 1].end > done
                          ? (size_t)ts.t[ts.n - 1].end - done
                          : 0);
        fs_suggestion *nl = rc == FSEARCH_OK
                                ? fs_realloc(list, (n + 1) * sizeof *nl)
                                : NULL;
        char *s = nl ? fs_strndup(word.p, word.n) : NULL;
        if (nl)
            list = nl;
        if (!s) {
            rc = fs_error(fs, FSEARCH_ENOMEM, "out of memory");
            break;
        }
        list[n].term = i;
        list[n].word = s;
        n++;
    }
    vocab_close(&v);
    fs_buf_free(&word);
    for (int k = 0; k < NBEST; k++)
        fs_buf_free(&w.b.c[k].term);
    fs_buf_free(&w.typed);
    fs_buf_free(&w.form);
    fs_buf_free(&w.folded);
    if (rc != FSEARCH_OK) {
        fs_suggestions_free(list, n);
        return rc;
    }
    *out = list;
    *n_out = n;
    return FSEARCH_OK;
}
