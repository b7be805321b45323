/*
** test_index.c - incremental indexing through the public API: the counts of
** each kind of change, a touch that reads nothing, renames, a run stopped
** from the progress callback (whole files kept, a file being re-read keeps
** its old version), the cheap staleness check, and the folder watcher.
*/
#include <fsearch.h>
#include "../test.h"
#include "../fixture.h"
#include "internal.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmp[256];
static char corpus[300];
static char index_path[300];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/fsearch-index.XXXXXX");
    if (!mkdtemp(tmp))
        abort();
    snprintf(corpus, sizeof corpus, "%s/c", tmp);
    snprintf(index_path, sizeof index_path, "%s/i/f.db", tmp);
    mkdir(corpus, 0755);
}

static void teardown(void)
{
    fixture_remove(tmp);
}

static void put(const char *name, const char *fmt, ...)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", corpus, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
}

static fsearch *open_index(void)
{
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_CREATE;
    fsearch *fs = NULL;
    int rc = fsearch_open(&fs, index_path, &o);
    CHECK_INT(rc, FSEARCH_OK);
    return fs;
}

/* Hits for a query (at most 1000), or -1 on error. */
static int count_hits(fsearch *fs, const char *q)
{
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.limit = 1000;
    fsearch_cursor *cur = NULL;
    if (fsearch_search(&cur, fs, q, &so) != FSEARCH_OK)
        return -1;
    const fsearch_hit *h;
    int n = 0, rc;
    while ((rc = fsearch_next(cur, &h)) == FSEARCH_OK)
        n++;
    fsearch_cursor_free(cur);
    return rc == FSEARCH_DONE ? n : -1;
}

static int run(fsearch *fs, fsearch_index_stats *st)
{
    return fsearch_index(fs, corpus, NULL, st);
}

TEST(changes_are_counted)
{
    setup();
    put("a.txt", "Alpha wombat text.\n");
    put("b.txt", "Beta numbat text.\n");
    fsearch *fs = open_index();
    fsearch_index_stats st;
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.added, 2);
    CHECK_INT(st.passages_added, 2);

    CHECK_INT(run(fs, &st), FSEARCH_OK);   /* nothing changed */
    CHECK_INT(st.added + st.updated + st.renamed + st.removed, 0);
    CHECK_INT(st.unchanged, 2);
    CHECK_INT(st.bytes_read, 0);

    /* a touch: new time, same bytes: hashed, not re-read */
    char path[600];
    snprintf(path, sizeof path, "%s/a.txt", corpus);
    struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000, 0 } };
    CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.updated, 0);
    CHECK_INT(st.unchanged, 2);
    CHECK_INT(st.bytes_read, 0);
    CHECK_INT(st.passages_added, 0);

    /* rename: moved, not re-read */
    char to[600];
    snprintf(to, sizeof to, "%s/moved.txt", corpus);
    CHECK(rename(path, to) == 0);
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.renamed, 1);
    CHECK_INT(st.added, 0);
    CHECK_INT(st.removed, 0);
    CHECK_INT(st.bytes_read, 0);

    /* change and removal */
    put("b.txt", "Beta changed to quokka.\n");
    unlink(to);
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.updated, 1);
    CHECK_INT(st.removed, 1);
    CHECK_INT(count_hits(fs, "quokka"), 1);
    CHECK_INT(count_hits(fs, "numbat"), 0);
    CHECK_INT(count_hits(fs, "wombat"), 0);
    fsearch_status s;
    CHECK_INT(fsearch_stat(fs, &s), FSEARCH_OK);
    CHECK_INT(s.documents, 1);
    CHECK(s.last_update > 0);

    /* a dry run reports and changes nothing */
    put("c.txt", "Gamma.\n");
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.flags = FSEARCH_INDEX_DRY_RUN;
    CHECK_INT(fsearch_index(fs, corpus, &io, &st), FSEARCH_OK);
    CHECK_INT(st.added, 1);
    CHECK_INT(fsearch_stat(fs, &s), FSEARCH_OK);
    CHECK_INT(s.documents, 1);
    fsearch_close(fs);
    teardown();
}

