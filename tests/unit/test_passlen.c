/*
** test_passlen.c - the packed passage lengths (src/passlen.c): after a
** build, adds, changes, removals and a rebuild every entry equals FTS5's
** fts_docsize (and the reader gives the same numbers); searches score the
** same with the table as without it, and read it; an index without the
** table is searched as before and gets it at its next run; a row of the
** wrong size is reported as a damaged index.
*/
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "internal.h"
#include "impact.h"
#include "../test.h"
#include "../fixture.h"

static char tmp_dir[512], corpus[600], db[600];

#define put(...) fixture_write(corpus, __VA_ARGS__)

/* File `name`: a title of `ntitle` words, then `paras` passages of words
** of varied length, cut apart by the splitter. */
static void put_doc(const char *name, int i, int paras, int ntitle)
{
    char title[512];              /* 40 words of at most 8 letters */
    size_t n = 0;
    CHECK(ntitle <= 40);
    for (int k = 0; k < ntitle && k < 40; k++)
        n += (size_t)snprintf(title + n, sizeof title - n, "%s ",
                              fixture_word(i * 5 + k));
    snprintf(title + n, sizeof title - n, "%d", i);
    CHECK_INT(fixture_doc(corpus, name, title, i, paras, 10, 30), 0);
}

static long long sql_int(fsearch *fs, const char *sql)
{
    return fixture_sql_int(fs->db, sql);
}

/* Every passage's entry holds its fts_docsize lengths (or the sentinel,
** only when they do not fit), the reader gives them, and no row holds an
** entry, or exists, without a passage. Returns the passages checked. */
static int check_exact(fsearch *fs)
{
    CHECK_INT(fs_passlen_missing(fs), 0);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage_len WHERE "
                          "length(lens) != 512"), 0);
    CHECK_INT(sql_int(fs, "SELECT count(*) FROM passage_len WHERE NOT EXISTS "
                          "(SELECT 1 FROM fts_docsize WHERE id BETWEEN grp * "
                          "256 AND grp * 256 + 255)"), 0);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db,
                                 "SELECT d.id, d.sz, p.lens FROM fts_docsize d "
                                 "LEFT JOIN passage_len p ON p.grp = d.id >> 8 "
                                 "ORDER BY d.id", -1, &st, NULL),
              SQLITE_OK);
    fs_passlen_rd rd;
    memset(&rd, 0, sizeof rd);
    int n = 0, prev = -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        const unsigned char *sz = sqlite3_column_blob(st, 1);
        int nsz = sqlite3_column_bytes(st, 1);
        const unsigned char *lens = sqlite3_column_blob(st, 2);
        CHECK(lens != NULL && sqlite3_column_bytes(st, 2) == 512);
        sqlite3_uint64 v[2] = { 0, 0 };
        int k = fs_rank_varint(sz, nsz, &v[0]);
        CHECK(k > 0);
        CHECK(fs_rank_varint(sz + k, nsz - k, &v[1]) > 0);
        if (!lens)
            continue;
        /* The entries between the previous passage and this one are
        ** sentinels (ids not in use). */
        for (sqlite3_int64 j = prev + 1; j < id; j++)
            if ((j >> 8) == (id >> 8))
                CHECK_INT(lens[2 * (j & 255)] | lens[2 * (j & 255) + 1] << 8,
                          0xffff);
        prev = (int)id;
        unsigned e = lens[2 * (id & 255)] | lens[2 * (id & 255) + 1] << 8;
        int len[2] = { -1, -1 };
        int rc = fs_passlen_get(fs->db, &rd, id, len);
        if (v[0] > FS_PASSLEN_TITLE_MAX || v[1] > FS_PASSLEN_BODY_MAX) {
            CHECK_INT(e, 0xffff);
            CHECK_INT(rc, SQLITE_NOTFOUND);
        } else {
            CHECK_INT(e >> 11, v[0]);
            CHECK_INT(e & 2047, v[1]);
            CHECK_INT(rc, SQLITE_OK);
            CHECK_INT(len[0], v[0]);
            CHECK_INT(len[1], v[1]);
        }
        n++;
    }
    fs_passlen_rd_close(&rd);
    sqlite3_finalize(st);
    /* Ids past the last passage of the last group are sentinels too. */
    if (prev >= 0 && (prev & 255) != 255) {
        st = NULL;
        CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT lens FROM passage_len "
                                     "WHERE grp = ?1", -1, &st, NULL),
                  SQLITE_OK);
        sqlite3_bind_int(st, 1, prev >> 8);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *p = sqlite3_column_blob(st, 0);
            for (int j = 2 * ((prev & 255) + 1); p && j < 512; j++)
                CHECK_INT(p[j], 0xff);
        }
        sqlite3_finalize(st);
    }
    return n;
}

