/*
** test_api.c - the public API as an embedder meets it: misuse (NULL
** arguments, unknown options versions) answered with FSEARCH_EINVAL, a
** message for every failure, fixed texts for every code, many opens and
** closes, two indexes in one process, threads searching while another
** indexes, and every allocation failure of open/index/search in turn.
**
** Only include/fsearch.h is used, except sqlite3.h to damage an index and to
** replace SQLite's allocator (through which the library allocates too).
*/
#include <fsearch.h>
#include <sqlite3.h>

#include "../test.h"
#include "../fixture.h"

#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Fixtures                                                                */

/* A temporary folder; the test removes it with rm_tree(). */
static void make_tmp(char *dir, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, n, "%s/fsearch-api.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        dir[0] = '\0';
}

static void rm_tree(const char *dir)
{
    fixture_remove(dir);
}

/* Write dir/name with the printf-formatted text; 0 on success. */
static int write_file(const char *dir, const char *name, const char *fmt, ...)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    return fclose(f) == 0 ? 0 : -1;
}

/* A corpus of three small texts in dir/corpus. */
static int make_corpus(const char *dir, const char *topic)
{
    char corpus[600];
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    if (mkdir(corpus, 0777) != 0)
        return -1;
    int rc = write_file(corpus, "a.txt",
                        "On the %s\n\nThe harbour lights were steady and the "
                        "%s ledger was kept by the anchor clerk.\n\nA second "
                        "paragraph speaks of weather and of tides.\n",
                        topic, topic);
    rc |= write_file(corpus, "b.txt",
                     "Notes\n\nThe %s committee met twice; its minutes were "
                     "executed in ink.\n", topic);
    rc |= write_file(corpus, "c.txt",
                     "Appendix\n\nNothing here but tables and numbers: "
                     "1 2 3 5 8 13.\n");
    return rc;
}

