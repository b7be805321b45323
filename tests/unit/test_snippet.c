/*
** test_snippet.c - tests of the snippet window (src/snippet.c): which part
** of a passage is shown, where it starts and ends, how blanks are folded,
** and that the matched words land on the same words in the snippet.
*/
#include <string.h>

#include "alloc.h"
#include "snippet.h"
#include "../test.h"

/* The ranges of every occurrence of each word of `words` (space-separated)
** in text, sorted by start, as the matcher would give them. */
static size_t find_words(const char *text, const char *words,
                         fsearch_range *m, size_t cap)
{
    size_t n = 0, tn = strlen(text);
    for (size_t i = 0; i < tn && n < cap; i++) {
        const char *w = words;
        while (*w) {
            size_t wl = strcspn(w, " ");
            int at_start = i == 0 || text[i - 1] == ' ' ||
                           text[i - 1] == '\n' || text[i - 1] == '\t';
            if (at_start && i + wl <= tn && strncmp(text + i, w, wl) == 0 &&
                (i + wl == tn || text[i + wl] == ' ' || text[i + wl] == '.' ||
                 text[i + wl] == ',' || text[i + wl] == '\n')) {
                m[n].start = i;
                m[n].end = i + wl;
                n++;
                break;
            }
            w += wl;
            while (*w == ' ')
                w++;
        }
    }
    return n;
}

static char *snippet_str(const fs_snippet *s)
{
    return fs_strndup(s->text.p ? s->text.p : "", s->text.n);
}

/* Each snippet match covers the same word as the text match. */
static void check_matches_map(const fs_snippet *s, const char *word_list)
{
    for (size_t i = 0; i < s->nmatches; i++) {
        const fsearch_range *r = &s->matches[i];
        CHECK(r->end > r->start && r->end <= s->text.n);
        char buf[64];
        size_t n = r->end - r->start;
        CHECK(n < sizeof buf);
        if (n >= sizeof buf)
            continue;
        memcpy(buf, s->text.p + r->start, n);
        buf[n] = '\0';
        CHECK(strstr(word_list, buf) != NULL);
    }
}

TEST(short_text_whole)
{
    const char *t = "The   Safety\n\tZone was set up.";
    fsearch_range m[4];
    size_t nm = find_words(t, "Safety Zone", m, 4);
    CHECK_INT(nm, 2);
    fs_snippet s;
    memset(&s, 0, sizeof s);
    CHECK_INT(fs_snippet_make(&s, t, strlen(t), m, nm, 200), FSEARCH_OK);
    char *got = snippet_str(&s);
    CHECK_STR(got, "The Safety Zone was set up.");
    CHECK_INT(s.cut_before, 0);
    CHECK_INT(s.cut_after, 0);
    CHECK_INT(s.nmatches, 2);
    CHECK_INT(s.matches[0].start, 4);
    CHECK_INT(s.matches[0].end, 10);
    CHECK_INT(s.matches[1].start, 11);
    CHECK_INT(s.matches[1].end, 15);
    fs_free(got);
    fs_snippet_free(&s);
}

TEST(window_starts_at_sentence)
{
    /* A long passage: the words sit in its third sentence. */
    const char *t =
        "Alpha bravo charlie delta echo foxtrot golf hotel india juliet. "
        "Kilo lima mike november oscar papa quebec romeo sierra tango. "
        "The quokka met a wombat near the river bank at dawn today. "
        "Uniform victor whiskey xray yankee zulu alpha bravo charlie. "
        "Delta echo foxtrot golf hotel india juliet kilo lima mike.";
    fsearch_range m[8];
    size_t nm = find_words(t, "quokka wombat", m, 8);
    CHECK_INT(nm, 2);
    fs_snippet s;
    memset(&s, 0, sizeof s);
    CHECK_INT(fs_snippet_make(&s, t, strlen(t), m, nm, 80), FSEARCH_OK);
    char *got = snippet_str(&s);
    CHECK(strncmp(got, "The quokka met a wombat", 23) == 0);
    CHECK(s.text.n <= 80);
    CHECK_INT(s.cut_before, 1);
    CHECK_INT(s.cut_after, 1);
    CHECK_INT(s.nmatches, 2);
    check_matches_map(&s, "quokka wombat");
    /* It ends at a word end, not inside one. */
    CHECK(got[s.text.n - 1] != ' ');
    const char *tail = strstr(t, got + s.text.n - 5);
    CHECK(tail != NULL);
    fs_free(got);
    fs_snippet_free(&s);
}