static int run_index(fsearch *fs)
{
    return fsearch_index(fs, corpus, NULL, NULL);
}

static fsearch *open_corpus(int nfiles)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-pl.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    for (int i = 0; i < nfiles; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%03d.txt", i);
        put_doc(name, i, 1 + i % 4, 2 + i % 3);
    }
    /* Over a group of passages in one file, and a title too long for an
    ** entry (read from fts_docsize). */
    put_doc("big.txt", 3, 300, 3);
    put_doc("long-title.txt", 4, 3, 40);
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_CREATE;
    CHECK_INT(fsearch_open(&fs, db, &o), FSEARCH_OK);
    CHECK_INT(run_index(fs), FSEARCH_OK);
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
    int n = check_exact(fs);
    CHECK(n > 300);
    CHECK(sql_int(fs, "SELECT count(*) FROM passage_len") >= 2);
    CHECK_INT(n, sql_int(fs, "SELECT count(*) FROM passage"));

    /* Adds. */
    CHECK_INT(put("new1.txt", "Copper\n\nnothing of note here at all\n"), 0);
    put_doc("new2.txt", 77, 4, 2);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(check_exact(fs), sql_int(fs, "SELECT count(*) FROM passage"));

    /* Changes: fewer and more passages, another title. */
    put_doc("f001.txt", 5, 3, 5);
    put_doc("f002.txt", 9, 1, 1);
    put_doc("big.txt", 3, 20, 2);
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(check_exact(fs), sql_int(fs, "SELECT count(*) FROM passage"));

    /* Removals: a whole group of passages goes (its row with it). */
    char a[700];
    for (int i = 10; i < 16; i++) {
        snprintf(a, sizeof a, "%s/f%03d.txt", corpus, i);
        CHECK_INT(unlink(a), 0);
    }
    CHECK_INT(run_index(fs), FSEARCH_OK);
    CHECK_INT(check_exact(fs), sql_int(fs, "SELECT count(*) FROM passage"));

    fsearch_index_options o = FSEARCH_INDEX_OPTIONS_INIT;
    o.flags = FSEARCH_INDEX_REBUILD;
    CHECK_INT(fsearch_index(fs, corpus, &o, NULL), FSEARCH_OK);
    CHECK_INT(check_exact(fs), sql_int(fs, "SELECT count(*) FROM passage"));
    close_corpus(fs);
}

/* Top scores of `query` on a fresh handle; -rc on a failure. */
static int scores(const char *query, double *out, int max, char *msg,
                  size_t nmsg)
{
    fsearch *fs = NULL;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *h = NULL;
    int n = 0, rc;
    CHECK_INT(fsearch_open(&fs, db, NULL), FSEARCH_OK);
    rc = fsearch_search(&cur, fs, query, NULL);
    while (rc == FSEARCH_OK && n < max &&
           (rc = fsearch_next(cur, &h)) == FSEARCH_OK)
        out[n++] = h->score;
    if (rc == FSEARCH_DONE)
        rc = FSEARCH_OK;
    if (msg)
        snprintf(msg, nmsg, "%s", fsearch_errmsg(fs));
    fsearch_cursor_free(cur);
    fsearch_close(fs);
    return rc == FSEARCH_OK ? n : -rc;
}

static const char *const queries[] = {
    "copper", "willow village", "\"saddle copper\"", "the", "meadow OR canyon",
    "where does the willow meet the copper village",
};
#define NQUERIES (sizeof queries / sizeof queries[0])

