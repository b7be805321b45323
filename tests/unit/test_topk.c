/*
** test_topk.c - the cursor's ranked stream (src/topk.c) against FTS5's own
** ORDER BY rank: for free-word queries that take the all-words tier and
** then fall back to the whole query, single words whose rows are pruned,
** long queries, exclusions, title: and path: filters, every passage must
** come out in the same order with the same score, whatever the heap size,
** and also when the stream switches to "keep every row" half way.
*/
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "internal.h"
#include "buf.h"
#include "search.h"
#include "topk.h"
#include "../test.h"
#include "../fixture.h"

static char tmp_dir[512], corpus[600], db[600];

/* Deterministic words: a few common ones, some rarer, many fillers. */
static unsigned long long seed = 88172645463325252ULL;
static unsigned next_rand(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed >> 16);
}

static const char *const words[] = {
    "alpha", "alpha", "alpha", "beta", "beta", "gamma", "delta", "epsilon",
    "river", "stone", "lamp", "window", "harbour", "violin", "meadow",
    "copper", "lantern", "orchard", "thunder", "pebble", "saffron",
};

static void write_file(const char *name, int nparas)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", corpus, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    /* The title: sometimes a query word. */
    fprintf(f, "%s notes\n\n", words[next_rand() % 10]);
    for (int p = 0; p < nparas; p++) {
        int n = 8 + (int)(next_rand() % 60);
        for (int i = 0; i < n; i++)
            fprintf(f, "%s%s", i ? " " : "",
                    words[next_rand() % (sizeof words / sizeof words[0])]);
        fputs(".\n\n", f);
        if (next_rand() % 9 == 0)   /* an exact copy: equal scores */
            fputs("alpha beta lamp window harbour.\n\n", f);
    }
    /* One word only some passages have. */
    if (next_rand() % 15 == 0)
        fputs("The zephyr alpha came by.\n", f);
    fclose(f);
}

static fsearch *open_corpus(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-topk.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    for (int i = 0; i < 60; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d.txt", i);
        write_file(name, 1 + (int)(next_rand() % 8));
    }
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

typedef struct list {
    fs_topk_ent e[4096];
    size_t n;
} list;

/* FTS5's order: every matching passage by ORDER BY rank. */
static void reference(fsearch *fs, const fs_query *q, const char *groups,
                      list *out)
{
    int rc = FSEARCH_OK;
    fs_buf sql = FS_BUF_INIT, arg = FS_BUF_INIT, tmp = FS_BUF_INIT;
    fs_buf_puts(&rc, &sql, "SELECT fts.rowid, rank FROM fts "
                "CROSS JOIN passage p ON p.id = fts.rowid "
                "CROSS JOIN doc d ON d.id = p.doc_id "
                "WHERE fts MATCH ?2 AND rank MATCH ?3");
    fs_path_filter_sql(&rc, &sql, q);
    fs_buf_puts(&rc, &sql, " ORDER BY rank");
    fs_buf_printf(&rc, &arg, "fsearch_rank('%s')", groups);
    CHECK_INT(rc, FSEARCH_OK);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, sql.p, (int)sql.n, &st, NULL),
              SQLITE_OK);
    sqlite3_bind_text(st, 2, q->match, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, arg.p, (int)arg.n, SQLITE_STATIC);
    CHECK_INT(fs_path_filter_bind(st, q, &tmp), FSEARCH_OK);
    out->n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && out->n < 4096) {
        out->e[out->n].id = sqlite3_column_int64(st, 0);
        out->e[out->n].score = -sqlite3_column_double(st, 1);
        out->n++;
    }
    sqlite3_finalize(st);
    fs_buf_free(&sql);
    fs_buf_free(&arg);
    fs_buf_free(&tmp);
}

static void groups_of(const fs_query *q, fs_buf *out)
{
    int rc = FSEARCH_OK;
    fs_buf_clear(out);
    for (int i = 0; i < q->nphrases; i++)
        fs_buf_printf(&rc, out, "%s%d", i ? " " : "", q->phrase_group[i]);
    fs_buf_putc(&rc, out, '\0');
    CHECK_INT(rc, FSEARCH_OK);
}

