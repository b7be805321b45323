/*
** test_tokenizer.c - unit tests of the word splitter and folder.
**
** Most cases are table rows: an input and the exact tokens it must give, each
** with its byte range in the ORIGINAL input, written "token@start-end". The
** rest cover long words, the ASCII fast path against the utf8proc path,
** callback stops, languages and allocation failures.
*/
#include <libstemmer.h>
#include <sqlite3.h>

#include "../test.h"
#include "alloc.h"
#include "fsearch.h"
#include "tokenizer.h"

/* ====================================================================== */
/* Collecting tokens                                                       */

/* Tokens seen by collect(), as "tok@start-end tok@start-end". */
typedef struct seen {
    char text[8192];
    size_t n;
    int ntokens;
    int stop_after;     /* return stop_rc from this token on; 0: never */
    int stop_rc;
    int last_start;     /* to check that starts never go backwards */
    int bad;            /* set when a token breaks the contract */
} seen;

static int collect(void *payload, const char *token, int ntoken, int start,
                   int end)
{
    seen *s = payload;
    int k;

    if (ntoken < 1 || ntoken > FS_TOKEN_MAX_BYTES || start >= end
        || start < s->last_start)
        s->bad = 1;
    s->last_start = start;
    s->ntokens++;
    k = snprintf(s->text + s->n, sizeof s->text - s->n, "%s%.*s@%d-%d",
                 s->n ? " " : "", ntoken, token, start, end);
    if (k > 0 && (size_t)k < sizeof s->text - s->n)
        s->n += (size_t)k;
    if (s->stop_after && s->ntokens >= s->stop_after)
        return s->stop_rc;
    return 0;
}

/* Tokenize input[0..n) and return the rc; the tokens land in *s. */
static int tokenize(seen *s, const char *lang, int flags, const char *input,
                    int n)
{
    fs_tokenizer *t = NULL;
    int rc;

    memset(s, 0, sizeof *s);
    rc = fs_tokenizer_new(&t, lang);
    if (rc != FSEARCH_OK)
        return rc;
    rc = fs_tokenizer_run(t, flags, input, n, collect, s);
    fs_tokenizer_free(t);
    return rc;
}

typedef struct row {
    const char *lang;       /* NULL means english */
    int flags;
    const char *input;
    int ninput;             /* -1: strlen(input) */
    const char *want;
} row;

static void run_table(const row *rows, size_t nrows)
{
    for (size_t i = 0; i < nrows; i++) {
        const row *r = &rows[i];
        int n = r->ninput < 0 ? (int)strlen(r->input) : r->ninput;
        seen s;
        int rc = tokenize(&s, r->lang, r->flags, r->input, n);

        CHECK_INT(rc, FSEARCH_OK);
        CHECK(!s.bad);
        if (strcmp(s.text, r->want) != 0)
            fprintf(stderr, "row %zu: input \"%s\"\n", i, r->input);
        CHECK_STR(s.text, r->want);
    }
}

#define ROWS(t) run_table(t, sizeof t / sizeof t[0])
#define NS FS_TOKENIZE_NOSTEM

/* ====================================================================== */
/* Tables                                                                  */

TEST(case_and_accents)
{
    static const row rows[] = {
        { "none", 0, "Hello World", -1, "hello@0-5 world@6-11" },
        { "none", 0, "N\xc3\xa1nj\xc4\xabng", -1, "nanjing@0-9" },
        { "none", 0, "Nanjing NANJING", -1, "nanjing@0-7 nanjing@8-15" },
        { "none", 0, "\xc3\x89t\xc3\xa9 caf\xc3\xa9", -1,
          "ete@0-5 cafe@6-11" },
        /* the same words in NFD: same tokens, longer ranges */
        { "none", 0, "E\xcc\x81te\xcc\x81 cafe\xcc\x81", -1,
          "ete@0-7 cafe@8-14" },
        { "none", 0, "Stra\xc3\x9f" "e", -1, "strasse@0-7" },
        { "none", 0, "\xc4\xb0stanbul", -1, "istanbul@0-9" },
        { "none", 0, "\xce\xa3\xce\x91\xce\xa3 \xce\xa9\xce\xbc\xce\xad"
          "\xce\xb3\xce\xb1", -1, "\xcf\x83\xce\xb1\xcf\x83@0-6 "
          "\xcf\x89\xce\xbc\xce\xb5\xce\xb3\xce\xb1@7-17" },
        { "none", 0, "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0", -1,
          "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0@0-12" },
        /* a mark with no letter before it folds to nothing */
        { "none", 0, "a \xcc\x81 b", -1, "a@0-1 b@5-6" },
        { "none", 0, "\xcc\x81" "abc", -1, "abc@0-5" },
    };
    ROWS(rows);
}