TEST(most_distinct_words_win)
{
    /* "zone" alone early; "safety zone" together late: the window with
    ** both words is chosen though it comes second. */
    const char *t =
        "zone zone zone at first, then many words follow here to fill "
        "the space between them so that no window holds both parts at "
        "once, and more words still, until at last the safety zone.";
    fsearch_range m[8];
    size_t nm = find_words(t, "safety zone", m, 8);
    CHECK_INT(nm, 5);
    fs_snippet s;
    memset(&s, 0, sizeof s);
    CHECK_INT(fs_snippet_make(&s, t, strlen(t), m, nm, 60), FSEARCH_OK);
    char *got = snippet_str(&s);
    CHECK(strstr(got, "safety zone") != NULL);
    CHECK_INT(s.cut_after, 0);
    CHECK_INT(s.cut_before, 1);
    check_matches_map(&s, "safety zone");
    fs_free(got);
    fs_snippet_free(&s);
}

TEST(no_matches_and_empty)
{
    fs_snippet s;
    memset(&s, 0, sizeof s);
    CHECK_INT(fs_snippet_make(&s, "", 0, NULL, 0, 200), FSEARCH_OK);
    CHECK_INT(s.text.n, 0);
    CHECK_INT(s.nmatches, 0);
    const char *t = "Nothing matched in this short line.";
    CHECK_INT(fs_snippet_make(&s, t, strlen(t), NULL, 0, 200), FSEARCH_OK);
    char *got = snippet_str(&s);
    CHECK_STR(got, t);
    fs_free(got);
    fs_snippet_free(&s);
}

TEST(utf8_never_cut)
{
    /* 300 two-byte characters with no blanks: any cut must fall between
    ** characters. */
    char t[700];
    size_t n = 0;
    for (int i = 0; i < 300; i++) {
        t[n++] = (char)0xC3;
        t[n++] = (char)0xA9;    /* é */
    }
    t[n] = '\0';
    fsearch_range m[1] = { { 300, 304 } };
    fs_snippet s;
    memset(&s, 0, sizeof s);
    CHECK_INT(fs_snippet_make(&s, t, n, m, 1, 51), FSEARCH_OK);
    CHECK(s.text.n > 0 && s.text.n <= 52);
    CHECK_INT(s.text.n % 2, 0);
    CHECK((unsigned char)s.text.p[0] == 0xC3);
    fs_snippet_free(&s);
}

TEST(reuse_keeps_no_stale_matches)
{
    const char *a = "one quokka here";
    const char *b = "nothing";
    fsearch_range m[1] = { { 4, 10 } };
    fs_snippet s;
    memset(&s, 0, sizeof s);
    CHECK_INT(fs_snippet_make(&s, a, strlen(a), m, 1, 200), FSEARCH_OK);
    CHECK_INT(s.nmatches, 1);
    CHECK_INT(fs_snippet_make(&s, b, strlen(b), NULL, 0, 200), FSEARCH_OK);
    CHECK_INT(s.nmatches, 0);
    char *got = snippet_str(&s);
    CHECK_STR(got, "nothing");
    fs_free(got);
    fs_snippet_free(&s);
    fs_snippet_free(&s);      /* twice is harmless */
}

RUN_TESTS("snippet", T(short_text_whole), T(window_starts_at_sentence),
          T(most_distinct_words_win), T(no_matches_and_empty),
          T(utf8_never_cut), T(reuse_keeps_no_stale_matches))