/* Stream query `text` with a heap of `chunk` rows (switching to every row
** after `all_after` rows, if not 0) and compare with FTS5's order. Returns
** the level the stream ended at after its first `peek` rows. */
static int check_query(fsearch *fs, const char *text, size_t chunk,
                       size_t all_after, size_t peek, int *had_tier)
{
    fs_query *q = NULL;
    char err[200];
    CHECK_INT(fs_query_parse(&q, text, 0, NULL, err, sizeof err), FSEARCH_OK);
    if (!q)
        return -1;
    fs_buf g = FS_BUF_INIT;
    groups_of(q, &g);
    static list want, got;
    reference(fs, q, g.p, &want);
    CHECK(want.n > 0);
    fs_topk t;
    CHECK_INT(fs_topk_init(&t, fs, q, g.p, chunk), FSEARCH_OK);
    *had_tier = t.tier != NULL;
    int level_at_peek = -1, rc;
    fs_topk_ent e;
    got.n = 0;
    while ((rc = fs_topk_next(&t, &e)) == FSEARCH_OK && got.n < 4096) {
        got.e[got.n++] = e;
        if (got.n == peek)
            level_at_peek = t.level;
        if (all_after && got.n == all_after)
            fs_topk_all(&t);
    }
    CHECK_INT(rc, FSEARCH_DONE);
    CHECK_INT(got.n, want.n);
    size_t bad = 0;
    for (size_t i = 0; i < got.n && i < want.n; i++)
        if (got.e[i].id != want.e[i].id || got.e[i].score != want.e[i].score)
            bad++;
    if (bad)
        fprintf(stderr, "'%s' (chunk %zu): %zu of %zu rows differ\n", text,
                chunk, bad, want.n);
    CHECK_INT(bad, 0);
    fs_topk_free(&t);
    fs_buf_free(&g);
    fs_query_free(q);
    return level_at_peek;
}

TEST(same_order_as_fts5)
{
    fsearch *fs = open_corpus();
    static const char *const queries[] = {
        "alpha beta",            /* the tier, then everything */
        "zephyr beta",           /* a tier too small: falls back at once */
        "alpha beta gamma",      /* three words: still coverage first */
        "alpha",                 /* one word: pruned rows */
        "lamp",
        "alpha beta gamma delta epsilon",   /* long: no tier */
        "alpha -beta",
        "title:alpha beta",
        "path:f1 alpha beta",
        "alpha* window",         /* a prefix in the tier */
        "\"alpha beta\" lamp",
        "\"alpha beta\" alpha",  /* phrases at one offset: xInst order */
        "beta alpha -zephyr",    /* a NOT phrase among gathered ones */
        "alpha*",                /* single phrases: walked (rank.c) */
        "\"alpha beta\"",
    };
    static const size_t chunks[] = { 1, 3, 10, 58, 100000 };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            int tier;
            check_query(fs, queries[i], chunks[k], 0, 1, &tier);
            check_query(fs, queries[i], chunks[k], 7, 1, &tier);
        }
    close_corpus(fs);
}

TEST(tier_then_fallback)
{
    fsearch *fs = open_corpus();
    int tier = 0;
    /* Many passages hold both: the first ten come from the tier alone. */
    CHECK_INT(check_query(fs, "alpha beta", 20, 0, 10, &tier), 0);
    CHECK(tier);
    /* Few hold both: the stream must go on into the whole query. */
    CHECK_INT(check_query(fs, "zephyr lamp", 20, 0, 30, &tier), 1);
    CHECK(tier);
    /* Shapes the tier does not take. */
    check_query(fs, "alpha", 20, 0, 1, &tier);
    CHECK(!tier);
    check_query(fs, "+alpha beta", 20, 0, 1, &tier);
    CHECK(!tier);
    check_query(fs, "alpha beta gamma delta", 20, 0, 1, &tier);
    CHECK(!tier);
    close_corpus(fs);
}

/* The highlights the cursor builds from the ranking scan's matches are
** those fsearch_matches() finds for the hit's row. */
TEST(highlights_from_scan)
{
    fsearch *fs = open_corpus();
    static const char *const queries[] = {
        "alpha beta", "zephyr lamp", "alpha", "\"alpha beta\" lamp",
        "alpha* window", "title:alpha beta", "alpha beta gamma delta",
        "NEAR(alpha lamp, 3) river", "alpha -beta",
        "\"alpha beta\"", "lamp*",   /* counted in the walk (rank.c) */
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
        so.limit = 30;
        fsearch_cursor *c = NULL;
        CHECK_INT(fsearch_search(&c, fs, queries[i], &so), FSEARCH_OK);
        if (!c)
            continue;
        fs_buf g = FS_BUF_INIT;
        groups_of(c->query, &g);
        sqlite3_stmt *st = NULL;
        CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT fsearch_matches(fts, ?1) "
                                     "FROM fts WHERE fts MATCH ?2 AND "
                                     "fts.rowid = ?3", -1, &st, NULL),
                  SQLITE_OK);
        sqlite3_bind_text(st, 1, g.p, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->query->match, -1, SQLITE_STATIC);
        const fsearch_hit *h;
        int nhits = 0, from_scan = 0;
        while (fsearch_next(c, &h) == FSEARCH_OK) {
            const fs_cand *k = &c->win[c->win_head];
            nhits++;
            from_scan += k->nmarks >= 0;
            sqlite3_bind_int64(st, 3, k->id);
            CHECK_INT(sqlite3_step(st), SQLITE_ROW);
            const char *b = sqlite3_column_blob(st, 0);
            size_t n = (size_t)sqlite3_column_bytes(st, 0) / (2 * sizeof(int));
            CHECK_INT(h->nmatches, n);
            for (size_t j = 0; j < n && j < h->nmatches; j++) {
                int pair[2];
                memcpy(pair, b + j * sizeof pair, sizeof pair);
                CHECK_INT(h->matches[j].start, pair[0]);
                CHECK_INT(h->matches[j].end, pair[1]);
            }
            sqlite3_reset(st);
        }
        CHECK(nhits > 0);
        CHECK_INT(from_scan, nhits);
        sqlite3_finalize(st);
        fs_buf_free(&g);
        fsearch_cursor_free(c);
    }
    close_corpus(fs);
}

