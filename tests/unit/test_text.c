/*
** test_text.c - unit tests for text sniffing and UTF-8 repair (src/text.c).
**
** Sniffing verdicts on typical heads, strict UTF-8 validation checked case
** by case and against a slow reference decoder, and exact bytes out of the
** Windows-1252 and UTF-16 converters.
*/
#include "../test.h"
#include "text.h"
#include "fsearch.h"
#include "alloc.h"

#define S(lit) lit, sizeof(lit) - 1

/* ---- sniffing -------------------------------------------------------- */

TEST(sniff)
{
    static const struct {
        const char *head;
        size_t n;
        int want;
    } cases[] = {
        { S(""), FS_TEXT_UTF8 },
        { S("hello world\n"), FS_TEXT_UTF8 },
        { S("caf\xE9 cr\xE8me br\xFBl\xE9" "e\r\n"), FS_TEXT_UTF8 },
        { S("\x93smart quotes\x94 \x97 cp1252"), FS_TEXT_UTF8 },
        { S("broken \xC3 utf-8 \xFF"), FS_TEXT_UTF8 },
        { S("\xEF\xBB\xBFwith a UTF-8 BOM"), FS_TEXT_UTF8 },
        { S("\x1b[1mbold\x1b[0m\t\f\v\n"), FS_TEXT_UTF8 },
        { S("\xFF"), FS_TEXT_UTF8 },
        { S("ab\0cd"), FS_TEXT_BINARY },
        { S("\0"), FS_TEXT_BINARY },
        { S("\x7F" "ELF\x02\x01\x01"), FS_TEXT_BINARY },
        { S("\xFF\xFEh\0i\0"), FS_TEXT_UTF16LE },
        { S("\xFE\xFF\0h\0i"), FS_TEXT_UTF16BE },
        { S("\xFF\xFE"), FS_TEXT_UTF16LE },
        { S("\xFF\xFE\0\0h\0\0\0"), FS_TEXT_BINARY },  /* UTF-32LE */
        { S("\0\0\xFE\xFF"), FS_TEXT_BINARY },          /* UTF-32BE */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = fs_text_sniff(cases[i].head, cases[i].n);
        if (got != cases[i].want)
            fprintf(stderr, "case %zu\n", i);
        CHECK_INT(got, cases[i].want);
    }
}

TEST(sniff_control_ratio)
{
    /* 100 bytes: 10 stray controls (10%) is text, 11 is binary. */
    char head[100];
    memset(head, 'a', sizeof head);
    for (int i = 0; i < 10; i++)
        head[i * 9] = '\x01';
    CHECK_INT(fs_text_sniff(head, sizeof head), FS_TEXT_UTF8);
    head[99] = '\x7F';
    CHECK_INT(fs_text_sniff(head, sizeof head), FS_TEXT_BINARY);
    head[99] = '\x1b';                 /* escape is allowed */
    CHECK_INT(fs_text_sniff(head, sizeof head), FS_TEXT_UTF8);
    head[99] = '\x02';
    CHECK_INT(fs_text_sniff(head, sizeof head), FS_TEXT_BINARY);

    /* Allowed controls never count. */
    memset(head, '\n', sizeof head);
    CHECK_INT(fs_text_sniff(head, sizeof head), FS_TEXT_UTF8);
}

/* ---- strict validation ----------------------------------------------- */

