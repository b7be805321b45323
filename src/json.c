/*
** json.c - hits and the closing summary as JSON Lines, for tools.
**
** Every string goes through SQLite's JSON functions (json_object,
** json_insert), so escaping is SQLite's and not ours; only arrays of
** integers are written here. Text handed to SQLite is made valid UTF-8
** first (a file name may not be), so every line parses.
*/
#include "search.h"
#include "alloc.h"
#include "text.h"

#include <string.h>

#define MARK_OPEN "\xC2\xAB"        /* « */
#define MARK_CLOSE "\xC2\xBB"       /* » */
#define ELLIPSIS "\xE2\x80\xA6"     /* … */

static int prep(fsearch_cursor *c, sqlite3_stmt **st, const char *sql)
{
    if (*st)
        return FSEARCH_OK;
    int rc = sqlite3_prepare_v2(c->fs->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? FSEARCH_OK
                           : fs_error_sqlite(c->fs, rc, "cannot make JSON");
}

/*
** Bind s[0..n) as text, as valid UTF-8: clean text is bound in place,
** anything else is repaired into `scratch`, which must outlive the step.
*/
static int bind_utf8(sqlite3_stmt *st, int i, const char *s, size_t n,
                     fs_buf *scratch)
{
    int rc = FSEARCH_OK;
    if (fs_text_is_clean_utf8(s, n)) {
        sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
        return FSEARCH_OK;
    }
    fs_buf_clear(scratch);
    fs_text_to_utf8(&rc, scratch, s, n);
    fs_buf_reserve(&rc, scratch, 0);
    if (rc == FSEARCH_OK)
        sqlite3_bind_text(st, i, scratch->p, (int)scratch->n, SQLITE_STATIC);
    return rc;
}

/* Step a one-row statement whose result is JSON text and copy it to out. */
static int step_into(fsearch_cursor *c, sqlite3_stmt *st, fs_buf *out)
{
    int rc = FSEARCH_OK;
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        const char *j = (const char *)sqlite3_column_text(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        fs_buf_clear(out);
        if (j)
            fs_buf_append(&rc, out, j, n);
        else
            rc = FSEARCH_ENOMEM;
        fs_buf_reserve(&rc, out, 0);
        src = SQLITE_OK;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (src != SQLITE_OK && src != SQLITE_DONE)
        return fs_error_sqlite(c->fs, src, "cannot make JSON");
    return rc == FSEARCH_OK ? FSEARCH_OK
                            : fs_error(c->fs, rc, "out of memory");
}

/* The snippet with matched words between « », "…" where text was cut. */
static void marked_snippet(int *rc, fs_buf *out, const fsearch_hit *h)
{
    size_t pos = 0;
    fs_buf_clear(out);
    if (h->snippet_cut_before)
        fs_buf_puts(rc, out, ELLIPSIS);
    for (size_t i = 0; i < h->nsnippet_matches; i++) {
        const fsearch_range *r = &h->snippet_matches[i];
        if (r->start < pos || r->end > h->snippet_len || r->end <= r->start)
            continue;
        fs_buf_append(rc, out, h->snippet + pos, r->start - pos);
        fs_buf_puts(rc, out, MARK_OPEN);
        fs_buf_append(rc, out, h->snippet + r->start, r->end - r->start);
        fs_buf_puts(rc, out, MARK_CLOSE);
        pos = r->end;
    }
    fs_buf_append(rc, out, h->snippet + pos, h->snippet_len - pos);
    if (h->snippet_cut_after)
        fs_buf_puts(rc, out, ELLIPSIS);
    fs_buf_reserve(rc, out, 0);
}

/* also_in as a JSON array, built in c->jtmp one json_insert at a time. */
static int also_json(fsearch_cursor *c, const fsearch_hit *h, fs_buf *fix)
{
    int rc = prep(c, &c->st_json_loc,
                  "SELECT json_insert(?1, '$[#]', "
                  "json_object('path', ?2, 'line', ?3))");
    fs_buf_clear(&c->jtmp);
    if (rc == FSEARCH_OK) {
        fs_buf_puts(&rc, &c->jtmp, "[]");
        if (rc != FSEARCH_OK)
            return fs_error(c->fs, rc, "out of memory");
    }
    for (size_t i = 0; rc == FSEARCH_OK && i < h->nalso_in; i++) {
        const char *p = h->also_in[i].path;
        sqlite3_bind_text(c->st_json_loc, 1, c->jtmp.p, (int)c->jtmp.n,
                          SQLITE_TRANSIENT);
        rc = bind_utf8(c->st_json_loc, 2, p, strlen(p), fix);
        sqlite3_bind_int64(c->st_json_loc, 3, h->also_in[i].line);
        if (rc == FSEARCH_OK)
            rc = step_into(c, c->st_json_loc, &c->jtmp);
        else
            rc = fs_error(c->fs, rc, "out of memory");
    }
    return rc;
}

int fsearch_hit_json(fsearch_cursor *c, const char **json_out)
{
    if (!c)
        return FSEARCH_EINVAL;
    if (!json_out)
        return fs_error(c->fs, FSEARCH_EINVAL,
                        "fsearch_hit_json: json_out is NULL");
    *json_out = NULL;
    if (!c->hit_valid)
        return fs_error(c->fs, FSEARCH_EINVAL, "no current hit");
    const fsearch_hit *h = &c->hit;
    fs_buf fix_path = FS_BUF_INIT, fix_title = FS_BUF_INIT;
    fs_buf fix_text = FS_BUF_INIT, fix_snip = FS_BUF_INIT;
    fs_buf snippet = FS_BUF_INIT, matches = FS_BUF_INIT;
    int rc = also_json(c, h, &fix_path);
    if (rc == FSEARCH_OK)
        rc = prep(c, &c->st_json_hit,
                  "SELECT json_object('type', 'hit', 'rank', ?1, 'path', ?2, "
                  "'line', ?3, 'end_line', ?4, 'title', ?5, "
                  "'score', round(?6, 4), 'snippet', ?7, 'text', ?8, "
                  "'matches', json(?9), 'also_in', json(?10))");
    if (rc != FSEARCH_OK)
        goto done;
    /* Integers need no escaping: the ranges are written directly. */
    fs_buf_putc(&rc, &matches, '[');
    for (size_t i = 0; i < h->nmatches; i++)
        fs_buf_printf(&rc, &matches, "%s[%zu,%zu]", i ? "," : "",
                      h->matches[i].start, h->matches[i].end);
    fs_buf_putc(&rc, &matches, ']');
    marked_snippet(&rc, &snippet, h);
    sqlite3_stmt *st = c->st_json_hit;
    sqlite3_bind_int64(st, 1, h->rank);
    if (rc == FSEARCH_OK)
        rc = bind_utf8(st, 2, h->path, strlen(h->path), &fix_path);
    sqlite3_bind_int64(st, 3, h->line);
    sqlite3_bind_int64(st, 4, h->end_line);
    if (rc == FSEARCH_OK)
        rc = bind_utf8(st, 5, h->title, strlen(h->title), &fix_title);
    sqlite3_bind_double(st, 6, h->score);
    if (rc == FSEARCH_OK)
        rc = bind_utf8(st, 7, snippet.p, snippet.n, &fix_snip);
    if (rc == FSEARCH_OK)
        rc = bind_utf8(st, 8, h->text, h->text_len, &fix_text);
    if (rc == FSEARCH_OK) {
        sqlite3_bind_text(st, 9, matches.p, (int)matches.n, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, c->jtmp.p, (int)c->jtmp.n, SQLITE_STATIC);
        rc = step_into(c, st, &c->json);
    } else {
        sqlite3_clear_bindings(st);
        rc = fs_error(c->fs, rc, "out of memory");
    }
done:
    fs_buf_free(&fix_path);
    fs_buf_free(&fix_title);
    fs_buf_free(&fix_text);
    fs_buf_free(&fix_snip);
    fs_buf_free(&snippet);
    fs_buf_free(&matches);
    if (rc == FSEARCH_OK)
        *json_out = c->json.p;
    return rc;
}

/* words[0..n) as a JSON array of strings into *out. */
static int words_array(fsearch_cursor *c, const char *const *words, size_t n,
                       fs_buf *out)
{
    int rc = prep(c, &c->st_json_push, "SELECT json_insert(?1, '$[#]', ?2)");
    if (rc != FSEARCH_OK)
        return rc;
    fs_buf fix = FS_BUF_INIT;
    fs_buf_clear(out);
    fs_buf_puts(&rc, out, "[]");
    if (rc != FSEARCH_OK)
        return fs_error(c->fs, rc, "out of memory");
    for (size_t i = 0; rc == FSEARCH_OK && i < n; i++) {
        sqlite3_bind_text(c->st_json_push, 1, out->p, (int)out->n,
                          SQLITE_TRANSIENT);
        rc = bind_utf8(c->st_json_push, 2, words[i], strlen(words[i]), &fix);
        rc = rc == FSEARCH_OK ? step_into(c, c->st_json_push, out)
                              : fs_error(c->fs, rc, "out of memory");
    }
    fs_buf_free(&fix);
    return rc;
}

int fsearch_summary_json(fsearch_cursor *c, int64_t count,
                         const char **json_out)
{
    if (!c)
        return FSEARCH_EINVAL;
    if (!json_out)
        return fs_error(c->fs, FSEARCH_EINVAL,
                        "fsearch_summary_json: json_out is NULL");
    *json_out = NULL;
    const char *const *words = NULL, *const *fuzzy = NULL;
    size_t nwords = 0, nfuzzy = 0;
    /* --fuzzy says which suggestions it searched too: a program cannot
    ** tell them from those it left alone (words typed in quotes). */
    int with_fuzzy = (c->flags & FSEARCH_SEARCH_FUZZY) != 0;
    int rc = fsearch_suggestions(c, &words, &nwords);
    if (rc == FSEARCH_OK && with_fuzzy)
        rc = fsearch_fuzzy_words(c, &fuzzy, &nfuzzy);
    if (rc == FSEARCH_OK)
        rc = prep(c, &c->st_json_sum,
                  with_fuzzy
                      ? "SELECT json_object('type', 'summary', 'hits', ?1, "
                        "'elapsed_ms', round(?2, 3), 'suggestions', json(?3), "
                        "'searched_too', json(?4))"
                      : "SELECT json_object('type', 'summary', 'hits', ?1, "
                        "'elapsed_ms', round(?2, 3), 'suggestions', json(?3))");
    fs_buf searched = FS_BUF_INIT;
    if (rc == FSEARCH_OK && with_fuzzy)
        rc = words_array(c, fuzzy, nfuzzy, &searched);
    if (rc == FSEARCH_OK)
        rc = words_array(c, words, nwords, &c->jtmp);
    if (rc == FSEARCH_OK) {
        sqlite3_stmt *st = c->st_json_sum;
        sqlite3_bind_int64(st, 1, count >= 0 ? count : (int64_t)c->returned);
        sqlite3_bind_double(st, 2, fs_cursor_elapsed_ms(c));
        sqlite3_bind_text(st, 3, c->jtmp.p, (int)c->jtmp.n, SQLITE_STATIC);
        if (with_fuzzy)
            sqlite3_bind_text(st, 4, searched.p, (int)searched.n,
                              SQLITE_STATIC);
        rc = step_into(c, st, &c->json);
    }
    fs_buf_free(&searched);
    if (rc == FSEARCH_OK)
        *json_out = c->json.p;
    return rc;
}
