/*
** test_vocab.c - the term -> passage count table behind "did you mean"
** (src/vocab.c, src/suggest.c): built by the first index run with the
** counts fts5vocab gives, left alone by small changes and checked against
** the index before a suggestion is made from it, rebuilt after a big
** change or after a rebuild that did not finish, made again when missing,
** and not needed: an index without it suggests the same words.
*/
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "internal.h"
#include "vocab.h"
#include "vocabnear.h"
#include "../test.h"
#include "../fixture.h"

static char tmp_dir[512], corpus[600], db[600];

/* A file of the corpus, from a printf format. */
#define put(...) fixture_write(corpus, __VA_ARGS__)

static const char *const words[] = {
    "harbour", "lantern", "meadow", "orchard", "granite", "willow",
    "thunder", "saddle", "copper", "blanket", "village", "canyon",
};
#define NWORDS (sizeof words / sizeof words[0])

/* Forty files of one passage each; only rare.txt holds "pterodactyl". */
static fsearch *open_corpus(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-vocab.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    for (int i = 0; i < 40; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d.txt", i);
        CHECK_INT(put(name, "Notes %d\n\nThe %s near the %s and the %s "
                            "keep their places in the story.\n", i,
                      words[i % NWORDS], words[(i + 3) % NWORDS],
                      words[(i + 7) % NWORDS]), 0);
    }
    CHECK_INT(put("rare.txt", "Fossils\n\nA pterodactyl skeleton stood in "
                              "the hall of the museum.\n"), 0);
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

/* One integer from SQL on the handle's connection; -1 on error. */
static long long sql_int(fsearch *fs, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(fs->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static long long vocab_n(fsearch *fs, const char *term)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT coalesce((SELECT n FROM vocab WHERE "
             "term = '%s'), 0)", term);
    return sql_int(fs, sql);
}

/* The first suggestion for `query`, into buf ("" if none). */
static void suggestion(fsearch *fs, const char *query, char *buf, size_t n)
{
    fsearch_cursor *cur = NULL;
    const char *const *w = NULL;
    size_t nw = 0;
    buf[0] = '\0';
    CHECK_INT(fsearch_search(&cur, fs, query, NULL), FSEARCH_OK);
    CHECK_INT(fsearch_suggestions(cur, &w, &nw), FSEARCH_OK);
    if (nw > 0)
        snprintf(buf, n, "%s", w[0]);
    fsearch_cursor_free(cur);
}

/* Does the table hold exactly fts5vocab's (term, doc) rows? */
static int equals_fts5vocab(fsearch *fs)
{
    CHECK_INT(sqlite3_exec(fs->db, "CREATE VIRTUAL TABLE IF NOT EXISTS "
                           "temp.t_vocab USING fts5vocab(main, fts, row)",
                           NULL, NULL, NULL), SQLITE_OK);
    return sql_int(fs, "SELECT (SELECT count(*) FROM vocab) = (SELECT "
                       "count(*) FROM temp.t_vocab) AND NOT EXISTS (SELECT "
                       "term, doc FROM temp.t_vocab EXCEPT SELECT term, n "
                       "FROM vocab)") == 1;
}

static int run_index(fsearch *fs)
{
    return fsearch_index(fs, corpus, NULL, NULL);
}

TEST(built_by_first_run)
{
    fsearch *fs = open_corpus();
    CHECK(equals_fts5vocab(fs));
    CHECK_INT(vocab_n(fs, "pterodactyl"), 1);
    CHECK_INT(vocab_n(fs, "harbour"), 10);
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_passages'"), 41);
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_changed'"), 0);
    char buf[64];
    suggestion(fs, "pterodactil", buf, sizeof buf);
    CHECK_STR(buf, "pterodactyl");
    suggestion(fs, "lanterm", buf, sizeof buf);
    CHECK_STR(buf, "lantern");
    /* A run that changes nothing notes nothing. */
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_changed'"), 0);
    close_corpus(fs);
}

/* A small change leaves the table stale; what it says is checked. */
TEST(stale_table)
{
    fsearch *fs = open_corpus();
    char path[700], buf[64];
    snprintf(path, sizeof path, "%s/rare.txt", corpus);
    CHECK_INT(unlink(path), 0);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    /* One passage of 41 is under FS_VOCAB_STALE_PERCENT: only noted. */
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_changed'"), 1);
    CHECK_INT(vocab_n(fs, "pterodactyl"), 1);
    /* The table still lists the word, the index has it no more: no
    ** suggestion of a word nothing holds. */
    suggestion(fs, "pterodactil", buf, sizeof buf);
    CHECK_STR(buf, "");
    /* A word only in a new file is missing until the next rebuild. */
    CHECK_INT(put("new.txt", "Bones\n\nA brontosaurus femur.\n"), 0);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_changed'"), 2);
    CHECK_INT(vocab_n(fs, "brontosaurus"), 0);
    /* Counts of words still there are used as they are. */
    suggestion(fs, "lanterm", buf, sizeof buf);
    CHECK_STR(buf, "lantern");
    close_corpus(fs);
}

/* Past FS_VOCAB_STALE_PERCENT of the passages, the run rebuilds it. */
TEST(rebuilt_after_big_change)
{
    fsearch *fs = open_corpus();
    char buf[64];
    CHECK_INT(put("new.txt", "Bones\n\nA brontosaurus femur.\n"), 0);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(vocab_n(fs, "brontosaurus"), 0);
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "more%d.txt", i);
        CHECK_INT(put(name, "More %d\n\nThe %s and the brontosaurus.\n", i,
                      words[i]), 0);
    }
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_changed'"), 0);
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_passages'"), 47);
    CHECK_INT(vocab_n(fs, "brontosaurus"), 6);
    CHECK(equals_fts5vocab(fs));
    suggestion(fs, "brontosaurs", buf, sizeof buf);
    CHECK_STR(buf, "brontosaurus");
    /* Files changed in place count as removed and added: rebuilt too. */
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d.txt", i);
        CHECK_INT(put(name, "Changed %d\n\nA stegosaurus plate.\n", i), 0);
    }
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(vocab_n(fs, "stegosaurus"), 5);
    CHECK(equals_fts5vocab(fs));
    close_corpus(fs);
}

