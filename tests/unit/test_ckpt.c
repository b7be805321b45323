/*
** test_ckpt.c - the indexer's checkpoint thread (src/ckpt.c): commits are
** copied into the database while the writer goes on, the WAL starts over
** instead of growing without end, a searcher holding an old snapshot does
** not make the writer wait for ever, and stopping leaves the WAL copied and
** the connection's own automatic checkpoint back.
*/
#include <sqlite3.h>

#include "../test.h"
#include "../fixture.h"
#include "ckpt.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];
static char db_path[300];
static char wal_path[310];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/fsearch-ckpt.XXXXXX");
    if (!mkdtemp(tmp))
        abort();
    snprintf(db_path, sizeof db_path, "%s/t.db", tmp);
    snprintf(wal_path, sizeof wal_path, "%s-wal", db_path);
}

static void teardown(void)
{
    fixture_remove(tmp);
}

static long long wal_size(void)
{
    struct stat st;
    return stat(wal_path, &st) == 0 ? (long long)st.st_size : 0;
}

static long long one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* One transaction of 4 MB, begun the way the indexer begins one. */
static void write_batch(sqlite3 *db, fs_ckpt *c)
{
    fs_ckpt_before_begin(c);
    CHECK_INT(sqlite3_exec(db, "BEGIN IMMEDIATE;"
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                           "SELECT i + 1 FROM n WHERE i < 1000) "
                           "INSERT INTO t(b) SELECT randomblob(4000) FROM n;"
                           "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(db_path, &db), SQLITE_OK);
    return db;
}

TEST(copies_and_restarts_the_wal)
{
    setup();
    sqlite3 *db = open_db();
    CHECK_INT(sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
                           "PRAGMA wal_autocheckpoint=777;"
                           "CREATE TABLE t(b BLOB)", NULL, NULL, NULL),
              SQLITE_OK);
    fs_ckpt *c = NULL;
    CHECK_INT(fs_ckpt_start(&c, db), SQLITE_OK);
    CHECK(c != NULL);
    /* 80 MB through a WAL that may hold 32 MB plus one transaction. */
    long long most = 0;
    for (int i = 0; i < 20; i++) {
        write_batch(db, c);
        if (wal_size() > most)
            most = wal_size();
    }
    CHECK(most > 0);
    CHECK(most < (48ll << 20));

    /* A searcher's snapshot pins the frames after it: the writer must
    ** still get on, the WAL growing meanwhile. */
    sqlite3 *reader = open_db();
    CHECK_INT(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(one_int(reader, "SELECT count(*) FROM t"), 20000);
    for (int i = 0; i < 12; i++)
        write_batch(db, c);
    CHECK_INT(one_int(reader, "SELECT count(*) FROM t"), 20000);
    CHECK_INT(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(reader);
    write_batch(db, c);

    fs_ckpt_stop(c);
    CHECK_INT(one_int(db, "PRAGMA wal_autocheckpoint"), 777);
    CHECK_INT(one_int(db, "SELECT count(*) FROM t"), 33000);
    /* The last checkpoint copied every frame: a new one finds none left. */
    int log = -1, done = -1;
    CHECK_INT(sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                        &log, &done), SQLITE_OK);
    CHECK(log >= 0);
    CHECK_INT(done, log);
    /* The copy is the data: the database alone, without its WAL, holds
    ** every row. */
    CHECK_INT(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
                           NULL), SQLITE_OK);
    CHECK_INT(wal_size(), 0);
    CHECK_INT(one_int(db, "SELECT count(*) FROM t"), 33000);
    sqlite3_close(db);
    teardown();
}

/* Threads of this process. */
static int threads(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* A run that writes little starts no thread and no connection: its frames
** wait for the checkpoint at close. The first big commit starts them. */
TEST(thread_starts_with_the_first_checkpoint)
{
    setup();
    sqlite3 *db = open_db();
    CHECK_INT(sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
                           "CREATE TABLE t(b BLOB)", NULL, NULL, NULL),
              SQLITE_OK);
    int before = threads();
    CHECK(before >= 1);
    fs_ckpt *c = NULL;
    CHECK_INT(fs_ckpt_start(&c, db), SQLITE_OK);
    fs_ckpt_before_begin(c);
    CHECK_INT(sqlite3_exec(db, "INSERT INTO t(b) VALUES(randomblob(100))",
                           NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(threads(), before);
    write_batch(db, c);
    write_batch(db, c);
    CHECK_INT(threads(), before + 1);
    fs_ckpt_stop(c);
    CHECK_INT(threads(), before);
    CHECK_INT(one_int(db, "SELECT count(*) FROM t"), 2001);
    /* Copied by the thread before it ended: nothing left to copy. */
    int log = -1, done = -1;
    CHECK_INT(sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                        &log, &done), SQLITE_OK);
    CHECK_INT(done, log);
    sqlite3_close(db);
    teardown();
}

TEST(in_memory_is_refused)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    fs_ckpt *c = (fs_ckpt *)&db;
    CHECK(fs_ckpt_start(&c, db) != SQLITE_OK);
    CHECK(c == NULL);
    fs_ckpt_before_begin(NULL);
    fs_ckpt_stop(NULL);
    sqlite3_close(db);
}

RUN_TESTS("ckpt", T(copies_and_restarts_the_wal),
          T(thread_starts_with_the_first_checkpoint), T(in_memory_is_refused))
