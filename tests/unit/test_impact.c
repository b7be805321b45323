/*
** test_impact.c - the impact lists (src/impact.c, scored in rank.c, read by
** topk.c) on real text, this repository's own sources and documents: for
** every listed word the stream must be FTS5's ORDER BY rank to the last
** row (same scores, ties by rowid) at any heap size, and the highlights
** those of the full scan; and it must stay so when files are added,
** changed and removed while the lists are kept as built (the bound moves
** with the averages), and passage ids must never be handed out twice.
*/
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "internal.h"
#include "alloc.h"
#include "buf.h"
#include "search.h"
#include "topk.h"
#include "../test.h"
#include "../fixture.h"

static char tmp_dir[512], corpus[600], db[600];

#define MAX_ROWS 20000

typedef struct list {
    fs_topk_ent e[MAX_ROWS];
    int marks[MAX_ROWS][8];      /* the first marks, for the highlights */
    size_t n;
} list;

static void sh(const char *cmd)
{
    CHECK_INT(system(cmd), 0);
}

/* The corpus: copies of real text, so that word frequencies and lengths
** are those of real documents. */
static fsearch *open_corpus(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-impact.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    char cmd[4000];
    snprintf(cmd, sizeof cmd,
             "cp README.md docs/*.md src/*.c src/*.h '%s'/ && "
             "mkdir '%s'/more '%s'/bench && cp tests/unit/*.c '%s'/more/ && "
             "cp bench/*.md '%s'/bench/",
             corpus, corpus, corpus, corpus, corpus);
    sh(cmd);
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_CREATE;
    CHECK_INT(fsearch_open(&fs, db, &o), FSEARCH_OK);
    /* Lists for words in 40 passages or more, 24 passages long (12 for
    ** words in fewer than 100): most queries need the bound, and many run
    ** past the list. */
    CHECK_INT(fs_meta_set(fs, "impact_min_df", "40"), FSEARCH_OK);
    CHECK_INT(fs_meta_set(fs, "impact_list", "24"), FSEARCH_OK);
    CHECK_INT(fs_meta_set(fs, "impact_list_short", "12"), FSEARCH_OK);
    CHECK_INT(fs_meta_set(fs, "impact_full_df", "100"), FSEARCH_OK);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    return fs;
}

static void close_corpus(fsearch *fs)
{
    fsearch_close(fs);
    fixture_remove(tmp_dir);
}

/* FTS5's order: every matching passage by ORDER BY rank. */
static void reference(fsearch *fs, const fs_query *q, list *out)
{
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT rowid, rank FROM fts WHERE "
                                 "fts MATCH ?1 AND rank MATCH "
                                 "'fsearch_rank(''0'')' ORDER BY rank",
                                 -1, &st, NULL),
              SQLITE_OK);
    sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
    out->n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && out->n < MAX_ROWS) {
        out->e[out->n].id = sqlite3_column_int64(st, 0);
        out->e[out->n].score = -sqlite3_column_double(st, 1);
        out->n++;
    }
    sqlite3_finalize(st);
}

/* The cursor's stream with a heap of `chunk`, the impact list allowed or
** not; *listed: rows handed out by the list's level. */
static void stream(fsearch *fs, const fs_query *q, size_t chunk, int impact,
                   size_t all_after, list *out, size_t *listed, int *had_term)
{
    fs_topk t;
    CHECK_INT(fs_topk_init(&t, fs, q, "0", chunk), FSEARCH_OK);
    *had_term = t.term != NULL;
    if (!impact && t.level == 2) {
        fs_free(t.term);
        t.term = NULL;
        t.level = 1;
    }
    fs_topk_ent e;
    int rc;
    out->n = 0;
    *listed = 0;
    while (out->n < MAX_ROWS) {
        int level = t.level;
        if ((rc = fs_topk_next(&t, &e)) != FSEARCH_OK)
            break;
        /* The level before the call, unless the call left it. */
        *listed += level == 2 && t.level == 2;
        out->e[out->n] = e;
        memset(out->marks[out->n], 0xff, sizeof out->marks[0]);
        const int *m = fs_topk_marks(&t, &e);
        for (int i = 0; m && i < e.nmarks && i < 8; i++)
            out->marks[out->n][i] = m[i];
        out->n++;
        if (all_after && out->n == all_after)
            fs_topk_all(&t);            /* a count: every row from here */
    }
    CHECK_INT(rc, FSEARCH_DONE);
    fs_topk_free(&t);
}