TEST(nfkc)
{
    static const row rows[] = {
        { "none", 0, "\xef\xac\x81le", -1, "file@0-5" },          /* fi lig. */
        { "none", 0, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", -1,
          "abc@0-9" },                                            /* ABC */
        { "none", 0, "\xe2\x91\xa0 \xe2\x91\xa1", -1, "1@0-3 2@4-7" },
        { "none", 0, "\xe2\x85\xab", -1, "xii@0-3" },             /* XII */
        { "none", 0, "\xc7\x85" "emal", -1, "dzemal@0-6" },       /* Dz */
    };
    ROWS(rows);
}

TEST(apostrophes)
{
    static const row rows[] = {
        /* straight, curly and modifier apostrophes are one letter */
        { "none", 0, "don't Don\xe2\x80\x99t DON\xca\xbcT", -1,
          "don't@0-5 don't@6-13 don't@14-20" },
        /* at the edge of a word they are quotes */
        { "none", 0, "'tis dogs' ''quoted''", -1,
          "tis@1-4 dogs@5-9 quoted@13-19" },
        { "none", 0, "\xe2\x80\x98hi\xe2\x80\x99", -1, "hi@3-5" },
        { "none", 0, "a''b a' b", -1, "a@0-1 b@3-4 a@5-6 b@8-9" },
        { "none", 0, "rock\xe2\x80\x99n\xe2\x80\x99roll", -1,
          "rock'n'roll@0-15" },
        { "none", 0, "'", -1, "" },
        { "none", 0, "x'", -1, "x@0-1" },
        { "none", 0, "caf\xc3\xa9's", -1, "cafe's@0-7" },
        { "none", 0, "l'\xc3\xa9t\xc3\xa9 L\xe2\x80\x99" "Ete", -1,
          "l'ete@0-7 l'ete@8-15" },
        { NULL, 0, "Zone's zone\xe2\x80\x99s ZONES", -1,
          "zone@0-6 zone@7-15 zone@16-21" },
        { NULL, NS, "Zone's zone\xe2\x80\x99s", -1,
          "zone's@0-6 zone's@7-15" },
    };
    ROWS(rows);
}

TEST(separators)
{
    static const row rows[] = {
        { "none", 0, "safety-zone under_score U.S. a/b", -1,
          "safety@0-6 zone@7-11 under@12-17 score@18-23 u@24-25 s@26-27 "
          "a@29-30 b@31-32" },
        { "none", 0, "x\xe2\x80\x94y\xc2\xa0z", -1, "x@0-1 y@4-5 z@7-8" },
        { "none", 0, "1937 3.14 300,000", -1,
          "1937@0-4 3@5-6 14@7-9 300@10-13 000@14-17" },
        { "none", 0, "", -1, "" },
        { "none", 0, " \t\r\n  \xe3\x80\x80", -1, "" },
        { "none", 0, "!@#$%^&*()", -1, "" },
    };
    ROWS(rows);
}

