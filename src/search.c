/*
** search.c - a search cursor: the user's query translated (query.c), run
** against FTS5 with our ranking (rank.c), and each hit dressed with its
** file, line, matched words, snippet (snippet.c) and the other places where
** the same passage appears.
**
** Duplicates are folded here. Passages of equal normalized-text hash are
** one passage. Copies whose boundaries differ (a heading merged into one
** copy only) or that differ by a word are caught by comparing the 3-word
** runs ("shingles") of the hit with the candidates read ahead of it in rank
** order (FS_WINDOW of them) and with the last hits shown. Either way the
** copy is shown once, at the rank of the best, listing the others.
*/
#include "search.h"
#include "alloc.h"
#include "feedback.h"
#include "text.h"
#include "tokenizer.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALSO_IN 20
#define FILE_SHARE 0.1      /* weight of a file's other passages, see below */

/* ====================================================================== */
/* The set of passage hashes already shown                                 */

/* Add h; returns 1 if it was there, 0 if added, a negative code on OOM. */
static int seen_add(fsearch_cursor *c, uint64_t h)
{
    if (h == 0) {
        int was = c->seen_zero;
        c->seen_zero = 1;
        return was;
    }
    if ((c->seen_n + 1) * 2 > c->seen_cap) {
        size_t ncap = c->seen_cap ? c->seen_cap * 2 : 256;
        uint64_t *t = fs_calloc(ncap * sizeof *t);
        if (!t)
            return FSEARCH_ENOMEM;
        for (size_t i = 0; i < c->seen_cap; i++) {
            if (!c->seen[i])
                continue;
            size_t k = (size_t)fs_shingles_mix(c->seen[i]) & (ncap - 1);
            while (t[k])
                k = (k + 1) & (ncap - 1);
            t[k] = c->seen[i];
        }
        fs_free(c->seen);
        c->seen = t;
        c->seen_cap = ncap;
    }
    size_t k = (size_t)fs_shingles_mix(h) & (c->seen_cap - 1);
    while (c->seen[k]) {
        if (c->seen[k] == h)
            return 1;
        k = (k + 1) & (c->seen_cap - 1);
    }
    c->seen[k] = h;
    c->seen_n++;
    return 0;
}

static int seen_has(const fsearch_cursor *c, uint64_t h)
{
    if (h == 0)
        return c->seen_zero;
    if (c->seen_cap == 0)
        return 0;
    size_t k = (size_t)fs_shingles_mix(h) & (c->seen_cap - 1);
    while (c->seen[k]) {
        if (c->seen[k] == h)
            return 1;
        k = (k + 1) & (c->seen_cap - 1);
    }
    return 0;
}

/* ====================================================================== */
/* Opening a search                                                        */

double fs_cursor_elapsed_ms(const fsearch_cursor *c)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - c->started.tv_sec) * 1e3 +
           (double)(now.tv_nsec - c->started.tv_nsec) / 1e6;
}

static int is_word_end(char ch)
{
    return ch == '\0' || ch == ' ' || ch == '\t' || ch == '\n' ||
           ch == '\r' || ch == '\f' || ch == '\v' || ch == '(' || ch == ')' ||
           ch == '"';
}

/* Does s start with "title:", in any case, as the parser reads it? */
static int is_title_prefix(const char *s)
{
    for (int k = 0; k < 6; k++) {
        char a = s[k];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (a != "title:"[k])
            return 0;
    }
    return 1;
}

/* The suggestion for a bare word in[0..n), or NULL; one handed out is
** marked as searched (c->sugg_used), for fsearch_fuzzy_words(). */
static const char *suggestion_for(fsearch_cursor *c, const char *w,
                                  size_t n)
{
    for (size_t i = 0; i < c->nsugg; i++) {
        const char *t = c->query->terms[c->sugg[i].term];
        if (strlen(t) != n)
            continue;
        size_t k = 0;
        while (k < n) {
            char a = w[k], b = t[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a + 32);
            if (a != b)
                break;
            k++;
        }
        if (k == n) {
            c->sugg_used[i] = 1;
            return c->sugg[i].word;
        }
    }
    return NULL;
}

/* Bytes of what ends a word at in[w] (w < n): a blank, and in NEAR(...)
** (`near`) a quote, ',', '(' or ')' too; 0 if none. */
static size_t word_sep(const char *in, size_t n, size_t w, int near)
{
    size_t b = fs_query_blank_len(in, n, w);
    if (!b && near) {
        b = fs_query_quote_len(in, n, w);
        if (!b && (in[w] == ',' || in[w] == '(' || in[w] == ')'))
            b = 1;
    }
    return b;
}

/*
** Copy in[from..to) to out with each word that has a suggestion replaced by
** it (not NEAR's distance). Returns 1 if a word was replaced.
*/
static int fix_words(fsearch_cursor *c, const char *in, size_t n,
                     size_t from, size_t to, int near, fs_buf *out, int *rc)
{
    int changed = 0, distance = 0;
    size_t w = from;
    while (w < to && *rc == FSEARCH_OK) {
        size_t b = word_sep(in, n, w, near);
        if (b) {
            if (near && b == 1 && strchr(",()", in[w]))
                distance = in[w] == ',';  /* NEAR's distance follows */
            fs_buf_append(rc, out, in + w, b);
            w += b;
            continue;
        }
        size_t e = w;
        while (e < to && !word_sep(in, n, e, near))
            e++;
        const char *fix = distance ? NULL : suggestion_for(c, in + w, e - w);
        if (fix) {
            for (const char *f = fix; *f; f++)   /* '"' is doubled in "..." */
                fs_buf_append(rc, out, f, *f == '"' ? 2 : 1);
            changed = 1;
        } else {
            fs_buf_append(rc, out, in + w, e - w);
        }
        w = e;
    }
    return changed;
}

/*
** NEAR(...) (`near`: in[i] is its '(') written as (orig OR fixed), the
** fixed copy with its suggested words replaced, or as typed when none has
** a suggestion; a phrase (in[i] is its quote) as typed: quoted words are
** searched exactly, as typed. `head` is what precedes it in[head..i)
** ("NEAR"; a sign or title: stays outside). An unclosed phrase or NEAR is
** closed; a phrase keeps its trailing '*'s and gets ASCII quotes. Returns
** the offset after it.
*/
static size_t fuzzy_unit(fsearch_cursor *c, const char *in, size_t n,
                         size_t head, size_t i, int near, fs_buf *out,
                         int *rc)
{
    size_t open = near ? 1 : fs_query_quote_len(in, n, i);
    size_t j = i + open, end, k, ql;
    int q = 0;
    /* The closing quote (a "" pair is one '"'), or NEAR's ')' outside
    ** quotes, as the parser finds them. */
    while (j < n) {
        ql = fs_query_quote_len(in, n, j);
        if (ql && (!near || q) && in[j] == '"' && j + 1 < n &&
            in[j + 1] == '"') {
            j += 2;
            continue;
        }
        if (ql && !near)
            break;
        if (ql) {
            q = !q;
            j += ql;
            continue;
        }
        if (near && !q && in[j] == ')')
            break;
        j++;
    }
    end = j < n ? j + (near ? 1 : fs_query_quote_len(in, n, j)) : n;
    k = end;
    while (!near && k < n && in[k] == '*')
        k++;
    const char *opener = near ? "(" : "\"";
    const char *close = near ? (q ? "\")" : ")") : "\"";
    fs_buf fixed = FS_BUF_INIT;
    int changed = near && fix_words(c, in, n, i + open, j, near, &fixed, rc);
    for (int copy = 0; copy <= changed; copy++) {
        fs_buf_puts(rc, out, copy ? " OR " : changed ? "(" : "");
        fs_buf_append(rc, out, in + head, i - head);
        fs_buf_puts(rc, out, opener);
        if (copy && fixed.n)
            fs_buf_append(rc, out, fixed.p, fixed.n);
        else if (!copy)
            fs_buf_append(rc, out, in + i + open, j - i - open);
        fs_buf_puts(rc, out, close);
        fs_buf_append(rc, out, in + end, k - end);
    }
    if (changed)
        fs_buf_putc(rc, out, ')');
    fs_buf_free(&fixed);
    return k;
}

