/*
** test_passage.c - unit tests for the passage splitter (src/passage.c).
**
** Exact offsets and line numbers for small documents, the merge and cut
** rules on built texts, and the promise that streaming a document through
** windows of any size gives the passages that splitting it whole gives.
*/
#include "../test.h"
#include "passage.h"
#include "text.h"

#include <stdarg.h>

/* The hand-made documents below hold paragraphs of 310 bytes and more. */
#if FS_PASSAGE_MIN > 300 || FS_PASSAGE_MAX != 1200
#error "test_passage.c: revisit the cases for the new passage sizes"
#endif

typedef struct plist {
    fs_passage *v;          /* passages, offsets into the whole text */
    size_t n;               /* passages found */
    size_t consumed;        /* bytes the splitter said it was done with */
    int stuck;              /* set if a full window made no progress */
} plist;

static void plist_push(plist *pl, const fs_passage *p)
{
    if ((pl->n & (pl->n - 1)) == 0) {
        pl->v = realloc(pl->v, (pl->n ? pl->n * 2 : 1) * sizeof *pl->v);
        if (!pl->v)
            abort();
    }
    pl->v[pl->n++] = *p;
}

/*
** Split text[0..n) as a caller holding the whole document does: each call
** gets everything after what was consumed, with at_eof set.
*/
static plist split_whole(const char *text, size_t n)
{
    plist pl = { NULL, 0, 0, 0 };
    fs_splitter s;
    fs_splitter_init(&s);
    for (;;) {
        fs_passage p;
        size_t used = 0;
        int r = fs_splitter_next(&s, text + pl.consumed, n - pl.consumed, 1,
                                 &p, &used);
        if (r) {
            p.off += pl.consumed;
            plist_push(&pl, &p);
        }
        pl.consumed += used;
        if (!r)
            break;
    }
    return pl;
}

/*
** Split text[0..n) as a streaming caller does: a private window of `win`
** bytes (so ASan sees any read past it), refilled after every call.
*/
static plist split_stream(const char *text, size_t n, size_t win)
{
    plist pl = { NULL, 0, 0, 0 };
    fs_splitter s;
    char *w = malloc(win);
    if (!w)
        abort();
    fs_splitter_init(&s);
    for (;;) {
        size_t len = n - pl.consumed < win ? n - pl.consumed : win;
        int at_eof = pl.consumed + len == n;
        memcpy(w, text + pl.consumed, len);
        fs_passage p;
        size_t used = 0;
        int r = fs_splitter_next(&s, w, len, at_eof, &p, &used);
        if (r) {
            p.off += pl.consumed;
            plist_push(&pl, &p);
        }
        pl.consumed += used;
        if (!r && at_eof)
            break;
        if (!r && used == 0 && len >= FS_PASSAGE_LOOKAHEAD) {
            pl.stuck = 1;
            break;
        }
    }
    free(w);
    return pl;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Line of text[off], counting on from *line at text[*pos]; off >= *pos. */
static unsigned long line_at(const char *text, size_t off, size_t *pos,
                             unsigned long *line)
{
    for (; *pos < off; (*pos)++)
        *line += text[*pos] == '\n';
    return *line;
}

/*
** Check what must hold for any split: passages in order, never empty,
** never over MAX, no blank at either end, only blanks between them, and
** line numbers that agree with a count made here from scratch.
*/
static void check_invariants(const char *text, size_t n, const plist *pl)
{
    size_t prev_end = 0, pos = 0;
    unsigned long line = 1;
    CHECK_INT(pl->consumed, n);
    for (size_t i = 0; i < pl->n; i++) {
        const fs_passage *p = &pl->v[i];
        CHECK(p->len >= 1);
        CHECK(p->len <= FS_PASSAGE_MAX);
        CHECK(p->off >= prev_end);
        CHECK(p->off + p->len <= n);
        if (p->len < 1 || p->off + p->len > n || p->off < prev_end)
            return;
        CHECK(!is_blank(text[p->off]));
        CHECK(!is_blank(text[p->off + p->len - 1]));
        for (size_t j = prev_end; j < p->off; j++) {
            if (!is_blank(text[j])) {
                CHECK(!"non-blank byte outside every passage");
                break;
            }
        }
        CHECK_INT(p->line, line_at(text, p->off, &pos, &line));
        CHECK_INT(p->end_line,
                  line_at(text, p->off + p->len - 1, &pos, &line));
        prev_end = p->off + p->len;
    }
    for (size_t j = prev_end; j < n; j++) {
        if (!is_blank(text[j])) {
            CHECK(!"non-blank byte after the last passage");
            break;
        }
    }
}

static int same_passages(const plist *a, const plist *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].off != b->v[i].off || a->v[i].len != b->v[i].len ||
            a->v[i].line != b->v[i].line ||
            a->v[i].end_line != b->v[i].end_line)
            return 0;
    }
    return 1;
}

