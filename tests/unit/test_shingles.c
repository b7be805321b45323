/*
** test_shingles.c - the stored near-copy signatures (shingles.h): they
** must never rule out a pair the full comparison calls near copies, so a
** search folds exactly the same copies with them as from text. Checked on
** pairs of generated passages, then end to end: an index searched with its
** signatures, with them all NULL, and with the column gone (an index made
** before it, opened read-only) gives the same hits and "also in" lists.
*/
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "shingles.h"
#include "../test.h"
#include "../fixture.h"
#include "../fixture.h"

static const char *const vocab[] = {
    "river", "stone", "keeper", "winter", "ledger", "harbour", "lantern",
    "meadow", "copper", "signal", "garden", "thunder", "basket", "candle",
    "orchard", "ribbon", "marble", "saddle", "quiver", "timber", "harvest",
    "pillow", "falcon", "velvet", "anchor", "barley", "cobalt", "dagger",
    "ember", "fiddle", "glacier", "hammock", "island", "jasmine", "kettle",
    "lizard", "mango", "nectar", "oyster", "parrot", "quartz", "raven",
    "saffron", "tundra", "umber", "violet", "walnut", "yarrow", "zephyr",
    "acorn", "bramble", "cinder", "drizzle", "fennel", "gravel", "heron",
};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Words as vocabulary numbers. */
typedef struct words {
    unsigned w[1200];
    size_t n;
} words;

static void make_base(words *b, size_t n)
{
    b->n = n;
    for (size_t i = 0; i < n; i++)
        b->w[i] = rnd(NVOCAB);
}

/* A variant of b: some words changed, some inserted, some dropped, maybe
** cut short or given a heading. kind 0 is an exact copy. */
static void make_variant(words *v, const words *b, unsigned kind)
{
    v->n = 0;
    if (kind == 0) {
        *v = *b;
        return;
    }
    if (kind % 5 == 1)
        for (int i = 0; i < 3; i++)
            v->w[v->n++] = rnd(NVOCAB);
    size_t end = b->n;
    if (kind % 4 == 2)
        end = b->n * (50 + rnd(50)) / 100;
    unsigned pct = rnd(8);              /* edits per hundred words */
    for (size_t i = 0; i < end && v->n + 2 < sizeof v->w / sizeof v->w[0];
         i++) {
        unsigned r = rnd(100);
        if (r < pct / 3)
            continue;                   /* dropped */
        if (r < 2 * pct / 3)
            v->w[v->n++] = rnd(NVOCAB); /* changed */
        else
            v->w[v->n++] = b->w[i];
        if (r >= 2 * pct / 3 && r < pct)
            v->w[v->n++] = rnd(NVOCAB); /* inserted */
    }
}

static size_t to_text(const words *v, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++) {
        int m = snprintf(out + k, cap - k, "%s%s%s", i ? " " : "",
                         i % 7 == 0 ? "The " : "", vocab[v->w[i]]);
        if (m < 0 || (size_t)m >= cap - k)
            break;
        k += (size_t)m;
    }
    return k;
}

static void sign(const fs_shingles *full, fs_shingles *stored)
{
    int rc = FSEARCH_OK;
    fs_buf b = FS_BUF_INIT;
    fs_shingles_encode(&rc, &b, full);
    CHECK_INT(rc, FSEARCH_OK);
    memset(stored, 0, sizeof *stored);
    CHECK_INT(fs_shingles_decode(stored, b.p, b.n), FSEARCH_OK);
    CHECK_INT(stored->n, full->n);
    CHECK(!stored->full);
    /* Signing a decoded signature gives the same bytes. */
    fs_buf again = FS_BUF_INIT;
    fs_shingles_encode(&rc, &again, stored);
    CHECK(again.n == b.n && memcmp(again.p, b.p, b.n) == 0);
    fs_buf_free(&again);
    fs_buf_free(&b);
}