/*
** --fuzzy: the query again, each suggested word written as (word OR fix),
** a NEAR(...) holding such words as (it OR its fixed copy); a sign or
** title: in front stays in front. Quoted words are left as typed.
*/
static int fuzzy_rewrite(fsearch_cursor *c, const char *in, fs_buf *out)
{
    int rc = FSEARCH_OK;
    size_t i = 0, n = strlen(in);
    while (i < n && rc == FSEARCH_OK) {
        char ch = in[i];
        if (fs_query_quote_len(in, n, i)) {
            i = fuzzy_unit(c, in, n, i, i, 0, out, &rc);
            continue;
        }
        size_t blank = fs_query_blank_len(in, n, i);
        if (is_word_end(ch) || blank) {
            blank = blank ? blank : 1;
            fs_buf_append(&rc, out, in + i, blank);
            i += blank;
            continue;
        }
        /* Words end where the parser ends them: at Unicode spaces too. */
        size_t end = i;
        while (end < n && !is_word_end(in[end]) &&
               !fs_query_blank_len(in, n, end) &&
               !fs_query_quote_len(in, n, end))
            end++;
        size_t w = i;
        if (in[w] == '-' || in[w] == '+')
            w++;
        if (end - w > 6 && is_title_prefix(in + w))
            w += 6;
        if (end - w == 4 && memcmp(in + w, "NEAR", 4) == 0 && end < n &&
            in[end] == '(') {
            fs_buf_append(&rc, out, in + i, w - i);
            i = fuzzy_unit(c, in, n, w, end, 1, out, &rc);
            continue;
        }
        const char *fix = suggestion_for(c, in + w, end - w);
        fs_buf_append(&rc, out, in + i, w - i);
        if (fix) {
            fs_buf_putc(&rc, out, '(');
            fs_buf_append(&rc, out, in + w, end - w);
            fs_buf_puts(&rc, out, " OR ");
            fs_buf_puts(&rc, out, fix);
            fs_buf_putc(&rc, out, ')');
        } else {
            fs_buf_append(&rc, out, in + w, end - w);
        }
        i = end;
    }
    return rc;
}

/*
** FTS5 walks a token's postings once for each time a phrase holds it, so
** a phrase of a thousand "the"s (a quoted paste, a query of stop words
** only, or one word such as "the;the;the" that the tokenizer cuts apart)
** costs a thousand walks of the longest list: ~12 ms each on the bench's
** full slice. The parser bounds the phrases (256 words); this bounds their
** tokens, as the same tokenizer counts them, to as many.
*/
#define MAX_QUERY_TOKENS 256

static int count_token(void *payload, const char *token, int ntoken,
                       int start, int end)
{
    (void)token, (void)ntoken, (void)start, (void)end;
    int *n = payload;
    return ++*n > MAX_QUERY_TOKENS;
}

/* 1 if the quoted strings of q's MATCH expression hold more than
** MAX_QUERY_TOKENS tokens, 0 if not, or a negative code. */
static int too_many_tokens(fsearch *fs, const fs_query *q)
{
    const char *m = q->match;
    /* A token takes a byte at least: most queries need no tokenizer. */
    if (strlen(m) <= MAX_QUERY_TOKENS)
        return 0;
    fs_tokenizer *tk = NULL;
    int rc = fs_handle_tokenizer(fs, &tk), n = 0;
    for (size_t i = 0; rc == FSEARCH_OK && m[i]; i++) {
        if (m[i] != '"')
            continue;
        size_t j = i + 1;             /* '""' inside is one '"' */
        while (m[j] && (m[j] != '"' || m[j + 1] == '"'))
            j += m[j] == '"' ? 2 : 1;
        if (j - i - 1 > (size_t)INT_MAX)
            return 1;
        rc = fs_tokenizer_run(tk, FS_TOKENIZE_NOSTEM, m + i + 1,
                              (int)(j - i - 1), count_token, &n);
        if (!m[j])
            break;
        i = j;
    }
    if (rc < 0)
        return fs_error(fs, rc, "out of memory");
    return rc != FSEARCH_OK;
}

/* Parse c->input into c->query; FSEARCH_EQUERY carries its message. */
static int parse_query(fsearch_cursor *c)
{
    char err[256] = "";
    fs_query_free(c->query);
    c->query = NULL;
    int rc = fs_query_parse(&c->query, c->input, 0, c->fs->synonyms, err,
                            sizeof err);
    if (rc == FSEARCH_EQUERY)
        return fs_error(c->fs, rc, "%s", err[0] ? err : "bad query");
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    rc = too_many_tokens(c->fs, c->query);
    if (rc > 0)
        return fs_error(c->fs, FSEARCH_EQUERY,
                        "query too long: more than %d words",
                        MAX_QUERY_TOKENS);
    return rc;
}

/* The suggestions, once. */
static int ensure_suggestions(fsearch_cursor *c)
{
    if (c->suggested)
        return FSEARCH_OK;
    int rc = fs_suggest(c->fs, c->query, &c->sugg, &c->nsugg);
    if (rc != FSEARCH_OK)
        return rc;
    c->sugg_words = fs_malloc((c->nsugg + 1) * sizeof *c->sugg_words);
    if (!c->sugg_words)
        return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->nsugg; i++)
        c->sugg_words[i] = c->sugg[i].word;
    c->sugg_words[c->nsugg] = NULL;
    c->suggested = 1;
    return FSEARCH_OK;
}

/* With --fuzzy and suggestions, search (word OR fix) for each word. A
** rewritten query that cannot be parsed (too many words) is dropped. */
static int apply_fuzzy(fsearch_cursor *c)
{
    int rc = ensure_suggestions(c);
    if (rc != FSEARCH_OK || c->nsugg == 0)
        return rc;
    c->sugg_used = fs_calloc(c->nsugg);
    c->fuzzy_words = fs_calloc((c->nsugg + 1) * sizeof *c->fuzzy_words);
    if (!c->sugg_used || !c->fuzzy_words)
        return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
    fs_buf q = FS_BUF_INIT;
    rc = fuzzy_rewrite(c, c->input, &q);
    char *fuzzy = rc == FSEARCH_OK ? fs_buf_take(&rc, &q) : NULL;
    fs_buf_free(&q);
    if (!fuzzy)
        return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
    fs_query *nq = NULL;
    char err[256];
    rc = fs_query_parse(&nq, fuzzy, 0, c->fs->synonyms, err, sizeof err);
    if (rc == FSEARCH_OK) {
        int many = too_many_tokens(c->fs, nq);
        if (many != 0) {
            fs_query_free(nq);
            fs_free(fuzzy);
            return many < 0 ? many : FSEARCH_OK;
        }
        /* Keep the old terms: the suggestions refer to them. */
        char **t = c->query->terms;
        int nt = c->query->nterms;
        c->query->terms = nq->terms;
        c->query->nterms = nq->nterms;
        nq->terms = t;
        nq->nterms = nt;
        fs_query_free(c->query);
        c->query = nq;
        fs_free(c->input);
        c->input = fuzzy;
        /* Only now are the marked suggestions really searched. */
        for (size_t i = 0; i < c->nsugg; i++)
            if (c->sugg_used[i])
                c->fuzzy_words[c->nfuzzy++] = c->sugg[i].word;
        return FSEARCH_OK;
    }
    fs_free(fuzzy);
    return rc == FSEARCH_EQUERY ? FSEARCH_OK
                                : fs_error(c->fs, rc, "out of memory");
}