/* Split whole, check the invariants, and compare with several windows. */
static plist split_checked(const char *text, size_t n)
{
    static const size_t extra[] = { 0, 1, 7, 333, FS_PASSAGE_LOOKAHEAD,
                                    2 * FS_PASSAGE_LOOKAHEAD + 5, 65536 };
    plist whole = split_whole(text, n);
    check_invariants(text, n, &whole);
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        plist st = split_stream(text, n, FS_PASSAGE_LOOKAHEAD + extra[i]);
        CHECK(!st.stuck);
        CHECK_INT(st.consumed, n);
        if (!same_passages(&whole, &st)) {
            fprintf(stderr, "window %zu: %zu passages, whole: %zu\n",
                    (size_t)FS_PASSAGE_LOOKAHEAD + extra[i], st.n, whole.n);
            CHECK(!"streaming differs from whole");
        }
        free(st.v);
    }
    return whole;
}

/* A growable string for building test documents. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sb_add(b, tmp, (size_t)k);
}

/* Append `len` bytes of "abcd abcd ..." (no stops), ending on a letter. */
static void sb_words(sbuf *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        sb_add(b, i % 5 == 4 && i + 1 < len ? " " : "x", 1);
}

static char *read_file(const char *path, size_t *n_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    sbuf b = { NULL, 0, 0 };
    char tmp[4096];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        sb_add(&b, tmp, got);
    fclose(f);
    *n_out = b.n;
    return b.p;
}

/* ---- exact small documents ------------------------------------------- */

TEST(single_paragraph)
{
    const char *t = "Hello world.\n";
    plist pl = split_checked(t, strlen(t));
    CHECK_INT(pl.n, 1);
    if (pl.n == 1) {
        CHECK_INT(pl.v[0].off, 0);
        CHECK_INT(pl.v[0].len, 12);
        CHECK_INT(pl.v[0].line, 1);
        CHECK_INT(pl.v[0].end_line, 1);
    }
    free(pl.v);
}

TEST(empty_and_blank)
{
    static const char *const texts[] = {
        "", " ", "\n", "\r\n\r\n", " \t\f\v\r\n  \n\n\t",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        plist pl = split_checked(texts[i], strlen(texts[i]));
        CHECK_INT(pl.n, 0);
        CHECK_INT(pl.consumed, strlen(texts[i]));
        free(pl.v);
    }
}

TEST(leading_blank_lines_and_no_final_newline)
{
    const char *t = "\n\n  \t\n   Hello there";
    plist pl = split_checked(t, strlen(t));
    CHECK_INT(pl.n, 1);
    if (pl.n == 1) {
        CHECK_INT(pl.v[0].off, 9);
        CHECK_INT(pl.v[0].len, 11);
        CHECK_INT(pl.v[0].line, 4);
        CHECK_INT(pl.v[0].end_line, 4);
    }
    free(pl.v);
}