TEST(same_scores_and_old_index)
{
    fsearch *fs = open_corpus(30);
    CHECK(check_exact(fs) > 0);
    double with[NQUERIES][20], other[20];
    int n[NQUERIES];
    for (size_t i = 0; i < NQUERIES; i++) {
        n[i] = scores(queries[i], with[i], 20, NULL, 0);
        CHECK(n[i] > 0);
    }
    /* Wrong (but well-formed) entries change the scores: the table is
    ** read. Body lengths + 1 for every passage. */
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "SELECT grp, lens FROM passage_len",
                                 -1, &st, NULL), SQLITE_OK);
    sqlite3_stmt *up = NULL;
    CHECK_INT(sqlite3_prepare_v2(fs->db, "UPDATE passage_len SET lens = ?2 "
                                 "WHERE grp = ?1", -1, &up, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(fs->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        unsigned char b[512];
        memcpy(b, sqlite3_column_blob(st, 1), 512);
        for (int j = 0; j < 512; j += 2)
            if ((b[j] | b[j + 1] << 8) != 0xffff)
                b[j] = (unsigned char)(b[j] + 1);   /* body + 1 (mod 256) */
        sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
        sqlite3_bind_blob(up, 2, b, 512, SQLITE_TRANSIENT);
        CHECK_INT(sqlite3_step(up), SQLITE_DONE);
        sqlite3_reset(up);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    CHECK_INT(sqlite3_exec(fs->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = 0; i < NQUERIES; i++) {
        int nw = scores(queries[i], other, 20, NULL, 0);
        int differs = nw != n[i];
        for (int k = 0; k < n[i] && k < nw; k++)
            differs |= with[i][k] != other[k];
        CHECK(differs);
    }
    /* An index made before the table: the same scores, from fts_docsize. */
    CHECK_INT(sqlite3_exec(fs->db, "DROP TABLE passage_len", NULL, NULL,
                           NULL), SQLITE_OK);
    CHECK_INT(fs_passlen_missing(fs), 1);
    for (size_t i = 0; i < NQUERIES; i++) {
        CHECK_INT(scores(queries[i], other, 20, NULL, 0), n[i]);
        for (int k = 0; k < n[i]; k++)
            CHECK(with[i][k] == other[k]);
    }
    /* A run with nothing to do makes it, exact. */
    fsearch_index_stats s;
    CHECK_INT(fsearch_index(fs, corpus, NULL, &s), FSEARCH_OK);
    CHECK_INT(s.added + s.updated + s.removed, 0);
    CHECK_INT(check_exact(fs), sql_int(fs, "SELECT count(*) FROM passage"));
    for (size_t i = 0; i < NQUERIES; i++) {
        CHECK_INT(scores(queries[i], other, 20, NULL, 0), n[i]);
        for (int k = 0; k < n[i]; k++)
            CHECK(with[i][k] == other[k]);
    }
    close_corpus(fs);
}

TEST(damaged_row)
{
    fsearch *fs = open_corpus(10);
    CHECK(check_exact(fs) > 0);
    CHECK_INT(sqlite3_exec(fs->db, "UPDATE passage_len SET lens = x'0102'",
                           NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = 0; i < NQUERIES; i++) {
        double s[20];
        char msg[300];
        CHECK_INT(scores(queries[i], s, 20, msg, sizeof msg),
                  -FSEARCH_ECORRUPT);
        CHECK(strstr(msg, "damaged") != NULL);
    }
    /* A rebuild mends it. */
    fsearch_index_options o = FSEARCH_INDEX_OPTIONS_INIT;
    o.flags = FSEARCH_INDEX_REBUILD;
    CHECK_INT(fsearch_index(fs, corpus, &o, NULL), FSEARCH_OK);
    CHECK_INT(check_exact(fs), sql_int(fs, "SELECT count(*) FROM passage"));
    close_corpus(fs);
}

RUN_TESTS("test_passlen", T(exact_after_changes),
          T(same_scores_and_old_index), T(damaged_row))