/* Open (creating) dir/index/fsearch.db and index dir/corpus. */
static int open_indexed(fsearch **out, const char *dir)
{
    char index[600], corpus[600];
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    snprintf(index, sizeof index, "%s/index/fsearch.db", dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    o.flags = FSEARCH_OPEN_CREATE;
    int rc = fsearch_open(out, index, &o);
    if (rc == FSEARCH_OK)
        rc = fsearch_index(*out, corpus, NULL, NULL);
    return rc;
}

/* Run `query` to the end; the number of hits, or a negative code. The
** path of the first hit is copied to first (if not NULL). */
static int count_hits(fsearch *fs, const char *query, char *first, size_t n)
{
    fsearch_cursor *cur = NULL;
    const fsearch_hit *hit;
    int nhits = 0;
    int rc = fsearch_search(&cur, fs, query, NULL);
    if (first && n)
        first[0] = '\0';
    while (rc == FSEARCH_OK && (rc = fsearch_next(cur, &hit)) == FSEARCH_OK) {
        if (nhits == 0 && first)
            snprintf(first, n, "%s", hit->path);
        nhits++;
    }
    fsearch_cursor_free(cur);
    return rc < 0 ? rc : nhits;
}

/* ---------------------------------------------------------------------- */
/* Codes, texts, version                                                   */

TEST(errstr_every_code)
{
    static const int codes[] = {
        FSEARCH_OK, FSEARCH_DONE, FSEARCH_ERROR, FSEARCH_ENOMEM, FSEARCH_EIO,
        FSEARCH_ECORRUPT, FSEARCH_EQUERY, FSEARCH_EVERSION, FSEARCH_EBUSY,
        FSEARCH_EINVAL, FSEARCH_ENOTFOUND, FSEARCH_EINTR
    };
    const size_t n = sizeof codes / sizeof codes[0];
    const char *unknown = fsearch_errstr(12345);

    CHECK_STR(unknown, "unknown error code");
    for (size_t i = 0; i < n; i++) {
        const char *s = fsearch_errstr(codes[i]);
        CHECK(s != NULL && s[0] != '\0');
        CHECK(s != NULL && strcmp(s, unknown) != 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(s, fsearch_errstr(codes[j])) != 0);
    }
    CHECK_STR(fsearch_errstr(FSEARCH_EINVAL), "invalid argument");
    CHECK_STR(fsearch_errstr(FSEARCH_ENOMEM), "out of memory");
    CHECK_STR(fsearch_errstr(2), unknown);
    CHECK_STR(fsearch_errstr(-11), unknown);
    CHECK_STR(fsearch_errstr(-2147483647 - 1), unknown);
}

TEST(version)
{
    char expect[64];
    snprintf(expect, sizeof expect, "%d.%d.%d", FSEARCH_VERSION_MAJOR,
             FSEARCH_VERSION_MINOR, FSEARCH_VERSION_PATCH);
    CHECK_STR(fsearch_version(), FSEARCH_VERSION);
    CHECK_STR(fsearch_version(), expect);
}

/* ---------------------------------------------------------------------- */
/* Misuse                                                                  */

TEST(open_misuse)
{
    char dir[512], index[600];
    fsearch *fs = (fsearch *)&dir;     /* must be overwritten */
    fsearch_options o = FSEARCH_OPTIONS_INIT;

    make_tmp(dir, sizeof dir);
    snprintf(index, sizeof index, "%s/fsearch.db", dir);
    CHECK_INT(fsearch_open(NULL, index, NULL), FSEARCH_EINVAL);

    CHECK_INT(fsearch_open(&fs, NULL, NULL), FSEARCH_EINVAL);
    CHECK(fs != NULL && fs != (fsearch *)&dir);
    CHECK(strstr(fsearch_errmsg(fs), "no index path") != NULL);
    fsearch_close(fs);

    fs = NULL;
    CHECK_INT(fsearch_open(&fs, "", NULL), FSEARCH_EINVAL);
    CHECK(fsearch_errmsg(fs)[0] != '\0');
    fsearch_close(fs);

    unsigned int bad_versions[] = { 0, FSEARCH_OPTIONS_VERSION + 1, 0xffffffffu };
    for (size_t i = 0; i < 3; i++) {
        o.version = bad_versions[i];
        o.flags = FSEARCH_OPEN_CREATE;
        fs = NULL;
        CHECK_INT(fsearch_open(&fs, index, &o), FSEARCH_EINVAL);
        CHECK(strstr(fsearch_errmsg(fs), "fsearch_options version") != NULL);
        fsearch_close(fs);
    }
    o.version = FSEARCH_OPTIONS_VERSION;
    o.language = "klingon";
    fs = NULL;
    CHECK_INT(fsearch_open(&fs, index, &o), FSEARCH_EINVAL);
    CHECK(strstr(fsearch_errmsg(fs), "klingon") != NULL);
    fsearch_close(fs);
    /* None of these may have created the index. */
    CHECK(access(index, F_OK) != 0);

    fsearch_close(NULL);
    fsearch_cursor_free(NULL);
    CHECK(fsearch_errmsg(NULL) != NULL && fsearch_errmsg(NULL)[0] != '\0');
    rm_tree(dir);
}

/* A handle whose open failed is still safe to pass to every call. */
TEST(failed_handle)
{
    fsearch *fs = NULL;
    fsearch_cursor *cur = (fsearch_cursor *)&fs;
    fsearch_status st;

    CHECK_INT(fsearch_open(&fs, "/nonexistent/fsearch-api/x.db", NULL),
              FSEARCH_ENOTFOUND);
    CHECK(fs != NULL);
    CHECK_INT(fsearch_index(fs, "/tmp", NULL, NULL), FSEARCH_EINVAL);
    CHECK(strstr(fsearch_errmsg(fs), "not open") != NULL);
    CHECK_INT(fsearch_search(&cur, fs, "x", NULL), FSEARCH_EINVAL);
    CHECK(cur == NULL);
    CHECK(strstr(fsearch_errmsg(fs), "not open") != NULL);
    CHECK_INT(fsearch_stat(fs, &st), FSEARCH_EINVAL);
    CHECK(strstr(fsearch_errmsg(fs), "not open") != NULL);
    fsearch_close(fs);
}

TEST(calls_misuse)
{
    char dir[512];
    fsearch *fs = NULL;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *hit = (const fsearch_hit *)&dir;
    fsearch_status st;

    make_tmp(dir, sizeof dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    CHECK_INT(open_indexed(&fs, dir), FSEARCH_OK);

    /* fsearch_index */
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    CHECK_INT(fsearch_index(NULL, dir, NULL, NULL), FSEARCH_EINVAL);
    CHECK_INT(fsearch_index(fs, NULL, NULL, NULL), FSEARCH_EINVAL);
    CHECK(strstr(fsearch_errmsg(fs), "no folder") != NULL);
    CHECK_INT(fsearch_index(fs, "", NULL, NULL), FSEARCH_EINVAL);
    io.version = FSEARCH_INDEX_OPTIONS_VERSION + 1;
    CHECK_INT(fsearch_index(fs, dir, &io, NULL), FSEARCH_EINVAL);
    CHECK(strstr(fsearch_errmsg(fs), "fsearch_index_options version") != NULL);
    io.version = 0;
    CHECK_INT(fsearch_index(fs, dir, &io, NULL), FSEARCH_EINVAL);

    /* fsearch_search */
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    CHECK_INT(fsearch_search(NULL, fs, "lantern", NULL), FSEARCH_EINVAL);
    cur = (fsearch_cursor *)&dir;
    CHECK_INT(fsearch_search(&cur, NULL, "lantern", NULL), FSEARCH_EINVAL);
    CHECK(cur == NULL);
    CHECK_INT(fsearch_search(&cur, fs, NULL, NULL), FSEARCH_EINVAL);
    CHECK(cur == NULL);
    CHECK(strstr(fsearch_errmsg(fs), "no query") != NULL);
    so.version = FSEARCH_SEARCH_OPTIONS_VERSION + 1;
    CHECK_INT(fsearch_search(&cur, fs, "lantern", &so), FSEARCH_EINVAL);
    CHECK(cur == NULL);
    CHECK(strstr(fsearch_errmsg(fs), "fsearch_search_options version") != NULL);

    /* fsearch_next */
    CHECK_INT(fsearch_next(NULL, &hit), FSEARCH_EINVAL);
    CHECK_INT(fsearch_search(&cur, fs, "lantern", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, NULL), FSEARCH_EINVAL);
    CHECK(fsearch_errmsg(fs)[0] != '\0');
    /* The cursor still works after the misuse. */
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_OK);
    CHECK(hit != NULL && strcmp(hit->path, "a.txt") == 0);
    fsearch_cursor_free(cur);

    /* fsearch_stat */
    CHECK_INT(fsearch_stat(NULL, &st), FSEARCH_EINVAL);
    CHECK_INT(fsearch_stat(fs, NULL), FSEARCH_EINVAL);
    CHECK(fsearch_errmsg(fs)[0] != '\0');
    CHECK_INT(fsearch_stat(fs, &st), FSEARCH_OK);
    CHECK_INT(st.documents, 3);

    fsearch_close(fs);
    rm_tree(dir);
}

/* The calls on a cursor beyond next/free, and the handle's extras. */
TEST(more_calls_misuse)
{
    char dir[512], corpus[600];
    fsearch *fs = NULL;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *hit;
    const char *json = "x", *before = "x", *after = "x";
    const char *const *words;
    size_t nwords;
    uint64_t n = 7;

    make_tmp(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    CHECK_INT(open_indexed(&fs, dir), FSEARCH_OK);

    CHECK_INT(fsearch_count(NULL, &n), FSEARCH_EINVAL);
    CHECK_INT(fsearch_suggestions(NULL, &words, &nwords), FSEARCH_EINVAL);
    CHECK_INT(fsearch_hit_json(NULL, &json), FSEARCH_EINVAL);
    CHECK_INT(fsearch_summary_json(NULL, -1, &json), FSEARCH_EINVAL);
    CHECK_INT(fsearch_hit_context(NULL, 2, &before, &after), FSEARCH_EINVAL);
    CHECK_INT(fsearch_index_stale(NULL, corpus, &n), FSEARCH_EINVAL);
    CHECK_INT(fsearch_index_stale(fs, NULL, &n), FSEARCH_EINVAL);
    CHECK_INT(fsearch_index_stale(fs, corpus, NULL), FSEARCH_EINVAL);
    CHECK_INT(fsearch_set_synonyms(NULL, NULL), FSEARCH_EINVAL);

    CHECK_INT(fsearch_search(&cur, fs, "lantern", NULL), FSEARCH_OK);
    /* No current hit yet. */
    CHECK_INT(fsearch_hit_json(cur, &json), FSEARCH_EINVAL);
    CHECK(fsearch_errmsg(fs)[0] != '\0');
    CHECK_INT(fsearch_hit_context(cur, 2, &before, &after), FSEARCH_EINVAL);
    CHECK_INT(fsearch_hit_json(cur, NULL), FSEARCH_EINVAL);
    CHECK_INT(fsearch_summary_json(cur, -1, NULL), FSEARCH_EINVAL);
    CHECK_INT(fsearch_suggestions(cur, NULL, &nwords), FSEARCH_EINVAL);
    CHECK_INT(fsearch_suggestions(cur, &words, NULL), FSEARCH_EINVAL);
    CHECK_INT(fsearch_count(cur, NULL), FSEARCH_EINVAL);
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_OK);
    CHECK_INT(fsearch_hit_context(cur, 2, NULL, &after), FSEARCH_EINVAL);
    CHECK_INT(fsearch_hit_context(cur, 2, &before, NULL), FSEARCH_EINVAL);
    /* After the misuse the cursor still answers. */
    CHECK_INT(fsearch_hit_json(cur, &json), FSEARCH_OK);
    CHECK(json != NULL && strncmp(json, "{\"type\":\"hit\",", 14) == 0);
    CHECK_INT(fsearch_count(cur, &n), FSEARCH_OK);
    CHECK_INT(n, 1);
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_DONE);
    fsearch_cursor_free(cur);

    CHECK_INT(fsearch_index_stale(fs, corpus, &n), FSEARCH_OK);
    CHECK_INT(n, 0);
    fsearch_close(fs);
    rm_tree(dir);
}