/* Two paragraphs each of at least MIN bytes stay apart, byte-exact. */
TEST(paragraphs_with_blank_lines)
{
    sbuf b = { NULL, 0, 0 };
    sb_puts(&b, "\n");
    sb_words(&b, 200);                 /* line 2: bytes 1..200 */
    sb_puts(&b, "\n");
    sb_words(&b, 150);                 /* line 3: bytes 202..351 */
    sb_puts(&b, "  \n \t \n\n");       /* ends line 3; 4, 5 blank */
    sb_words(&b, 400);                 /* line 6: bytes 360..759 */
    sb_puts(&b, "\n");
    plist pl = split_checked(b.p, b.n);
    CHECK_INT(pl.n, 2);
    if (pl.n == 2) {
        CHECK_INT(pl.v[0].off, 1);
        CHECK_INT(pl.v[0].len, 351);
        CHECK_INT(pl.v[0].line, 2);
        CHECK_INT(pl.v[0].end_line, 3);
        CHECK_INT(pl.v[1].off, 360);
        CHECK_INT(pl.v[1].len, 400);
        CHECK_INT(pl.v[1].line, 6);
        CHECK_INT(pl.v[1].end_line, 6);
    }
    free(pl.v);
    free(b.p);
}

TEST(crlf)
{
    sbuf b = { NULL, 0, 0 };
    sb_words(&b, 320);                 /* line 1: bytes 0..319 */
    sb_puts(&b, "\r\n");
    sb_words(&b, 10);                  /* line 2: bytes 322..331 */
    sb_puts(&b, "\r\n\r\n");           /* line 3 blank */
    sb_words(&b, 310);                 /* line 4: bytes 336..645 */
    sb_puts(&b, "\r\n");
    plist pl = split_checked(b.p, b.n);
    CHECK_INT(pl.n, 2);
    if (pl.n == 2) {
        CHECK_INT(pl.v[0].off, 0);
        CHECK_INT(pl.v[0].len, 332);
        CHECK_INT(pl.v[0].line, 1);
        CHECK_INT(pl.v[0].end_line, 2);
        CHECK_INT(pl.v[1].off, 336);
        CHECK_INT(pl.v[1].len, 310);
        CHECK_INT(pl.v[1].line, 4);
        CHECK_INT(pl.v[1].end_line, 4);
    }
    free(pl.v);
    free(b.p);

    /* A line of only "\r" is blank: it separates paragraphs. */
    const char *t = "one\r\n\r\ntwo";
    pl = split_checked(t, strlen(t));
    CHECK_INT(pl.n, 1);                /* merged: both are tiny */
    if (pl.n == 1) {
        CHECK_INT(pl.v[0].len, 10);
        CHECK_INT(pl.v[0].end_line, 3);
    }
    free(pl.v);
}

/* ---- merging --------------------------------------------------------- */

TEST(merge_tiny_paragraphs)
{
    const char *t = "Runtime: 132 min\n\nLanguage:\n\n85\n\n\n";
    plist pl = split_checked(t, strlen(t));
    CHECK_INT(pl.n, 1);
    if (pl.n == 1) {
        CHECK_INT(pl.v[0].off, 0);
        CHECK_INT(pl.v[0].len, 31);
        CHECK_INT(pl.v[0].line, 1);
        CHECK_INT(pl.v[0].end_line, 5);
    }
    free(pl.v);

    /*
    ** 9-byte paragraphs 2 bytes apart: a passage of k of them is 11k - 2
    ** bytes, so merging stops at the first k with 11k - 2 >= MIN.
    */
    const size_t k = (FS_PASSAGE_MIN + 2 + 10) / 11, total = 100;
    const size_t npass = (total + k - 1) / k;
    sbuf b = { NULL, 0, 0 };
    for (size_t i = 0; i < total; i++)
        sb_puts(&b, "word word\n\n");
    pl = split_checked(b.p, b.n);
    CHECK(11 * k - 2 >= FS_PASSAGE_MIN && 11 * (k - 1) - 2 < FS_PASSAGE_MIN);
    CHECK_INT(pl.n, npass);
    for (size_t i = 0; i < pl.n && pl.n == npass; i++) {
        size_t paras = i + 1 < npass ? k : total - (npass - 1) * k;
        CHECK_INT(pl.v[i].off, i * k * 11);
        CHECK_INT(pl.v[i].len, paras * 11 - 2);
        CHECK_INT(pl.v[i].line, 2 * i * k + 1);
        CHECK_INT(pl.v[i].end_line, 2 * (i * k + paras) - 1);
    }
    free(pl.v);
    free(b.p);
}