/* Every listed word (and a few others): the stream equals FTS5's order
** and the full scan's highlights. Returns rows handed out from lists. */
static size_t check_words(fsearch *fs)
{
    static list want, got, full;
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT term FROM impact UNION ALL "
                                 "SELECT 'zzzz' UNION ALL SELECT 'passage'",
                                 -1, &st, NULL),
              SQLITE_OK);
    size_t words = 0, listed_total = 0, used = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        fs_query *q = NULL;
        char err[200];
        if (fs_query_parse(&q, w, 0, NULL, err, sizeof err) != FSEARCH_OK ||
            !q || q->nphrases != 1 || q->ngroups != 1) {
            fs_query_free(q);
            continue;
        }
        reference(fs, q, &want);
        static const size_t chunks[] = { 1, 10, 106, 100000, 10 };
        for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            size_t listed = 0, ignore, all = k == 4 ? 5 : 0;
            int term = 0, t2;
            stream(fs, q, chunks[k], 1, all, &got, &listed, &term);
            stream(fs, q, chunks[k], 0, all, &full, &ignore, &t2);
            listed_total += listed;
            used += listed > 0;
            CHECK_INT(got.n, want.n);
            CHECK_INT(full.n, want.n);
            size_t bad = 0, badmarks = 0;
            for (size_t i = 0; i < got.n && i < want.n; i++) {
                bad += got.e[i].id != want.e[i].id ||
                       got.e[i].score != want.e[i].score;
                badmarks += got.e[i].nmarks != full.e[i].nmarks ||
                            memcmp(got.marks[i], full.marks[i],
                                   sizeof got.marks[i]) != 0;
            }
            if (bad || badmarks)
                fprintf(stderr, "'%s' (chunk %zu): %zu of %zu rows, %zu "
                        "highlights differ\n", w, chunks[k], bad, want.n,
                        badmarks);
            CHECK_INT(bad, 0);
            CHECK_INT(badmarks, 0);
        }
        words++;
        fs_query_free(q);
    }
    sqlite3_finalize(st);
    CHECK(words >= 20);
    /* The lists were used, for most words. */
    CHECK(used * 2 >= words);
    return listed_total;
}

static long long count_of(fsearch *fs, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    CHECK_INT(sqlite3_prepare_v2(fs->db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A word in fewer than impact_full_df passages gets the short list, one in
** more the long one, both full. */
TEST(list_lengths)
{
    fsearch *fs = open_corpus();
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT v.n, i.list FROM impact i "
                                 "JOIN vocab v USING (term)", -1, &st, NULL),
              SQLITE_OK);
    int shorts = 0, longs = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long df = sqlite3_column_int64(st, 0);
        fs_impact_list l;
        memset(&l, 0, sizeof l);
        l.nblob = (size_t)sqlite3_column_bytes(st, 1);
        CHECK((l.blob = fs_malloc(l.nblob + 1)) != NULL);
        if (!l.blob)
            break;
        memcpy(l.blob, sqlite3_column_blob(st, 1), l.nblob);
        fs_impact_ent e;
        int n = 0, k;
        while ((k = fs_impact_next(&l, &e)) == 1)
            n++;
        CHECK_INT(k, 0);
        fs_impact_list_free(&l);
        CHECK(df >= 40);
        /* At most the cap; exactly it when the word has that many. */
        CHECK_INT(n, df >= 100 ? 24 : 12);
        shorts += df < 100;
        longs += df >= 100;
    }
    sqlite3_finalize(st);
    CHECK(shorts > 0);
    CHECK(longs > 0);
    close_corpus(fs);
}

TEST(lists_equal_full_scan)
{
    fsearch *fs = open_corpus();
    CHECK(count_of(fs, "SELECT count(*) FROM impact") >= 20);
    CHECK(check_words(fs) > 0);
    close_corpus(fs);
}

