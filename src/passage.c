/*
** passage.c - cut a document into passages (search results) by paragraphs.
**
** Short paragraphs are merged, long ones are cut at sentence ends, and every
** decision looks only at a bounded view of the text after the current point,
** so a document fed in windows gives exactly the passages it gives whole.
*/
#include "passage.h"

#include <string.h>

/*
** Every decision is a function of the first VIEW bytes that follow the
** leading blanks, nothing else. The caller guarantees at least that much
** (or the end of the document), which is what makes streaming and one-shot
** splitting agree byte for byte. Whatever lies past the view is treated as
** if the document ended there: a paragraph that runs on as a huge blank run
** is closed at its last word rather than waiting for bytes we may not have.
*/
#define VIEW FS_PASSAGE_LOOKAHEAD

/* find_cut() looks a few bytes back from MIN and reads b[MAX]. */
#if FS_PASSAGE_MIN < 16 || FS_PASSAGE_MAX <= FS_PASSAGE_MIN || \
    FS_PASSAGE_LOOKAHEAD <= FS_PASSAGE_MAX
#error "passage sizes must satisfy 16 <= MIN < MAX < LOOKAHEAD"
#endif

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' ||
           c == '\v';
}

static unsigned long count_nl(const unsigned char *p, size_t n)
{
    unsigned long lines = 0;
    const unsigned char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

/*
** Return the end (one past the last non-blank byte) of the paragraph that
** starts at b[start], a non-blank byte. The paragraph stops at a blank line
** or at the view end `vlen`. Scanning stops early once the end passes
** FS_PASSAGE_MAX, since the caller then only needs to know "too long".
*/
static size_t para_end(const unsigned char *b, size_t start, size_t vlen)
{
    size_t pos = start, end = start;
    for (;;) {
        for (; pos < vlen && b[pos] != '\n'; pos++) {
            if (!is_ws(b[pos])) {
                end = pos + 1;
                if (end > FS_PASSAGE_MAX)
                    return end;
            }
        }
        if (pos >= vlen)
            return end;
        pos++;
        while (pos < vlen && b[pos] != '\n' && is_ws(b[pos]))
            pos++;
        if (pos >= vlen || b[pos] == '\n')
            return end;
    }
}

/*
** Bytes of a closing quote or bracket ending just before b[j], or 0. These
** may follow the stop of a sentence: `He said "no."` ends at the quote.
*/
static size_t closer_len(const unsigned char *b, size_t j)
{
    if (j < 1)
        return 0;
    unsigned char c = b[j - 1];
    if (c == '"' || c == '\'' || c == ')' || c == ']')
        return 1;
    /* ’ ” (E2 80 99/9D), 」 』 (E3 80 8D/8F), » (C2 BB) */
    if (j >= 3 && b[j - 3] == 0xE2 && b[j - 2] == 0x80 &&
        (c == 0x99 || c == 0x9D))
        return 3;
    if (j >= 3 && b[j - 3] == 0xE3 && b[j - 2] == 0x80 &&
        (c == 0x8D || c == 0x8F))
        return 3;
    if (j >= 2 && b[j - 2] == 0xC2 && c == 0xBB)
        return 2;
    return 0;
}

/* Is b[j-3..j) the UTF-8 of 。 ！ or ？ (full-width stops)? */
static int is_cjk_stop(const unsigned char *b, size_t j)
{
    if (j < 3)
        return 0;
    const unsigned char *s = b + j - 3;
    return (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x82) ||
           (s[0] == 0xEF && s[1] == 0xBC && (s[2] == 0x81 || s[2] == 0x9F));
}

/* Is b[j-3..j) the UTF-8 of '…' (U+2026)? */
static int is_ellipsis(const unsigned char *b, size_t j)
{
    return j >= 3 && b[j - 3] == 0xE2 && b[j - 2] == 0x80 && b[j - 1] == 0xA6;
}

/*
** Does the '.' at b[dot] end an abbreviation or an initial ("Mr.", "e.g.",
** "J.") rather than a sentence? A cheap look at the word before it; a wrong
** answer only moves a cut to a slightly worse place.
*/
static int is_abbrev(const unsigned char *b, size_t dot)
{
    static const char *const words[] = {
        "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "Mt", "vs",
        "cf", "e.g", "i.e", "Fig", "No", "Vol", "approx",
    };
    size_t w = dot;
    while (w > 0 && dot - w < 8) {
        unsigned char c = b[w - 1];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.'))
            break;
        w--;
    }
    size_t len = dot - w;
    if (len == 0)
        return 0;
    if (w > 0 && !is_ws(b[w - 1]) && b[w - 1] != '(' && b[w - 1] != '"')
        return 0; /* part of a longer token, e.g. "x2.Mr" */
    if (len == 1 && b[w] >= 'A' && b[w] <= 'Z')
        return 1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i]) == len && memcmp(words[i], b + w, len) == 0)
            return 1;
    }
    return 0;
}

