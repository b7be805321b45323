/*
** test_search.c - tests of the search cursor beyond ranking: the edit
** distance and shingles behind "did you mean" and duplicate folding, then
** a small indexed corpus searched through the public API: copies folded
** with their places listed, files mode, counts, JSON, context lines,
** suggestions, --fuzzy and synonyms.
*/
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "search.h"
#include "suggest.h"
#include "../test.h"
#include "../fixture.h"

/* ====================================================================== */
/* Pure parts                                                              */

TEST(edit_distance)
{
    static const struct {
        const char *a, *b;
        int max, want;
    } t[] = {
        { "nankng", "nanking", 2, 1 },
        { "kitten", "sitting", 3, 3 },
        { "kitten", "sitting", 2, 3 },      /* over the bound: max + 1 */
        { "ab", "ba", 2, 1 },               /* a swap counts one */
        { "histroy", "history", 2, 1 },
        { "", "abc", 5, 3 },
        { "abc", "", 1, 2 },
        { "same", "same", 0, 0 },
        { "\xc3\xa9t\xc3\xa9", "ete", 3, 2 },  /* code points, not bytes */
        { "abcdef", "uvwxyz", 2, 3 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int d = fs_edit_distance(t[i].a, strlen(t[i].a), t[i].b,
                                 strlen(t[i].b), t[i].max);
        if (d != t[i].want)
            fprintf(stderr, "distance(%s, %s, %d)\n", t[i].a, t[i].b,
                    t[i].max);
        CHECK_INT(d, t[i].want);
    }
}

static const char para[] =
    "In the winter of that year the quokka colony moved to the old capital, "
    "where the keepers built a long wall of stone and timber. Visitors came "
    "from the coast to watch the animals feed at dawn, and the keepers wrote "
    "down every birth in a ledger that is kept in the museum today.";

static int near_texts(const char *a, const char *b)
{
    fs_shingles x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    CHECK_INT(fs_shingles_make(&x, a, strlen(a)), FSEARCH_OK);
    CHECK_INT(fs_shingles_make(&y, b, strlen(b)), FSEARCH_OK);
    int r = fs_shingles_near(&x, &y);
    CHECK_INT(fs_shingles_near(&y, &x), r);     /* symmetric */
    fs_shingles_free(&x);
    fs_shingles_free(&y);
    return r;
}

TEST(shingles_near)
{
    char buf[1024];
    /* A heading merged into one copy only. */
    snprintf(buf, sizeof buf, "About the Park | Timeline | Members\n%s", para);
    CHECK(near_texts(para, buf));
    /* One word differs, and case, spacing and apostrophes too. */
    CHECK(near_texts(para,
                     "IN THE WINTER of that year  the quokka colony moved to "
                     "the old capital, where the keepers built a long wall "
                     "of stone and timber. Visitors came from the coast to "
                     "watch the animals feed at noon, and the keepers wrote "
                     "down every birth in a ledger that is kept in the "
                     "museum today."));
    /* Same words, other text. */
    CHECK(!near_texts(para,
                      "The keepers of the museum wrote that the quokka "
                      "colony of the coast was counted at dawn in winter, "
                      "and the old capital built a wall of timber for the "
                      "visitors who came to watch animals feed every year."));
    /* A short line inside a long passage is not a copy of it. */
    CHECK(!near_texts("the quokka colony moved to the old capital", para));
    /* Too short to judge: only exact hashes fold those. */
    CHECK(!near_texts("quokka colony", "quokka colony"));
    fs_shingles e;
    memset(&e, 0, sizeof e);
    CHECK_INT(fs_shingles_make(&e, "", 0), FSEARCH_OK);
    CHECK_INT(e.n, 0);
    /* Repeated runs count once (counted before any sort, sorted lazily),
    ** and the same handle can be made again. */
    CHECK_INT(fs_shingles_make(&e, "a b c a b c a b c", 17), FSEARCH_OK);
    CHECK_INT(e.n, 3);
    CHECK_INT(fs_shingles_make(&e, "a b c d e f", 11), FSEARCH_OK);
    CHECK_INT(e.n, 4);
    fs_shingles_free(&e);
    /* A passage said twice over is a near copy of itself said once: its
    ** runs are compared as a set, so the repeat does not double its size. */
    snprintf(buf, sizeof buf, "%s %s", para, para);
    CHECK(near_texts(para, buf));
}

/* ====================================================================== */
/* A small indexed corpus                                                  */

static char tmp_dir[512], corpus[600], db[600];

/* A file of the corpus, from a printf format. */
#define put(...) fixture_write(corpus, __VA_ARGS__)

static fsearch *open_corpus(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-search.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    /* a: the paragraph, then another; b: a heading merged into it;
    ** c: one word changed; d: an exact copy; e: the words elsewhere. */
    CHECK_INT(put("a.txt", "Quokka notes\n\n%s\n\nThe ledger also lists "
                           "the tides.\nLine five.\nLine six.\n", para), 0);
    CHECK_INT(put("b.txt", "Park Timeline Members\n%s\n", para), 0);
    char changed[sizeof para + 8];
    snprintf(changed, sizeof changed, "%s", para);
    memcpy(strstr(changed, "dawn"), "noon", 4);
    CHECK_INT(put("c.txt", "Copy\n\n%s\n", changed), 0);
    CHECK_INT(put("d.txt", "Quokka notes\n\n%s\n", para), 0);
    CHECK_INT(put("e.txt", "Elsewhere\n\nOne quokka was seen near the "
                           "capital of another land, far from any colony.\n"),
              0);
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_CREATE;
    CHECK_INT(fsearch_open(&fs, db, &o), FSEARCH_OK);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    return fs;
}

static void close_corpus(fsearch *fs)
{
    fsearch_close(fs);
    fixture_remove(tmp_dir);
}

/* Concatenate "path:line " of a hit and its also_in into buf. */
static void places(const fsearch_hit *h, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "%s:%u", h->path, h->line);
    for (size_t i = 0; i < h->nalso_in && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, " %s:%u",
                                 h->also_in[i].path, h->also_in[i].line);
}

