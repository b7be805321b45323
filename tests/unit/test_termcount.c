/*
** test_termcount.c - the stored passage counts of common terms
** (src/termcount.c): after a build, adds, changes, removals, a file given
** up half-way and runs killed at several points, every listed count equals
** what a walk of the index counts; searches score the same with the table
** as without it, and read it (a wrong stored count shows in the scores).
** The threshold is lowered to 3 passages through meta so a small corpus
** has listed terms; the vocab rebuild (which refills the table) is held
** off so that only the indexer's own adjustments are tested.
*/
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsearch.h"
#include "internal.h"
#include "../test.h"
#include "../fixture.h"

static char tmp_dir[512], corpus[600], db[600];

#define NWORDS FIXTURE_NWORDS

/* A file of the corpus, from a printf format. */
#define put(...) fixture_write(corpus, __VA_ARGS__)

/* File `name` numbered i: a title with a word, and `paras` passages of
** words repeated (a word counts once per passage), long enough that the
** splitter cuts them apart. */
static void put_doc(const char *name, int i, int paras)
{
    char title[64];
    snprintf(title, sizeof title, "Title %s %d", fixture_word(i * 5), i);
    CHECK_INT(fixture_doc(corpus, name, title, i, paras, 40, 0), 0);
}

static long long sql_int(fsearch *fs, const char *sql)
{
    return fixture_sql_int(fs->db, sql);
}