TEST(clean_utf8_cases)
{
    static const struct {
        const char *s;
        size_t n;
        int want;
    } cases[] = {
        { S(""), 1 },
        { S("hello"), 1 },
        { S("caf\xC3\xA9"), 1 },
        { S("\xC2\x80"), 1 },                       /* U+0080 */
        { S("\xDF\xBF"), 1 },                       /* U+07FF */
        { S("\xE0\xA0\x80"), 1 },                   /* U+0800 */
        { S("\xED\x9F\xBF"), 1 },                   /* U+D7FF */
        { S("\xEE\x80\x80"), 1 },                   /* U+E000 */
        { S("\xEF\xBF\xBF"), 1 },                   /* U+FFFF */
        { S("\xF0\x90\x80\x80"), 1 },               /* U+10000 */
        { S("\xF4\x8F\xBF\xBF"), 1 },               /* U+10FFFF */
        { S("\xC0\xAF"), 0 },                       /* overlong '/' */
        { S("\xC1\xBF"), 0 },                       /* overlong */
        { S("\xE0\x9F\xBF"), 0 },                   /* overlong */
        { S("\xF0\x8F\xBF\xBF"), 0 },               /* overlong */
        { S("\xED\xA0\x80"), 0 },                   /* U+D800 */
        { S("\xED\xBF\xBF"), 0 },                   /* U+DFFF */
        { S("\xF4\x90\x80\x80"), 0 },               /* U+110000 */
        { S("\xF5\x80\x80\x80"), 0 },
        { S("\xFF"), 0 },
        { S("\x80"), 0 },                           /* lone continuation */
        { S("\xE2\x82"), 0 },                       /* truncated */
        { S("abcdefgh\xE2\x82"), 0 },               /* truncated after run */
        { S("abcdefgh\xF0\x9D\x84"), 0 },
        { S("\xC3"), 0 },
        { S("\xC3("), 0 },                          /* bad continuation */
        { S("\xE2\x28\xA1"), 0 },
        { S("\0"), 0 },
        { S("abcdefghijklmno\0"), 0 },              /* NUL in the 8-byte path */
        { S("abc\0efghijklmnop"), 0 },
        { S("abcdefg\xC3\xA9ijklmnopq"), 1 },       /* é across a lane */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = fs_text_is_clean_utf8(cases[i].s, cases[i].n);
        if (got != cases[i].want)
            fprintf(stderr, "case %zu\n", i);
        CHECK_INT(got, cases[i].want);
    }
}

/*
** A slow decoder written the obvious way (no range tables): decode each
** sequence to its code point, then reject NUL, overlongs, surrogates and
** values past U+10FFFF.
*/
static int ref_clean(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i], len, cp;
        if (c < 0x80) {
            len = 1;
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        static const unsigned min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp == 0 || cp < min_cp[len] || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

TEST(clean_utf8_matches_reference)
{
    /* Every 1- and 2-byte string, and 1-4 bytes from the edge values. */
    static const unsigned char edge[] = {
        0x00, 0x01, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
        0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
        0xF3, 0xF4, 0xF5, 0xFF,
    };
    const size_t ne = sizeof edge;
    unsigned char s[16];
    long mismatches = 0, valid = 0;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        mismatches += fs_text_is_clean_utf8((char *)s, 1) != ref_clean(s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            mismatches +=
                fs_text_is_clean_utf8((char *)s, 2) != ref_clean(s, 2);
        }
    }
    for (size_t a = 0; a < ne; a++)
        for (size_t b = 0; b < ne; b++)
            for (size_t c = 0; c < ne; c++)
                for (size_t d = 0; d < ne; d++) {
                    s[0] = edge[a];
                    s[1] = edge[b];
                    s[2] = edge[c];
                    s[3] = edge[d];
                    /* Also behind 8 ASCII bytes, past the fast path. */
                    memcpy(s + 4, "abcdefgh", 8);
                    memcpy(s + 12, s, 4);
                    int r3 = ref_clean(s, 3), r4 = ref_clean(s, 4);
                    valid += r4;
                    mismatches +=
                        fs_text_is_clean_utf8((char *)s, 3) != r3;
                    mismatches +=
                        fs_text_is_clean_utf8((char *)s, 4) != r4;
                    mismatches += fs_text_is_clean_utf8((char *)s + 4, 12) !=
                                  ref_clean(s + 4, 12);
                }
    CHECK_INT(mismatches, 0);
    CHECK(valid > 1000);                /* the reference is not all-reject */
}