/*
** Does a sentence end at b[e-1] (so that b[e] may start the next piece)?
** One of . ! ? followed by whitespace, optionally with up to two closing
** quotes or brackets between; or a full-width stop, which needs no space;
** or '…' unless it runs straight into a Latin word ("wait…what").
*/
static int is_sentence_end(const unsigned char *b, size_t e)
{
    size_t j = e;
    for (int k = 0; k < 2; k++) {
        size_t cl = closer_len(b, j);
        if (cl == 0)
            break;
        j -= cl;
    }
    if (is_cjk_stop(b, j))
        return 1;
    if (is_ellipsis(b, j))
        return b[e] >= 0x80 || is_ws(b[e]);
    if (!is_ws(b[e]) || j == 0)
        return 0;
    unsigned char c = b[j - 1];
    if (c == '!' || c == '?')
        return 1;
    if (c == '.')
        return !is_abbrev(b, j - 1);
    return 0;
}

/* Does the blank run starting at b[e] contain a line end? */
static int run_has_newline(const unsigned char *b, size_t e, size_t vlen)
{
    while (e < vlen && b[e] != '\n' && is_ws(b[e]))
        e++;
    return e < vlen && b[e] == '\n';
}

/*
** Choose where to end the first piece of a paragraph longer than
** FS_PASSAGE_MAX (so b[0..FS_PASSAGE_MAX] are all in the view). Returns the
** piece length: the last sentence end giving a length in [MIN, MAX], else
** the last line end, else the last blank, else a hard cut at MAX moved back
** to a UTF-8 character boundary, with any blanks before it dropped.
*/
static size_t find_cut(const unsigned char *b, size_t vlen)
{
    size_t line_cut = 0, ws_cut = 0;
    for (size_t e = FS_PASSAGE_MAX; e >= FS_PASSAGE_MIN; e--) {
        if (is_ws(b[e - 1]))
            continue;
        if (is_sentence_end(b, e))
            return e;
        if (is_ws(b[e])) {
            if (ws_cut == 0)
                ws_cut = e;
            if (line_cut == 0 && run_has_newline(b, e, vlen))
                line_cut = e;
        }
    }
    if (line_cut)
        return line_cut;
    if (ws_cut)
        return ws_cut;

    /*
    ** A valid character has at most three continuation bytes, so if four in
    ** a row are continuations the input is broken there and any cut will do.
    */
    size_t cut = FS_PASSAGE_MAX;
    while (cut > FS_PASSAGE_MAX - 3 && (b[cut] & 0xC0) == 0x80)
        cut--;
    if ((b[cut] & 0xC0) == 0x80)
        cut = FS_PASSAGE_MAX;
    while (is_ws(b[cut - 1]))
        cut--; /* b[0] is not blank, so this stops at 1 at the latest */
    return cut;
}

void fs_splitter_init(fs_splitter *s)
{
    s->line = 1;
}

/*
** Usage, with a window refilled up to at least FS_PASSAGE_LOOKAHEAD bytes:
**
**   fs_splitter_init(&s);
**   for (;;) {
**       r = fs_splitter_next(&s, win, n, at_eof, &p, &used);
**       if (r) emit(win + p.off, p.len, p.line, p.end_line);
**       drop `used` bytes from the front of win;
**       if (!r && at_eof) break;
**       refill win;
**   }
*/
int fs_splitter_next(fs_splitter *s, const char *buf, size_t n, int at_eof,
                     fs_passage *out, size_t *consumed)
{
    const unsigned char *p = (const unsigned char *)buf;
    size_t skip = 0;
    while (skip < n && is_ws(p[skip]))
        skip++;

    /*
    ** Blanks never belong to a passage, so they can be dropped at once, even
    ** when the rest must wait for more bytes: a file of blanks streams in
    ** bounded memory and the view below always starts at a word.
    */
    if (skip == n || (!at_eof && n - skip < VIEW)) {
        s->line += count_nl(p, skip);
        *consumed = skip;
        return 0;
    }

    const unsigned char *b = p + skip;
    size_t vlen = n - skip < VIEW ? n - skip : VIEW;
    size_t end = para_end(b, 0, vlen);
    if (end > FS_PASSAGE_MAX) {
        end = find_cut(b, vlen);
    } else {
        while (end < FS_PASSAGE_MIN) {
            size_t next = end;
            while (next < vlen && is_ws(b[next]))
                next++;
            if (next >= vlen)
                break;
            size_t next_end = para_end(b, next, vlen);
            if (next_end > FS_PASSAGE_MAX)
                break;
            end = next_end;
        }
    }

    out->off = skip;
    out->len = end;
    out->line = s->line + count_nl(p, skip);
    out->end_line = out->line + count_nl(b, end);
    s->line = out->end_line;
    *consumed = skip + end;
    return 1;
}