/* Every listed count equals fts5vocab's and a MATCH's count of the word
** (what rank.c's walk counts); returns how many terms are listed. */
static int check_exact(fsearch *fs)
{
    CHECK_INT(sqlite3_exec(fs->db, "CREATE VIRTUAL TABLE IF NOT EXISTS "
                           "temp.t_vocab USING fts5vocab(main, fts, row)",
                           NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM term_count t WHERE n != "
                          "coalesce((SELECT doc FROM temp.t_vocab v WHERE "
                          "v.term = t.term), 0)"), 0);
    sqlite3_stmt *st = NULL;
    int n = 0;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT term, n, (SELECT count(*) "
                                 "FROM fts WHERE fts MATCH '\"' || term || "
                                 "'\"') FROM term_count", -1, &st, NULL),
              SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 1) != sqlite3_column_int64(st, 2))
            fprintf(stderr, "term %s: stored %lld, walked %lld\n",
                    sqlite3_column_text(st, 0),
                    (long long)sqlite3_column_int64(st, 1),
                    (long long)sqlite3_column_int64(st, 2));
        CHECK_INT(sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

static int run_index(fsearch *fs)
{
    return fsearch_index(fs, corpus, NULL, NULL);
}

/* Hold off the vocab rebuild that would refill the table. */
static void hold_rebuild(fsearch *fs)
{
    CHECK_INT(sqlite3_exec(fs->db, "UPDATE meta SET value = '1000000000' "
                           "WHERE key IN ('vocab_passages', 'vocab_docs')", NULL, NULL, NULL),
              SQLITE_OK);
}

static fsearch *open_corpus(int nfiles)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-tc.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    for (int i = 0; i < nfiles; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%03d.txt", i);
        put_doc(name, i, 1 + i % 3);
    }
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_CREATE;
    CHECK_INT(fsearch_open(&fs, db, &o), FSEARCH_OK);
    CHECK_INT(sqlite3_exec(fs->db, "INSERT INTO meta(key, value) VALUES("
                           "'term_count_min', '3')", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    hold_rebuild(fs);
    return fs;
}

static void close_corpus(fsearch *fs)
{
    fsearch_close(fs);
    fixture_remove(tmp_dir);
}

TEST(exact_after_changes)
{
    fsearch *fs = open_corpus(30);
    int listed = check_exact(fs);
    CHECK(listed >= (int)NWORDS);
    /* Only terms of at least 3 passages; "title" is in all of them. */
    CHECK_INT(sql_int(fs, "SELECT min(n) >= 3 FROM term_count"), 1);
    CHECK_INT(sql_int(fs, "SELECT n FROM term_count WHERE term = 'titl'"),
              sql_int(fs, "SELECT count(*) FROM passage"));

    /* Adds, with a listed word only in a title, and one said many times. */
    CHECK_INT(put("new1.txt", "Copper\n\nnothing of note here at all\n"), 0);
    CHECK_INT(put("new2.txt", "Plain\n\nwillow willow willow willow\n"), 0);
    put_doc("new3.txt", 77, 4);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(check_exact(fs), listed);
    CHECK(sql_int(fs, "SELECT value FROM meta WHERE key = 'vocab_changed'") >
          0);                            /* no refill hid a wrong delta */

    /* Changes: other words, fewer and more passages, another title. */
    put_doc("f001.txt", 5, 3);
    put_doc("f002.txt", 9, 1);
    CHECK_INT(put("f003.txt", "Saddle\n\nsaddle and canyon\n"), 0);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(check_exact(fs), listed);

    /* Removals, and a rename (which moves no passage). */
    char a[700], b[700];
    for (int i = 10; i < 16; i++) {
        snprintf(a, sizeof a, "%s/f%03d.txt", corpus, i);
        CHECK_INT(unlink(a), 0);
    }
    snprintf(a, sizeof a, "%s/f020.txt", corpus);
    snprintf(b, sizeof b, "%s/moved.txt", corpus);
    CHECK_INT(rename(a, b), 0);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(check_exact(fs), listed);

    /* A rebuild drops the table and the vocab rebuild makes it again. */
    fsearch_index_options o = FSEARCH_INDEX_OPTIONS_INIT;
    o.flags = FSEARCH_INDEX_REBUILD;
    CHECK_INT(fsearch_index(fs, corpus, &o, NULL), FSEARCH_OK);
    CHECK(check_exact(fs) >= (int)NWORDS);
    close_corpus(fs);
}

/* A file the run gives up half-way (stopped by the progress callback while
** it is being written: a big file reports progress every 8 MB) takes its
** passages' counts back with them. */
static int stop_in_big_file(const fsearch_event *ev, void *payload)
{
    (void)payload;
    return ev->kind == FSEARCH_EVENT_PROGRESS;
}

TEST(stopped_half_way)
{
    fsearch *fs = open_corpus(20);
    int listed = check_exact(fs);
    /* A big file is sent in pieces, with progress between them. */
    char path[700];
    snprintf(path, sizeof path, "%s/big.txt", corpus);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fprintf(f, "Lantern\n\n");
    for (int i = 0; i < 700000; i++)
        fprintf(f, "%s %s%s", fixture_word(i), fixture_word(i / 7),
                i % 50 == 49 ? ".\n\n" : " ");
    fclose(f);
    fsearch_index_options o = FSEARCH_INDEX_OPTIONS_INIT;
    o.progress = stop_in_big_file;
    int rc = fsearch_index(fs, corpus, &o, NULL);
    CHECK_INT(rc, FSEARCH_EINTR);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM doc WHERE path = 'big.txt'"),
              0);
    CHECK_INT(check_exact(fs), listed);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(check_exact(fs), listed);
    close_corpus(fs);
}

/* Killed (SIGKILL) at the n[1]th file, with a commit forced two files
** before by a pause longer than a batch's time limit. */
static int kill_after(const fsearch_event *ev, void *payload)
{
    int *n = payload;
    if (ev->kind == FSEARCH_EVENT_PROGRESS)
        return 0;
    if (++n[0] == n[1] - 2) {
        struct timespec ts = { 0, 600 * 1000000L };
        nanosleep(&ts, NULL);
    }
    if (n[0] == n[1])
        kill(getpid(), SIGKILL);
    return 0;
}

TEST(killed_runs)
{
    fsearch *fs = open_corpus(20);
    int listed = check_exact(fs);
    long long added = 0;
    static const int after[] = { 3, 12, 24 };
    for (size_t k = 0; k < sizeof after / sizeof after[0]; k++) {
        /* Changed files, new ones and removed ones in the same run. */
        for (int i = 0; i < 6; i++) {
            char name[32];
            snprintf(name, sizeof name, "f%03d.txt", i);
            put_doc(name, i + 40 + (int)k, 2);
        }
        for (int i = 0; i < 20; i++) {
            char name[32];
            snprintf(name, sizeof name, "k%zu_%02d.txt", k, i);
            put_doc(name, i + 100 * (int)k, 1 + i % 2);
        }
        char gone[700];
        snprintf(gone, sizeof gone, "%s/f%03d.txt", corpus, 10 + (int)k);
        CHECK_INT(unlink(gone), 0);
        fflush(NULL);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            fsearch *child = NULL;
            if (fsearch_open(&child, db, NULL) != FSEARCH_OK)
                _exit(3);
            int n[2] = { 0, after[k] };
            fsearch_index_options o = FSEARCH_INDEX_OPTIONS_INIT;
            o.progress = kill_after;
            o.payload = n;
            fsearch_index(child, corpus, &o, NULL);
            _exit(4);
        }
        int status = 0;
        CHECK_INT(waitpid(pid, &status, 0), pid);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        fsearch_close(fs);
        fs = NULL;
        CHECK_INT(fsearch_open(&fs, db, NULL), FSEARCH_OK);
        CHECK_INT(check_exact(fs), listed);
        /* The forced commit kept some of the new files. */
        CHECK(k == 0 || sql_int(fs, "SELECT count(*) FROM doc WHERE path "
                                    "LIKE 'k%'") > added);
        added = sql_int(fs, "SELECT count(*) FROM doc WHERE path LIKE 'k%'");
    }
    fsearch_index_stats st;
    CHECK_INT(fsearch_index(fs, corpus, NULL, &st), FSEARCH_OK);
    CHECK(st.added > 0);                 /* the last kill left work undone */
    CHECK_INT(check_exact(fs), listed);
    close_corpus(fs);
}