/* A rebuild that did not finish (killed) is done by the next run, even one
** that changes nothing: the count it was due to is in meta already. */
TEST(rebuild_due_after_kill)
{
    fsearch *fs = open_corpus();
    CHECK_INT(sqlite3_exec(fs->db, "DELETE FROM vocab WHERE term = "
                           "'pterodactyl'; UPDATE meta SET value = '40' "
                           "WHERE key = 'vocab_changed'", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(vocab_n(fs, "pterodactyl"), 1);
    CHECK_INT(sql_int(fs, "SELECT value FROM meta WHERE key = "
                          "'vocab_changed'"), 0);
    CHECK(equals_fts5vocab(fs));
    close_corpus(fs);
}

/* An index without the table (made before it) suggests the same words
** through fts5vocab, and its next index run makes the table. */
TEST(absent_table)
{
    fsearch *fs = open_corpus();
    char with[64], without[64];
    static const char *const typos[] = { "pterodactil", "lanterm",
                                         "meadwo", "harbor", "qqqqqq" };
    CHECK_INT(sqlite3_exec(fs->db, "DROP TABLE vocab; DROP TABLE vocab_near; "
                           "DELETE FROM meta WHERE key LIKE 'vocab_%'", NULL,
                           NULL, NULL),
              SQLITE_OK);
    fsearch_close(fs);
    fs = NULL;
    CHECK_INT(fsearch_open(&fs, db, NULL), FSEARCH_OK);
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        suggestion(fs, typos[i], without, sizeof without);
        CHECK(i == 4 ? without[0] == '\0' : without[0] != '\0');
    }
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM sqlite_master WHERE name = "
                          "'vocab'"), 0);
    /* A run that finds nothing to do still makes the missing table. */
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK(equals_fts5vocab(fs));
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        fsearch *old = NULL;
        /* The same answers with the table as without it. */
        suggestion(fs, typos[i], with, sizeof with);
        CHECK_INT(fsearch_open(&old, db, NULL), FSEARCH_OK);
        CHECK_INT(sqlite3_exec(old->db, "SAVEPOINT s; DROP TABLE vocab; "
                               "DROP TABLE vocab_near", NULL, NULL, NULL),
                  SQLITE_OK);
        suggestion(old, typos[i], without, sizeof without);
        CHECK_INT(sqlite3_exec(old->db, "ROLLBACK TO s; RELEASE s", NULL,
                               NULL, NULL), SQLITE_OK);
        fsearch_close(old);
        CHECK_STR(with, without);
    }
    close_corpus(fs);
}

