/*
** test_textstore.c - the compressed passage blocks: round trips, passages
** at the edges of a block, empty and huge text, damaged blocks, and the
** SQL function fsearch_text() on a connection.
*/
#include "../test.h"
#include "fsearch.h"
#include "textstore.h"
#include "buf.h"

#include <sqlite3.h>
#include <stdint.h>

/* Some text that compresses like prose: words from a small list. */
static char *prose(size_t n, unsigned seed)
{
    static const char *const words[] = { "the ", "safety ", "zone ",
        "committee ", "Nánjīng ", "refugees ", "of ", "in ", "a ",
        "December ", "1937 ", "wrote ", "Rabe ", "\n\n" };
    char *s = malloc(n + 1);
    size_t i = 0;
    while (i < n) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % (sizeof words / sizeof *words)];
        for (; *w && i < n; w++)
            s[i++] = *w;
    }
    s[n] = '\0';
    return s;
}

static void pack(fs_buf *out, const char *text, size_t n)
{
    fs_textstore_enc *e = NULL;
    CHECK_INT(fs_textstore_enc_new(&e), FSEARCH_OK);
    if (!e)
        return;
    CHECK_INT(fs_textstore_pack(e, out, text, n), FSEARCH_OK);
    fs_textstore_enc_free(e);
}

TEST(round_trip_every_passage)
{
    size_t n = FS_TEXTSTORE_BLOCK;
    char *text = prose(n, 1);
    fs_buf b = FS_BUF_INIT;
    pack(&b, text, n);
    CHECK(b.n > 0 && b.n < n / 2);   /* prose compresses */
    CHECK_INT((unsigned char)b.p[0], FS_TEXTSTORE_ZSTD);
    fs_textstore_dec *d = NULL;
    CHECK_INT(fs_textstore_dec_new(&d, NULL, NULL), FSEARCH_OK);
    /* passages of 300 bytes, the first and last at the block's edges */
    for (size_t off = 0; off < n; off += 300) {
        size_t len = n - off < 300 ? n - off : 300;
        const char *t, *why;
        CHECK_INT(fs_textstore_get(d, b.p, b.n, (int64_t)off, (int64_t)len,
                                   &t, &why), FSEARCH_OK);
        CHECK(t && memcmp(t, text + off, len) == 0);
    }
    const char *t, *why;
    CHECK_INT(fs_textstore_get(d, b.p, b.n, (int64_t)n, 0, &t, &why),
              FSEARCH_OK);
    CHECK_INT(fs_textstore_get(d, b.p, b.n, 0, (int64_t)n + 1, &t, &why),
              FSEARCH_ECORRUPT);
    CHECK(why && strstr(why, "outside"));
    CHECK_INT(fs_textstore_get(d, b.p, b.n, (int64_t)n - 1, 2, &t, &why),
              FSEARCH_ECORRUPT);
    CHECK_INT(fs_textstore_get(d, b.p, b.n, -1, 1, &t, &why),
              FSEARCH_ECORRUPT);
    fs_textstore_dec_free(d);
    fs_buf_free(&b);
    free(text);
}

/* Two blocks one after the other: the cache must not answer for the
** wrong one, even when they are the same length. */
TEST(two_blocks_alternating)
{
    size_t n = 4000;
    char *a = prose(n, 7), *c = prose(n, 8);
    fs_buf ba = FS_BUF_INIT, bc = FS_BUF_INIT;
    pack(&ba, a, n);
    pack(&bc, c, n);
    fs_textstore_dec *d = NULL;
    CHECK_INT(fs_textstore_dec_new(&d, NULL, NULL), FSEARCH_OK);
    for (int i = 0; i < 6; i++) {
        const char *src = i % 2 ? c : a;
        fs_buf *b = i % 2 ? &bc : &ba;
        const char *t, *why;
        CHECK_INT(fs_textstore_get(d, b->p, b->n, 100, 900, &t, &why),
                  FSEARCH_OK);
        CHECK(t && memcmp(t, src + 100, 900) == 0);
    }
    fs_textstore_dec_free(d);
    fs_buf_free(&ba);
    fs_buf_free(&bc);
    free(a);
    free(c);
}

