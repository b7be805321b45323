/*
** test_tokenizer_fts5.c - the "fsearch" tokenizer inside a real FTS5 table.
**
** Registers the tokenizer on an in-memory database and checks what MATCH
** finds (folding, stemming, prefixes, phrases, CJK), where highlight() puts
** its markers, and that bad tokenizer arguments fail at CREATE time.
*/
#include <sqlite3.h>

#include "../test.h"
#include "tokenizer_fts5.h"
#include "buf.h"
#include "fsearch.h"

#include <string.h>

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;

    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    if (fs_tokenizer_register(db) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* A db with table t(x) and the rows of the tests; NULL on failure. */
static sqlite3 *open_table(const char *tokenize)
{
    static const char *const rows[] = {
        "N\xc3\xa1nj\xc4\xabng's walls were old.",              /* 1 */
        "The order was executed at dawn.",                      /* 2 */
        "Entering the safety-zone is forbidden.",               /* 3 */
        "A zone of safety, they said.",                         /* 4 */
        ("\xe5\x9c\xa8\xe5\x8d\x97\xe4\xba\xac\xe7\x9a\x84\xe6\x97\xb6"
         "\xe5\x80\x99"),                                       /* 5 */
        "The executors decided.",                               /* 6 */
    };
    char sql[200];
    sqlite3 *db = open_db();
    sqlite3_stmt *st = NULL;

    if (!db)
        return NULL;
    snprintf(sql, sizeof sql,
             "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='%s')", tokenize);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "INSERT INTO t(rowid, x) VALUES (?, ?)",
                              -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "setup: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sqlite3_bind_int(st, 1, (int)i + 1);
        sqlite3_bind_text(st, 2, rows[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return db;
}

/* The rowids matching `query`, as "1,3"; "error: ..." if it failed. */
static const char *match(sqlite3 *db, const char *query)
{
    static char out[256];
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int rc;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ? "
                           "ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        goto error;
    sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < sizeof out - 16)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%d", n ? "," : "",
                              sqlite3_column_int(st, 0));
    if (rc != SQLITE_DONE)
        goto error;
    sqlite3_finalize(st);
    return out;

error:
    snprintf(out, sizeof out, "error: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return out;
}

/* highlight() of the first row matching `query`, with [ ] markers. */
static const char *highlight(sqlite3 *db, const char *query)
{
    static char out[256];
    sqlite3_stmt *st = NULL;

    snprintf(out, sizeof out, "(no row)");
    if (sqlite3_prepare_v2(db, "SELECT highlight(t, 0, '[', ']') FROM t "
                           "WHERE t MATCH ? ORDER BY rowid LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK) {
        snprintf(out, sizeof out, "error: %s", sqlite3_errmsg(db));
        return out;
    }
    sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, sizeof out, "%s",
                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

TEST(folding_and_stemming)
{
    sqlite3 *db = open_table("fsearch english");

    CHECK(db != NULL);
    if (!db)
        return;
    CHECK_STR(match(db, "nanjing"), "1");
    CHECK_STR(match(db, "NANJING"), "1");
    CHECK_STR(match(db, "N\xc3\xa1nj\xc4\xabng"), "1");
    CHECK_STR(match(db, "nanjing\xe2\x80\x99s"), "1");
    CHECK_STR(match(db, "execution"), "2");
    CHECK_STR(match(db, "executing"), "2");
    CHECK_STR(match(db, "wall"), "1");
    CHECK_STR(match(db, "zone"), "3,4");
    sqlite3_close(db);
}

TEST(prefix_is_not_stemmed)
{
    sqlite3 *db = open_table("fsearch");

    CHECK(db != NULL);
    if (!db)
        return;
    /* "executed" is stored as "execut", "executors" as "executor" */
    CHECK_STR(match(db, "execut*"), "2,6");
    CHECK_STR(match(db, "executo*"), "6");
    CHECK_STR(match(db, "executor"), "6");
    /* stemmed, these prefixes would be "execut*" and "zone*" */
    CHECK_STR(match(db, "executing*"), "");
    CHECK_STR(match(db, "zones*"), "");
    CHECK_STR(match(db, "zon*"), "3,4");
    CHECK_STR(match(db, "N\xc3\xa1n*"), "1");
    sqlite3_close(db);
}

TEST(phrases)
{
    sqlite3 *db = open_table("fsearch english");

    CHECK(db != NULL);
    if (!db)
        return;
    CHECK_STR(match(db, "\"safety zone\""), "3");
    CHECK_STR(match(db, "\"zone safety\""), "");
    CHECK_STR(match(db, "\"safety-zone\""), "3");
    CHECK_STR(match(db, "\"\xe5\x8d\x97\xe4\xba\xac\""), "5");
    CHECK_STR(match(db, "\"\xe4\xba\xac\xe5\x8d\x97\""), "");
    CHECK_STR(match(db, "\xe5\x9c\xa8\xe5\x8d\x97\xe4\xba\xac"), "5");
    sqlite3_close(db);
}

TEST(highlight_marks_original_words)
{
    sqlite3 *db = open_table("fsearch english");

    CHECK(db != NULL);
    if (!db)
        return;
    CHECK_STR(highlight(db, "nanjing"),
              "[N\xc3\xa1nj\xc4\xabng's] walls were old.");
    CHECK_STR(highlight(db, "wall"),
              "N\xc3\xa1nj\xc4\xabng's [walls] were old.");
    CHECK_STR(highlight(db, "execution"), "The order was [executed] at dawn.");
    CHECK_STR(highlight(db, "\"safety zone\""),
              "Entering the [safety-zone] is forbidden.");
    CHECK_STR(highlight(db, "\xe5\x8d\x97\xe4\xba\xac"),
              "\xe5\x9c\xa8[\xe5\x8d\x97\xe4\xba\xac]\xe7\x9a\x84\xe6\x97"
              "\xb6\xe5\x80\x99");
    sqlite3_close(db);
}

TEST(languages)
{
    sqlite3 *db = open_table("fsearch none");

    CHECK(db != NULL);
    if (db) {
        CHECK_STR(match(db, "execution"), "");
        CHECK_STR(match(db, "executed"), "2");
        CHECK_STR(match(db, "nanjing"), "");
        CHECK_STR(match(db, "\"nanjing's\""), "1");
        CHECK_STR(match(db, "walls"), "1");
        CHECK_STR(match(db, "wall"), "");
        sqlite3_close(db);
    }
    db = open_table("fsearch french");
    CHECK(db != NULL);
    if (db) {
        sqlite3_exec(db, "INSERT INTO t(rowid, x) VALUES "
                     "(7, 'les d\xc3\xa9" "cisions nationales')",
                     NULL, NULL, NULL);
        CHECK_STR(match(db, "national"), "7");
        CHECK_STR(match(db, "d\xc3\xa9" "cision"), "7");
        sqlite3_close(db);
    }
}

TEST(bad_arguments_fail_at_create)
{
    static const char *const bad[] = {
        "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='fsearch klingon')",
        ("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='fsearch english "
         "french')"),
        "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='fsearch English')",
    };
    sqlite3 *db = open_db();

    CHECK(db != NULL);
    if (!db)
        return;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(sqlite3_exec(db, bad[i], NULL, NULL, NULL), SQLITE_ERROR);
        CHECK(strstr(sqlite3_errmsg(db), "tokenizer") != NULL);
    }
    /* nothing was left behind: the good one can be created */
    CHECK_INT(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, "
                           "tokenize='fsearch')", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
}

TEST(register_twice)
{
    sqlite3 *db = open_db();

    CHECK(db != NULL);
    if (!db)
        return;
    /* re-registering replaces the tokenizer; tables keep working */
    CHECK_INT(fs_tokenizer_register(db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, "
                           "tokenize='fsearch'); INSERT INTO t VALUES "
                           "('caf\xc3\xa9');", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_STR(match(db, "cafe"), "1");
    sqlite3_close(db);
}

/* Prepared tokens are replayed for exactly the text they were made from,
** and only there: any other text is tokenized as usual. */
TEST(replay)
{
    sqlite3 *db = NULL;
    fs_replay replay;
    fs_buf toks = FS_BUF_INIT;
    static const char text[] = "plain words here";

    memset(&replay, 0, sizeof replay);
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(fs_tokenizer_register_replay(db, &replay), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, "
                           "tokenize='fsearch')", NULL, NULL, NULL),
              SQLITE_OK);
    /* Tokens that live tokenizing would never give: proof of the replay. */
    CHECK_INT(fs_replay_put(&toks, "zebra", 5, 0, 5), FSEARCH_OK);
    CHECK_INT(fs_replay_put(&toks, "quagga", 6, 6, 11), FSEARCH_OK);
    replay.text[1] = text;
    replay.ntext[1] = (int)strlen(text);
    replay.toks[1] = (const unsigned char *)toks.p;
    replay.ntoks[1] = toks.n;
    CHECK_INT(sqlite3_exec(db, "INSERT INTO t(rowid, x) VALUES "
                           "(1, 'plain words here'), (2, 'other words')",
                           NULL, NULL, NULL), SQLITE_OK);
    replay.text[1] = NULL;
    CHECK_STR(match(db, "zebra"), "1");
    CHECK_STR(match(db, "quagga"), "1");
    CHECK_STR(match(db, "plain"), "");
    CHECK_STR(match(db, "word"), "2");        /* row 2 was tokenized live */
    /* Queries never replay, even with a slot set. */
    replay.text[1] = "zebra";
    replay.ntext[1] = 5;
    CHECK_STR(match(db, "zebra"), "1");
    replay.text[1] = NULL;
    fs_buf_free(&toks);
    sqlite3_close(db);
}

RUN_TESTS("tokenizer_fts5",
          T(folding_and_stemming),
          T(prefix_is_not_stemmed),
          T(phrases),
          T(highlight_marks_original_words),
          T(languages),
          T(bad_arguments_fail_at_create),
          T(register_twice),
          T(replay))
