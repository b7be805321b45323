/*
** search.c - a search cursor: the user's query translated (query.c), run
** against FTS5 with our ranking (rank.c), and each hit dressed with its
** file, line, matched words, snippet (snippet.c) and the other places where
** the same passage appears.
**
** Duplicates are folded here: passages with the same normalized-text hash
** are shown once, at the rank of the best of them, and list the others.
*/
#include "internal.h"
#include "alloc.h"
#include "buf.h"
#include "snippet.h"

#include <stdio.h>
#include <string.h>

#define MAX_ALSO_IN 20

struct fsearch_cursor {
    fsearch *fs;
    sqlite3_stmt *st;            /* the ranked passages */
    sqlite3_stmt *st_dups;       /* other places of a passage */
    fs_query *query;
    unsigned int limit, offset, snippet_bytes;
    unsigned int unique;         /* distinct passages seen so far */
    unsigned int returned;       /* hits handed out */
    int done;
    unsigned long long *seen;    /* hashes of passages seen */
    size_t nseen, capseen;
    fsearch_hit hit;
    fsearch_range *matches;
    size_t capmatches;
    fs_snippet snippet;
    fs_buf also_paths;           /* NUL-separated paths of also_in */
    fsearch_location *also;
    size_t capalso;
};

/* Add `h` to the seen set; returns 1 if it was already there. */
static int seen_add(fsearch_cursor *c, unsigned long long h, int *rc)
{
    for (size_t i = 0; i < c->nseen; i++)
        if (c->seen[i] == h)
            return 1;
    if (c->nseen == c->capseen) {
        size_t ncap = c->capseen ? c->capseen * 2 : 64;
        unsigned long long *p = fs_realloc(c->seen, ncap * sizeof *p);
        if (!p) {
            *rc = FSEARCH_ENOMEM;
            return 0;
        }
        c->seen = p;
        c->capseen = ncap;
    }
    c->seen[c->nseen++] = h;
    return 0;
}

/* Append SQL that restricts d.path to the query's path: globs. A glob
** without wildcards matches anywhere in the path. */
static void add_path_filter(int *rc, fs_buf *sql, const fs_query *q)
{
    if (q->npaths == 0)
        return;
    fs_buf_puts(rc, sql, " AND (");
    for (int i = 0; i < q->npaths; i++)
        fs_buf_printf(rc, sql, "%sd.path GLOB ?%d", i ? " OR " : "", 4 + i);
    fs_buf_puts(rc, sql, ")");
}