TEST(no_space_scripts)
{
    static const row rows[] = {
        { NULL, 0, "\xe5\x8d\x97\xe4\xba\xac\xe5\xa4\xa7\xe5\xb1\xa0\xe6"
          "\x9d\x80", -1,
          "\xe5\x8d\x97@0-3 \xe4\xba\xac@3-6 \xe5\xa4\xa7@6-9 "
          "\xe5\xb1\xa0@9-12 \xe6\x9d\x80@12-15" },
        /* mixed with Latin: the Latin words keep their own tokens */
        { NULL, 0, "abc\xe5\x8d\x97\xe4\xba\xac" "def", -1,
          "abc@0-3 \xe5\x8d\x97@3-6 \xe4\xba\xac@6-9 def@9-12" },
        { NULL, 0, "\xe5\x9c\xa8\xe5\x8d\x97\xe4\xba\xac\xe7\x9a\x84\xe3"
          "\x80\x82", -1,
          "\xe5\x9c\xa8@0-3 \xe5\x8d\x97@3-6 \xe4\xba\xac@6-9 "
          "\xe7\x9a\x84@9-12" },
        /* kana: NFD ga == NFC ga, half-width ka + voicing == ga */
        { NULL, 0, "\xe3\x81\x8b\xe3\x82\x99 \xe3\x81\x8c", -1,
          "\xe3\x81\x8c@0-6 \xe3\x81\x8c@7-10" },
        { NULL, 0, "\xef\xbd\xb6\xef\xbe\x9e", -1, "\xe3\x82\xac@0-6" },
        /* Thai: a consonant keeps its vowel sign (a mark) */
        { NULL, 0, "\xe0\xb8\x81\xe0\xb8\xb4\xe0\xb8\x99", -1,
          "\xe0\xb8\x81\xe0\xb8\xb4@0-6 \xe0\xb8\x99@6-9" },
        /* Han in plane 2 (4-byte UTF-8) */
        { NULL, 0, "\xf0\xa0\x80\x80x", -1, "\xf0\xa0\x80\x80@0-4 x@4-5" },
        /* Hangul is written with spaces: a word */
        { NULL, 0, "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", -1,
          "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4@0-9" },
    };
    ROWS(rows);
}

TEST(invalid_utf8)
{
    static const row rows[] = {
        { "none", 0, "ab\xff" "cd", -1, "ab@0-2 cd@3-5" },
        { "none", 0, "ab\xc3", -1, "ab@0-2" },
        { "none", 0, "\xc3xyz", -1, "xyz@1-4" },
        { "none", 0, "ab\xe4\xb8" "cd", -1, "ab@0-2 cd@4-6" },
        /* overlong encodings of '/', a surrogate, a code point > 10FFFF */
        { "none", 0, "ab\xc0\xaf" "cd", -1, "ab@0-2 cd@4-6" },
        { "none", 0, "ab\xe0\x80\xaf" "cd", -1, "ab@0-2 cd@5-7" },
        { "none", 0, "\xed\xa0\x80ok", -1, "ok@3-5" },
        { "none", 0, "\xf4\x90\x80\x80ok", -1, "ok@4-6" },
        { "none", 0, "\x80\x80\xbf" "a\xfe\xfe", -1, "a@3-4" },
        /* a bad byte inside a word cuts it: the halves survive */
        { "none", 0, "caf\xc3\xa9\xff" "bar", -1, "cafe@0-5 bar@6-9" },
        { "none", 0, "ab\0cd", 5, "ab@0-2 cd@3-5" },
        { "none", 0, "\0\0x\0", 4, "x@2-3" },
        /* ntext is honoured: nothing past it is read */
        { "none", 0, "abcdef", 3, "abc@0-3" },
    };
    ROWS(rows);
}

TEST(stemming)
{
    static const row rows[] = {
        { "english", 0, "executed executions execute executing", -1,
          "execut@0-8 execut@9-19 execut@20-27 execut@28-37" },
        { NULL, 0, "\xc3\x89x\xc3\xa9" "cutions Generously", -1,
          "execut@0-12 generous@13-23" },
        { NULL, NS, "executed Executions", -1,
          "executed@0-8 executions@9-19" },
        { "none", 0, "executed executions", -1,
          "executed@0-8 executions@9-19" },
        { "french", 0, "continuellement nationales", -1,
          "continuel@0-15 national@16-26" },
        { "porter", 0, "running", -1, "run@0-7" },
        /* stems of CJK characters are the characters */
        { NULL, 0, "\xe5\x8d\x97", -1, "\xe5\x8d\x97@0-3" },
    };
    ROWS(rows);
}

/* ====================================================================== */
/* Other cases                                                             */

/* Every ASCII byte is a separator except letters, digits and (between word
** characters) the apostrophe: the table built from Unicode categories must
** say exactly that. */
TEST(ascii_classes)
{
    for (int c = 0; c < 128; c++) {
        char in[4] = { 'a', (char)c, 'b', 0 };
        int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                   || (c >= '0' && c <= '9') || c == '\'';
        seen s;

        CHECK_INT(tokenize(&s, "none", 0, in, 3), FSEARCH_OK);
        if (s.ntokens != (word ? 1 : 2))
            fprintf(stderr, "byte 0x%02x\n", (unsigned)c);
        CHECK_INT(s.ntokens, word ? 1 : 2);
    }
}