/* More blocks than the unpacker keeps, of equal length, read in orders
** that revisit kept and evicted ones, with a big block in between: every
** read gives its own block's text. */
TEST(many_blocks_cached)
{
    enum { NB = 13 };
    size_t n = 1800, nbig = 40000;
    char *src[NB + 1];
    fs_buf b[NB + 1];
    for (int i = 0; i <= NB; i++) {
        src[i] = prose(i == NB ? nbig : n, 100u + (unsigned)i);
        fs_buf z = FS_BUF_INIT;
        b[i] = z;
        pack(&b[i], src[i], i == NB ? nbig : n);
    }
    fs_textstore_dec *d = NULL;
    CHECK_INT(fs_textstore_dec_new(&d, NULL, NULL), FSEARCH_OK);
    unsigned x = 99;
    for (int r = 0; r < 400; r++) {
        int i;
        if (r < 3 * (NB + 1)) {
            i = r % (NB + 1);          /* round robin first */
        } else {
            x = x * 1103515245u + 12345u;
            i = (int)((x >> 16) % (r % 2 ? 4 : NB + 1));   /* some hot */
        }
        size_t len = i == NB ? nbig : n;
        size_t off = (size_t)r % 500, cnt = len - off - 7;
        const char *t, *why;
        CHECK_INT(fs_textstore_get(d, b[i].p, b[i].n, (int64_t)off,
                                   (int64_t)cnt, &t, &why), FSEARCH_OK);
        CHECK(t && memcmp(t, src[i] + off, cnt) == 0);
    }
    fs_textstore_dec_free(d);
    for (int i = 0; i <= NB; i++) {
        fs_buf_free(&b[i]);
        free(src[i]);
    }
}

TEST(empty_and_tiny_are_raw)
{
    fs_buf b = FS_BUF_INIT;
    pack(&b, NULL, 0);
    CHECK_INT(b.n, 1);
    CHECK_INT((unsigned char)b.p[0], FS_TEXTSTORE_RAW);
    fs_textstore_dec *d = NULL;
    CHECK_INT(fs_textstore_dec_new(&d, NULL, NULL), FSEARCH_OK);
    const char *t, *why;
    CHECK_INT(fs_textstore_get(d, b.p, b.n, 0, 0, &t, &why), FSEARCH_OK);
    CHECK(t != NULL);
    fs_buf_clear(&b);
    pack(&b, "Rabe", 4);
    CHECK_INT(b.n, 5);
    CHECK_INT((unsigned char)b.p[0], FS_TEXTSTORE_RAW);
    CHECK_INT(fs_textstore_get(d, b.p, b.n, 1, 3, &t, &why), FSEARCH_OK);
    CHECK(t && memcmp(t, "abe", 3) == 0);
    fs_textstore_dec_free(d);
    fs_buf_free(&b);
}

/* A passage far over the block size is a block of its own; random bytes
** do not compress and stay raw. */
TEST(huge_and_incompressible)
{
    size_t n = 3u << 20;
    char *text = prose(n, 3);
    fs_buf b = FS_BUF_INIT;
    pack(&b, text, n);
    fs_textstore_dec *d = NULL;
    CHECK_INT(fs_textstore_dec_new(&d, NULL, NULL), FSEARCH_OK);
    const char *t, *why;
    CHECK_INT(fs_textstore_get(d, b.p, b.n, 0, (int64_t)n, &t, &why),
              FSEARCH_OK);
    CHECK(t && memcmp(t, text, n) == 0);
    unsigned x = 12345;
    for (size_t i = 0; i < 5000; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = (char)(x >> 23);
    }
    fs_buf_clear(&b);
    pack(&b, text, 5000);
    CHECK_INT(b.n, 5001);
    CHECK_INT((unsigned char)b.p[0], FS_TEXTSTORE_RAW);
    CHECK_INT(fs_textstore_get(d, b.p, b.n, 4000, 1000, &t, &why),
              FSEARCH_OK);
    CHECK(t && memcmp(t, text + 4000, 1000) == 0);
    fs_textstore_dec_free(d);
    fs_buf_free(&b);
    free(text);
}

TEST(corrupt_blocks_are_errors)
{
    size_t n = 6000;
    char *text = prose(n, 5);
    fs_buf b = FS_BUF_INIT;
    pack(&b, text, n);
    fs_textstore_dec *d = NULL;
    CHECK_INT(fs_textstore_dec_new(&d, NULL, NULL), FSEARCH_OK);
    const char *t, *why;
    /* every byte flipped in turn, one at a time: an error or (for bytes
    ** zstd does not check, none here with its checksum) the right text */
    size_t bad = 0;
    for (size_t i = 1; i < b.n; i++) {
        b.p[i] ^= 0x5a;
        int rc = fs_textstore_get(d, b.p, b.n, 0, (int64_t)n, &t, &why);
        if (rc == FSEARCH_ECORRUPT) {
            bad++;
            CHECK(why != NULL);
        } else {
            CHECK(rc == FSEARCH_OK && memcmp(t, text, n) == 0);
        }
        b.p[i] ^= 0x5a;
    }
    CHECK(bad + 4 >= b.n - 1);
    /* truncated, empty, unknown kind, missing */
    CHECK_INT(fs_textstore_get(d, b.p, b.n / 2, 0, 10, &t, &why),
              FSEARCH_ECORRUPT);
    CHECK_INT(fs_textstore_get(d, b.p, 1, 0, 0, &t, &why), FSEARCH_ECORRUPT);
    CHECK_INT(fs_textstore_get(d, b.p, 0, 0, 0, &t, &why), FSEARCH_ECORRUPT);
    CHECK_INT(fs_textstore_get(d, NULL, 0, 0, 0, &t, &why), FSEARCH_ECORRUPT);
    b.p[0] = 7;
    CHECK_INT(fs_textstore_get(d, b.p, b.n, 0, 10, &t, &why),
              FSEARCH_ECORRUPT);
    CHECK(why && strstr(why, "unknown"));
    /* and the good block still reads after all that */
    b.p[0] = FS_TEXTSTORE_ZSTD;
    CHECK_INT(fs_textstore_get(d, b.p, b.n, 10, 20, &t, &why), FSEARCH_OK);
    CHECK(t && memcmp(t, text + 10, 20) == 0);
    fs_textstore_dec_free(d);
    fs_buf_free(&b);
    free(text);
}