/* A bare single word is walked in one call of fsearch_rank() (its rows
** come through xQueryPhrase, not one statement step each); anything else
** is stepped. same_order_as_fts5 checks the walked streams' rows. */
TEST(single_phrase_walked)
{
    fsearch *fs = open_corpus();
    static const struct {
        const char *q;
        int walked;
    } cases[] = { { "alpha", 1 }, { "alpha*", 1 }, { "\"alpha beta\"", 1 },
                  { "alpha beta", 0 }, { "title:alpha", 0 },
                  { "path:f1 alpha", 0 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fs_query *q = NULL;
        char err[200];
        CHECK_INT(fs_query_parse(&q, cases[i].q, 0, NULL, err, sizeof err),
                  FSEARCH_OK);
        if (!q)
            continue;
        fs_buf g = FS_BUF_INIT;
        groups_of(q, &g);
        fs_topk t;
        fs_topk_ent e;
        CHECK_INT(fs_topk_init(&t, fs, q, g.p, 5), FSEARCH_OK);
        CHECK_INT(fs_topk_next(&t, &e), FSEARCH_OK);
        if (t.ctl.walked != cases[i].walked)
            fprintf(stderr, "'%s': walked %d\n", cases[i].q, t.ctl.walked);
        CHECK_INT(t.ctl.walked, cases[i].walked);
        fs_topk_free(&t);
        fs_buf_free(&g);
        fs_query_free(q);
    }
    close_corpus(fs);
}

/* A lone phrase whose passage count is not known yet is counted by the
** walk that scores it (rank.c keeps each row until the count is known):
** on a fresh handle, with any heap size and after switching to every row,
** the stream is FTS5's; the count it leaves in the handle's cache is
** right, as the multi-phrase queries scored with it afterwards show. */
TEST(lone_phrase_counted_in_walk)
{
    fsearch *fs = open_corpus();
    static const char *const lone[] = { "\"alpha beta\"", "alpha*",
                                        "\"lamp window\"", "zephyr*",
                                        "\"harbour\"" };
    static const char *const after[] = { "\"alpha beta\" lamp",
                                         "alpha* window", "zephyr* beta" };
    static const size_t chunks[] = { 1, 3, 10, 100000 };
    int tier;
    for (size_t i = 0; i < sizeof lone / sizeof lone[0]; i++)
        for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++)
            for (size_t all = 0; all <= 7; all += 7) {
                fsearch *ro = NULL;
                fsearch_options o = FSEARCH_OPTIONS_INIT;
                o.flags = FSEARCH_OPEN_READONLY;
                CHECK_INT(fsearch_open(&ro, db, &o), FSEARCH_OK);
                if (!ro)
                    continue;
                check_query(ro, lone[i], chunks[k], all, 1, &tier);
                for (size_t j = 0; j < sizeof after / sizeof after[0]; j++)
                    check_query(ro, after[j], chunks[k], 0, 1, &tier);
                fsearch_close(ro);
            }
    close_corpus(fs);
}

/* The passage counts and averages a handle keeps between searches (rank.c)
** follow the index: after a change made through the same handle or through
** another, every stream is again FTS5's own. */
TEST(kept_statistics_follow_changes)
{
    fsearch *fs = open_corpus();
    fsearch *ro = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_READONLY;
    CHECK_INT(fsearch_open(&ro, db, &o), FSEARCH_OK);
    static const char *const queries[] = { "alpha beta", "zephyr", "lamp",
                                           "alpha* window" };
    int tier;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
            check_query(fs, queries[i], 10, 0, 1, &tier);
            if (ro)
                check_query(ro, queries[i], 10, 0, 1, &tier);
        }
        /* More passages, and more of them with the rarer words. */
        for (int k = 0; k < 6; k++) {
            char name[32];
            snprintf(name, sizeof name, "g%d%d.txt", round, k);
            write_file(name, 3);
            char path[700];
            snprintf(path, sizeof path, "%s/z%d%d.txt", corpus, round, k);
            FILE *f = fopen(path, "w");
            CHECK(f != NULL);
            if (f) {
                fputs("zephyr lamp zephyr.\n\nzephyr window.\n", f);
                fclose(f);
            }
        }
        CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    }
    fsearch_close(ro);
    close_corpus(fs);
}

RUN_TESTS("topk", T(same_order_as_fts5), T(tier_then_fallback),
          T(highlights_from_scan), T(single_phrase_walked),
          T(lone_phrase_counted_in_walk),
          T(kept_statistics_follow_changes));