TEST(signature_never_rules_out_a_copy)
{
    static char ta[16384], tb[16384];
    static const size_t sizes[] = { 2, 3, 5, 12, 30, 60, 100, 200, 300,
                                    500, 700, 1100 };
    words base, va, vb;
    size_t near = 0, pairs = 0, passed = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int round = 0; round < 12; round++) {
            make_base(&base, sizes[s]);
            for (unsigned i = 0; i < 8; i++) {
                make_variant(&va, &base, i);
                make_variant(&vb, &base, i + 1 + rnd(8));
                size_t na = to_text(&va, ta, sizeof ta);
                size_t nb = to_text(&vb, tb, sizeof tb);
                fs_shingles a, b, sa, sb;
                memset(&a, 0, sizeof a);
                memset(&b, 0, sizeof b);
                CHECK_INT(fs_shingles_make(&a, ta, na), FSEARCH_OK);
                CHECK_INT(fs_shingles_make(&b, tb, nb), FSEARCH_OK);
                sign(&a, &sa);
                sign(&b, &sb);
                int full = fs_shingles_near(&a, &b);
                int maybe = fs_shingles_maybe_near(&sa, &sb);
                pairs++;
                near += full;
                passed += maybe;
                /* Sound: stored against stored, and mixed either way. */
                if (full && !(maybe && fs_shingles_maybe_near(&a, &sb) &&
                              fs_shingles_maybe_near(&sa, &b)))
                    fprintf(stderr, "ruled out: %zu and %zu words\n", va.n,
                            vb.n);
                CHECK(!full || maybe);
                CHECK(!full || fs_shingles_maybe_near(&a, &sb));
                CHECK(!full || fs_shingles_maybe_near(&sa, &b));
                /* Signatures never decide: not full, never near. */
                CHECK(!fs_shingles_near(&sa, &sb));
                fs_shingles_free(&a);
                fs_shingles_free(&b);
            }
        }
    }
    fprintf(stderr, "  %zu pairs, %zu near, %zu not ruled out\n", pairs, near,
            passed);
    /* The pairs span both answers, and the signatures rule out most of
    ** the pairs that are not copies. */
    CHECK(near > pairs / 10);
    CHECK(near < pairs - pairs / 10);
    CHECK(passed - near < (pairs - near) / 2);
}

/* One side's runs known (a search's hit) against the other's signature:
** still never rules out a copy, with the same sets reused for passages of
** every size (their scratch memory then holds older runs), and rules out
** at least the pairs the two signatures do. */
TEST(runs_against_signature)
{
    static char ta[16384], tb[16384];
    static const size_t sizes[] = { 1100, 3, 300, 12, 700, 5, 60, 200, 30,
                                    500, 2, 100 };
    words base, va, vb;
    fs_shingles a, b, sa, sb;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    size_t mixed = 0, stored = 0, near = 0;
    for (int round = 0; round < 12; round++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            make_base(&base, sizes[(s + (size_t)round) % 12]);
            for (unsigned i = 0; i < 8; i++) {
                make_variant(&va, &base, i);
                make_variant(&vb, &base, i + 1 + rnd(8));
                size_t na = to_text(&va, ta, sizeof ta);
                size_t nb = to_text(&vb, tb, sizeof tb);
                CHECK_INT(fs_shingles_make(&a, ta, na), FSEARCH_OK);
                CHECK_INT(fs_shingles_make(&b, tb, nb), FSEARCH_OK);
                sign(&a, &sa);
                sign(&b, &sb);
                int ma = fs_shingles_maybe_near(&a, &sb);
                int mb = fs_shingles_maybe_near(&sa, &b);
                int ms = fs_shingles_maybe_near(&sa, &sb);
                int full = fs_shingles_near(&a, &b);
                CHECK(!full || (ma && mb));
                CHECK(!ma || ms);
                CHECK(!mb || ms);
                mixed += ma + mb;
                stored += 2 * (size_t)ms;
                near += 2 * (size_t)full;
            }
        }
    }
    fprintf(stderr, "  signatures let %zu through, runs %zu, near %zu\n",
            stored, mixed, near);
    CHECK(mixed < stored);
    fs_shingles_free(&a);
    fs_shingles_free(&b);
}