/* ---------------------------------------------------------------------- */
/* Failures with messages                                                  */

/* Open `path` with `flags` and expect `code` and a message holding `word`. */
static void expect_open(const char *path, unsigned int flags, int code,
                        const char *word)
{
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = flags;
    int rc = fsearch_open(&fs, path, &o);
    CHECK_INT(rc, code);
    if (word && !strstr(fsearch_errmsg(fs), word)) {
        fprintf(stderr, "open '%s': message \"%s\" lacks \"%s\"\n", path,
                fsearch_errmsg(fs), word);
        CHECK(!"message");
    }
    fsearch_close(fs);
}

TEST(open_errors)
{
    char dir[512], path[600];
    make_tmp(dir, sizeof dir);

    snprintf(path, sizeof path, "%s/missing.db", dir);
    expect_open(path, 0, FSEARCH_ENOTFOUND, "missing.db");
    expect_open(path, FSEARCH_OPEN_READONLY, FSEARCH_ENOTFOUND, "missing.db");
    expect_open(path, FSEARCH_OPEN_READONLY | FSEARCH_OPEN_CREATE,
                FSEARCH_ENOTFOUND, "missing.db");
    CHECK(access(path, F_OK) != 0);
    expect_open(dir, FSEARCH_OPEN_CREATE, FSEARCH_EINVAL, "folder");
    /* A FIFO: refused at once (its open or read waited for a writer
    ** forever; the alarm turns such a wait into a failure). */
    snprintf(path, sizeof path, "%s/fifo.db", dir);
    CHECK_INT(mkfifo(path, 0600), 0);
    alarm(20);
    expect_open(path, 0, FSEARCH_EINVAL, "not a file");
    expect_open(path, FSEARCH_OPEN_READONLY, FSEARCH_EINVAL, "not a file");
    expect_open(path, FSEARCH_OPEN_CREATE | FSEARCH_OPEN_RECREATE,
                FSEARCH_EINVAL, "not a file");
    alarm(0);

    CHECK_INT(write_file(dir, "junk.db", "hello, not a database\n"), 0);
    snprintf(path, sizeof path, "%s/junk.db", dir);
    expect_open(path, 0, FSEARCH_ECORRUPT, "not an fsearch index");
    CHECK_INT(write_file(dir, "empty.db", "%s", ""), 0);
    snprintf(path, sizeof path, "%s/empty.db", dir);
    expect_open(path, FSEARCH_OPEN_CREATE, FSEARCH_ECORRUPT, "empty file");

    /* Another program's SQLite database. */
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/other.db", dir);
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    expect_open(path, 0, FSEARCH_ECORRUPT, "not an fsearch index");

    /* An index of a format this build does not read. */
    snprintf(path, sizeof path, "%s/new/fsearch.db", dir);
    expect_open(path, FSEARCH_OPEN_CREATE, FSEARCH_OK, NULL);
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    expect_open(path, 0, FSEARCH_EVERSION, "format 99");
    rm_tree(dir);
}