TEST(merge_stops_at_max)
{
    /* 10 + 2 + 1188 = 1200 = MAX: merged. */
    sbuf b = { NULL, 0, 0 };
    sb_words(&b, 10);
    sb_puts(&b, "\n\n");
    sb_words(&b, FS_PASSAGE_MAX - 12);
    plist pl = split_checked(b.p, b.n);
    CHECK_INT(pl.n, 1);
    if (pl.n == 1)
        CHECK_INT(pl.v[0].len, FS_PASSAGE_MAX);
    free(pl.v);
    free(b.p);

    /* One byte more and the short paragraph stands alone. */
    memset(&b, 0, sizeof b);
    sb_words(&b, 10);
    sb_puts(&b, "\n\n");
    sb_words(&b, FS_PASSAGE_MAX - 11);
    pl = split_checked(b.p, b.n);
    CHECK_INT(pl.n, 2);
    if (pl.n == 2) {
        CHECK_INT(pl.v[0].len, 10);
        CHECK_INT(pl.v[1].off, 12);
        CHECK_INT(pl.v[1].len, FS_PASSAGE_MAX - 11);
        CHECK_INT(pl.v[1].line, 3);
    }
    free(pl.v);
    free(b.p);

    /* A long paragraph is never merged into a short one before it. */
    memset(&b, 0, sizeof b);
    sb_puts(&b, "Title\n\n");
    sb_words(&b, 3000);
    pl = split_checked(b.p, b.n);
    CHECK(pl.n >= 3);
    if (pl.n >= 1)
        CHECK_INT(pl.v[0].len, 5);
    free(pl.v);
    free(b.p);
}

/* ---- cutting long paragraphs ----------------------------------------- */

TEST(long_paragraph_cut_at_sentences)
{
    sbuf b = { NULL, 0, 0 };
    for (int i = 0; b.n < 6000; i++)
        sb_printf(&b, "Sentence number %d is here, and it ends now. ", i);
    plist pl = split_checked(b.p, b.n);
    CHECK(pl.n >= 5);
    for (size_t i = 0; i < pl.n; i++) {
        const fs_passage *p = &pl.v[i];
        CHECK(b.p[p->off + p->len - 1] == '.');
        CHECK(p->len <= FS_PASSAGE_MAX);
        if (i + 1 < pl.n)
            CHECK(p->len >= FS_PASSAGE_MIN);
        CHECK(memcmp(b.p + p->off, "Sentence", 8) == 0);
        CHECK_INT(p->line, 1);
    }
    free(pl.v);
    free(b.p);
}

TEST(sentence_end_variants)
{
    /*
    ** One real sentence end past MIN and traps after it: an abbreviation,
    ** an initial, a dot inside a number. The cut must be the real end.
    */
    sbuf b = { NULL, 0, 0 };
    sb_words(&b, FS_PASSAGE_MIN + 99);
    sb_puts(&b, " it said \"stop.\" ");   /* ends at the closing quote */
    size_t want = b.n - 1;
    sb_words(&b, 300);
    sb_puts(&b, " Mr. Smith met J. Doe at 3.5 pm e.g. here ");
    sb_words(&b, 2000);
    plist pl = split_checked(b.p, b.n);
    CHECK(pl.n >= 2);
    if (pl.n >= 2) {
        CHECK_INT(pl.v[0].len, want);
        CHECK_INT(pl.v[1].off, want + 1);
    }
    free(pl.v);
    free(b.p);

    /* ! and ? count; a closing bracket after the stop is kept. */
    const char *ends[] = { "Really?", "Stop!", "(as he said.)", "done.'" };
    for (size_t i = 0; i < 4; i++) {
        memset(&b, 0, sizeof b);
        sb_words(&b, 500);
        sb_puts(&b, " ");
        sb_puts(&b, ends[i]);
        want = b.n;
        sb_puts(&b, "\t");
        sb_words(&b, 2000);
        pl = split_checked(b.p, b.n);
        CHECK(pl.n >= 2);
        if (pl.n >= 1)
            CHECK_INT(pl.v[0].len, want);
        free(pl.v);
        free(b.p);
    }
}