static int bind_paths(fsearch_cursor *c, fs_buf *tmp)
{
    int rc = FSEARCH_OK;
    for (int i = 0; i < c->query->npaths && rc == FSEARCH_OK; i++) {
        const char *g = c->query->paths[i];
        fs_buf_clear(tmp);
        if (!strpbrk(g, "*?[")) {
            fs_buf_putc(&rc, tmp, '*');
            fs_buf_puts(&rc, tmp, g);
            fs_buf_putc(&rc, tmp, '*');
        } else {
            fs_buf_puts(&rc, tmp, g);
        }
        if (rc == FSEARCH_OK)
            sqlite3_bind_text(c->st, 4 + i, tmp->p, (int)tmp->n,
                              SQLITE_TRANSIENT);
    }
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
    c->fs = fs;
    c->limit = opts->limit ? opts->limit : 10;
    c->offset = opts->offset;
    c->snippet_bytes = opts->snippet_bytes ? opts->snippet_bytes : 200;

    char err[256] = "";
    int rc = fs_query_parse(&c->query, query, 0, fs->synonyms, err, sizeof err);
    if (rc != FSEARCH_OK) {
        fsearch_cursor_free(c);
        if (rc == FSEARCH_EQUERY)
            return fs_error(fs, rc, "%s", err[0] ? err : "bad query");
        return fs_error(fs, rc, "out of memory");
    }

    fs_buf sql = FS_BUF_INIT, groups = FS_BUF_INIT, tmp = FS_BUF_INIT;
    fs_buf_puts(&rc, &sql,
                "SELECT fts.rowid, rank, fsearch_matches(fts, ?1), p.line, "
                "p.end_line, p.hash, p.body, d.path, d.title "
                "FROM fts CROSS JOIN passage p ON p.id = fts.rowid "
                "CROSS JOIN doc d ON d.id = p.doc_id "
                "WHERE fts MATCH ?2 AND rank MATCH ?3");
    add_path_filter(&rc, &sql, c->query);
    fs_buf_puts(&rc, &sql, " ORDER BY rank");
    for (int i = 0; i < c->query->nphrases; i++)
        fs_buf_printf(&rc, &groups, "%s%d", i ? " " : "",
                      c->query->phrase_group[i]);
    fs_buf_printf(&rc, &tmp, "fsearch_rank('%s')", groups.p ? groups.p : "");
    if (rc != FSEARCH_OK) {
        rc = fs_error(fs, rc, "out of memory");
        goto done;
    }
    int src = sqlite3_prepare_v2(fs->db, sql.p, (int)sql.n, &c->st, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_prepare_v2(fs->db,
                                 "SELECT d.path, p.line FROM passage p "
                                 "JOIN doc d ON d.id = p.doc_id "
                                 "WHERE p.hash = ?1 AND p.id <> ?2 "
                                 "ORDER BY d.path, p.line LIMIT ?3",
                                 -1, &c->st_dups, NULL);
    if (src != SQLITE_OK) {
        rc = fs_error_sqlite(fs, src, "cannot search the index");
        goto done;
    }
    sqlite3_bind_text(c->st, 1, groups.p ? groups.p : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(c->st, 2, c->query->match, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->st, 3, tmp.p, (int)tmp.n, SQLITE_TRANSIENT);
    rc = bind_paths(c, &tmp);
    if (rc != FSEARCH_OK)
        rc = fs_error(fs, rc, "out of memory");

done:
    fs_buf_free(&sql);
    fs_buf_free(&groups);
    fs_buf_free(&tmp);
    if (rc != FSEARCH_OK) {
        fsearch_cursor_free(c);
        return rc;
    }
    *out = c;
    return FSEARCH_OK;
}

/* Fill c->hit.also_in with the other places of passage `id`. */
static int load_also_in(fsearch_cursor *c, sqlite3_int64 id,
                        sqlite3_int64 hash)
{
    int rc = FSEARCH_OK;
    size_t n = 0;
    fs_buf_clear(&c->also_paths);
    sqlite3_bind_int64(c->st_dups, 1, hash);
    sqlite3_bind_int64(c->st_dups, 2, id);
    sqlite3_bind_int(c->st_dups, 3, MAX_ALSO_IN);
    size_t offs[MAX_ALSO_IN];
    int src;
    while (rc == FSEARCH_OK && (src = sqlite3_step(c->st_dups)) == SQLITE_ROW &&
           n < MAX_ALSO_IN) {
        const char *path = (const char *)sqlite3_column_text(c->st_dups, 0);
        if (n == c->capalso) {
            size_t ncap = c->capalso ? c->capalso * 2 : 4;
            fsearch_location *p = fs_realloc(c->also, ncap * sizeof *p);
            if (!p) {
                rc = FSEARCH_ENOMEM;
                break;
            }
            c->also = p;
            c->capalso = ncap;
        }
        offs[n] = c->also_paths.n;
        fs_buf_puts(&rc, &c->also_paths, path ? path : "");
        fs_buf_putc(&rc, &c->also_paths, '\0');
        c->also[n].line = (unsigned)sqlite3_column_int64(c->st_dups, 1);
        n++;
    }
    if (rc == FSEARCH_OK && src != SQLITE_ROW && src != SQLITE_DONE)
        rc = fs_error_sqlite(c->fs, src, "cannot search the index");
    else if (rc != FSEARCH_OK)
        rc = fs_error(c->fs, rc, "out of memory");
    sqlite3_reset(c->st_dups);
    for (size_t i = 0; rc == FSEARCH_OK && i < n; i++)
        c->also[i].path = c->also_paths.p + offs[i];
    c->hit.also_in = c->also;
    c->hit.nalso_in = rc == FSEARCH_OK ? n : 0;
    return rc;
}

static int fill_hit(fsearch_cursor *c)
{
    sqlite3_stmt *st = c->st;
    fsearch_hit *h = &c->hit;
    memset(h, 0, sizeof *h);
    h->rank = c->offset + c->returned + 1;
    h->score = -sqlite3_column_double(st, 1);
    h->line = (unsigned)sqlite3_column_int64(st, 3);
    h->end_line = (unsigned)sqlite3_column_int64(st, 4);
    h->text = (const char *)sqlite3_column_text(st, 6);
    h->text_len = (size_t)sqlite3_column_bytes(st, 6);
    h->path = (const char *)sqlite3_column_text(st, 7);
    h->title = (const char *)sqlite3_column_text(st, 8);
    if (!h->text || !h->path || !h->title)
        return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");

    const int *pairs = sqlite3_column_blob(st, 2);
    size_t npairs = (size_t)sqlite3_column_bytes(st, 2) / (2 * sizeof(int));
    if (npairs > c->capmatches) {
        fsearch_range *p = fs_realloc(c->matches, npairs * sizeof *p);
        if (!p)
            return fs_error(c->fs, FSEARCH_ENOMEM, "out of memory");
        c->matches = p;
        c->capmatches = npairs;
    }
    size_t nm = 0;
    for (size_t i = 0; i < npairs; i++) {
        int s, e;
        memcpy(&s, (const char *)pairs + (2 * i) * sizeof(int), sizeof s);
        memcpy(&e, (const char *)pairs + (2 * i + 1) * sizeof(int), sizeof e);
        if (s < 0 || e <= s || (size_t)e > h->text_len)
            continue;
        c->matches[nm].start = (size_t)s;
        c->matches[nm].end = (size_t)e;
        nm++;
    }
    h->matches = c->matches;
    h->nmatches = nm;
    int rc = fs_snippet_make(&c->snippet, h->text, h->text_len, c->matches, nm,
                             c->snippet_bytes);
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    h->snippet = c->snippet.text.p ? c->snippet.text.p : "";
    h->snippet_len = c->snippet.text.n;
    h->snippet_matches = c->snippet.matches;
    h->nsnippet_matches = c->snippet.nmatches;
    h->snippet_cut_before = c->snippet.cut_before;
    h->snippet_cut_after = c->snippet.cut_after;
    return load_also_in(c, sqlite3_column_int64(st, 0),
                        sqlite3_column_int64(st, 5));
}

int fsearch_next(fsearch_cursor *c, const fsearch_hit **hit_out)
{
    if (!c || !hit_out)
        return FSEARCH_EINVAL;
    *hit_out = NULL;
    if (c->done)
        return FSEARCH_DONE;
    for (;;) {
        if (c->returned >= c->limit) {
            c->done = 1;
            return FSEARCH_DONE;
        }
        int src = sqlite3_step(c->st);
        if (src == SQLITE_DONE) {
            c->done = 1;
            return FSEARCH_DONE;
        }
        if (src != SQLITE_ROW) {
            c->done = 1;
            return fs_error_sqlite(c->fs, src, "cannot search the index");
        }
        int rc = FSEARCH_OK;
        if (seen_add(c, (unsigned long long)sqlite3_column_int64(c->st, 5),
                     &rc))
            continue;
        if (rc != FSEARCH_OK)
            return fs_error(c->fs, rc, "out of memory");
        if (++c->unique <= c->offset)
            continue;
        rc = fill_hit(c);
        if (rc != FSEARCH_OK) {
            c->done = 1;
            return rc;
        }
        c->returned++;
        *hit_out = &c->hit;
        return FSEARCH_OK;
    }
}

void fsearch_cursor_free(fsearch_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->st);
    sqlite3_finalize(c->st_dups);
    fs_query_free(c->query);
    fs_free(c->seen);
    fs_free(c->matches);
    fs_snippet_free(&c->snippet);
    fs_buf_free(&c->also_paths);
    fs_free(c->also);
    fs_free(c);
}