/* A JSON value at `path` of `json`, via SQLite (freed by the caller);
** "$.a[#]" is the length of array $.a. NULL if json is not valid. */
static char *json_get(const char *json, const char *path)
{
    sqlite3 *db2 = NULL;
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_open(":memory:", &db2) == SQLITE_OK &&
        sqlite3_prepare_v2(db2, "SELECT json_valid(?1), CASE WHEN ?2 LIKE "
                           "'%[#]' THEN json_array_length(?1, substr(?2, 1, "
                           "length(?2) - 3)) ELSE json_extract(?1, ?2) END",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0)) {
            const char *v = (const char *)sqlite3_column_text(st, 1);
            out = strdup(v ? v : "(null)");
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db2);
    return out;
}

static void check_json(const char *json, const char *path, const char *want)
{
    char *v = json_get(json, path);
    if (!v || strcmp(v, want) != 0)
        fprintf(stderr, "%s in %s\n", path, json);
    CHECK_STR(v, want);
    free(v);
}

TEST(copies_folded)
{
    fsearch *fs = open_corpus();
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    CHECK_INT(fsearch_search(&cur, fs, "quokka colony capital", NULL),
              FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    /* One hit for the four copies, whichever ranks first. */
    char got[512];
    places(h, got, sizeof got);
    CHECK_INT(h->nalso_in, 3);
    /* Short paragraphs join the next, so each copy starts at line 1. */
    const char *all[] = { "a.txt:1", "b.txt:1", "c.txt:1", "d.txt:1" };
    for (size_t i = 0; i < 4; i++)
        CHECK(strstr(got, all[i]) != NULL);
    /* also_in is sorted by path. */
    for (size_t i = 1; i < h->nalso_in; i++)
        CHECK(strcmp(h->also_in[i - 1].path, h->also_in[i].path) < 0);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK_STR(h->path, "e.txt");
    CHECK_INT(h->nalso_in, 0);
    /* a.txt's last passage has none of the words, but its title "Quokka
    ** notes" has one. */
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK_STR(h->path, "a.txt");
    CHECK_INT(h->line, 5);
    CHECK_INT(h->nmatches, 0);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
    CHECK(h == NULL);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
    fsearch_cursor_free(cur);

    /* The count agrees; offset 1 starts at e.txt. */
    uint64_t n = 0;
    CHECK_INT(fsearch_search(&cur, fs, "quokka colony capital", NULL),
              FSEARCH_OK);
    CHECK_INT(fsearch_count(cur, &n), FSEARCH_OK);
    CHECK_INT(n, 3);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
    fsearch_cursor_free(cur);
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.offset = 1;
    CHECK_INT(fsearch_search(&cur, fs, "quokka colony capital", &so),
              FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK_STR(h->path, "e.txt");
    CHECK_INT(h->rank, 2);
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

/* A passage with more copies than "also in" lists: the first 20 places by
** path, then line (the file holding it three times among them), as the
** index itself sorts them, the hit's own place left out. */
TEST(many_copies_also_in)
{
    fsearch *fs = open_corpus();
    static const char copy[] =
        "The wombat registry counts every burrow along the escarpment, "
        "from the granite saddle to the creek, and notes which burrows "
        "the rangers found empty after the long dry summer of that year.";
    static const char other[] =
        "Between the two counts the rangers walked the fence line twice "
        "and mended it where the storms had brought the old gums down.";
    char name[32];
    /* 19 places before b.txt's three, 10 after: whichever place is the
    ** hit, the cut after 20 falls inside b. */
    for (int i = 0; i < 29; i++) {
        snprintf(name, sizeof name, "%c%02d.txt", i < 19 ? 'a' : 'c', i);
        CHECK_INT(put(name, "%s\n", copy), 0);
    }
    CHECK_INT(put("b.txt", "%s\n\n%s\n\n%s\n\n%s\n\n%s\n", copy, other,
                  copy, other, copy), 0);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    CHECK_INT(fsearch_search(&cur, fs, "wombat escarpment", NULL),
              FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    if (!h) {
        fsearch_cursor_free(cur);
        close_corpus(fs);
        return;
    }
    char got[4096], want[4096];
    size_t used = 0;
    for (size_t i = 0; i < h->nalso_in && used < sizeof got; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, "%s:%u ",
                                 h->also_in[i].path, h->also_in[i].line);
    got[used < sizeof got ? used : sizeof got - 1] = '\0';
    /* What the index holds, sorted by SQLite. */
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    used = 0;
    want[0] = '\0';
    CHECK_INT(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(raw,
              "SELECT d.path, p.line FROM passage p JOIN doc d "
              "ON d.id = p.doc_id WHERE p.hash = (SELECT q.hash FROM "
              "passage q JOIN doc e ON e.id = q.doc_id WHERE e.path = ?1 "
              "AND q.line = ?2) AND NOT (d.path = ?1 AND p.line = ?2) "
              "ORDER BY d.path, p.line LIMIT 20", -1, &st, NULL),
              SQLITE_OK);
    sqlite3_bind_text(st, 1, h->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, (int)h->line);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW && used < sizeof want) {
        used += (size_t)snprintf(want + used, sizeof want - used, "%s:%d ",
                                 (const char *)sqlite3_column_text(st, 0),
                                 sqlite3_column_int(st, 1));
        rows++;
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
    CHECK_INT(rows, 20);
    CHECK_INT(h->nalso_in, 20);
    CHECK_STR(got, want);
    CHECK(strstr(got, "b.txt:") != NULL);
    CHECK(strstr(got, "c19.txt:") == NULL);
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

/* A hit whose near copies are exact copies of one another (one footer in
** many files, one word apart from the hit's): the list fills up from the
** first near copy's hash, and stays the first places by path. */
TEST(near_copies_share_a_hash)
{
    fsearch *fs = open_corpus();
    static const char hit[] =
        "The numbat survey walks every creek along the escarpment, from "
        "the granite saddle to the river, and notes which logs the numbat "
        "rangers found hollow after the long dry summer of that year.";
    static const char near[] =
        "The numbat survey walks every creek along the escarpment, from "
        "the granite saddle to the river, and notes which logs the "
        "rangers found hollow after the long dry summer of that year.";
    char name[32];
    CHECK_INT(put("p.txt", "%s\n", hit), 0);
    for (int i = 0; i < 30; i++) {
        snprintf(name, sizeof name, "q%02d.txt", i);
        CHECK_INT(put(name, "%s\n", near), 0);
    }
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    CHECK_INT(fsearch_search(&cur, fs, "numbat escarpment", NULL),
              FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    if (!h) {
        fsearch_cursor_free(cur);
        close_corpus(fs);
        return;
    }
    CHECK_STR(h->path, "p.txt");
    CHECK_INT(h->nalso_in, 20);
    for (size_t i = 0; i < h->nalso_in; i++) {
        CHECK(h->also_in[i].path[0] == 'q');
        if (i > 0)
            CHECK(strcmp(h->also_in[i - 1].path, h->also_in[i].path) < 0);
    }
    CHECK_STR(h->also_in[0].path, "q00.txt");
    /* All 30 near copies are folded into the hit: nothing else is left. */
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

TEST(files_mode)
{
    fsearch *fs = open_corpus();
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.flags = FSEARCH_SEARCH_FILES;
    so.limit = 100;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    CHECK_INT(fsearch_search(&cur, fs, "quokka ledger", &so), FSEARCH_OK);
    int n = 0, a_rank = 0, e_rank = 0;
    double last = 1e300;
    while (fsearch_next(cur, &h) == FSEARCH_OK) {
        n++;
        CHECK(h->score <= last);
        last = h->score;
        CHECK_INT(h->nalso_in, 0);
        CHECK(h->nmatches > 0);
        if (strcmp(h->path, "a.txt") == 0)
            a_rank = n;
        if (strcmp(h->path, "e.txt") == 0)
            e_rank = n;
    }
    CHECK_INT(n, 5);
    /* a.txt has the words in two passages (and in its title), and beats
    ** e.txt, which lacks "ledger". */
    CHECK_INT(a_rank, 1);
    CHECK_INT(e_rank, 5);
    fsearch_cursor_free(cur);
    uint64_t count = 0;
    CHECK_INT(fsearch_search(&cur, fs, "quokka path:e.txt", &so), FSEARCH_OK);
    CHECK_INT(fsearch_count(cur, &count), FSEARCH_OK);
    CHECK_INT(count, 1);
    fsearch_cursor_free(cur);
    /* Without snippets: the same files in the same order, no highlights. */
    so.flags = FSEARCH_SEARCH_FILES | FSEARCH_SEARCH_NO_SNIPPET;
    CHECK_INT(fsearch_search(&cur, fs, "quokka ledger", &so), FSEARCH_OK);
    n = 0;
    while (fsearch_next(cur, &h) == FSEARCH_OK) {
        n++;
        CHECK_INT(h->nmatches, 0);
        CHECK_INT(h->snippet_len, 0);
        CHECK(h->snippet && h->text_len > 0);
        if (n == 1)
            CHECK(strcmp(h->path, "a.txt") == 0);
        if (n == 5)
            CHECK(strcmp(h->path, "e.txt") == 0);
    }
    CHECK_INT(n, 5);
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

TEST(json)
{
    fsearch *fs = open_corpus();
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    const char *json = NULL;
    CHECK_INT(fsearch_search(&cur, fs, "quokka colony capital", NULL),
              FSEARCH_OK);
    CHECK_INT(fsearch_hit_json(cur, &json), FSEARCH_EINVAL);   /* no hit */
    CHECK(strstr(fsearch_errmsg(fs), "no current hit") != NULL);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK_INT(fsearch_hit_json(cur, &json), FSEARCH_OK);
    check_json(json, "$.type", "hit");
    check_json(json, "$.rank", "1");
    check_json(json, "$.path", h->path);
    check_json(json, "$.title", h->title);
    check_json(json, "$.text", h->text);
    CHECK_INT(h->nalso_in, 3);
    if (h->nalso_in < 3)
        goto out;
    check_json(json, "$.also_in[#]", "3");
    check_json(json, "$.also_in[0].path", h->also_in[0].path);
    char want[32];
    snprintf(want, sizeof want, "%u", h->also_in[0].line);
    check_json(json, "$.also_in[0].line", want);
    snprintf(want, sizeof want, "%zu", h->nmatches);
    check_json(json, "$.matches[#]", want);
    snprintf(want, sizeof want, "%zu", h->matches[0].start);
    check_json(json, "$.matches[0][0]", want);
    CHECK(strncmp(h->text + h->matches[0].start, "Quokka", 6) == 0);
    char *snip = json_get(json, "$.snippet");
    CHECK(snip && strstr(snip, "\xc2\xabquokka\xc2\xbb \xc2\xab" "colony\xc2\xbb") != NULL);
    free(snip);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
    CHECK_INT(fsearch_hit_json(cur, &json), FSEARCH_EINVAL);
    CHECK_INT(fsearch_summary_json(cur, -1, &json), FSEARCH_OK);
    check_json(json, "$.type", "summary");
    check_json(json, "$.hits", "3");
    check_json(json, "$.suggestions", "[]");
    CHECK_INT(fsearch_summary_json(cur, 7, &json), FSEARCH_OK);
    check_json(json, "$.hits", "7");
out:
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

TEST(context_lines)
{
    fsearch *fs = open_corpus();
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    const char *before, *after;
    CHECK_INT(fsearch_search(&cur, fs, "tides path:a.txt", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK_INT(h->line, 5);
    CHECK_INT(h->end_line, 7);
    /* Line 4 is blank, line 3 the paragraph, line 1 the title. */
    CHECK_INT(fsearch_hit_context(cur, 1, &before, &after), FSEARCH_OK);
    CHECK_STR(before, "\n");
    CHECK_STR(after, "");
    CHECK_INT(fsearch_hit_context(cur, 2, &before, &after), FSEARCH_OK);
    CHECK(strncmp(before, "In the winter", 13) == 0);
    CHECK(strcmp(before + strlen(before) - 8, "today.\n\n") == 0);
    CHECK_INT(fsearch_hit_context(cur, 100, &before, &after), FSEARCH_OK);
    CHECK(strncmp(before, "Quokka notes\n\nIn the winter", 27) == 0);
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

TEST(suggestions_and_fuzzy)
{
    fsearch *fs = open_corpus();
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    const char *const *words;
    size_t n;
    CHECK_INT(fsearch_search(&cur, fs, "quokak ledger", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_suggestions(cur, &words, &n), FSEARCH_OK);
    CHECK_INT(n, 1);
    CHECK_STR(words[0], "quokka");
    CHECK(words[1] == NULL);
    CHECK_INT(fsearch_fuzzy_words(cur, &words, &n), FSEARCH_OK);
    CHECK_INT(n, 0);
    const char *json;
    CHECK_INT(fsearch_summary_json(cur, -1, &json), FSEARCH_OK);
    check_json(json, "$.suggestions[0]", "quokka");
    CHECK(strstr(json, "searched_too") == NULL);
    fsearch_cursor_free(cur);

    /* A known word gets none; "keeprs" gets the word as written. */
    CHECK_INT(fsearch_search(&cur, fs, "keeprs museum", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_suggestions(cur, &words, &n), FSEARCH_OK);
    CHECK_INT(n, 1);
    CHECK_STR(words[0], "keepers");
    fsearch_cursor_free(cur);

    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    CHECK_INT(fsearch_search(&cur, fs, "quokak", &so), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
    fsearch_cursor_free(cur);
    so.flags = FSEARCH_SEARCH_FUZZY;
    CHECK_INT(fsearch_search(&cur, fs, "quokak", &so), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &h), FSEARCH_OK);
    CHECK(h->nmatches > 0);
    CHECK_INT(fsearch_suggestions(cur, &words, &n), FSEARCH_OK);
    CHECK_INT(n, 1);
    CHECK_INT(fsearch_summary_json(cur, -1, &json), FSEARCH_OK);
    check_json(json, "$.searched_too[0]", "quokka");
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

/* --fuzzy searches the suggested word wherever the parser reads it as a
** free word: after a Unicode space, after Title:, in NEAR(...). Each was
** said to be "also searched for" and was not (no hits). */
TEST(fuzzy_everywhere)
{
    static const char *const queries[] = {
        "\xc2\xa0quokak", "\xe3\x80\x80quokak\xc2\xa0", "Title:quokak",
        "TITLE:quokak", "NEAR(quokak capital, 5)", "NEAR(\"quokak\" capital",
        "title:NEAR(quokak notes)", "-\"zz top\" NEAR(quokak capital)",
        "NEAR(\xe2\x80\x9cquokak\xe2\x80\x9d capital, 5)",
    };
    fsearch *fs = open_corpus();
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.flags = FSEARCH_SEARCH_FUZZY;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        fsearch_cursor *cur = NULL;
        const fsearch_hit *h;
        const char *const *words;
        size_t n = 0;
        CHECK_INT(fsearch_search(&cur, fs, queries[i], NULL), FSEARCH_OK);
        CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
        fsearch_cursor_free(cur);
        cur = NULL;
        CHECK_INT(fsearch_search(&cur, fs, queries[i], &so), FSEARCH_OK);
        int rc = fsearch_next(cur, &h);
        if (rc != FSEARCH_OK)
            fprintf(stderr, "--fuzzy <%s>: %d\n", queries[i], rc);
        CHECK_INT(rc, FSEARCH_OK);
        CHECK_INT(fsearch_suggestions(cur, &words, &n), FSEARCH_OK);
        CHECK(n == 1 && strcmp(words[0], "quokka") == 0);
        CHECK_INT(fsearch_fuzzy_words(cur, &words, &n), FSEARCH_OK);
        CHECK(n == 1 && strcmp(words[0], "quokka") == 0 && !words[1]);
        fsearch_cursor_free(cur);
    }
    /* A quoted word is searched as typed, straight or curly quotes. */
    static const char *const exact[] = {
        "\"quokak colony\"", "\xe2\x80\x9cquokak colony\xe2\x80\x9d",
        "\xe2\x80\x9equokak",
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        fsearch_cursor *cur = NULL;
        const fsearch_hit *h;
        CHECK_INT(fsearch_search(&cur, fs, exact[i], &so), FSEARCH_OK);
        CHECK_INT(fsearch_next(cur, &h), FSEARCH_DONE);
        /* Its suggestion is offered, but was not searched. */
        const char *const *words;
        size_t n = 9;
        CHECK_INT(fsearch_suggestions(cur, &words, &n), FSEARCH_OK);
        CHECK(n == 1 && strcmp(words[0], "quokka") == 0);
        CHECK_INT(fsearch_fuzzy_words(cur, &words, &n), FSEARCH_OK);
        CHECK(n == 0 && words && !words[0]);
        const char *json;
        CHECK_INT(fsearch_summary_json(cur, -1, &json), FSEARCH_OK);
        CHECK(strstr(json, "\"searched_too\":[]") != NULL);
        fsearch_cursor_free(cur);
    }
    close_corpus(fs);
}

TEST(synonyms)
{
    fsearch *fs = open_corpus();
    char path[700];
    snprintf(path, sizeof path, "%s/syn.txt", tmp_dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("# animals\nnumbat quokka\n", f);
        fclose(f);
    }
    fsearch_cursor *cur = NULL;
    uint64_t n = 0;
    CHECK_INT(fsearch_search(&cur, fs, "numbat", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_count(cur, &n), FSEARCH_OK);
    CHECK_INT(n, 0);
    fsearch_cursor_free(cur);
    CHECK_INT(fsearch_set_synonyms(fs, path), FSEARCH_OK);
    CHECK_INT(fsearch_search(&cur, fs, "numbat", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_count(cur, &n), FSEARCH_OK);
    CHECK_INT(n, 3);
    fsearch_cursor_free(cur);

    /* A bad file keeps the old synonyms and names the line. */
    f = fopen(path, "w");
    if (f) {
        fputs("a b\n\"open quote\n", f);
        fclose(f);
    }
    CHECK_INT(fsearch_set_synonyms(fs, path), FSEARCH_EQUERY);
    CHECK(strstr(fsearch_errmsg(fs), "line 2: unterminated quote") != NULL);
    CHECK_INT(fsearch_search(&cur, fs, "numbat", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_count(cur, &n), FSEARCH_OK);
    CHECK_INT(n, 3);
    fsearch_cursor_free(cur);
    strcat(path, ".absent");
    CHECK_INT(fsearch_set_synonyms(fs, path), FSEARCH_ENOTFOUND);
    CHECK_INT(fsearch_set_synonyms(fs, NULL), FSEARCH_OK);
    CHECK_INT(fsearch_search(&cur, fs, "numbat", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_count(cur, &n), FSEARCH_OK);
    CHECK_INT(n, 0);
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

/* `unit` n times over, in a buffer the caller frees. */
static char *repeat(const char *unit, int n, const char *around)
{
    size_t len = strlen(unit);
    char *s = malloc(len * (size_t)n + 3);
    CHECK(s != NULL);
    if (!s)
        abort();
    char *o = s;
    o += sprintf(o, "%s", around);
    for (int i = 0; i < n; i++, o += len)
        memcpy(o, unit, len);
    sprintf(o, "%s", around);
    return s;
}

/* 1 if `q` is refused as too long (and nothing else went wrong). */
static int refused(fsearch *fs, const char *q, unsigned flags)
{
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.flags = flags;
    fsearch_cursor *cur = NULL;
    int rc = fsearch_search(&cur, fs, q, &so);
    fsearch_cursor_free(cur);
    if (rc == FSEARCH_OK)
        return 0;
    CHECK_INT(rc, FSEARCH_EQUERY);
    CHECK_STR(fsearch_errmsg(fs), "query too long: more than 256 words");
    return 1;
}

/* Each token of a phrase is a walk of its postings: a query's phrases hold
** at most 256, however they are written (the parser counts words). */
TEST(phrase_tokens_bounded)
{
    fsearch *fs = open_corpus();
    static const struct {
        const char *unit, *around;
        int n, refused;
    } cases[] = {
        { "the ", "\"", 256, 0 },       /* one quoted phrase */
        { "the ", "\"", 257, 1 },
        { "quokka ", "\"", 257, 1 },
        { "the OR ", "", 300, 1 },       /* stop words only: one phrase */
        { "the ", "", 256, 0 },
        { "quokka;", "", 257, 1 },       /* one word, cut by the tokenizer */
        { "quokka;", "", 256, 0 },
        { "\"\"quokka", "\"", 257, 1 }, /* "" is a '"' inside a phrase */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = repeat(cases[i].unit, cases[i].n, cases[i].around);
        if (refused(fs, q, 0) != cases[i].refused)
            fprintf(stderr, "case %zu: %.40s...\n", i, q);
        CHECK_INT(refused(fs, q, 0), cases[i].refused);
        CHECK_INT(refused(fs, q, FSEARCH_SEARCH_FUZZY), cases[i].refused);
        free(q);
    }
    close_corpus(fs);
}

RUN_TESTS("search", T(edit_distance), T(shingles_near), T(copies_folded),
          T(many_copies_also_in), T(near_copies_share_a_hash),
          T(files_mode), T(json), T(context_lines),
          T(suggestions_and_fuzzy), T(fuzzy_everywhere), T(synonyms),
          T(phrase_tokens_bounded))