/* ---- conversion ------------------------------------------------------ */

static void check_to_utf8(const char *in, size_t n, const char *want,
                          size_t want_n)
{
    int rc = FSEARCH_OK;
    fs_buf out = FS_BUF_INIT;
    fs_text_to_utf8(&rc, &out, in, n);
    CHECK_INT(rc, FSEARCH_OK);
    CHECK_INT(out.n, want_n);
    CHECK(out.n == want_n && (!want_n || memcmp(out.p, want, want_n) == 0));
    CHECK(fs_text_is_clean_utf8(out.p, out.n));
    fs_buf_free(&out);
}

#define CHECK_TO_UTF8(in, want) check_to_utf8(S(in), S(want))

TEST(to_utf8_exact)
{
    CHECK_TO_UTF8("", "");
    CHECK_TO_UTF8("caf\xE9", "caf\xC3\xA9");
    CHECK_TO_UTF8("caf\xC3\xA9", "caf\xC3\xA9");          /* already valid */
    CHECK_TO_UTF8("a\0b\0", "a b ");
    CHECK_TO_UTF8("\x80", "\xE2\x82\xAC");                 /* euro */
    CHECK_TO_UTF8("\x81\x8D\x8F\x90\x9D",                  /* cp1252 holes */
                  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                  "\xEF\xBF\xBD");
    CHECK_TO_UTF8("\x93quoted\x94", "\xE2\x80\x9Cquoted\xE2\x80\x9D");
    CHECK_TO_UTF8("\x9F\xA0\xFF", "\xC5\xB8\xC2\xA0\xC3\xBF");
    CHECK_TO_UTF8("\xC0\xAF", "\xC3\x80\xC2\xAF");         /* overlong */
    CHECK_TO_UTF8("\xED\xA0\x80", "\xC3\xAD\xC2\xA0\xE2\x82\xAC");
    CHECK_TO_UTF8("ab\xE2\x82", "ab\xC3\xA2\xE2\x80\x9A"); /* truncated */
    CHECK_TO_UTF8("na\xC3\xAFve \xE2\x82\xAC \xF0\x9D\x84\x9E.",
                  "na\xC3\xAFve \xE2\x82\xAC \xF0\x9D\x84\x9E.");
    CHECK_TO_UTF8("0123456789abcdef\xE9\xE9 0123456789",
                  "0123456789abcdef\xC3\xA9\xC3\xA9 0123456789");
}

TEST(to_utf8_appends_and_keeps_errors)
{
    int rc = FSEARCH_OK;
    fs_buf out = FS_BUF_INIT;
    fs_buf_puts(&rc, &out, "X");
    fs_text_to_utf8(&rc, &out, "caf\xE9", 4);
    CHECK_INT(rc, FSEARCH_OK);
    CHECK_STR(out.p, "Xcaf\xC3\xA9");

    /* Once *rc is set nothing more is appended. */
    rc = FSEARCH_ENOMEM;
    fs_text_to_utf8(&rc, &out, "more\xE9", 5);
    CHECK_INT(rc, FSEARCH_ENOMEM);
    CHECK_INT(out.n, 6);
    fs_buf_free(&out);
}

TEST(to_utf8_random_bytes_become_clean)
{
    /* Random bytes come out clean; clean text comes out unchanged. */
    char in[3000];
    unsigned long r = 99;
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            r = r * 6364136223846793005UL + 1442695040888963407UL;
            unsigned char c = (unsigned char)(r >> 56);
            in[i] = (char)(round % 2 ? c : (c & 0x7F) | (c & 0x10) << 3);
        }
        int rc = FSEARCH_OK;
        fs_buf out = FS_BUF_INIT, again = FS_BUF_INIT;
        fs_text_to_utf8(&rc, &out, in, sizeof in);
        CHECK_INT(rc, FSEARCH_OK);
        CHECK(fs_text_is_clean_utf8(out.p, out.n));
        CHECK(out.n >= sizeof in);
        fs_text_to_utf8(&rc, &again, out.p, out.n);
        CHECK(again.n == out.n && memcmp(again.p, out.p, out.n) == 0);
        fs_buf_free(&out);
        fs_buf_free(&again);
    }
}