/* Does vocab_near hold exactly the vocab table's rows, each in the group
** of its first character and length? Checked in SQL: its blobs are read
** back with fs_near_next(). */
static int near_equals_vocab(fsearch *fs)
{
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT lead, len, terms FROM "
                                 "vocab_near", -1, &st, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(fs->db, "CREATE TEMP TABLE IF NOT EXISTS "
                           "t_near(term BLOB, n INTEGER); DELETE FROM t_near",
                           NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *ins = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "INSERT INTO t_near VALUES(?1, ?2)",
                                 -1, &ins, NULL), SQLITE_OK);
    int ok = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *lead = sqlite3_column_blob(st, 0);
        int nlead = sqlite3_column_bytes(st, 0);
        int len = sqlite3_column_int(st, 1);
        fs_near_iter it;
        fs_near_iter_init(&it, sqlite3_column_blob(st, 2),
                          sqlite3_column_bytes(st, 2));
        const char *term;
        int n, r, chars;
        sqlite3_int64 docs;
        while ((r = fs_near_next(&it, &term, &n, &docs)) == 1) {
            chars = 0;
            for (int i = 0; i < n; i++)
                chars += ((unsigned char)term[i] & 0xC0) != 0x80;
            if (chars > FS_NEAR_LEN_CAP)
                chars = FS_NEAR_LEN_CAP;
            ok &= n >= nlead && memcmp(term, lead, (size_t)nlead) == 0 &&
                  (n == nlead || ((unsigned char)term[nlead] & 0xC0) != 0x80);
            ok &= chars == len;
            sqlite3_bind_blob(ins, 1, term, n, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 2, docs);
            ok &= sqlite3_step(ins) == SQLITE_DONE;
            sqlite3_reset(ins);
        }
        ok &= r == 0;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    /* Terms with a digit are left out (fs_near_wanted). */
    return ok && sql_int(fs, "SELECT (SELECT count(*) FROM vocab WHERE term "
                             "NOT GLOB '*[0-9]*') = (SELECT count(*) FROM "
                             "t_near) AND NOT EXISTS (SELECT CAST(term AS "
                             "BLOB), n FROM vocab WHERE term NOT GLOB "
                             "'*[0-9]*' EXCEPT SELECT term, n FROM t_near) "
                             "AND EXISTS (SELECT 1 FROM vocab WHERE term = "
                             "'ipv6')") == 1;
}

/* "Did you mean" reads vocab_near, made with the vocab table: the same
** answers as from the vocab table itself, accents and all; kept in step by
** rebuilds; a damaged group is reported, not skipped. */
TEST(near_groups)
{
    fsearch *fs = open_corpus();
    CHECK_INT(put("accents.txt", "Cafés\n\nLe café crème du séminaire "
                                 "naïf, à l'hôpital; 東京の天気 and the "
                                 "invasion of the orchards over ipv6.\n"),
              0);
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "big%d.txt", i);
        CHECK_INT(put(name, "Big %d\n\nThe seminaire and the hopital by "
                            "the %s.\n", i, words[i]), 0);
    }
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK(sql_int(fs, "SELECT count(*) FROM vocab_near") > 10);
    CHECK(near_equals_vocab(fs));
    static const char *const typos[] = {
        "pterodactil", "lanterm", "meadwo", "harbor", "qqqqqq", "seminiare",
        "hopitla", "invasoin", "orchrad", "tjunder", "hrabour", "cnayon",
        "villagge", "blankte", "ipvx",
    };
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        char with[64], without[64];
        suggestion(fs, typos[i], with, sizeof with);
        fsearch *old = NULL;
        CHECK_INT(fsearch_open(&old, db, NULL), FSEARCH_OK);
        CHECK_INT(sqlite3_exec(old->db, "SAVEPOINT s; DROP TABLE vocab_near",
                               NULL, NULL, NULL), SQLITE_OK);
        suggestion(old, typos[i], without, sizeof without);
        CHECK_INT(sqlite3_exec(old->db, "ROLLBACK TO s; RELEASE s", NULL,
                               NULL, NULL), SQLITE_OK);
        fsearch_close(old);
        CHECK_STR(with, without);
        if (i == 1)
            CHECK_STR(with, "lantern");
        if (i == 5)
            CHECK_STR(with, "séminaire");
        if (i == 14)                    /* "ipv6" is no word to offer */
            CHECK_STR(with, "");
    }
    /* A rebuild makes the groups again with the table. */
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "more%d.txt", i);
        CHECK_INT(put(name, "More %d\n\nA brontosaurus and a %s.\n", i,
                      words[i]), 0);
    }
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK(near_equals_vocab(fs));
    char buf[64];
    suggestion(fs, "brontosaurs", buf, sizeof buf);
    CHECK_STR(buf, "brontosaurus");
    /* An index whose table an older fsearch made, without the groups: the
    ** next run makes them, even if it changes nothing else. */
    CHECK_INT(sqlite3_exec(fs->db, "DROP TABLE vocab_near", NULL, NULL, NULL),
              SQLITE_OK);
    suggestion(fs, "brontosaurs", buf, sizeof buf);
    CHECK_STR(buf, "brontosaurus");
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK(near_equals_vocab(fs));
    /* A group cut short is a damaged index. */
    CHECK_INT(sqlite3_exec(fs->db, "UPDATE vocab_near SET terms = "
                           "x'0962726f6e746f' WHERE lead = x'62'", NULL, NULL,
                           NULL), SQLITE_OK);
    fsearch_cursor *cur = NULL;
    const char *const *w = NULL;
    size_t nw = 0;
    CHECK_INT(fsearch_search(&cur, fs, "brontosaurs", NULL), FSEARCH_OK);
    CHECK_INT(fsearch_suggestions(cur, &w, &nw), FSEARCH_ECORRUPT);
    CHECK(strstr(fsearch_errmsg(fs), "vocabulary") != NULL);
    fsearch_cursor_free(cur);
    close_corpus(fs);
}

RUN_TESTS("test_vocab", T(built_by_first_run), T(stale_table),
          T(rebuilt_after_big_change), T(rebuild_due_after_kill),
          T(absent_table), T(near_groups))