static int prepare(fsearch_cursor *c)
{
    fsearch *fs = c->fs;
    int rc = FSEARCH_OK;
    fs_buf sql = FS_BUF_INIT, groups = FS_BUF_INIT, tmp = FS_BUF_INIT;
    const char *from =
        "FROM fts CROSS JOIN passage p ON p.id = fts.rowid "
        "CROSS JOIN doc d ON d.id = p.doc_id "
        "WHERE fts MATCH ?2 AND rank MATCH ?3";
    if (c->flags & FSEARCH_SEARCH_FILES) {
        /*
        ** A file scores as its best passage plus a small share of the
        ** others, shrinking with their rank (share / k for the k-th), so
        ** many weak passages grow a file's score only like log(count) and
        ** never outweigh one more query word in its best passage.
        */
        fs_buf_printf(&rc, &sql,
                      "WITH h AS (SELECT p.doc_id AS doc, fts.rowid AS id, "
                      "-rank AS s %s", from);
        fs_path_filter_sql(&rc, &sql, c->query);
        fs_buf_printf(&rc, &sql,
                      "), r AS (SELECT doc, id, s, row_number() OVER "
                      "(PARTITION BY doc ORDER BY s DESC, id) AS k FROM h) "
                      "SELECT max(CASE WHEN k = 1 THEN id END) AS best, "
                      "sum(CASE WHEN k = 1 THEN s ELSE %g * s / k END) AS "
                      "score FROM r GROUP BY doc ORDER BY score DESC, best",
                      FILE_SHARE);
    }
    fs_query_rank_groups(&rc, &groups, c->query);
    fs_buf_printf(&rc, &tmp, "fsearch_rank('%s')", groups.p);
    if (rc == FSEARCH_OK && !(c->groups = fs_strdup(groups.p)))
        rc = FSEARCH_ENOMEM;
    if (rc != FSEARCH_OK) {
        rc = fs_error(fs, rc, "out of memory");
        goto done;
    }
    /* The row statements (passage, doc, text) are prepared when first
    ** needed (stmt()): a search with no hit needs none of them, and a
    ** cheap one often not the doc or text alone. Preparing one cost ~30 k
    ** instructions, paid again by each one-search process. */
    int src = SQLITE_OK;
    if (c->flags & FSEARCH_SEARCH_FILES) {
        src = sqlite3_prepare_v2(fs->db, sql.p, (int)sql.n, &c->st, NULL);
        if (src == SQLITE_OK)
            src = sqlite3_bind_text(c->st, 2, c->query->match, -1,
                                    SQLITE_STATIC);
        if (src == SQLITE_OK)
            src = sqlite3_bind_text(c->st, 3, tmp.p, (int)tmp.n,
                                    SQLITE_TRANSIENT);
    }
    if (src != SQLITE_OK) {
        rc = fs_error_sqlite(fs, src, "cannot search the index");
        goto done;
    }
    if (c->flags & FSEARCH_SEARCH_FILES) {
        rc = fs_path_filter_bind(c->st, c->query, &tmp);
        if (rc != FSEARCH_OK)
            rc = fs_error(fs, rc, "out of memory");
    } else {
        /* The scans and the lookups of their rows run one after the other,
        ** not inside one statement: a statement left on its first row keeps
        ** them all on one snapshot, so an index run committing meanwhile
        ** cannot remove a passage between its scan and its lookup. */
        src = fs_stmt_take(fs, "SELECT count(*) FROM meta", &c->st_pin);
        if (src == SQLITE_OK && (src = sqlite3_step(c->st_pin)) == SQLITE_ROW)
            src = SQLITE_OK;
        if (src != SQLITE_OK) {
            rc = fs_error_sqlite(fs, src, "cannot search the index");
            goto done;
        }
        /* The hits, the look-ahead window and some room for copies. */
        rc = fs_topk_init(&c->topk, fs, c->query, groups.p,
                          (size_t)c->offset + c->limit + 2 * FS_WINDOW);
    }
done:
    fs_buf_free(&sql);
    fs_buf_free(&groups);
    fs_buf_free(&tmp);
    return rc;
}

int fsearch_search(fsearch_cursor **out, fsearch *fs, const char *query,
                   const fsearch_search_options *opts)
{
    static const fsearch_search_options defaults = FSEARCH_SEARCH_OPTIONS_INIT;
    if (!out)
        return FSEARCH_EINVAL;
    *out = NULL;
    if (!fs)
        return FSEARCH_EINVAL;
    fs_error_clear(fs);
    if (!query)
        return fs_error(fs, FSEARCH_EINVAL, "no query given");
    if (!opts)
        opts = &defaults;
    if (opts->version != FSEARCH_SEARCH_OPTIONS_VERSION)
        return fs_error(fs, FSEARCH_EINVAL,
                        "unknown fsearch_search_options version %u",
                        opts->version);
    if (!fs->db)
        return fs_error(fs, FSEARCH_EINVAL, "the index is not open");

    fsearch_cursor *c = fs_calloc(sizeof *c);
    if (!c)
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    c->fs = fs;
    c->limit = opts->limit ? opts->limit : 10;
    c->offset = opts->offset;
    c->snippet_bytes = opts->snippet_bytes ? opts->snippet_bytes : 200;
    c->flags = opts->flags;
    int rc = (c->input = fs_strdup(query)) ? FSEARCH_OK
                                           : fs_error(fs, FSEARCH_ENOMEM,
                                                      "out of memory");
    if (rc == FSEARCH_OK)
        rc = parse_query(c);
    if (rc == FSEARCH_OK && (c->flags & FSEARCH_SEARCH_FUZZY))
        rc = apply_fuzzy(c);
    if (rc == FSEARCH_OK && !(c->flags & FSEARCH_SEARCH_NO_EXPAND))
        rc = fs_feedback_expand(fs, c->query);
    if (rc == FSEARCH_OK)
        rc = prepare(c);
    if (rc != FSEARCH_OK) {
        fsearch_cursor_free(c);
        return rc;
    }
    *out = c;
    return FSEARCH_OK;
}

/* ====================================================================== */
/* Reading candidates                                                      */

/* The row statements, by what they read. */
enum { ST_ONE, ST_DOC, ST_TEXT, ST_HIT };

/* Row statement `which` into *out, prepared on its first use (or taken
** from the handle's cache). FSEARCH_OK or an error recorded on the handle. */
static int stmt(fsearch_cursor *c, int which, sqlite3_stmt **out)
{
    static const char *const sql[] = {
        "SELECT line, end_line, hash, sig, doc_id, block, boff, blen FROM "
        "passage WHERE id = ?1",
        "SELECT path, title FROM doc WHERE id = ?1",
        /* The text is read from its block directly: through the
        ** passage_text view each read looked the passage up again. */
        "SELECT fsearch_text(data, ?2, ?3) FROM passage_block WHERE id = ?1",
        "SELECT d.path, d.title, fsearch_text(b.data, ?3, ?4) FROM doc d, "
        "passage_block b WHERE d.id = ?1 AND b.id = ?2",
    };
    sqlite3_stmt **slot[] = { &c->st_one, &c->st_doc, &c->st_text,
                              &c->st_hit };
    *out = *slot[which];
    if (*out)
        return FSEARCH_OK;
    int src = fs_stmt_take(c->fs, sql[which], slot[which]);
    /* An index made before passages had signatures has no sig column
    ** until an index run adds it: its passages' runs come from their
    ** text, as they all did then. */
    if (which == ST_ONE && src == SQLITE_ERROR &&
        strstr(sqlite3_errmsg(c->fs->db), "no such column"))
        src = fs_stmt_take(c->fs, "SELECT line, end_line, hash, NULL, "
                           "doc_id, block, boff, blen FROM passage "
                           "WHERE id = ?1", slot[which]);
    if (src != SQLITE_OK)
        return fs_error_sqlite(c->fs, src, "cannot search the index");
    *out = *slot[which];
    return FSEARCH_OK;
}