/* A run reads the whole `doc` table to compare it with the folder, each
** page once: through a small cache, whose few pages are used over and
** over, not into the connection's whole cache (each page fresh memory,
** four page faults). The cache's size is the same after the run. (The old
** code left every page of `doc` it read in the cache.) */
TEST(doc_read_through_a_small_cache)
{
    setup();
    /* Long paths make `doc` ~40 pages of 16 KB. */
    char dir[256];
    memset(dir, 'd', 200);
    dir[200] = '\0';
    char path[600];
    snprintf(path, sizeof path, "%s/%s", corpus, dir);
    CHECK(mkdir(path, 0755) == 0);
    for (int i = 0; i < 2400; i++) {
        char name[300];
        snprintf(name, sizeof name, "%s/file-%04d.txt", dir, i);
        put(name, "w%d\n", i);
    }
    fsearch *fs = open_index();
    fsearch_index_stats st;
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.added, 2400);
    CHECK_INT(fs_exec(fs, "PRAGMA cache_size=-4096", "x"), FSEARCH_OK);
    fsearch_close(fs);

    fs = open_index();
    CHECK_INT(fs_exec(fs, "PRAGMA cache_size=-4096", "x"), FSEARCH_OK);
    CHECK_INT(run(fs, &st), FSEARCH_OK);   /* nothing changed */
    CHECK_INT(st.unchanged, 2400);
    int used = 0, high = 0;
    CHECK_INT(sqlite3_db_status(fs->db, SQLITE_DBSTATUS_CACHE_USED, &used,
                                &high, 0), SQLITE_OK);
    CHECK(used < 24 * 17 * 1024);
    sqlite3_stmt *q = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "PRAGMA cache_size", -1, &q, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int64(q, 0), -4096);
    sqlite3_finalize(q);
    CHECK_INT(count_hits(fs, "w2399"), 1);
    fsearch_close(fs);
    teardown();
}

/* Stop at the first event of the given kind. */
typedef struct stopper {
    int kind;
    int seen;
} stopper;

static int stop_at(const fsearch_event *ev, void *payload)
{
    stopper *s = payload;
    if (ev->kind == s->kind) {
        s->seen++;
        return 1;
    }
    return 0;
}

TEST(stopped_run_keeps_whole_files)
{
    setup();
    put("small.txt", "Small koalafile.\n");
    /* A file of 12 MB: a run reads it in pieces and reports progress. */
    char path[600];
    snprintf(path, sizeof path, "%s/big.txt", corpus);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 200000; i++)
        fprintf(f, "Line %d of the first version, about the oldbigword and "
                   "other words.\n", i);
    fclose(f);
    fsearch *fs = open_index();
    fsearch_index_stats st;
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.added, 2);
    int old_hits = count_hits(fs, "oldbigword");
    CHECK(old_hits > 0);

    /* The big file changes; the run is stopped while re-reading it. */
    f = fopen(path, "w");
    for (int i = 0; i < 200000; i++)
        fprintf(f, "Line %d of the second version, about the newbigword and "
                   "more words.\n", i);
    fclose(f);
    put("added.txt", "A new dingofile.\n");
    stopper sp = { FSEARCH_EVENT_PROGRESS, 0 };
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.progress = stop_at;
    io.payload = &sp;
    CHECK_INT(fsearch_index(fs, corpus, &io, &st), FSEARCH_EINTR);
    CHECK_INT(sp.seen, 1);
    CHECK_STR(fsearch_errmsg(fs), "indexing was interrupted");
    /* the old version is still there, whole; nothing of the new one */
    CHECK_INT(count_hits(fs, "oldbigword"), old_hits);
    CHECK_INT(count_hits(fs, "newbigword"), 0);
    CHECK_INT(count_hits(fs, "koalafile"), 1);
    fsearch_status s;
    CHECK_INT(fsearch_stat(fs, &s), FSEARCH_OK);
    CHECK_INT(s.documents, 2);

    /* the next run finishes the job */
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.updated, 1);
    CHECK_INT(st.added, 1);
    CHECK_INT(count_hits(fs, "oldbigword"), 0);
    CHECK(count_hits(fs, "newbigword") > 0);
    CHECK_INT(count_hits(fs, "dingofile"), 1);

    /* stopped at a file boundary: the files done before it are kept */
    put("x1.txt", "Echidna one.\n");
    put("x2.txt", "Echidna two.\n");
    sp.kind = FSEARCH_EVENT_ADDED;
    sp.seen = 0;
    CHECK_INT(fsearch_index(fs, corpus, &io, &st), FSEARCH_EINTR);
    CHECK_INT(count_hits(fs, "echidna"), 1);
    CHECK_INT(run(fs, &st), FSEARCH_OK);
    CHECK_INT(st.added, 1);
    CHECK_INT(count_hits(fs, "echidna"), 2);
    fsearch_close(fs);
    teardown();
}