static void check_utf16(const char *in, size_t n, int be, const char *want,
                        size_t want_n)
{
    int rc = FSEARCH_OK;
    fs_buf out = FS_BUF_INIT;
    fs_text_utf16_to_utf8(&rc, &out, in, n, be);
    CHECK_INT(rc, FSEARCH_OK);
    CHECK_INT(out.n, want_n);
    CHECK(out.n == want_n && (!want_n || memcmp(out.p, want, want_n) == 0));
    CHECK(fs_text_is_clean_utf8(out.p, out.n));
    fs_buf_free(&out);
}

#define CHECK_LE(in, want) check_utf16(S(in), 0, S(want))
#define CHECK_BE(in, want) check_utf16(S(in), 1, S(want))

TEST(utf16)
{
    CHECK_LE("", "");
    CHECK_LE("h\0i\0", "hi");
    CHECK_BE("\0h\0i", "hi");
    CHECK_LE("\xE9\0\xAC\x20", "\xC3\xA9\xE2\x82\xAC");   /* é € */
    CHECK_BE("\0\xE9\x20\xAC", "\xC3\xA9\xE2\x82\xAC");
    /* U+1D11E as the pair D834 DD1E. */
    CHECK_LE("a\0\x34\xD8\x1E\xDD" "b\0", "a\xF0\x9D\x84\x9E" "b");
    CHECK_BE("\0a\xD8\x34\xDD\x1E\0b", "a\xF0\x9D\x84\x9E" "b");
    CHECK_LE("\xFF\xDB\xFF\xDF", "\xF4\x8F\xBF\xBF");      /* U+10FFFF */
    /* Unpaired: high then a letter, high at the end, a lone low, low-high. */
    CHECK_LE("\x34\xD8" "a\0", "\xEF\xBF\xBD" "a");
    CHECK_LE("x\0\x34\xD8", "x\xEF\xBF\xBD");
    CHECK_BE("\xDD\x1E\0z", "\xEF\xBF\xBDz");
    CHECK_BE("\xDD\x1E\xD8\x34", "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_BE("\xD8\x34\xD8\x34\xDD\x1E", "\xEF\xBF\xBD\xF0\x9D\x84\x9E");
    CHECK_LE("a\0\0\0b\0", "a b");                          /* NUL */
    CHECK_LE("h\0i", "h");                                  /* odd byte */
}

TEST(utf16_long)
{
    /* Longer than the converter's staging chunk. */
    char in[2000];
    for (size_t i = 0; i < sizeof in; i += 2) {
        in[i] = '\x20';
        in[i + 1] = '\xAC';
    }
    int rc = FSEARCH_OK;
    fs_buf out = FS_BUF_INIT;
    fs_text_utf16_to_utf8(&rc, &out, in, sizeof in, 1);
    CHECK_INT(rc, FSEARCH_OK);
    CHECK_INT(out.n, 3000);
    int ok = out.n == 3000;
    for (size_t i = 0; ok && i < out.n; i += 3)
        ok = memcmp(out.p + i, "\xE2\x82\xAC", 3) == 0;
    CHECK(ok);
    fs_buf_free(&out);
}

RUN_TESTS("text",
          T(sniff),
          T(sniff_control_ratio),
          T(clean_utf8_cases),
          T(clean_utf8_matches_reference),
          T(to_utf8_exact),
          T(to_utf8_appends_and_keeps_errors),
          T(to_utf8_random_bytes_become_clean),
          T(utf16),
          T(utf16_long))