/* Passage k->id's line range, hash and file into k, and its stored
** signature into k->sh (*has_sig 0 if it has none: an older index). Its
** path, title and text are read when needed: most candidates are copies
** of a hit, dropped on their hash alone. */
static int cand_fetch(fsearch_cursor *c, fs_cand *k, int *has_sig)
{
    sqlite3_stmt *st;
    int prc = stmt(c, ST_ONE, &st);
    if (prc != FSEARCH_OK)
        return prc;
    sqlite3_bind_int64(st, 1, k->id);
    int src = sqlite3_step(st), rc = FSEARCH_OK;
    k->has_doc = k->has_text = 0;
    k->folded_by = 0;
    k->text_len = 0;
    if (src == SQLITE_ROW) {
        k->line = (unsigned)sqlite3_column_int64(st, 0);
        k->end_line = (unsigned)sqlite3_column_int64(st, 1);
        k->hash = sqlite3_column_int64(st, 2);
        k->doc_id = sqlite3_column_int64(st, 4);
        k->block = sqlite3_column_int64(st, 5);
        k->boff = sqlite3_column_int64(st, 6);
        k->blen = sqlite3_column_int64(st, 7);
        if (has_sig) {
            const void *sig = sqlite3_column_blob(st, 3);
            /* A damaged signature is ignored: the text decides. */
            *has_sig = sig && fs_shingles_decode(&k->sh, sig,
                                                 (size_t)sqlite3_column_bytes(
                                                     st, 3)) == FSEARCH_OK;
        }
    } else {
        /* The FTS5 row without its passage is a damaged index. */
        rc = fs_error_sqlite(c->fs, src == SQLITE_DONE ? SQLITE_CORRUPT : src,
                             "cannot search the index");
    }
    sqlite3_reset(st);
    return rc;
}

/* Path and title from columns i and i + 1 of st into k->doc. */
static int doc_from(fsearch_cursor *c, fs_cand *k, sqlite3_stmt *st, int i)
{
    const char *path = (const char *)sqlite3_column_text(st, i);
    const char *title = (const char *)sqlite3_column_text(st, i + 1);
    int rc = path && title ? FSEARCH_OK : FSEARCH_ENOMEM;
    fs_buf_clear(&k->doc);
    fs_buf_puts(&rc, &k->doc, path ? path : "");
    fs_buf_putc(&rc, &k->doc, '\0');
    k->title_off = k->doc.n;
    fs_buf_puts(&rc, &k->doc, title ? title : "");
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    k->has_doc = 1;
    return FSEARCH_OK;
}

/* Text from column i of st into out. */
static int text_from(fsearch_cursor *c, fs_buf *out, sqlite3_stmt *st, int i)
{
    const char *text = (const char *)sqlite3_column_text(st, i);
    int rc = text ? FSEARCH_OK : FSEARCH_ENOMEM;
    fs_buf_clear(out);
    fs_buf_append(&rc, out, text ? text : "",
                  (size_t)sqlite3_column_bytes(st, i));
    fs_buf_reserve(&rc, out, 0);
    return rc == FSEARCH_OK ? FSEARCH_OK
                            : fs_error(c->fs, rc, "out of memory");
}

/* The end of a one-row lookup: a missing row is a damaged index. */
static int row_done(fsearch_cursor *c, sqlite3_stmt *st, int src, int rc)
{
    sqlite3_reset(st);
    if (src != SQLITE_ROW)
        return fs_error_sqlite(c->fs, src == SQLITE_DONE ? SQLITE_CORRUPT
                                                         : src,
                               "cannot search the index");
    return rc;
}

/* Candidate k's path and title into k->doc. */
static int cand_doc(fsearch_cursor *c, fs_cand *k)
{
    if (k->has_doc)
        return FSEARCH_OK;
    sqlite3_stmt *st;
    int prc = stmt(c, ST_DOC, &st);
    if (prc != FSEARCH_OK)
        return prc;
    sqlite3_bind_int64(st, 1, k->doc_id);
    int src = sqlite3_step(st);
    return row_done(c, st, src, src == SQLITE_ROW ? doc_from(c, k, st, 0)
                                                  : FSEARCH_OK);
}

/* The text at (block, off, len), unpacked, into out. */
static int read_text(fsearch_cursor *c, const sqlite3_int64 loc[3],
                     fs_buf *out)
{
    sqlite3_stmt *st;
    int prc = stmt(c, ST_TEXT, &st);
    if (prc != FSEARCH_OK)
        return prc;
    sqlite3_bind_int64(st, 1, loc[0]);
    sqlite3_bind_int64(st, 2, loc[1]);
    sqlite3_bind_int64(st, 3, loc[2]);
    int src = sqlite3_step(st);
    return row_done(c, st, src, src == SQLITE_ROW ? text_from(c, out, st, 0)
                                                  : FSEARCH_OK);
}

/* Candidate k's text, unpacked. Only the hits and the few candidates whose
** signature looks like a hit's need it: unpacking was most of the cost of
** the look-ahead window. */
static int cand_text(fsearch_cursor *c, fs_cand *k)
{
    if (k->has_text)
        return FSEARCH_OK;
    sqlite3_int64 loc[3] = { k->block, k->boff, k->blen };
    int rc = read_text(c, loc, &k->text);
    if (rc != FSEARCH_OK)
        return rc;
    k->text_len = k->text.n;
    k->has_text = 1;
    return FSEARCH_OK;
}

/* A hit's path, title and text, in one statement. */
static int cand_hit(fsearch_cursor *c, fs_cand *k)
{
    if (k->has_doc)
        return cand_text(c, k);
    if (k->has_text)
        return cand_doc(c, k);
    sqlite3_stmt *st;
    int prc = stmt(c, ST_HIT, &st);
    if (prc != FSEARCH_OK)
        return prc;
    sqlite3_bind_int64(st, 1, k->doc_id);
    sqlite3_bind_int64(st, 2, k->block);
    sqlite3_bind_int64(st, 3, k->boff);
    sqlite3_bind_int64(st, 4, k->blen);
    int src = sqlite3_step(st), rc = FSEARCH_OK;
    if (src == SQLITE_ROW && (rc = doc_from(c, k, st, 0)) == FSEARCH_OK &&
        (rc = text_from(c, &k->text, st, 2)) == FSEARCH_OK) {
        k->text_len = k->text.n;
        k->has_text = 1;
    }
    return row_done(c, st, src, rc);
}

/* Candidate k's runs in full, from its text. */
static int cand_full(fsearch_cursor *c, fs_cand *k)
{
    if (k->sh.full)
        return FSEARCH_OK;
    int rc = cand_text(c, k);
    if (rc == FSEARCH_OK &&
        (rc = fs_shingles_make(&k->sh, k->text.p, k->text_len)) !=
            FSEARCH_OK)
        rc = fs_error(c->fs, rc, "out of memory");
    return rc;
}

/* Shown hit i's runs in full: its text is read again (rarely: only when a
** candidate's signature looks like the hit's). */
static int shown_full(fsearch_cursor *c, size_t i)
{
    if (c->shown[i].full)
        return FSEARCH_OK;
    int rc = read_text(c, c->shown_loc[i], &c->scratch);
    if (rc == FSEARCH_OK &&
        (rc = fs_shingles_make(&c->shown[i], c->scratch.p, c->scratch.n)) !=
            FSEARCH_OK)
        rc = fs_error(c->fs, rc, "out of memory");
    return rc;
}

/* Read ranked passages until the window is full or the results end. */
static int fill_window(fsearch_cursor *c)
{
    while (c->win_n < FS_WINDOW && !c->st_done) {
        fs_topk_ent e;
        int rc = fs_topk_next(&c->topk, &e);
        if (rc == FSEARCH_DONE) {
            c->st_done = 1;
            break;
        }
        if (rc != FSEARCH_OK)
            return rc;
        fs_cand *k = &c->win[(c->win_head + c->win_n) % FS_WINDOW];
        k->id = e.id;
        k->score = e.score;
        k->nmarks = e.nmarks;
        if (e.nmarks > 0)
            memcpy(k->marks, fs_topk_marks(&c->topk, &e),
                   (size_t)e.nmarks * sizeof *k->marks);
        int has_sig = 0;
        rc = cand_fetch(c, k, &has_sig);
        if (rc == FSEARCH_OK && !has_sig) {
            k->sh.full = 0;
            rc = cand_full(c, k);
        }
        if (rc != FSEARCH_OK)
            return rc;
        c->win_n++;
    }
    return FSEARCH_OK;
}

static void pop_window(fsearch_cursor *c)
{
    c->win_head = (c->win_head + 1) % FS_WINDOW;
    c->win_n--;
}