/* Keep the lists as they are across an index run (which would rebuild
** them, so much of this small corpus changes). */
static void index_keeping_lists(fsearch *fs)
{
    CHECK_INT(sqlite3_exec(fs->db, "DROP TABLE IF EXISTS temp.saved; CREATE "
                           "TEMP TABLE saved AS SELECT * FROM impact", NULL,
                           NULL, NULL),
              SQLITE_OK);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    CHECK_INT(sqlite3_exec(fs->db, "DELETE FROM impact; INSERT INTO impact "
                           "SELECT * FROM temp.saved", NULL, NULL, NULL),
              SQLITE_OK);
}

TEST(stale_lists_after_updates)
{
    fsearch *fs = open_corpus();
    long long top = count_of(fs, "SELECT max(id) FROM passage");
    char cmd[2000];
    /* Changed (new passages, new ids), removed (listed passages gone), and
    ** added: long files, so the averages grow and the bound must too. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cat topk.c >> rank.c && cat impact.c >> README.md && "
             "rm -f search.c indexer.c bench/NOTES.md && "
             "cat query.c fsearch.c > added1.c && "
             "tr '\\n' ' ' < SCHEMA.md > long.txt && "
             "printf 'file file file system\\n\\nerror time passage\\n' "
             "> short.txt", corpus);
    sh(cmd);
    index_keeping_lists(fs);
    CHECK(count_of(fs, "SELECT min(id) FROM passage WHERE id > 0 AND doc_id "
                   "IN (SELECT id FROM doc WHERE path LIKE '%added1.c')") >
          top);
    check_words(fs);
    /* Ids above the lists' high-water mark removed, then new ones: never
    ** the same ids again. */
    long long hwm = count_of(fs, "SELECT max(id) FROM passage");
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -f added1.c long.txt short.txt",
             corpus);
    sh(cmd);
    index_keeping_lists(fs);
    snprintf(cmd, sizeof cmd, "cd '%s' && cp more/test_topk.c again.c", corpus);
    sh(cmd);
    index_keeping_lists(fs);
    CHECK(count_of(fs, "SELECT min(id) FROM passage WHERE doc_id IN (SELECT "
                   "id FROM doc WHERE path LIKE '%again.c')") > hwm);
    check_words(fs);
    close_corpus(fs);
}

/* Through the public API: the hits and their highlights are those of
** fsearch_matches() for each hit, deep pages included. */
TEST(search_highlights_and_offsets)
{
    fsearch *fs = open_corpus();
    static const char *const words[] = { "the", "passage", "index", "rank" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        for (unsigned off = 0; off <= 40; off += 40) {
            fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
            so.limit = 30;
            so.offset = off;
            fsearch_cursor *c = NULL;
            CHECK_INT(fsearch_search(&c, fs, words[i], &so), FSEARCH_OK);
            if (!c)
                continue;
            sqlite3_stmt *st = NULL;
            CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT fsearch_matches(fts, "
                                         "'0') FROM fts WHERE fts MATCH ?1 "
                                         "AND fts.rowid = ?2", -1, &st, NULL),
                      SQLITE_OK);
            sqlite3_bind_text(st, 1, c->query->match, -1, SQLITE_STATIC);
            const fsearch_hit *h;
            int nhits = 0;
            while (fsearch_next(c, &h) == FSEARCH_OK) {
                const fs_cand *k = &c->win[c->win_head];
                nhits++;
                sqlite3_bind_int64(st, 2, k->id);
                CHECK_INT(sqlite3_step(st), SQLITE_ROW);
                const char *b = sqlite3_column_blob(st, 0);
                size_t n = (size_t)sqlite3_column_bytes(st, 0) /
                           (2 * sizeof(int));
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
            sqlite3_finalize(st);
            fsearch_cursor_free(c);
        }
    }
    close_corpus(fs);
}

RUN_TESTS("impact", T(list_lengths), T(lists_equal_full_scan), T(stale_lists_after_updates),
          T(search_highlights_and_offsets))
