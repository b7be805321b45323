/*
** test_merge.c - FTS5's segments are merged into one after an index run
** that changed much of the index (indexer.c, merge_segments()), and left
** alone after a small run; searches find the same before and after, and an
** interrupted merge leaves a working index that the next due run finishes.
*/
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "internal.h"
#include "../test.h"
#include "../fixture.h"

static char tmp_dir[512], corpus[600], db[600];

/* File number i: its own word ("uniq<i>") and words shared by all. */
static void put_file(int i)
{
    char name[32];
    snprintf(name, sizeof name, "f%03d.txt", i);
    CHECK_INT(fixture_write(corpus, name,
                            "Report %d\n\nThe uniq%d harbour lantern meadow "
                            "orchard granite willow number %d.\n\nA second "
                            "paragraph about copper and canyons, %d.\n",
                            i, i, i, i), 0);
}

/* Segments of the FTS5 index: each has its rows in fts_idx. */
static long long segments(fsearch *fs)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(fs->db, "SELECT count(DISTINCT segid) FROM fts_idx",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Passages matching `query` in the FTS5 index itself (searches fold near
** copies, and these files are near copies of one another). */
static long long hits(fsearch *fs, const char *query)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(fs->db, "SELECT count(*) FROM fts WHERE fts MATCH ?1",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static fsearch *open_index(void)
{
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_CREATE;
    CHECK_INT(fsearch_open(&fs, db, &o), FSEARCH_OK);
    return fs;
}

static void make_dirs(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-merge.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
}

TEST(large_runs_merge_small_runs_do_not)
{
    make_dirs();
    for (int i = 0; i < 60; i++)
        put_file(i);
    fsearch *fs = open_index();
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    CHECK_INT(segments(fs), 1);
    /* One file in sixty-one: under the rule, so its segment stays. */
    put_file(60);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    CHECK_INT(segments(fs), 2);
    CHECK_INT(hits(fs, "uniq60"), 1);
    CHECK_INT(hits(fs, "harbour"), 61);
    /* Thirty more: merged into one again, and everything still found. */
    for (int i = 61; i < 91; i++)
        put_file(i);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    CHECK_INT(segments(fs), 1);
    CHECK_INT(hits(fs, "harbour"), 91);
    CHECK_INT(hits(fs, "uniq0"), 1);
    CHECK_INT(hits(fs, "uniq60"), 1);
    CHECK_INT(hits(fs, "uniq90"), 1);
    CHECK_INT(hits(fs, "\"copper and canyons\""), 91);
    char *ic = NULL;
    CHECK_INT(sqlite3_exec(fs->db, "INSERT INTO fts(fts, rank) VALUES("
                           "'integrity-check', 0)", NULL, NULL, &ic),
              SQLITE_OK);
    sqlite3_free(ic);
    fsearch_close(fs);
    fixture_remove(tmp_dir);
}

/* Stops the run at its first progress event after the files are done,
** which is the merge's first step. */
static int stop_in_merge(const fsearch_event *ev, void *arg)
{
    int *seen = arg;
    if (ev->kind == FSEARCH_EVENT_PROGRESS && ev->files_total > 0 &&
        ev->files_done == ev->files_total)
        return ++*seen >= 1;
    return 0;
}

TEST(interrupted_merge_finished_later)
{
    make_dirs();
    for (int i = 0; i < 30; i++)
        put_file(i);
    fsearch *fs = open_index();
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    put_file(30);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    CHECK_INT(segments(fs), 2);
    for (int i = 31; i < 60; i++)
        put_file(i);
    int seen = 0;
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.progress = stop_in_merge;
    io.payload = &seen;
    CHECK_INT(fsearch_index(fs, corpus, &io, NULL), FSEARCH_EINTR);
    CHECK(seen >= 1);
    /* The files were committed before the merge: all are found. */
    CHECK(segments(fs) > 1);
    CHECK_INT(hits(fs, "harbour"), 60);
    CHECK_INT(hits(fs, "uniq59"), 1);
    /* The next run has nothing to index but is still due: it merges. */
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    CHECK_INT(segments(fs), 1);
    CHECK_INT(hits(fs, "harbour"), 60);
    fsearch_close(fs);
    fixture_remove(tmp_dir);
}

/* What a run reported: the FINISHING steps in order, each with the file
** counters it came with, and where the last file event fell. */
typedef struct steps {
    int nevents;               /* events so far */
    int last_file;             /* number of the last file event, 0: none */
    int n;                     /* FINISHING events */
    char name[8][16];
    int at[8];                 /* number of each FINISHING event */
    int counters_full;         /* every one came with files_done == total */
    const char *stop_at;       /* step to stop the run at, or NULL */
} steps;

static int record_steps(const fsearch_event *ev, void *arg)
{
    steps *s = arg;
    s->nevents++;
    if (ev->kind != FSEARCH_EVENT_PROGRESS &&
        ev->kind != FSEARCH_EVENT_FINISHING)
        s->last_file = s->nevents;
    if (ev->kind != FSEARCH_EVENT_FINISHING || s->n == 8)
        return 0;
    snprintf(s->name[s->n], sizeof s->name[0], "%s",
             ev->reason ? ev->reason : "(null)");
    s->at[s->n++] = s->nevents;
    if (ev->files_done != ev->files_total || ev->path)
        s->counters_full = 0;
    return s->stop_at && ev->reason && strcmp(ev->reason, s->stop_at) == 0;
}

static int run_steps(fsearch *fs, unsigned flags, steps *s,
                     const char *stop_at)
{
    memset(s, 0, sizeof *s);
    s->counters_full = 1;
    s->stop_at = stop_at;
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.flags = flags;
    io.progress = record_steps;
    io.payload = s;
    return fsearch_index(fs, corpus, &io, NULL);
}

/* The end of a run reports each step it takes, once, after the last file,
** and none it does not take. */
TEST(finishing_steps_reported)
{
    make_dirs();
    for (int i = 0; i < 40; i++)
        put_file(i);
    fsearch *fs = open_index();
    steps s;
    /* A first build takes them all. */
    CHECK_INT(run_steps(fs, 0, &s, NULL), FSEARCH_OK);
    CHECK_INT(s.n, 3);
    CHECK_STR(s.name[0], "merging");
    CHECK_STR(s.name[1], "hash index");
    CHECK_STR(s.name[2], "word counts");
    CHECK(s.last_file > 0);
    CHECK(s.at[0] > s.last_file);
    CHECK_INT(s.counters_full, 1);
    /* Nothing changed: no step. */
    CHECK_INT(run_steps(fs, 0, &s, NULL), FSEARCH_OK);
    CHECK_INT(s.n, 0);
    /* One file in forty-one: under the rebuild rule, no step either. */
    put_file(40);
    CHECK_INT(run_steps(fs, 0, &s, NULL), FSEARCH_OK);
    CHECK_INT(s.n, 0);
    CHECK_INT(s.last_file, 1);
    /* A dry run reports files only. */
    for (int i = 41; i < 70; i++)
        put_file(i);
    CHECK_INT(run_steps(fs, FSEARCH_INDEX_DRY_RUN, &s, NULL), FSEARCH_OK);
    CHECK_INT(s.n, 0);
    CHECK_INT(s.last_file, 29);
    /* Stopped at the counts: the files stay, and the next run, with no
    ** file to read, still has the counts to do. */
    CHECK_INT(run_steps(fs, 0, &s, "word counts"), FSEARCH_EINTR);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.name[0], "merging");
    CHECK_STR(s.name[1], "word counts");
    CHECK_INT(hits(fs, "uniq69"), 1);
    CHECK_INT(run_steps(fs, 0, &s, NULL), FSEARCH_OK);
    CHECK_INT(s.last_file, 0);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.name[0], "merging");
    CHECK_STR(s.name[1], "word counts");
    CHECK_INT(run_steps(fs, 0, &s, NULL), FSEARCH_OK);
    CHECK_INT(s.n, 0);
    /* A rebuild makes the hash index again. */
    CHECK_INT(run_steps(fs, FSEARCH_INDEX_REBUILD, &s, NULL), FSEARCH_OK);
    CHECK_INT(s.n, 3);
    CHECK_STR(s.name[1], "hash index");
    CHECK(s.at[0] > s.last_file);
    fsearch_close(fs);
    fixture_remove(tmp_dir);
}

RUN_TESTS("test_merge", T(large_runs_merge_small_runs_do_not),
          T(interrupted_merge_finished_later), T(finishing_steps_reported))