TEST(sql_function)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(fs_textstore_register(db), SQLITE_OK);
    size_t n = 5000;
    char *text = prose(n, 9);
    fs_buf b = FS_BUF_INIT;
    pack(&b, text, n);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT fsearch_text(?1, ?2, ?3)", -1,
                                 &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, b.p, (int)b.n, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, 17);
    sqlite3_bind_int(st, 3, 333);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_type(st, 0), SQLITE_TEXT);
    CHECK_INT(sqlite3_column_bytes(st, 0), 333);
    CHECK(memcmp(sqlite3_column_text(st, 0), text + 17, 333) == 0);
    sqlite3_reset(st);
    b.p[b.n / 2] ^= 0x21;
    CHECK_INT(sqlite3_step(st), SQLITE_CORRUPT);
    CHECK(strstr(sqlite3_errmsg(db), "passage text block") != NULL);
    sqlite3_finalize(st);
    fs_buf_free(&b);
    free(text);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);
}

/* Samples of about a block each, for training. */
static char *samples(size_t **sizes, size_t *n, unsigned seed)
{
    size_t total = 1u << 20, each = FS_TEXTSTORE_BLOCK;
    char *text = prose(total, seed);
    *n = total / each;
    *sizes = malloc(*n * sizeof **sizes);
    for (size_t i = 0; i < *n; i++)
        (*sizes)[i] = each;
    return text;
}

typedef struct finder {
    const fs_buf *dict;
    int calls;
} finder;

static int find(void *arg, unsigned id, fs_buf *out)
{
    finder *f = arg;
    f->calls++;
    int rc = FSEARCH_OK;
    if (id == FS_TEXTSTORE_DICT_ID0 && f->dict)
        fs_buf_append(&rc, out, f->dict->p, f->dict->n);
    else
        rc = FSEARCH_ECORRUPT;
    return rc;
}