TEST(call_errors)
{
    char dir[512], path[600];
    fsearch *fs = NULL, *ro = NULL;
    fsearch_cursor *cur = (fsearch_cursor *)&dir;
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    fsearch_options o = FSEARCH_OPTIONS_INIT;

    make_tmp(dir, sizeof dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    CHECK_INT(open_indexed(&fs, dir), FSEARCH_OK);

    snprintf(path, sizeof path, "%s/no-such-folder", dir);
    CHECK_INT(fsearch_index(fs, path, NULL, NULL), FSEARCH_ENOTFOUND);
    CHECK(strstr(fsearch_errmsg(fs), "no-such-folder") != NULL);

    snprintf(path, sizeof path, "%s/corpus", dir);
    io.flags = FSEARCH_INDEX_REBUILD | FSEARCH_INDEX_DRY_RUN;
    CHECK_INT(fsearch_index(fs, path, &io, NULL), FSEARCH_EINVAL);
    CHECK(fsearch_errmsg(fs)[0] != '\0');

    CHECK_INT(fsearch_search(&cur, fs, "", NULL), FSEARCH_EQUERY);
    CHECK(cur == NULL);
    CHECK(strstr(fsearch_errmsg(fs), "empty") != NULL);
    CHECK_INT(fsearch_search(&cur, fs, "lantern)", NULL), FSEARCH_EQUERY);
    CHECK(strstr(fsearch_errmsg(fs), "')'") != NULL);
    /* A good search after a failure works, and the index is unchanged. */
    CHECK_INT(count_hits(fs, "lantern", NULL, 0), 2);

    snprintf(path, sizeof path, "%s/index/fsearch.db", dir);
    o.flags = FSEARCH_OPEN_READONLY;
    CHECK_INT(fsearch_open(&ro, path, &o), FSEARCH_OK);
    snprintf(path, sizeof path, "%s/corpus", dir);
    CHECK_INT(fsearch_index(ro, path, NULL, NULL), FSEARCH_EINVAL);
    CHECK(strstr(fsearch_errmsg(ro), "read-only") != NULL);
    CHECK_INT(count_hits(ro, "committee", NULL, 0), 1);
    fsearch_close(ro);
    fsearch_close(fs);
    rm_tree(dir);
}

/* ---------------------------------------------------------------------- */
/* Cursors                                                                 */

TEST(cursor_lifecycle)
{
    char dir[512];
    fsearch *fs = NULL;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *hit = NULL;
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;

    make_tmp(dir, sizeof dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    CHECK_INT(open_indexed(&fs, dir), FSEARCH_OK);

    so.limit = 1;
    CHECK_INT(fsearch_search(&cur, fs, "lantern", &so), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_OK);
    CHECK(hit != NULL && hit->rank == 1);
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_DONE);
    CHECK(hit == NULL);
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_DONE);
    fsearch_cursor_free(cur);

    /* The second hit through an offset is ranked 2. */
    so.limit = 10;
    so.offset = 1;
    CHECK_INT(fsearch_search(&cur, fs, "lantern", &so), FSEARCH_OK);
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_OK);
    CHECK(hit != NULL && hit->rank == 2);
    CHECK_INT(fsearch_next(cur, &hit), FSEARCH_DONE);
    fsearch_cursor_free(cur);

    /* A cursor freed before it is exhausted, and two cursors at once. */
    fsearch_cursor *c1 = NULL, *c2 = NULL;
    CHECK_INT(fsearch_search(&c1, fs, "lantern", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_search(&c2, fs, "tables", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_next(c1, &hit), FSEARCH_OK);
    CHECK(hit != NULL && strcmp(hit->path, "a.txt") == 0);
    CHECK_INT(fsearch_next(c2, &hit), FSEARCH_OK);
    CHECK(hit != NULL && strcmp(hit->path, "c.txt") == 0);
    fsearch_cursor_free(c1);
    CHECK_INT(fsearch_next(c2, &hit), FSEARCH_DONE);
    fsearch_cursor_free(c2);
    fsearch_close(fs);
    rm_tree(dir);
}

/* ---------------------------------------------------------------------- */
/* Lifecycle, many handles                                                 */

TEST(open_close_many)
{
    char dir[512], path[600], missing[600];
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;

    make_tmp(dir, sizeof dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    CHECK_INT(open_indexed(&fs, dir), FSEARCH_OK);
    fsearch_close(fs);
    snprintf(path, sizeof path, "%s/index/fsearch.db", dir);
    snprintf(missing, sizeof missing, "%s/missing.db", dir);

    int bad = 0;
    for (int i = 0; i < 200; i++) {
        fs = NULL;
        o.flags = (i % 2) ? FSEARCH_OPEN_READONLY : 0;
        if (fsearch_open(&fs, path, &o) != FSEARCH_OK)
            bad++;
        else if (i % 10 == 0 && count_hits(fs, "ledger", NULL, 0) != 1)
            bad++;
        fsearch_close(fs);
        fs = NULL;
        if (fsearch_open(&fs, missing, NULL) != FSEARCH_ENOTFOUND)
            bad++;
        fsearch_close(fs);
    }
    CHECK_INT(bad, 0);
    rm_tree(dir);
}

/* Two handles on two indexes: each sees only its own texts, errors on one
** leave the other's message alone, and cursors interleave. */
TEST(two_indexes)
{
    char d1[512], d2[512];
    fsearch *a = NULL, *b = NULL;
    char first[256];

    make_tmp(d1, sizeof d1);
    make_tmp(d2, sizeof d2);
    CHECK_INT(make_corpus(d1, "lantern"), 0);
    CHECK_INT(make_corpus(d2, "compass"), 0);
    CHECK_INT(open_indexed(&a, d1), FSEARCH_OK);
    CHECK_INT(open_indexed(&b, d2), FSEARCH_OK);

    CHECK_INT(count_hits(a, "lantern", first, sizeof first), 2);
    CHECK_STR(first, "a.txt");
    CHECK_INT(count_hits(a, "compass", NULL, 0), 0);
    CHECK_INT(count_hits(b, "compass", first, sizeof first), 2);
    CHECK_STR(first, "a.txt");
    CHECK_INT(count_hits(b, "lantern", NULL, 0), 0);

    CHECK_INT(count_hits(a, "x)", NULL, 0), FSEARCH_EQUERY);
    CHECK(fsearch_errmsg(a)[0] != '\0');
    CHECK_STR(fsearch_errmsg(b), "");

    fsearch_cursor *ca = NULL, *cb = NULL;
    const fsearch_hit *ha, *hb;
    CHECK_INT(fsearch_search(&ca, a, "committee", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_search(&cb, b, "committee", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_next(ca, &ha), FSEARCH_OK);
    CHECK_INT(fsearch_next(cb, &hb), FSEARCH_OK);
    CHECK(ha != hb);
    CHECK(ha && strstr(ha->text, "lantern committee") != NULL);
    CHECK(hb && strstr(hb->text, "compass committee") != NULL);
    CHECK_INT(fsearch_next(ca, &ha), FSEARCH_DONE);
    CHECK_INT(fsearch_next(cb, &hb), FSEARCH_DONE);
    fsearch_cursor_free(ca);
    fsearch_cursor_free(cb);

    /* Closing one leaves the other working. */
    fsearch_close(a);
    CHECK_INT(count_hits(b, "tides", NULL, 0), 1);
    fsearch_close(b);
    rm_tree(d1);
    rm_tree(d2);
}

/* What the progress callback of the busy/interrupt tests works with. */
typedef struct cb_state {
    fsearch *other;        /* a second handle on the same index */
    const char *root;
    int other_rc;          /* what indexing through it returned */
    char other_msg[256];
    int calls;
    int stop_at;           /* return non-zero on this call (1-based) */
} cb_state;

static int cb_busy(const fsearch_event *ev, void *payload)
{
    cb_state *s = payload;
    (void)ev;
    if (s->calls++ == 0) {
        s->other_rc = fsearch_index(s->other, s->root, NULL, NULL);
        snprintf(s->other_msg, sizeof s->other_msg, "%s",
                 fsearch_errmsg(s->other));
    }
    return 0;
}

static int cb_stop(const fsearch_event *ev, void *payload)
{
    cb_state *s = payload;
    (void)ev;
    return ++s->calls == s->stop_at;
}

/* Only one indexer at a time, even from two handles of one process; an
** interrupted run keeps what it finished and the next run completes. */
TEST(busy_and_interrupt)
{
    char dir[512], index[600], corpus[600];
    fsearch *a = NULL, *b = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    fsearch_index_stats stats;
    fsearch_status st;
    cb_state s;

    make_tmp(dir, sizeof dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    snprintf(index, sizeof index, "%s/index/fsearch.db", dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    o.flags = FSEARCH_OPEN_CREATE;
    CHECK_INT(fsearch_open(&a, index, &o), FSEARCH_OK);
    CHECK_INT(fsearch_open(&b, index, &o), FSEARCH_OK);

    memset(&s, 0, sizeof s);
    s.other = b;
    s.root = corpus;
    io.progress = cb_busy;
    io.payload = &s;
    CHECK_INT(fsearch_index(a, corpus, &io, &stats), FSEARCH_OK);
    CHECK_INT(s.other_rc, FSEARCH_EBUSY);
    CHECK(strstr(s.other_msg, "another") != NULL);
    CHECK_INT(stats.added, 3);
    CHECK_STR(fsearch_errmsg(a), "");

    /* Now free, b indexes: nothing changed. */
    CHECK_INT(fsearch_index(b, corpus, NULL, &stats), FSEARCH_OK);
    CHECK_INT(stats.unchanged, 3);

    /* Stop a rebuild-free run at its first file. */
    CHECK_INT(write_file(corpus, "d.txt", "Fourth\n\nAbout a lantern.\n"), 0);
    CHECK_INT(write_file(corpus, "e.txt", "Fifth\n\nAbout a lantern.\n"), 0);
    memset(&s, 0, sizeof s);
    s.stop_at = 1;
    io.progress = cb_stop;
    CHECK_INT(fsearch_index(a, corpus, &io, &stats), FSEARCH_EINTR);
    CHECK(strstr(fsearch_errmsg(a), "interrupted") != NULL);
    CHECK_INT(fsearch_stat(b, &st), FSEARCH_OK);
    CHECK(st.documents >= 3 && st.documents <= 5);
    CHECK_INT(fsearch_index(a, corpus, NULL, &stats), FSEARCH_OK);
    CHECK_INT(fsearch_stat(b, &st), FSEARCH_OK);
    CHECK_INT(st.documents, 5);
    CHECK_INT(count_hits(b, "fifth", NULL, 0), 1);

    fsearch_close(a);
    fsearch_close(b);
    rm_tree(dir);
}

/* ---------------------------------------------------------------------- */
/* Threads                                                                 */

#define NREADERS 4
#define READER_SEARCHES 40

typedef struct reader {
    const char *index;
    int searches_ok;      /* searches that found the steady passage */
    int errors;
    char msg[320];        /* the first error */
} reader;

/* Each thread opens its own read-only handle and searches for a word of a
** file that never changes, while the main thread re-indexes. */
static void *reader_main(void *arg)
{
    reader *r = arg;
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    char first[256];

    o.flags = FSEARCH_OPEN_READONLY;
    int rc = fsearch_open(&fs, r->index, &o);
    for (int i = 0; rc == FSEARCH_OK && i < READER_SEARCHES; i++) {
        int n = count_hits(fs, "harbour", first, sizeof first);
        if (n == 1 && strcmp(first, "a.txt") == 0) {
            r->searches_ok++;
        } else if (n < 0) {
            rc = n;
        } else {
            r->errors++;
            snprintf(r->msg, sizeof r->msg, "%d hits, first '%s'", n, first);
        }
    }
    if (rc != FSEARCH_OK) {
        r->errors++;
        snprintf(r->msg, sizeof r->msg, "%s: %s", fsearch_errstr(rc),
                 fsearch_errmsg(fs));
    }
    fsearch_close(fs);
    return NULL;
}

TEST(threads_search_while_indexing)
{
    char dir[512], index[600], corpus[600];
    fsearch *w = NULL;
    pthread_t tid[NREADERS];
    reader rd[NREADERS];
    int started[NREADERS];

    make_tmp(dir, sizeof dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    CHECK_INT(open_indexed(&w, dir), FSEARCH_OK);
    snprintf(index, sizeof index, "%s/index/fsearch.db", dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);

    for (int i = 0; i < NREADERS; i++) {
        memset(&rd[i], 0, sizeof rd[i]);
        rd[i].index = index;
        started[i] = pthread_create(&tid[i], NULL, reader_main, &rd[i]) == 0;
        CHECK(started[i]);
    }
    /* Meanwhile: add, change and remove files, re-indexing each time. */
    int werr = 0;
    for (int round = 0; round < 8; round++) {
        char name[32];
        snprintf(name, sizeof name, "gen%d.txt", round);
        werr |= write_file(corpus, name, "Generated %d\n\nThe round %d "
                           "passage about lanterns and weather.\n", round,
                           round) != 0;
        werr |= write_file(corpus, "b.txt", "Notes\n\nRevision %d of the "
                           "minutes.\n", round) != 0;
        if (round > 0) {
            char old[700];
            snprintf(old, sizeof old, "%s/gen%d.txt", corpus, round - 1);
            werr |= unlink(old) != 0;
        }
        int rc = fsearch_index(w, corpus, NULL, NULL);
        if (rc != FSEARCH_OK) {
            fprintf(stderr, "writer: %s\n", fsearch_errmsg(w));
            werr = 1;
        }
    }
    CHECK_INT(werr, 0);
    for (int i = 0; i < NREADERS; i++) {
        if (!started[i])
            continue;
        pthread_join(tid[i], NULL);
        if (rd[i].errors)
            fprintf(stderr, "reader %d: %s\n", i, rd[i].msg);
        CHECK_INT(rd[i].errors, 0);
        CHECK_INT(rd[i].searches_ok, READER_SEARCHES);
    }
    /* The writer's last state is what a fresh search sees. */
    CHECK_INT(count_hits(w, "revision", NULL, 0), 1);
    CHECK_INT(count_hits(w, "generated", NULL, 0), 1);
    fsearch_close(w);
    rm_tree(dir);
}

/* ---------------------------------------------------------------------- */
/* Every allocation failure in turn                                        */

/* The allocator that fails: SQLite's own, wrapped. The library allocates
** through sqlite3_malloc64 too, so this reaches both. Test-only state. */
static sqlite3_mem_methods real_mem;
static long alloc_countdown = -1;    /* fail when it reaches 0; -1: never */
static int alloc_failed;

static void *fail_malloc(int n)
{
    if (alloc_countdown >= 0 && alloc_countdown-- == 0) {
        alloc_failed = 1;
        return NULL;
    }
    return real_mem.xMalloc(n);
}

static void *fail_realloc(void *p, int n)
{
    if (alloc_countdown >= 0 && alloc_countdown-- == 0) {
        alloc_failed = 1;
        return NULL;
    }
    return real_mem.xRealloc(p, n);
}

static int install_failing_malloc(void)
{
    sqlite3_mem_methods m;
    if (sqlite3_shutdown() != SQLITE_OK ||
        sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK)
        return -1;
    m = real_mem;
    m.xMalloc = fail_malloc;
    m.xRealloc = fail_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
        return -1;
    return sqlite3_initialize() == SQLITE_OK ? 0 : -1;
}

static void restore_malloc(void)
{
    sqlite3_shutdown();
    sqlite3_config(SQLITE_CONFIG_MALLOC, &real_mem);
    sqlite3_initialize();
}

/* One embedder's session: create, index, search, read every hit. Returns
** the first failing code (FSEARCH_OK if none). */
static int session(const char *dir, const char *index, int *msg_ok)
{
    char corpus[600];
    fsearch *fs = NULL;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *hit;
    fsearch_options o = FSEARCH_OPTIONS_INIT;

    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    o.flags = FSEARCH_OPEN_CREATE;
    int rc = fsearch_open(&fs, index, &o);
    if (rc == FSEARCH_OK)
        rc = fsearch_index(fs, corpus, NULL, NULL);
    if (rc == FSEARCH_OK)
        rc = fsearch_search(&cur, fs, "lantern committee", NULL);
    while (rc == FSEARCH_OK && (rc = fsearch_next(cur, &hit)) == FSEARCH_OK)
        if (hit->snippet_len == 0 || !hit->path[0])
            rc = FSEARCH_ERROR;
    if (rc == FSEARCH_DONE)
        rc = FSEARCH_OK;
    /* A failure must come with a message (none on a NULL handle). */
    *msg_ok = rc == FSEARCH_OK || !fs || fsearch_errmsg(fs)[0] != '\0';
    fsearch_cursor_free(cur);
    fsearch_close(fs);
    return rc;
}

TEST(every_allocation_failure)
{
    char dir[512], index[600], side[700];
    static const char *const suffixes[] = { "", "-wal", "-shm", ".lock" };
    make_tmp(dir, sizeof dir);
    CHECK_INT(make_corpus(dir, "lantern"), 0);
    if (install_failing_malloc() != 0) {
        CHECK(!"cannot replace SQLite's allocator");
        rm_tree(dir);
        return;
    }
    /* Fail the 1st, 2nd, ... allocation, until a session needs no more. A
    ** step of 1 early on and wider later keeps this quick under valgrind. */
    int bad_rc = 0, no_msg = 0, ok_runs = 0, n;
    for (n = 0; n < 200000; n += n < 400 ? 1 : 7) {
        int msg_ok;
        snprintf(index, sizeof index, "%s/ix/fsearch.db", dir);
        for (size_t i = 0; i < 4; i++) {
            snprintf(side, sizeof side, "%s%s", index, suffixes[i]);
            unlink(side);
        }
        alloc_countdown = n;
        alloc_failed = 0;
        int rc = session(dir, index, &msg_ok);
        alloc_countdown = -1;
        if (!alloc_failed) {
            if (rc != FSEARCH_OK)
                bad_rc++;
            break;
        }
        if (rc == FSEARCH_OK)
            ok_runs++;
        else if (rc != FSEARCH_ENOMEM && rc != FSEARCH_ERROR &&
                 rc != FSEARCH_EIO && rc != FSEARCH_ECORRUPT)
            bad_rc++, fprintf(stderr, "alloc %d: rc %d\n", n, rc);
        if (!msg_ok)
            no_msg++, fprintf(stderr, "alloc %d: rc %d without message\n", n,
                              rc);
        /* Whatever failed, the index left behind opens or is absent. */
        fsearch *fs = NULL;
        int orc = fsearch_open(&fs, index, NULL);
        if (orc != FSEARCH_OK && orc != FSEARCH_ENOTFOUND)
            bad_rc++, fprintf(stderr, "alloc %d: reopen %d: %s\n", n, orc,
                              fsearch_errmsg(fs));
        fsearch_close(fs);
    }
    restore_malloc();
    CHECK(n > 100);          /* the session did allocate, and was covered */
    CHECK(n < 200000);       /* ...to its end */
    if (getenv("FSEARCH_TEST_VERBOSE"))
        printf("  allocations: %d failed in turn, %d runs still succeeded\n",
               n, ok_runs);
    CHECK_INT(bad_rc, 0);
    CHECK_INT(no_msg, 0);
    rm_tree(dir);
}

RUN_TESTS("api", T(errstr_every_code), T(version), T(open_misuse),
          T(failed_handle), T(calls_misuse), T(more_calls_misuse),
          T(open_errors), T(call_errors),
          T(cursor_lifecycle), T(open_close_many), T(two_indexes),
          T(busy_and_interrupt), T(threads_search_while_indexing),
          T(every_allocation_failure))