/* Is candidate k a copy of a hit already shown? Into *out. */
static int is_shown(fsearch_cursor *c, fs_cand *k, int *out)
{
    *out = 1;
    if (k->folded_by || seen_has(c, (uint64_t)k->hash))
        return FSEARCH_OK;
    for (size_t i = 0; i < c->shown_n; i++) {
        if (!fs_shingles_maybe_near(&c->shown[i], &k->sh))
            continue;
        /* k's text is most often needed (unless it is a copy), the shown
        ** hit's is read again: k's runs first, as in take(). */
        int rc = cand_full(c, k);
        if (rc != FSEARCH_OK)
            return rc;
        if (!fs_shingles_maybe_near(&c->shown[i], &k->sh))
            continue;
        if ((rc = shown_full(c, i)) != FSEARCH_OK)
            return rc;
        if (fs_shingles_near(&c->shown[i], &k->sh))
            return FSEARCH_OK;
    }
    *out = 0;
    return FSEARCH_OK;
}

/*
** Candidate k (the window's head) becomes a hit: remember it, and mark the
** candidates behind it that are copies of it. Only a pair whose signatures
** look alike is compared in full, from the text.
*/
static int take(fsearch_cursor *c, fs_cand *k)
{
    c->unique++;
    if (seen_add(c, (uint64_t)k->hash) < 0)
        return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
    int rc;
    for (size_t i = 1; i < c->win_n; i++) {
        fs_cand *o = &c->win[(c->win_head + i) % FS_WINDOW];
        if (o->folded_by)
            continue;
        if (o->hash == k->hash) {
            o->folded_by = c->unique;
            continue;
        }
        if (!fs_shingles_maybe_near(&k->sh, &o->sh))
            continue;
        /* k's text is needed anyway (k is a hit): its runs, counted one
        ** by one against o's signature, rule out more pairs before o's
        ** text is unpacked. A hit shown reads its file's path with it. */
        if ((c->unique > c->offset && (rc = cand_hit(c, k)) != FSEARCH_OK) ||
            (rc = cand_full(c, k)) != FSEARCH_OK)
            return rc;
        if (!fs_shingles_maybe_near(&k->sh, &o->sh))
            continue;
        if ((rc = cand_full(c, o)) != FSEARCH_OK)
            return rc;
        if (fs_shingles_near(&k->sh, &o->sh)) {
            o->folded_by = c->unique;
            if (seen_add(c, (uint64_t)o->hash) < 0)
                return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
        }
    }
    /* The shingles move to the ring of shown hits (their memory is
    ** swapped, not copied: k is done with them). */
    fs_shingles t = c->shown[c->shown_next];
    c->shown[c->shown_next] = k->sh;
    c->shown_loc[c->shown_next][0] = k->block;
    c->shown_loc[c->shown_next][1] = k->boff;
    c->shown_loc[c->shown_next][2] = k->blen;
    k->sh = t;
    k->sh.n = k->sh.nraw = 0;
    k->sh.full = 0;
    c->shown_next = (c->shown_next + 1) % FS_WINDOW;
    if (c->shown_n < FS_WINDOW)
        c->shown_n++;
    return FSEARCH_OK;
}

/* ====================================================================== */
/* Dressing a hit                                                          */

/* Add one place to the also_in list being gathered, unless it is there. */
static int also_add(fsearch_cursor *c, size_t *n, sqlite3_int64 id,
                    const char *path, unsigned line)
{
    for (size_t i = 0; i < *n; i++)
        if (c->ents[i].id == id)
            return FSEARCH_OK;
    if (*n >= MAX_ALSO_IN)
        return FSEARCH_OK;
    if (*n == c->capalso) {
        size_t ncap = c->capalso ? c->capalso * 2 : 4;
        fs_also *e = fs_realloc(c->ents, ncap * sizeof *e);
        if (!e)
            return FSEARCH_ENOMEM;
        c->ents = e;
        fsearch_location *l = fs_realloc(c->also, ncap * sizeof *l);
        if (!l)
            return FSEARCH_ENOMEM;
        c->also = l;
        c->capalso = ncap;
    }
    int rc = FSEARCH_OK;
    c->ents[*n].id = id;
    c->ents[*n].off = c->also_paths.n;
    c->ents[*n].line = line;
    fs_buf_puts(&rc, &c->also_paths, path);
    fs_buf_putc(&rc, &c->also_paths, '\0');
    if (rc == FSEARCH_OK)
        (*n)++;
    return rc;
}

/* Does copy a come before copy b in the "also in" order (path, line)? Ties,
** passages of one line in one file, by id. */
static int dup_before(const char *pa, unsigned la, sqlite3_int64 ia,
                      const fs_dup *b)
{
    int r = strcmp(pa, b->path.p);
    if (r)
        return r < 0;
    if (la != b->line)
        return la < b->line;
    return ia < b->id;
}