TEST(cjk_cut_at_full_stops)
{
    /* No spaces at all: 。 (3 bytes) ends every 8-character sentence. */
    sbuf b = { NULL, 0, 0 };
    while (b.n < 5000)
        sb_puts(&b, "漢字漢字漢字漢字。");
    plist pl = split_checked(b.p, b.n);
    CHECK(pl.n >= 5);
    /* A sentence is 27 bytes; 44 of them (1188 bytes) fit in MAX. */
    if (pl.n >= 1)
        CHECK_INT(pl.v[0].len, 44 * 27);
    for (size_t i = 0; i < pl.n; i++) {
        const fs_passage *p = &pl.v[i];
        CHECK(p->len >= 3 &&
              memcmp(b.p + p->off + p->len - 3, "。", 3) == 0);
        CHECK(fs_text_is_clean_utf8(b.p + p->off, p->len));
    }
    free(pl.v);
    free(b.p);
}

TEST(long_line_cut_at_whitespace)
{
    /* "xxxx " repeated: words end at 5k + 4, the last <= MAX is 1199. */
    sbuf b = { NULL, 0, 0 };
    sb_words(&b, 6100);
    plist pl = split_checked(b.p, b.n);
    CHECK_INT(pl.n, 6);
    for (size_t i = 0; i < pl.n; i++) {
        CHECK_INT(pl.v[i].off, i * 1200);
        CHECK_INT(pl.v[i].len, i + 1 < pl.n ? 1199 : 100);
    }
    free(pl.v);
    free(b.p);
}

TEST(long_paragraph_cut_at_line_ends)
{
    /*
    ** 70-byte lines without stops: line ends at 70k - 1, the last <= MAX
    ** is 1189, which must win over the later word end at 1199.
    */
    sbuf b = { NULL, 0, 0 };
    for (int i = 0; i < 60; i++) {
        sb_words(&b, 69);
        sb_puts(&b, "\n");
    }
    plist pl = split_checked(b.p, b.n);
    CHECK(pl.n >= 3);
    if (pl.n >= 2) {
        CHECK_INT(pl.v[0].len, 17 * 70 - 1);
        CHECK_INT(pl.v[0].end_line, 17);
        CHECK_INT(pl.v[1].off, 17 * 70);
        CHECK_INT(pl.v[1].line, 18);
    }
    free(pl.v);
    free(b.p);
}

TEST(huge_word_cut_at_utf8_boundaries)
{
    /*
    ** 100 KB of "𝄞€" (4 + 3 bytes): byte 1200 is inside a 𝄞, so the cut
    ** moves back to 1197 = 171 * 7, and so on for every piece.
    */
    sbuf b = { NULL, 0, 0 };
    while (b.n < 100 * 1024)
        sb_puts(&b, "\xF0\x9D\x84\x9E\xE2\x82\xAC");
    plist pl = split_checked(b.p, b.n);
    CHECK(pl.n > 80);
    for (size_t i = 0; i < pl.n; i++) {
        const fs_passage *p = &pl.v[i];
        if (i + 1 < pl.n)
            CHECK_INT(p->len, 1197);
        CHECK_INT(p->off, i * 1197);
        CHECK(fs_text_is_clean_utf8(b.p + p->off, p->len));
    }
    free(pl.v);
    free(b.p);

    /* ASCII word: plain cuts at MAX. */
    memset(&b, 0, sizeof b);
    for (int i = 0; i < 3000; i++)
        sb_puts(&b, "y");
    pl = split_checked(b.p, b.n);
    CHECK_INT(pl.n, 3);
    if (pl.n == 3) {
        CHECK_INT(pl.v[0].len, FS_PASSAGE_MAX);
        CHECK_INT(pl.v[1].off, FS_PASSAGE_MAX);
        CHECK_INT(pl.v[2].len, 3000 - 2 * FS_PASSAGE_MAX);
    }
    free(pl.v);
    free(b.p);
}