TEST(signature_decode_rejects_garbage)
{
    fs_shingles sh, full;
    memset(&sh, 0, sizeof sh);
    memset(&full, 0, sizeof full);
    const char *t = "one two three four five six seven eight";
    CHECK_INT(fs_shingles_make(&full, t, strlen(t)), FSEARCH_OK);
    int rc = FSEARCH_OK;
    fs_buf b = FS_BUF_INIT;
    fs_shingles_encode(&rc, &b, &full);
    CHECK_INT(b.n, 1 + 8);              /* 6 runs: the narrowest, 64 bits */
    CHECK_INT(fs_shingles_decode(&sh, b.p, b.n), FSEARCH_OK);
    CHECK_INT(sh.n, 6);
    CHECK_INT(fs_shingles_decode(&sh, b.p, b.n - 1), FSEARCH_ECORRUPT);
    CHECK_INT(sh.n, 0);
    CHECK_INT(fs_shingles_decode(&sh, "", 0), FSEARCH_ECORRUPT);
    CHECK_INT(fs_shingles_decode(&sh, "\x80\x80", 2), FSEARCH_ECORRUPT);
    CHECK_INT(fs_shingles_decode(&sh, "\x02", 1), FSEARCH_OK);  /* 2 runs */
    CHECK_INT(fs_shingles_decode(&sh, "\x02\x00", 2), FSEARCH_ECORRUPT);
    fs_buf_free(&b);
    fs_shingles_free(&full);
    fs_shingles_free(&sh);
}

/* ====================================================================== */
/* End to end                                                              */

static char tmp_dir[512], corpus[600], db[600];

static void put(const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", corpus, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        CHECK_INT(fclose(f), 0);
    }
}

/* Files of near and exact copies of a few passages, among others. */
static void make_corpus(void)
{
    static char text[16384], name[64];
    words base, v;
    static const size_t sizes[] = { 8, 25, 40, 60, 90, 150, 260 };
    int file = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        make_base(&base, sizes[s]);
        for (unsigned i = 0; i < 14; i++) {
            make_variant(&v, &base, i % 9);
            size_t n = to_text(&v, text, sizeof text - 2);
            memcpy(text + n, "\n", 2);
            snprintf(name, sizeof name, "f%03d.txt", file++);
            put(name, text);
        }
    }
    for (int i = 0; i < 30; i++) {
        make_base(&base, 20 + rnd(80));
        size_t n = to_text(&base, text, sizeof text - 2);
        memcpy(text + n, "\n", 2);
        snprintf(name, sizeof name, "g%03d.txt", i);
        put(name, text);
    }
}

/* Every hit with its "also in" places, for several queries and pages,
** then the counts, into out. */
static void results(fsearch *fs, fs_buf *out)
{
    static const char *const queries[] = { "river stone", "keeper",
                                           "winter ledger harbour", "mango",
                                           "copper OR signal", "the" };
    int rc = FSEARCH_OK;
    fs_buf_clear(out);
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        for (unsigned offset = 0; offset <= 5; offset += 5) {
            fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
            so.limit = 60;
            so.offset = offset;
            fsearch_cursor *cur = NULL;
            const fsearch_hit *h;
            CHECK_INT(fsearch_search(&cur, fs, queries[q], &so), FSEARCH_OK);
            fs_buf_printf(&rc, out, "== %s +%u\n", queries[q], offset);
            int r;
            while ((r = fsearch_next(cur, &h)) == FSEARCH_OK) {
                fs_buf_printf(&rc, out, "%s:%u %.4f %.20s |", h->path,
                              h->line, h->score, h->snippet);
                for (size_t i = 0; i < h->nalso_in; i++)
                    fs_buf_printf(&rc, out, " %s:%u", h->also_in[i].path,
                                  h->also_in[i].line);
                fs_buf_putc(&rc, out, '\n');
            }
            CHECK_INT(r, FSEARCH_DONE);
            fsearch_cursor_free(cur);
        }
        uint64_t n = 0;
        fsearch_cursor *cur = NULL;
        CHECK_INT(fsearch_search(&cur, fs, queries[q], NULL), FSEARCH_OK);
        CHECK_INT(fsearch_count(cur, &n), FSEARCH_OK);
        fsearch_cursor_free(cur);
        fs_buf_printf(&rc, out, "count %llu\n", (unsigned long long)n);
    }
    CHECK_INT(rc, FSEARCH_OK);
}