/* Add the passages whose hash is `hash`, other than `id`: the first
** MAX_ALSO_IN + 1 of them by path and line. They are picked here rather
** than by an ORDER BY, whose sorter cost more than a whole rare word; most
** passages have no copy, and the statement then stops at its index probe.
** A full list takes nothing more (also_add), so it is not read at all: a
** hit with many near copies that share one hash (a mailing list's footer)
** read its 233 copies once per near copy, a third of `mailing list`. */
static int also_add_hash(fsearch_cursor *c, size_t *n, sqlite3_int64 hash,
                         sqlite3_int64 id)
{
    if (*n >= MAX_ALSO_IN)
        return FSEARCH_OK;
    int rc = FSEARCH_OK, src = SQLITE_OK;
    /* The hashes are in two partial indexes, the big one and the small one
    ** of recent small runs (fsearch.c); each half of the UNION names its
    ** index's condition, or SQLite would scan. The order the rows come in
    ** does not matter: they are sorted below. An index made before the
    ** `recent` column and opened read-only has one whole index: there the
    ** first statement does not prepare, and the second is used. */
    if (!c->st_dups)
        src = fs_stmt_take(c->fs, "SELECT d.path, p.line, p.id FROM passage p "
                           "JOIN doc d ON d.id = p.doc_id "
                           "WHERE p.hash = ?1 AND p.id <> ?2 "
                           "AND p.recent IS NULL UNION ALL "
                           "SELECT d.path, p.line, p.id FROM passage p "
                           "JOIN doc d ON d.id = p.doc_id "
                           "WHERE p.hash = ?1 AND p.id <> ?2 "
                           "AND p.recent IS NOT NULL", &c->st_dups);
    if (src == SQLITE_ERROR)
        src = fs_stmt_take(c->fs, "SELECT d.path, p.line, p.id FROM passage p "
                           "JOIN doc d ON d.id = p.doc_id "
                           "WHERE p.hash = ?1 AND p.id <> ?2", &c->st_dups);
    if (src != SQLITE_OK)
        return fs_error_sqlite(c->fs, src, "cannot search the index");
    if (!c->dups && !(c->dups = fs_calloc((MAX_ALSO_IN + 1) * sizeof *c->dups)))
        return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
    sqlite3_bind_int64(c->st_dups, 1, hash);
    sqlite3_bind_int64(c->st_dups, 2, id);
    size_t nd = 0;
    while (rc == FSEARCH_OK && (src = sqlite3_step(c->st_dups)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(c->st_dups, 0);
        unsigned line = (unsigned)sqlite3_column_int64(c->st_dups, 1);
        sqlite3_int64 did = sqlite3_column_int64(c->st_dups, 2);
        if (!path)
            path = "";
        if (nd == MAX_ALSO_IN + 1 &&
            !dup_before(path, line, did, &c->dups[nd - 1]))
            continue;
        /* Insert it in order; the last one falls out when the list is
        ** full, and its buffer is reused. */
        size_t at = nd < MAX_ALSO_IN + 1 ? nd++ : nd - 1;
        fs_dup t = c->dups[at];
        while (at > 0 && dup_before(path, line, did, &c->dups[at - 1])) {
            c->dups[at] = c->dups[at - 1];
            at--;
        }
        fs_buf_clear(&t.path);
        fs_buf_puts(&rc, &t.path, path);
        fs_buf_reserve(&rc, &t.path, 0);
        t.line = line;
        t.id = did;
        c->dups[at] = t;
    }
    sqlite3_reset(c->st_dups);
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return fs_error_sqlite(c->fs, src, "cannot search the index");
    for (size_t i = 0; rc == FSEARCH_OK && i < nd; i++)
        rc = also_add(c, n, c->dups[i].id, c->dups[i].path.p,
                      c->dups[i].line);
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    return FSEARCH_OK;
}

static int cmp_also(const void *pa, const void *pb)
{
    const fsearch_location *a = pa, *b = pb;
    int r = strcmp(a->path, b->path);
    if (r)
        return r;
    return (a->line > b->line) - (a->line < b->line);
}

/* The other places of hit k: exact copies, and the near copies folded into
** it with their exact copies; sorted by path and line. */
static int load_also_in(fsearch_cursor *c, const fs_cand *k)
{
    size_t n = 0;
    fs_buf_clear(&c->also_paths);
    int rc = also_add_hash(c, &n, k->hash, k->id);
    /* (A full list takes no more: nor the near copies' paths.) */
    for (size_t i = 1; rc == FSEARCH_OK && i < c->win_n && n < MAX_ALSO_IN;
         i++) {
        fs_cand *o = &c->win[(c->win_head + i) % FS_WINDOW];
        if (o->folded_by != c->unique || o->hash == k->hash)
            continue;
        if ((rc = cand_doc(c, o)) != FSEARCH_OK)
            break;
        rc = also_add(c, &n, o->id, o->doc.p, o->line);
        if (rc != FSEARCH_OK)
            rc = fs_error(c->fs, rc, "out of memory");
        else
            rc = also_add_hash(c, &n, o->hash, o->id);
    }
    for (size_t i = 0; rc == FSEARCH_OK && i < n; i++) {
        c->also[i].path = c->also_paths.p + c->ents[i].off;
        c->also[i].line = c->ents[i].line;
    }
    if (rc != FSEARCH_OK)
        n = 0;
    if (n > 1)
        qsort(c->also, n, sizeof *c->also, cmp_also);
    c->hit.also_in = c->also;
    c->hit.nalso_in = n;
    return rc;
}

/* Matched words of passage `id`, into c->matches. */
static int load_matches(fsearch_cursor *c, sqlite3_int64 id, size_t ntext,
                        size_t *nm_out)
{
    *nm_out = 0;
    if (!c->st_match) {
        int src = fs_stmt_take(c->fs, "SELECT fsearch_matches(fts, ?1) FROM "
                               "fts WHERE fts MATCH ?2 AND fts.rowid = ?3",
                               &c->st_match);
        if (src == SQLITE_OK)
            src = sqlite3_bind_text(c->st_match, 1, c->groups, -1,
                                    SQLITE_STATIC);
        if (src == SQLITE_OK)
            src = sqlite3_bind_text(c->st_match, 2, c->query->match, -1,
                                    SQLITE_STATIC);
        if (src != SQLITE_OK)
            return fs_error_sqlite(c->fs, src, "cannot search the index");
    }
    sqlite3_bind_int64(c->st_match, 3, id);
    int src = sqlite3_step(c->st_match);
    if (src != SQLITE_ROW) {
        sqlite3_reset(c->st_match);
        if (src == SQLITE_DONE)
            return FSEARCH_OK;
        return fs_error_sqlite(c->fs, src, "cannot search the index");
    }
    const char *pairs = sqlite3_column_blob(c->st_match, 0);
    size_t npairs = (size_t)sqlite3_column_bytes(c->st_match, 0) /
                    (2 * sizeof(int));
    int rc = FSEARCH_OK;
    if (npairs > c->capmatches) {
        fsearch_range *p = fs_realloc(c->matches, npairs * sizeof *p);
        if (!p) {
            rc = FSEARCH_ENOMEM;
        } else {
            c->matches = p;
            c->capmatches = npairs;
        }
    }
    size_t nm = 0;
    for (size_t i = 0; rc == FSEARCH_OK && i < npairs; i++) {
        int s, e;
        memcpy(&s, pairs + (2 * i) * sizeof(int), sizeof s);
        memcpy(&e, pairs + (2 * i + 1) * sizeof(int), sizeof e);
        if (s < 0 || e <= s || (size_t)e > ntext)
            continue;
        c->matches[nm].start = (size_t)s;
        c->matches[nm].end = (size_t)e;
        nm++;
    }
    sqlite3_reset(c->st_match);
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    *nm_out = nm;
    return FSEARCH_OK;
}

static int cmp_int(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    return (a > b) - (a < b);
}

/* Walking the hit's tokens: the byte range of each matched one. */
typedef struct mark_walk {
    const int *tok;              /* sorted, distinct token numbers */
    size_t ntok, next;
    int index;                   /* tokens seen */
    size_t ntext;
    fsearch_range *out;
    size_t nout;
} mark_walk;

static int on_mark_token(void *payload, const char *token, int ntoken,
                         int start, int end)
{
    (void)token;
    (void)ntoken;
    mark_walk *m = payload;
    if (m->index++ != m->tok[m->next])
        return 0;
    if (start >= 0 && end > start && (size_t)end <= m->ntext) {
        m->out[m->nout].start = (size_t)start;
        m->out[m->nout].end = (size_t)end;
        m->nout++;
    }
    return ++m->next == m->ntok;        /* 1 stops: nothing left to mark */
}

/*
** Matched words of candidate k from the token numbers its ranking scan
** noted, into c->matches: what fsearch_matches() gives, without running
** the query again for one row (most of a cheap search's time).
*/
static int marks_to_matches(fsearch_cursor *c, const fs_cand *k,
                            size_t *nm_out)
{
    *nm_out = 0;
    size_t n = 0;
    for (int i = 0; i + 1 < k->nmarks; i += 2)
        n += k->marks[i + 1] > 0 ? (size_t)k->marks[i + 1] : 0;
    if (n == 0)
        return FSEARCH_OK;
    if (n > c->captoks) {
        int *t = fs_realloc(c->toks, n * sizeof *t);
        if (!t)
            return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
        c->toks = t;
        c->captoks = n;
    }
    if (n > c->capmatches) {
        fsearch_range *p = fs_realloc(c->matches, n * sizeof *p);
        if (!p)
            return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
        c->matches = p;
        c->capmatches = n;
    }
    n = 0;
    for (int i = 0; i + 1 < k->nmarks; i += 2)
        for (int j = 0; j < k->marks[i + 1]; j++)
            c->toks[n++] = k->marks[i] + j;
    qsort(c->toks, n, sizeof *c->toks, cmp_int);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (c->toks[i] >= 0 && (u == 0 || c->toks[u - 1] != c->toks[i]))
            c->toks[u++] = c->toks[i];
    if (u == 0)
        return FSEARCH_OK;
    fs_tokenizer *tk = NULL;
    int rc = fs_handle_tokenizer(c->fs, &tk);
    if (rc != FSEARCH_OK)
        return rc;
    mark_walk m = { c->toks, u, 0, 0, k->text_len, c->matches, 0 };
    /* Only the tokens' places count, and stemming never adds nor drops a
    ** token: unstemmed, the walk skips a third of its cost. */
    rc = fs_tokenizer_run(tk, FS_TOKENIZE_NOSTEM, k->text.p,
                          (int)k->text_len, on_mark_token, &m);
    if (rc < 0)
        return fs_error(c->fs, rc, "out of memory");
    *nm_out = m.nout;
    return FSEARCH_OK;
}

static int fill_hit(fsearch_cursor *c, fs_cand *k, double score)
{
    int rc = cand_hit(c, k);
    if (rc != FSEARCH_OK)
        return rc;
    fsearch_hit *h = &c->hit;
    memset(h, 0, sizeof *h);
    h->rank = c->offset + c->returned + 1;
    h->score = score;
    h->line = k->line;
    h->end_line = k->end_line;
    h->path = k->doc.p;
    h->title = k->doc.p + k->title_off;
    h->text = k->text.p;
    h->text_len = k->text_len;
    size_t nm = 0;
    if (!(c->flags & FSEARCH_SEARCH_NO_SNIPPET))
        rc = k->nmarks >= 0 ? marks_to_matches(c, k, &nm)
                            : load_matches(c, k->id, k->text_len, &nm);
    if (rc != FSEARCH_OK)
        return rc;
    h->matches = c->matches;
    h->nmatches = nm;
    if (c->flags & FSEARCH_SEARCH_NO_SNIPPET) {
        h->snippet = "";
        return (c->flags & FSEARCH_SEARCH_FILES) ? FSEARCH_OK
                                                 : load_also_in(c, k);
    }
    rc = fs_snippet_make(&c->snippet, h->text, h->text_len, c->matches, nm,
                         c->snippet_bytes);
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    h->snippet = c->snippet.text.p ? c->snippet.text.p : "";
    h->snippet_len = c->snippet.text.n;
    h->snippet_matches = c->snippet.matches;
    h->nsnippet_matches = c->snippet.nmatches;
    h->snippet_cut_before = c->snippet.cut_before;
    h->snippet_cut_after = c->snippet.cut_after;
    if (c->flags & FSEARCH_SEARCH_FILES)
        return FSEARCH_OK;
    return load_also_in(c, k);
}

/* Files mode: the next file's best passage into c->one. */
static int next_file(fsearch_cursor *c, double *score)
{
    int src = sqlite3_step(c->st);
    if (src == SQLITE_DONE) {
        c->st_done = 1;
        return FSEARCH_DONE;
    }
    if (src != SQLITE_ROW)
        return fs_error_sqlite(c->fs, src, "cannot search the index");
    *score = sqlite3_column_double(c->st, 1);
    fs_cand *k = &c->one;
    k->id = sqlite3_column_int64(c->st, 0);
    k->nmarks = -1;
    return cand_fetch(c, k, NULL);
}

int fsearch_next(fsearch_cursor *c, const fsearch_hit **hit_out)
{
    if (!c)
        return FSEARCH_EINVAL;
    if (!hit_out)
        return fs_error(c->fs, FSEARCH_EINVAL, "fsearch_next: hit_out is NULL");
    *hit_out = NULL;
    c->hit_valid = 0;
    if (c->has_current) {
        pop_window(c);
        c->has_current = 0;
    }
    int rc = FSEARCH_OK;
    while (!c->done && c->returned < c->limit) {
        if (c->flags & FSEARCH_SEARCH_FILES) {
            double score = 0;
            rc = next_file(c, &score);
            if (rc != FSEARCH_OK)
                break;
            if (++c->unique <= c->offset)
                continue;
            rc = fill_hit(c, &c->one, score);
            if (rc != FSEARCH_OK)
                break;
        } else {
            rc = fill_window(c);
            if (rc != FSEARCH_OK)
                break;
            if (c->win_n == 0) {
                rc = FSEARCH_DONE;
                break;
            }
            fs_cand *k = &c->win[c->win_head];
            int shown = 0;
            if ((rc = is_shown(c, k, &shown)) != FSEARCH_OK)
                break;
            if (shown) {
                pop_window(c);
                continue;
            }
            rc = take(c, k);
            if (rc == FSEARCH_OK && c->unique <= c->offset) {
                pop_window(c);
                continue;
            }
            if (rc == FSEARCH_OK)
                rc = fill_hit(c, k, k->score);
            if (rc != FSEARCH_OK)
                break;
            c->has_current = 1;
        }
        c->returned++;
        c->hit_valid = 1;
        *hit_out = &c->hit;
        return FSEARCH_OK;
    }
    c->done = 1;
    return rc == FSEARCH_OK ? FSEARCH_DONE : rc;
}

int fsearch_count(fsearch_cursor *c, uint64_t *count_out)
{
    if (!c)
        return FSEARCH_EINVAL;
    if (!count_out)
        return fs_error(c->fs, FSEARCH_EINVAL,
                        "fsearch_count: count_out is NULL");
    *count_out = 0;
    c->hit_valid = 0;
    if (c->has_current) {
        pop_window(c);
        c->has_current = 0;
    }
    uint64_t n = 0;
    int rc = FSEARCH_OK;
    if (!(c->flags & FSEARCH_SEARCH_FILES))
        fs_topk_all(&c->topk);
    while (!c->done) {
        if (c->flags & FSEARCH_SEARCH_FILES) {
            int src = c->st_done ? SQLITE_DONE : sqlite3_step(c->st);
            if (src == SQLITE_ROW) {
                n++;
                continue;
            }
            if (src != SQLITE_DONE)
                rc = fs_error_sqlite(c->fs, src, "cannot search the index");
            break;
        }
        rc = fill_window(c);
        if (rc != FSEARCH_OK || c->win_n == 0)
            break;
        fs_cand *k = &c->win[c->win_head];
        int shown = 0;
        if ((rc = is_shown(c, k, &shown)) != FSEARCH_OK)
            break;
        if (!shown) {
            rc = take(c, k);
            if (rc != FSEARCH_OK)
                break;
            n++;
        }
        pop_window(c);
    }
    c->done = 1;
    *count_out = n;
    return rc;
}

int fsearch_suggestions(fsearch_cursor *c, const char *const **words_out,
                        size_t *count_out)
{
    if (!c)
        return FSEARCH_EINVAL;
    if (!words_out || !count_out)
        return fs_error(c->fs, FSEARCH_EINVAL,
                        "fsearch_suggestions: an output is NULL");
    *words_out = NULL;
    *count_out = 0;
    int rc = ensure_suggestions(c);
    if (rc != FSEARCH_OK)
        return rc;
    *words_out = c->sugg_words;
    *count_out = c->nsugg;
    return FSEARCH_OK;
}

int fsearch_fuzzy_words(fsearch_cursor *c, const char *const **words_out,
                        size_t *count_out)
{
    static const char *const none[] = {NULL};
    if (!c)
        return FSEARCH_EINVAL;
    if (!words_out || !count_out)
        return fs_error(c->fs, FSEARCH_EINVAL,
                        "fsearch_fuzzy_words: an output is NULL");
    *words_out = c->nfuzzy ? c->fuzzy_words : none;
    *count_out = c->nfuzzy;
    return FSEARCH_OK;
}

/* ====================================================================== */
/* Context lines                                                           */

/* The folder the index was last built from, read once per cursor: the
** handle's copy dates from its opening, before any index run. */
static int load_root(fsearch_cursor *c)
{
    if (c->root)
        return FSEARCH_OK;
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(c->fs->db,
                                 "SELECT value FROM meta WHERE key = 'root'",
                                 -1, &st, NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        src = v && (c->root = fs_strdup(v)) ? SQLITE_OK : SQLITE_NOMEM;
    }
    sqlite3_finalize(st);
    if (src == SQLITE_DONE)
        return fs_error(c->fs, FSEARCH_ENOTFOUND,
                        "the index does not record its folder");
    if (src != SQLITE_OK)
        return fs_error_sqlite(c->fs, src, "cannot read the index");
    return FSEARCH_OK;
}

/* Read the file of the current hit into c->file as UTF-8, as the indexer
** saw it (UTF-16 converted, stray bytes read as Latin-1). */
static int load_file(fsearch_cursor *c, const char *path)
{
    fsearch *fs = c->fs;
    if (c->file_path && strcmp(c->file_path, path) == 0)
        return FSEARCH_OK;
    fs_free(c->file_path);
    c->file_path = NULL;
    fs_buf_clear(&c->file);
    int rc = load_root(c);
    if (rc != FSEARCH_OK)
        return rc;
    fs_buf full = FS_BUF_INIT, raw = FS_BUF_INIT;
    fs_buf_printf(&rc, &full, "%s/%s", c->root, path);
    if (rc != FSEARCH_OK)
        return fs_error(fs, rc, "out of memory");
    FILE *f = fopen(full.p, "rb");
    if (!f) {
        rc = fs_error(fs, errno == ENOENT ? FSEARCH_ENOTFOUND : FSEARCH_EIO,
                      "cannot read '%s': %s", full.p, strerror(errno));
        fs_buf_free(&full);
        return rc;
    }
    char chunk[65536];
    size_t got;
    while (rc == FSEARCH_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fs_buf_append(&rc, &raw, chunk, got);
    if (rc == FSEARCH_OK && ferror(f))
        rc = fs_error(fs, FSEARCH_EIO, "cannot read '%s'", full.p);
    else if (rc != FSEARCH_OK)
        rc = fs_error(fs, rc, "out of memory");
    fclose(f);
    if (rc == FSEARCH_OK) {
        size_t n = raw.n;
        const char *p = raw.p ? raw.p : "";
        int kind = fs_text_sniff(p, n < 65536 ? n : 65536);
        if (kind == FS_TEXT_UTF16LE || kind == FS_TEXT_UTF16BE)
            fs_text_utf16_to_utf8(&rc, &c->file, p + 2, n >= 2 ? n - 2 : 0,
                                  kind == FS_TEXT_UTF16BE);
        else if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            fs_text_to_utf8(&rc, &c->file, p + 3, n - 3);
        else
            fs_text_to_utf8(&rc, &c->file, p, n);
        if (rc == FSEARCH_OK && !(c->file_path = fs_strdup(path)))
            rc = FSEARCH_ENOMEM;
        if (rc != FSEARCH_OK)
            rc = fs_error(fs, rc, "out of memory");
    }
    fs_buf_free(&full);
    fs_buf_free(&raw);
    return rc;
}

/* Byte offset of the start of 1-based line `line` in s[0..n) (n if the
** text has fewer lines). */
static size_t line_start(const char *s, size_t n, unsigned line)
{
    size_t i = 0;
    for (unsigned l = 1; l < line && i < n; l++) {
        const char *nl = memchr(s + i, '\n', n - i);
        if (!nl)
            return n;
        i = (size_t)(nl - s) + 1;
    }
    return i;
}

int fsearch_hit_context(fsearch_cursor *c, unsigned int lines,
                        const char **before_out, const char **after_out)
{
    if (!c)
        return FSEARCH_EINVAL;
    if (!before_out || !after_out)
        return fs_error(c->fs, FSEARCH_EINVAL,
                        "fsearch_hit_context: an output is NULL");
    *before_out = *after_out = "";
    if (!c->hit_valid)
        return fs_error(c->fs, FSEARCH_EINVAL, "no current hit");
    const fsearch_hit *h = &c->hit;
    int rc = load_file(c, h->path);
    if (rc != FSEARCH_OK)
        return rc;
    const char *s = c->file.p ? c->file.p : "";
    size_t n = c->file.n;
    unsigned first = h->line > lines ? h->line - lines : 1;
    size_t b0 = line_start(s, n, first), b1 = line_start(s, n, h->line);
    size_t a0 = line_start(s, n, h->end_line + 1);
    size_t a1 = line_start(s, n, h->end_line + 1 + lines);
    fs_buf_clear(&c->ctx_before);
    fs_buf_clear(&c->ctx_after);
    fs_buf_append(&rc, &c->ctx_before, s + b0, b1 > b0 ? b1 - b0 : 0);
    fs_buf_append(&rc, &c->ctx_after, s + a0, a1 > a0 ? a1 - a0 : 0);
    fs_buf_reserve(&rc, &c->ctx_before, 0);
    fs_buf_reserve(&rc, &c->ctx_after, 0);
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    *before_out = c->ctx_before.p;
    *after_out = c->ctx_after.p;
    return FSEARCH_OK;
}

/* ====================================================================== */
/* The handle's tokenizer                                                  */

int fs_handle_tokenizer(fsearch *fs, fs_tokenizer **out)
{
    *out = NULL;
    if (!fs->tk) {
        /* Its stem cache is worth keeping: making one costs as much as a
        ** cheap search. */
        int rc = fs_tokenizer_new(&fs->tk, fs->language);
        if (rc != FSEARCH_OK)
            return fs_error(fs, rc, rc == FSEARCH_ENOMEM
                                        ? "out of memory"
                                        : "cannot make a tokenizer");
    }
    *out = fs->tk;
    return FSEARCH_OK;
}

/* ====================================================================== */
/* Synonyms                                                                */

int fsearch_set_synonyms(fsearch *fs, const char *path)
{
    if (!fs)
        return FSEARCH_EINVAL;
    fs_error_clear(fs);
    if (!path) {
        fs_synonyms_free(fs->synonyms);
        fs->synonyms = NULL;
        return FSEARCH_OK;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return fs_error(fs, errno == ENOENT ? FSEARCH_ENOTFOUND : FSEARCH_EIO,
                        "cannot read the synonyms file '%s': %s", path,
                        strerror(errno));
    int rc = FSEARCH_OK;
    fs_buf text = FS_BUF_INIT;
    char chunk[16384];
    size_t got;
    while (rc == FSEARCH_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fs_buf_append(&rc, &text, chunk, got);
    int failed = ferror(f);
    fclose(f);
    if (rc != FSEARCH_OK) {
        fs_buf_free(&text);
        return fs_error(fs, rc, "out of memory");
    }
    if (failed) {
        fs_buf_free(&text);
        return fs_error(fs, FSEARCH_EIO, "cannot read the synonyms file '%s'",
                        path);
    }
    fs_synonyms *syn = NULL;
    char err[200] = "";
    rc = fs_synonyms_parse(&syn, text.p ? text.p : "", text.n, err,
                           sizeof err);
    fs_buf_free(&text);
    if (rc == FSEARCH_EQUERY)
        return fs_error(fs, rc, "synonyms file '%s': %s", path, err);
    if (rc != FSEARCH_OK)
        return fs_error(fs, rc, "out of memory");
    fs_synonyms_free(fs->synonyms);
    fs->synonyms = syn;
    return FSEARCH_OK;
}

/* ====================================================================== */

void fsearch_cursor_free(fsearch_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->st);
    fs_topk_free(&c->topk);
    fs_stmt_give(c->fs, c->st_pin);
    fs_stmt_give(c->fs, c->st_match);
    fs_stmt_give(c->fs, c->st_one);
    fs_stmt_give(c->fs, c->st_text);
    fs_stmt_give(c->fs, c->st_doc);
    fs_stmt_give(c->fs, c->st_hit);
    fs_stmt_give(c->fs, c->st_dups);
    if (c->dups)
        for (size_t i = 0; i <= MAX_ALSO_IN; i++)
            fs_buf_free(&c->dups[i].path);
    fs_free(c->dups);
    sqlite3_finalize(c->st_json_hit);
    sqlite3_finalize(c->st_json_push);
    sqlite3_finalize(c->st_json_loc);
    sqlite3_finalize(c->st_json_sum);
    fs_query_free(c->query);
    fs_free(c->input);
    fs_free(c->groups);
    for (size_t i = 0; i < FS_WINDOW; i++) {
        fs_buf_free(&c->win[i].doc);
        fs_buf_free(&c->win[i].text);
        fs_shingles_free(&c->win[i].sh);
        fs_shingles_free(&c->shown[i]);
    }
    fs_buf_free(&c->one.doc);
    fs_buf_free(&c->one.text);
    fs_buf_free(&c->scratch);
    fs_shingles_free(&c->one.sh);
    fs_free(c->seen);
    fs_free(c->matches);
    fs_free(c->toks);
    fs_snippet_free(&c->snippet);
    fs_buf_free(&c->also_paths);
    fs_free(c->also);
    fs_free(c->ents);
    fs_suggestions_free(c->sugg, c->nsugg);
    fs_free(c->sugg_words);
    fs_free(c->sugg_used);
    fs_free(c->fuzzy_words);
    fs_buf_free(&c->json);
    fs_buf_free(&c->jtmp);
    fs_buf_free(&c->file);
    fs_free(c->file_path);
    fs_free(c->root);
    fs_buf_free(&c->ctx_before);
    fs_buf_free(&c->ctx_after);
    fs_free(c);
}