TEST(stale_check)
{
    setup();
    mkdir(corpus, 0755);
    put("a.txt", "Alpha.\n");
    char sub[400];
    snprintf(sub, sizeof sub, "%s/sub", corpus);
    mkdir(sub, 0755);
    fsearch *fs = open_index();
    uint64_t n = 99;
    /* never indexed: every entry counts */
    CHECK_INT(fsearch_index_stale(fs, corpus, &n), FSEARCH_OK);
    CHECK_INT(n, 2);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(fsearch_index_stale(fs, corpus, &n), FSEARCH_OK);
    CHECK_INT(n, 0);
    usleep(20000);
    put("sub/new.txt", "New.\n");
    CHECK_INT(fsearch_index_stale(fs, corpus, &n), FSEARCH_OK);
    CHECK_INT(n, 1);
    put("b.txt", "Beta.\n");
    CHECK_INT(fsearch_index_stale(fs, corpus, &n), FSEARCH_OK);
    CHECK_INT(n, 2);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(fsearch_index_stale(fs, corpus, &n), FSEARCH_OK);
    CHECK_INT(n, 0);
    char missing[400];
    snprintf(missing, sizeof missing, "%s/none", tmp);
    CHECK_INT(fsearch_index_stale(fs, missing, &n), FSEARCH_ENOTFOUND);
    CHECK(strstr(fsearch_errmsg(fs), "none") != NULL);
    CHECK_INT(fsearch_index_stale(fs, NULL, &n), FSEARCH_EINVAL);
    fsearch_close(fs);
    teardown();
}

TEST(watcher)
{
#ifdef __linux__
    setup();
    put("a.txt", "Alpha.\n");
    fsearch *fs = open_index();
    fsearch_watch *w = NULL;
    CHECK_INT(fsearch_watch_open(&w, fs, corpus), FSEARCH_OK);
    CHECK(w != NULL);
    /* nothing happens: the wait times out */
    CHECK_INT(fsearch_watch_wait(w, 50, 100), FSEARCH_DONE);
    /* an index run writes only its own files, outside the folder */
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(fsearch_watch_wait(w, 50, 100), FSEARCH_DONE);
    /* a new folder, then a file in it: both seen */
    char sub[400];
    snprintf(sub, sizeof sub, "%s/sub", corpus);
    mkdir(sub, 0755);
    CHECK_INT(fsearch_watch_wait(w, 50, 1000), FSEARCH_OK);
    put("sub/x.txt", "X.\n");
    CHECK_INT(fsearch_watch_wait(w, 50, 1000), FSEARCH_OK);
    CHECK_INT(fsearch_watch_wait(w, 50, 100), FSEARCH_DONE);
    /* hidden files are not watched for */
    put(".hidden", "h\n");
    CHECK_INT(fsearch_watch_wait(w, 50, 200), FSEARCH_DONE);
    fsearch_watch_free(w);
    fsearch_watch_free(NULL);

    char file[400];
    snprintf(file, sizeof file, "%s/a.txt", corpus);
    w = (fsearch_watch *)1;
    CHECK_INT(fsearch_watch_open(&w, fs, file), FSEARCH_ENOTFOUND);
    CHECK(w == NULL);
    CHECK(strstr(fsearch_errmsg(fs), "is not a folder") != NULL);
    fsearch_close(fs);
    teardown();
#endif
}