TEST(dictionary)
{
    size_t *sizes, n;
    char *text = samples(&sizes, &n, 11);
    fs_buf dict = FS_BUF_INIT;
    CHECK_INT(fs_textstore_train(&dict, FS_TEXTSTORE_DICT_ID0, text, sizes, n),
              FSEARCH_OK);
    CHECK(dict.n > 0 && dict.n <= FS_TEXTSTORE_DICT_BYTES);
    /* too few samples: no dictionary, and no error */
    fs_buf none = FS_BUF_INIT;
    CHECK_INT(fs_textstore_train(&none, FS_TEXTSTORE_DICT_ID0, text, sizes, 3),
              FSEARCH_DONE);
    CHECK_INT(none.n, 0);

    fs_textstore_enc *e = NULL;
    CHECK_INT(fs_textstore_enc_new(&e), FSEARCH_OK);
    CHECK_INT(fs_textstore_enc_use_dict(e, "not a dictionary", 16),
              FSEARCH_ECORRUPT);
    CHECK_INT(fs_textstore_enc_use_dict(e, dict.p, dict.n), FSEARCH_OK);
    char *other = prose(1500, 12);
    fs_buf with = FS_BUF_INIT, without = FS_BUF_INIT;
    CHECK_INT(fs_textstore_pack(e, &with, other, 1500), FSEARCH_OK);
    pack(&without, other, 1500);
    CHECK(with.n < without.n);   /* what the dictionary is for */

    finder f = { &dict, 0 };
    fs_textstore_dec *d = NULL;
    CHECK_INT(fs_textstore_dec_new(&d, find, &f), FSEARCH_OK);
    const char *t, *why;
    for (int i = 0; i < 3; i++) {
        CHECK_INT(fs_textstore_get(d, with.p, with.n, 100, 400, &t, &why),
                  FSEARCH_OK);
        CHECK(t && memcmp(t, other + 100, 400) == 0);
        CHECK_INT(fs_textstore_get(d, without.p, without.n, 0, 1500, &t,
                                   &why), FSEARCH_OK);
        CHECK(t && memcmp(t, other, 1500) == 0);
    }
    CHECK_INT(f.calls, 1);   /* the dictionary is read once */
    fs_textstore_dec_free(d);

    /* an unpacker that cannot find the dictionary says so */
    finder lost = { NULL, 0 };
    CHECK_INT(fs_textstore_dec_new(&d, find, &lost), FSEARCH_OK);
    CHECK_INT(fs_textstore_get(d, with.p, with.n, 0, 10, &t, &why),
              FSEARCH_ECORRUPT);
    CHECK(why && strstr(why, "dictionary"));
    fs_textstore_dec_free(d);
    CHECK_INT(fs_textstore_dec_new(&d, NULL, NULL), FSEARCH_OK);
    CHECK_INT(fs_textstore_get(d, with.p, with.n, 0, 10, &t, &why),
              FSEARCH_ECORRUPT);
    fs_textstore_dec_free(d);

    /* and the SQL function reads it from passage_dict */
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(fs_textstore_register(db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE TABLE passage_dict(id INTEGER PRIMARY "
                           "KEY, data BLOB NOT NULL)", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT fsearch_text(?1, 7, 50)", -1,
                                 &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, with.p, (int)with.n, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_CORRUPT);   /* not stored yet */
    CHECK(strstr(sqlite3_errmsg(db), "dictionary") != NULL);
    sqlite3_reset(st);
    sqlite3_stmt *ins = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "INSERT INTO passage_dict VALUES(?1, ?2)",
                                 -1, &ins, NULL), SQLITE_OK);
    sqlite3_bind_int64(ins, 1, FS_TEXTSTORE_DICT_ID0);
    sqlite3_bind_blob(ins, 2, dict.p, (int)dict.n, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_finalize(ins);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK(memcmp(sqlite3_column_text(st, 0), other + 7, 50) == 0);
    /* The dictionary is kept in the function's own copy: it outlives the
    ** row it was read from. (Another block in between, so that the next
    ** step unpacks again instead of reusing the last text.) */
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, without.p, (int)without.n, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    sqlite3_reset(st);
    CHECK_INT(sqlite3_exec(db, "DELETE FROM passage_dict", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_bind_blob(st, 1, with.p, (int)with.n, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK(memcmp(sqlite3_column_text(st, 0), other + 7, 50) == 0);
    sqlite3_finalize(st);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);

    /* an index attached to another database (as in the sqlite3 shell):
    ** its passage_dict is found there, main having none */
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(fs_textstore_register(db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "ATTACH ':memory:' AS f; CREATE TABLE "
                           "f.passage_dict(id INTEGER PRIMARY KEY, data BLOB "
                           "NOT NULL)", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, "INSERT INTO f.passage_dict "
                                 "VALUES(?1, ?2)", -1, &ins, NULL),
              SQLITE_OK);
    sqlite3_bind_int64(ins, 1, FS_TEXTSTORE_DICT_ID0);
    sqlite3_bind_blob(ins, 2, dict.p, (int)dict.n, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_finalize(ins);
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT fsearch_text(?1, 7, 50)", -1,
                                 &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, with.p, (int)with.n, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK(memcmp(sqlite3_column_text(st, 0), other + 7, 50) == 0);
    sqlite3_finalize(st);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);

    /* a stored dictionary cut short is reported as damaged (it was "out
    ** of memory" when zstd refused it) */
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(fs_textstore_register(db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE TABLE passage_dict(id INTEGER PRIMARY "
                           "KEY, data BLOB NOT NULL)", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, "INSERT INTO passage_dict VALUES(?1, ?2)",
                                 -1, &ins, NULL), SQLITE_OK);
    sqlite3_bind_int64(ins, 1, FS_TEXTSTORE_DICT_ID0);
    sqlite3_bind_blob(ins, 2, dict.p, 64, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_finalize(ins);
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT fsearch_text(?1, 7, 50)", -1,
                                 &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, with.p, (int)with.n, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_CORRUPT);
    CHECK(strstr(sqlite3_errmsg(db), "dictionary") != NULL);
    sqlite3_finalize(st);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);

    fs_textstore_enc_free(e);
    fs_buf_free(&with);
    fs_buf_free(&without);
    fs_buf_free(&dict);
    free(other);
    free(sizes);
    free(text);
}

RUN_TESTS("textstore", T(round_trip_every_passage), T(two_blocks_alternating),
          T(many_blocks_cached),
          T(empty_and_tiny_are_raw), T(huge_and_incompressible),
          T(corrupt_blocks_are_errors), T(sql_function), T(dictionary))