/* The ASCII fast path must fold exactly as utf8proc does: a trailing
** combining mark (stripped) sends the same word through the slow path. */
TEST(ascii_fast_path_matches_utf8proc)
{
    static const char alnum[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    for (const char *p = alnum; *p; p++) {
        char fast[8], slow[8];
        seen a, b;

        snprintf(fast, sizeof fast, "Q%c'x", *p);
        snprintf(slow, sizeof slow, "Q%c'x\xcc\x81", *p);
        CHECK_INT(tokenize(&a, "none", 0, fast, (int)strlen(fast)),
                  FSEARCH_OK);
        CHECK_INT(tokenize(&b, "none", 0, slow, (int)strlen(slow)),
                  FSEARCH_OK);
        CHECK_INT(a.ntokens, 1);
        CHECK_INT(b.ntokens, 1);
        /* the same 4-byte token, ranges 0-4 and 0-6 */
        CHECK(strncmp(a.text, b.text, 4) == 0);
        CHECK(a.text[0] == 'q' && a.text[2] == '\'' && a.text[3] == 'x');
        CHECK_INT(a.text[1], *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        CHECK_STR(a.text + 4, "@0-4");
        CHECK_STR(b.text + 4, "@0-6");
    }
}

/* Long tokens are cut at FS_TOKEN_MAX_BYTES, on a UTF-8 boundary. */
TEST(long_tokens_are_cut)
{
    char in[400], want[400];
    seen s;

    memset(in, 'A', 200);
    memset(want, 'a', FS_TOKEN_MAX_BYTES);
    snprintf(want + FS_TOKEN_MAX_BYTES, sizeof want - FS_TOKEN_MAX_BYTES,
             "@0-200");
    CHECK_INT(tokenize(&s, NULL, 0, in, 200), FSEARCH_OK);
    CHECK_STR(s.text, want);

    /* 50 runic letters of 3 bytes: 128 is mid-letter, so 126 bytes stay */
    for (int i = 0; i < 50; i++)
        memcpy(in + 3 * i, "\xe1\x9a\xa0", 3);
    CHECK_INT(tokenize(&s, "none", 0, in, 150), FSEARCH_OK);
    CHECK_INT(s.ntokens, 1);
    CHECK(memcmp(s.text, in, 126) == 0);
    CHECK_STR(s.text + 126, "@0-150");
}

/* A 1 MB word: one cut token covering all of it, then the next word at the
** right offset. Also for a non-ASCII word and for a letter with a million
** marks, whose folding would need O(word) memory if not bounded. */
TEST(megabyte_word)
{
    enum { MB = 1 << 20 };
    char *in = malloc(MB + 16);
    seen s;

    CHECK(in != NULL);
    if (!in)
        return;
    memset(in, 'x', MB);
    memcpy(in + MB, " normal", 7);
    CHECK_INT(tokenize(&s, NULL, 0, in, MB + 7), FSEARCH_OK);
    CHECK_INT(s.ntokens, 2);
    CHECK(strstr(s.text, "x@0-1048576 normal@1048577-1048583") != NULL);

    for (int i = 0; i < MB; i += 2)
        memcpy(in + i, "\xc3\xa9", 2);
    CHECK_INT(tokenize(&s, NULL, 0, in, MB + 7), FSEARCH_OK);
    CHECK_INT(s.ntokens, 2);
    CHECK(strncmp(s.text, "eeee", 4) == 0);
    CHECK(strstr(s.text, "e@0-1048576 normal@1048577-1048583") != NULL);

    in[0] = 'a';
    in[1] = 'b';
    for (int i = 2; i < MB; i += 2)
        memcpy(in + i, "\xcc\x81", 2);
    CHECK_INT(tokenize(&s, NULL, 0, in, MB + 7), FSEARCH_OK);
    CHECK_STR(s.text, "ab@0-1048576 normal@1048577-1048583");
    free(in);
}

/* A word written under hundreds of combining marks per letter ("Zalgo"
** text) is still the whole word: the marks are stripped and do not count
** towards the part of a long word that is folded. It used to come out as
** its first letter or two, or, with over 1 KB of marks before the first
** letter, as nothing. */
TEST(zalgo_word)
{
    static const char letters[] = "quokka";
    enum { MARKS = 300 };   /* 600 bytes of U+0301..U+036F per letter */
    char *in = malloc(sizeof letters * (1 + 2 * MARKS) + 64);
    seen s;

    CHECK(in != NULL);
    if (!in)
        return;
    for (int lead = 0; lead < 2; lead++) {
        size_t n = 0;
        if (lead)   /* 4 KB of marks before the first letter */
            for (int m = 0; m < 2048; m++, n += 2)
                memcpy(in + n, "\xcc\x81", 2);
        for (size_t l = 0; l + 1 < sizeof letters; l++) {
            in[n++] = letters[l];
            for (int m = 0; m < (lead ? 3 : MARKS); m++, n += 2) {
                in[n] = (char)0xcc;
                in[n + 1] = (char)(0x81 + m % 0x2e);
            }
        }
        memcpy(in + n, " zone", 5);
        n += 5;
        CHECK_INT(tokenize(&s, NULL, 0, in, (int)n), FSEARCH_OK);
        CHECK_INT(s.ntokens, 2);
        CHECK(strncmp(s.text, "quokka@0-", 9) == 0);
        CHECK(strstr(s.text, " zone@") != NULL);
    }
    free(in);
}

/* Each token of the text must be what Snowball makes of its word. */
typedef struct stem_check {
    struct sb_stemmer *ref;
    const char *text;
    int ntokens;
    int bad;
} stem_check;

static int check_stem(void *payload, const char *token, int ntoken,
                      int start, int end)
{
    stem_check *c = payload;
    const sb_symbol *r = sb_stemmer_stem(c->ref,
                                         (const sb_symbol *)c->text + start,
                                         end - start);

    c->ntokens++;
    if (!r || sb_stemmer_length(c->ref) != ntoken
        || memcmp(r, token, (size_t)ntoken) != 0) {
        if (c->bad++ < 5)
            fprintf(stderr, "%.*s -> %.*s\n", end - start, c->text + start,
                    ntoken, token);
    }
    return 0;
}

/* The stem cache must never change a result: more distinct words than it
** has slots, each seen several times, in two passes. */
TEST(stem_cache_is_transparent)
{
    static const char *const ends[] = {
        "", "s", "ed", "ing", "ation", "ness", "ly", "ful", "ize", "er",
        "ies", "y", "ous", "ments", "al",
    };
    enum { NWORDS = 30000 };
    char *text = malloc((size_t)NWORDS * 24);
    fs_tokenizer *t = NULL;
    stem_check c;
    size_t n = 0;

    CHECK(text != NULL);
    if (!text)
        return;
    for (unsigned i = 0; i < NWORDS; i++) {
        unsigned w = (i * 7919u) % 12000u;  /* each word about 2.5 times */

        n += (size_t)sprintf(text + n, "%c%c%co%s ", 'a' + w % 26,
                             'a' + w / 26 % 26, 'a' + w / 676,
                             ends[(w / 7 + (w & 1)) % 15]);
    }
    memset(&c, 0, sizeof c);
    c.ref = sb_stemmer_new("english", "UTF_8");
    c.text = text;
    CHECK(c.ref != NULL);
    CHECK_INT(fs_tokenizer_new(&t, "english"), FSEARCH_OK);
    for (int pass = 0; pass < 2 && c.ref && t; pass++)
        CHECK_INT(fs_tokenizer_run(t, 0, text, (int)n, check_stem, &c),
                  FSEARCH_OK);
    CHECK_INT(c.ntokens, 2 * NWORDS);
    CHECK_INT(c.bad, 0);
    fs_tokenizer_free(t);
    sb_stemmer_delete(c.ref);
    free(text);
}

TEST(callback_stops_the_run)
{
    static const char in[] = "one two three four";
    fs_tokenizer *t = NULL;
    seen s;

    memset(&s, 0, sizeof s);
    s.stop_after = 2;
    s.stop_rc = 42;
    CHECK_INT(fs_tokenizer_new(&t, "english"), FSEARCH_OK);
    CHECK_INT(fs_tokenizer_run(t, 0, in, (int)strlen(in), collect, &s), 42);
    CHECK_STR(s.text, "one@0-3 two@4-7");

    /* a negative value is returned too, and the tokenizer is reusable */
    memset(&s, 0, sizeof s);
    s.stop_after = 1;
    s.stop_rc = -7;
    CHECK_INT(fs_tokenizer_run(t, 0, in, (int)strlen(in), collect, &s), -7);
    CHECK_INT(s.ntokens, 1);
    memset(&s, 0, sizeof s);
    CHECK_INT(fs_tokenizer_run(t, 0, in, (int)strlen(in), collect, &s),
              FSEARCH_OK);
    CHECK_INT(s.ntokens, 4);
    fs_tokenizer_free(t);
}

TEST(languages)
{
    fs_tokenizer *t = (fs_tokenizer *)&t;   /* must be reset to NULL */

    CHECK(fs_tokenizer_language_ok("english"));
    CHECK(fs_tokenizer_language_ok("french"));
    CHECK(fs_tokenizer_language_ok("porter"));
    CHECK(fs_tokenizer_language_ok("none"));
    CHECK(!fs_tokenizer_language_ok("klingon"));
    CHECK(!fs_tokenizer_language_ok("English"));
    CHECK(!fs_tokenizer_language_ok(""));
    CHECK(!fs_tokenizer_language_ok(NULL));

    CHECK_INT(fs_tokenizer_new(&t, "klingon"), FSEARCH_EINVAL);
    CHECK(t == NULL);
    CHECK_INT(fs_tokenizer_new(&t, NULL), FSEARCH_OK);
    CHECK(t != NULL);
    fs_tokenizer_free(t);
    fs_tokenizer_free(NULL);
}

/* ====================================================================== */
/* Allocation failures                                                     */

static sqlite3_mem_methods real_mem;
static int fail_countdown;      /* fail the allocation that brings it to 0 */

static void *failing_malloc(int n)
{
    if (fail_countdown > 0 && --fail_countdown == 0)
        return NULL;
    return real_mem.xMalloc(n);
}

static void *failing_realloc(void *p, int n)
{
    if (fail_countdown > 0 && --fail_countdown == 0)
        return NULL;
    return real_mem.xRealloc(p, n);
}

static void install_failing_malloc(void)
{
    sqlite3_mem_methods m;

    sqlite3_shutdown();
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
    m = real_mem;
    m.xMalloc = failing_malloc;
    m.xRealloc = failing_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
    sqlite3_initialize();
}

static void remove_failing_malloc(void)
{
    sqlite3_shutdown();
    sqlite3_config(SQLITE_CONFIG_MALLOC, &real_mem);
    sqlite3_initialize();
}

/* Fail allocation N = 1, 2, ...: creating and running either succeed with
** the right tokens or fail with FSEARCH_ENOMEM (leaks show under ASan). */
TEST(allocation_failures)
{
    /* a word that needs the fold buffer to grow: 600 ligatures -> 1800 */
    static char in[2000];
    int n = 0, ok = 0, nomem = 0;

    for (int i = 0; i < 600; i++)
        memcpy(in + 3 * i, "\xef\xac\x83", 3);
    n = 1800;
    install_failing_malloc();
    for (int fail = 1; fail < 20 && !ok; fail++) {
        fs_tokenizer *t = NULL;
        seen s;
        int rc;

        memset(&s, 0, sizeof s);
        fail_countdown = fail;
        rc = fs_tokenizer_new(&t, "english");
        if (rc == FSEARCH_OK) {
            rc = fs_tokenizer_run(t, 0, in, n, collect, &s);
            fs_tokenizer_free(t);
        } else {
            CHECK(t == NULL);
        }
        if (rc == FSEARCH_OK) {
            ok = 1;
            CHECK_INT(s.ntokens, 1);
            CHECK(strncmp(s.text, "ffiffiffi", 9) == 0);
        } else {
            CHECK_INT(rc, FSEARCH_ENOMEM);
            CHECK_INT(s.ntokens, 0);
            nomem++;
        }
    }
    fail_countdown = 0;
    remove_failing_malloc();
    CHECK(ok);
    CHECK_INT(nomem, 4); /* tokenizer, fold buffer, stem cache, growth */
}

RUN_TESTS("tokenizer",
          T(case_and_accents),
          T(nfkc),
          T(apostrophes),
          T(separators),
          T(no_space_scripts),
          T(invalid_utf8),
          T(stemming),
          T(ascii_classes),
          T(ascii_fast_path_matches_utf8proc),
          T(long_tokens_are_cut),
          T(megabyte_word),
          T(zalgo_word),
          T(stem_cache_is_transparent),
          T(callback_stops_the_run),
          T(languages),
          T(allocation_failures))