/* Top scores of `query` on a fresh handle. */
static int scores(const char *query, double *out, int max)
{
    fsearch *fs = NULL;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h = NULL;
    int n = 0;
    CHECK_INT(fsearch_open(&fs, db, NULL), FSEARCH_OK);
    CHECK_INT(fsearch_search(&cur, fs, query, NULL), FSEARCH_OK);
    while (n < max && fsearch_next(cur, &h) == FSEARCH_OK)
        out[n++] = h->score;
    fsearch_cursor_free(cur);
    fsearch_close(fs);
    return n;
}

TEST(same_scores)
{
    fsearch *fs = open_corpus(30);
    CHECK(check_exact(fs) > 0);
    /* The last is a question widened by feedback (feedback.c), whose word
    ** counts read the table too. */
    static const char *const queries[] = {
        "copper", "willow village", "\"saddle saddle\"", "title",
        "where does the willow meet the copper village",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        double with[20], without[20], wrong[20];
        int n = scores(queries[i], with, 20);
        CHECK(n > 0);
        /* A wrong stored count changes the scores: the table is read. */
        CHECK_INT(sqlite3_exec(fs->db, "UPDATE term_count SET n = n / 2",
                               NULL, NULL, NULL), SQLITE_OK);
        int nw = scores(queries[i], wrong, 20);
        CHECK_INT(sqlite3_exec(fs->db, "UPDATE term_count SET n = n * 1000"
                               "; DROP TABLE term_count", NULL, NULL, NULL),
                  SQLITE_OK);
        CHECK_INT(scores(queries[i], without, 20), n);
        for (int k = 0; k < n; k++)
            CHECK(with[k] == without[k]);
        int differs = nw != n;
        for (int k = 0; k < n && k < nw; k++)
            differs |= with[k] != wrong[k];
        /* A phrase of two words is walked, not looked up. */
        CHECK_INT(differs, i != 2);
        /* Back to exact counts: a run that finds nothing to do makes the
        ** missing table (with the vocab rebuild). */
        CHECK_INT(run_index(fs), FSEARCH_OK);
        hold_rebuild(fs);
        CHECK(check_exact(fs) > 0);
    }
    close_corpus(fs);
}

RUN_TESTS("test_termcount", T(exact_after_changes), T(stopped_half_way),
          T(killed_runs), T(same_scores))