static void sql(const char *stmt)
{
    sqlite3 *h = NULL;
    CHECK_INT(sqlite3_open(db, &h), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(h, stmt, NULL, NULL, &err) != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", stmt, err ? err : "?");
    CHECK(err == NULL);
    sqlite3_free(err);
    sqlite3_close(h);
}

static long long sql_int(const char *stmt)
{
    sqlite3 *h = NULL;
    CHECK_INT(sqlite3_open(db, &h), SQLITE_OK);
    long long v = fixture_sql_int(h, stmt);
    sqlite3_close(h);
    return v;
}

static fsearch *open_db(unsigned flags)
{
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = flags;
    CHECK_INT(fsearch_open(&fs, db, &o), FSEARCH_OK);
    return fs;
}

TEST(same_copies_with_and_without_signatures)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-shingles.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    make_corpus();
    fsearch *fs = open_db(FSEARCH_OPEN_CREATE);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    fs_buf with = FS_BUF_INIT, without = FS_BUF_INIT;
    results(fs, &with);
    fsearch_close(fs);
    /* Every passage signed; the results hold near copies (not only exact
    ** ones) folded into hits. */
    CHECK_INT(sql_int("SELECT count(*) FROM passage WHERE sig IS NULL"), 0);
    CHECK(sql_int("SELECT count(DISTINCT hash) FROM passage") > 100);
    CHECK(strstr(with.p, "| f") != NULL);

    /* Passages without a signature are judged from their text. */
    sql("UPDATE passage SET sig = NULL");
    fs = open_db(0);
    results(fs, &without);
    fsearch_close(fs);
    if (strcmp(with.p, without.p) != 0)
        fprintf(stderr, "with signatures:\n%s\nwithout:\n%s\n", with.p,
                without.p);
    CHECK_STR(without.p, with.p);

    /* An index made before the column, read-only: the same; opened to
    ** write, it gains the column and new passages are signed. */
    sql("ALTER TABLE passage DROP COLUMN sig");
    fs = open_db(FSEARCH_OPEN_READONLY);
    results(fs, &without);
    fsearch_close(fs);
    CHECK_STR(without.p, with.p);
    CHECK_INT(sql_int("SELECT count(*) FROM pragma_table_info('passage') "
                      "WHERE name = 'sig'"), 0);
    put("new.txt", "A harbour lantern in the meadow of copper signals.\n");
    fs = open_db(0);
    CHECK_INT(fsearch_index(fs, corpus, NULL, NULL), FSEARCH_OK);
    fsearch_close(fs);
    CHECK_INT(sql_int("SELECT count(*) FROM passage WHERE sig IS NOT NULL"),
              1);

    fs_buf_free(&with);
    fs_buf_free(&without);
    fixture_remove(tmp_dir);
}

RUN_TESTS("shingles", T(signature_never_rules_out_a_copy),
          T(runs_against_signature),
          T(signature_decode_rejects_garbage),
          T(same_copies_with_and_without_signatures))