/* One integer from an SQL query on the index (-1 on error). */
static long long sql_int(fsearch *fs, const char *sql)
{
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(fs->db, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "path:line" of the first hit and its also_in, sorted (which of equal
** copies ranks first is not the point), space-separated. */
static void first_places(fsearch *fs, const char *q, char *buf, size_t n)
{
    buf[0] = '\0';
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h;
    char one[16][64];
    char *v[16];
    size_t k = 0;
    if (fsearch_search(&cur, fs, q, &so) == FSEARCH_OK &&
        fsearch_next(cur, &h) == FSEARCH_OK) {
        snprintf(one[k], sizeof one[k], "%s:%u", h->path, h->line);
        v[k] = one[k];
        k++;
        for (size_t i = 0; i < h->nalso_in && k < 16; i++, k++) {
            snprintf(one[k], sizeof one[k], "%s:%u", h->also_in[i].path,
                     h->also_in[i].line);
            v[k] = one[k];
        }
    }
    fsearch_cursor_free(cur);
    qsort(v, k, sizeof *v, cmp_str);
    size_t used = 0;
    for (size_t i = 0; i < k && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? " " : "",
                                 v[i]);
}

#define COPY "The quokka sleeps in the shade of the old tea tree.\n"

/* A small run writes its hashes into passage_hash_recent, not into the
** big index; copies are found across both, and a fold (forced here by the
** test hook) moves them without changing what a search finds. */
TEST(small_runs_use_the_recent_hashes)
{
    setup();
    unsetenv("FS_TEST_RECENT_FOLD");
    put("a.txt", COPY);
    put("b.txt", COPY);
    fsearch *fs = open_index();
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 0);
    put("c.txt", COPY);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    /* c.txt's passage, in the small index only */
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 1);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage INDEXED BY "
                      "passage_hash_recent WHERE recent IS NOT NULL"), 1);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage INDEXED BY "
                      "passage_hash WHERE recent IS NULL"), 2);
    char before[512], after[512];
    first_places(fs, "quokka", before, sizeof before);
    CHECK_STR(before, "a.txt:1 b.txt:1 c.txt:1");
    /* a removal is a small run too; c's rows leave the small index */
    char path[400];
    snprintf(path, sizeof path, "%s/c.txt", corpus);
    CHECK_INT(unlink(path), 0);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage INDEXED BY "
                      "passage_hash_recent WHERE recent IS NOT NULL"), 0);
    first_places(fs, "quokka", after, sizeof after);
    CHECK_STR(after, "a.txt:1 b.txt:1");
    put("c.txt", COPY);
    put("d.txt", COPY);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 2);
    first_places(fs, "quokka", before, sizeof before);
    CHECK_STR(before, "a.txt:1 b.txt:1 c.txt:1 d.txt:1");
    /* at the fold size: all moved to the big index, same copies */
    setenv("FS_TEST_RECENT_FOLD", "3", 1);
    put("e.txt", "Elderberries.\n");
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 0);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage INDEXED BY "
                      "passage_hash WHERE recent IS NULL"), 5);
    first_places(fs, "quokka", after, sizeof after);
    CHECK_STR(after, before);
    unsetenv("FS_TEST_RECENT_FOLD");
    /* a rebuild puts everything in the big index */
    put("f.txt", COPY);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 1);
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.flags = FSEARCH_INDEX_REBUILD;
    CHECK_INT(fsearch_index(fs, corpus, &io, NULL), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 0);
    first_places(fs, "quokka", after, sizeof after);
    CHECK_STR(after, "a.txt:1 b.txt:1 c.txt:1 d.txt:1 f.txt:1");
    fsearch_close(fs);
    teardown();
}

/* An index made before the small index (no `recent` column, one whole
** passage_hash): searched read-only as it is, given the column by a
** writable open, left alone by a run with nothing to do, and remade by the
** first run that writes; copies are found at every step. */
TEST(old_index_gets_the_recent_hashes)
{
    setup();
    unsetenv("FS_TEST_RECENT_FOLD");
    put("a.txt", COPY);
    put("b.txt", COPY);
    fsearch *fs = open_index();
    CHECK_INT(run(fs, NULL), FSEARCH_OK);
    CHECK_INT(fs_exec(fs, "DROP INDEX passage_hash_recent; DROP INDEX "
                      "passage_hash; CREATE INDEX passage_hash ON "
                      "passage(hash); ALTER TABLE passage DROP COLUMN recent",
                      "x"), FSEARCH_OK);
    fsearch_close(fs);
    char got[512];

    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_READONLY;
    fs = NULL;
    CHECK_INT(fsearch_open(&fs, index_path, &o), FSEARCH_OK);
    first_places(fs, "quokka", got, sizeof got);
    CHECK_STR(got, "a.txt:1 b.txt:1");
    fsearch_close(fs);

    fs = open_index();
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM pragma_table_info('passage') "
                      "WHERE name = 'recent'"), 1);
    first_places(fs, "quokka", got, sizeof got);
    CHECK_STR(got, "a.txt:1 b.txt:1");
    CHECK_INT(run(fs, NULL), FSEARCH_OK);   /* nothing to do */
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM sqlite_schema WHERE name = "
                      "'passage_hash_recent'"), 0);
    put("c.txt", COPY);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);   /* remade, c in the big one */
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM sqlite_schema WHERE name = "
                      "'passage_hash_recent'"), 1);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM sqlite_schema WHERE name = "
                      "'passage_hash' AND sql LIKE '%recent IS NULL'"), 1);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 0);
    put("d.txt", COPY);
    CHECK_INT(run(fs, NULL), FSEARCH_OK);   /* now a small run's */
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage WHERE recent IS NOT "
                      "NULL"), 1);
    first_places(fs, "quokka", got, sizeof got);
    CHECK_STR(got, "a.txt:1 b.txt:1 c.txt:1 d.txt:1");
    fsearch_close(fs);
    teardown();
}

RUN_TESTS("index", T(changes_are_counted), T(stopped_run_keeps_whole_files),
          T(stale_check), T(watcher), T(doc_read_through_a_small_cache),
          T(small_runs_use_the_recent_hashes),
          T(old_index_gets_the_recent_hashes))