/* ---- streaming ------------------------------------------------------- */

TEST(huge_blank_runs)
{
    /* 1 MB of blanks and newlines, with words between the big runs. */
    sbuf b = { NULL, 0, 0 };
    for (int i = 0; i < 1024 * 1024; i++)
        sb_puts(&b, i % 1000 == 999 ? "\n" : " ");
    sb_puts(&b, "hello");
    for (int i = 0; i < 10000; i++)
        sb_puts(&b, " ");
    sb_puts(&b, "world\n");
    for (int i = 0; i < 300000; i++)
        sb_puts(&b, "\r\n");
    plist pl = split_checked(b.p, b.n);
    CHECK_INT(pl.n, 2);
    if (pl.n == 2) {
        CHECK_INT(pl.v[0].off, 1024 * 1024);
        CHECK_INT(pl.v[0].len, 5);
        CHECK_INT(pl.v[0].line, 1024 * 1024 / 1000 + 1);
        CHECK_INT(pl.v[1].len, 5);
        CHECK_INT(pl.v[1].line, pl.v[0].line);
    }
    free(pl.v);
    free(b.p);
}

TEST(stream_equals_whole_on_corpus)
{
    static const char *const files[] = {
        "corpus/000_1bd99624393f02af.txt",
        "corpus/001_82aa8027c5d96db3.txt",
        "corpus/002_840e2ab5d48e820c.txt",
        "corpus/003_6813c49a55c0ba3d.txt",
    };
    sbuf all = { NULL, 0, 0 };
    size_t total = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n = 0;
        char *t = read_file(files[i], &n);
        CHECK(t != NULL);
        if (!t)
            continue;
        plist pl = split_checked(t, n);
        CHECK(pl.n > 3);
        total += pl.n;
        sb_add(&all, t, n);
        free(pl.v);
        free(t);
    }
    CHECK(total > 20);

    /* All of them glued without blank lines, ten times: long runs. */
    sbuf ten = { NULL, 0, 0 };
    for (int k = 0; k < 10 && all.n; k++)
        sb_add(&ten, all.p, all.n);
    free(all.p);
    all = ten;
    if (all.n) {
        plist pl = split_checked(all.p, all.n);
        CHECK(pl.n > 100);
        free(pl.v);
    }
    free(all.p);
}

TEST(stream_equals_whole_on_mixed_text)
{
    /* Deterministic pseudo-random mix of words, stops, blanks and runs. */
    static const char *const parts[] = {
        "word ", "Mr. ", "end. ", "\n", "\n\n", "\r\n", "   ", "\t",
        "é", "€", "。", "…", "x", "\"Quote.\" ", "(aside!) ", "\n \n",
    };
    sbuf b = { NULL, 0, 0 };
    unsigned long r = 12345;
    while (b.n < 200000) {
        r = r * 1103515245 + 12345;
        size_t k = (r >> 16) % (sizeof parts / sizeof parts[0]);
        size_t reps = ((r >> 8) & 0xFF) == 0 ? 2000 : 1;
        for (size_t j = 0; j < reps; j++)
            sb_puts(&b, parts[k]);
    }
    plist pl = split_checked(b.p, b.n);
    CHECK(pl.n > 150);
    free(pl.v);
    free(b.p);
}

RUN_TESTS("passage",
          T(single_paragraph),
          T(empty_and_blank),
          T(leading_blank_lines_and_no_final_newline),
          T(paragraphs_with_blank_lines),
          T(crlf),
          T(merge_tiny_paragraphs),
          T(merge_stops_at_max),
          T(long_paragraph_cut_at_sentences),
          T(sentence_end_variants),
          T(cjk_cut_at_full_stops),
          T(long_line_cut_at_whitespace),
          T(long_paragraph_cut_at_line_ends),
          T(huge_word_cut_at_utf8_boundaries),
          T(huge_blank_runs),
          T(stream_equals_whole_on_corpus),
          T(stream_equals_whole_on_mixed_text))
