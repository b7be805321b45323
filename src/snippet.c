/*
** snippet.c - pick and copy the part of a passage shown under a hit.
**
** The best window is the one holding the most distinct matched words (then
** the most matches, then the earliest). It starts at the sentence holding
** its first match when that sentence begins close enough, otherwise at a
** word boundary, so a reader sees whole words.
*/
#include "snippet.h"
#include "alloc.h"

#include <stdint.h>
#include <string.h>

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Are the matched words a and b the same word (ASCII case aside)? */
static int same_word(const char *text, const fsearch_range *a,
                     const fsearch_range *b)
{
    size_t na = a->end - a->start, nb = b->end - b->start;
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++) {
        unsigned char x = (unsigned char)text[a->start + i];
        unsigned char y = (unsigned char)text[b->start + i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return 0;
    }
    return 1;
}

/* Score the window [s, s + len): distinct words * 1000 + matches. word[i]
** names match i's word (the first match of that word), and seen[] is
** scratch of nm stamps, so a window costs one pass over the matches instead
** of comparing each match with all before it. */
static size_t window_score(const fsearch_range *m, const uint16_t *word,
                           size_t nm, size_t s, size_t len, uint16_t *seen,
                           uint16_t stamp)
{
    size_t distinct = 0, total = 0;
    for (size_t i = 0; i < nm; i++) {
        if (m[i].start < s || m[i].end > s + len)
            continue;
        total++;
        if (seen[word[i]] != stamp) {
            seen[word[i]] = stamp;
            distinct++;
        }
    }
    return distinct * 1000 + total;
}

/* Move back to the start of a UTF-8 character. */
static size_t char_start(const char *text, size_t i)
{
    while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static int sentence_end_before(const char *text, size_t i)
{
    /* text[i] starts a sentence if what precedes is ". " or a line end. */
    if (i == 0)
        return 1;
    size_t j = i;
    int saw_space = 0;
    while (j > 0 && is_space((unsigned char)text[j - 1])) {
        if (text[j - 1] == '\n')
            return 1;
        saw_space = 1;
        j--;
    }
    if (!saw_space || j == 0)
        return j == 0;
    char c = text[j - 1];
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';';
}

int fs_snippet_make(fs_snippet *out, const char *text, size_t n,
                    const fsearch_range *m, size_t nm, size_t target)
{
    if (target < 40)
        target = 40;
    /* Consider a bounded number of matches: enough for any snippet. */
    if (nm > 256)
        nm = 256;
    size_t start = 0, end = n;
    if (n > target) {
        size_t lead = target / 5;
        size_t best = 0, best_s = 0;
        /* Each match's word, as the first match of the same word. */
        uint16_t word[256], seen[256];
        for (size_t i = 0; i < nm; i++) {
            word[i] = (uint16_t)i;
            for (size_t j = 0; j < i; j++)
                if (word[j] == j && same_word(text, &m[i], &m[j])) {
                    word[i] = (uint16_t)j;
                    break;
                }
            seen[i] = 0;
        }
        for (size_t i = 0; i < nm; i++) {
            size_t s = m[i].start > lead ? m[i].start - lead : 0;
            if (s + target > n)
                s = n > target ? n - target : 0;
            size_t sc = window_score(m, word, nm, s, target, seen,
                                     (uint16_t)(i + 1));
            if (sc > best) {
                best = sc;
                best_s = s;
            }
        }
        start = best_s;
        /* The first match inside the window anchors it. */
        size_t anchor = start;
        for (size_t i = 0; i < nm; i++)
            if (m[i].start >= start) {
                anchor = m[i].start;
                break;
            }
        /* The matches the chosen window holds must stay in it. */
        size_t need_end = anchor;
        for (size_t i = 0; i < nm; i++)
            if (m[i].start >= start && m[i].end <= start + target &&
                m[i].end > need_end)
                need_end = m[i].end;
        /* Prefer the start of the anchor's sentence, if near enough. */
        size_t s = anchor;
        size_t limit = anchor > target / 2 ? anchor - target / 2 : 0;
        if (need_end > target && limit < need_end - target)
            limit = need_end - target;
        while (s > limit && !sentence_end_before(text, s))
            s--;
        if (sentence_end_before(text, s)) {
            start = s;
        } else if (start > 0) {
            /* Otherwise begin after a space, so no word is cut. */
            size_t w = start;
            while (w < anchor && !is_space((unsigned char)text[w - 1]))
                w++;
            start = w;
        }
        while (start < n && is_space((unsigned char)text[start]))
            start++;
        end = start + target < n ? start + target : n;
        if (end < n) {
            size_t e = end;
            while (e > start && !is_space((unsigned char)text[e]))
                e--;
            if (e > start + target / 2)
                end = e;
            else
                end = char_start(text, end);
        }
        start = char_start(text, start);
    }
    while (end > start && is_space((unsigned char)text[end - 1]))
        end--;

    int rc = FSEARCH_OK;
    fs_buf_clear(&out->text);
    /* Runs of spaces shrink to one: the copy is never longer than the
    ** range, so its bytes are stored without a call each. */
    fs_buf_reserve(&rc, &out->text, end > start ? end - start : 0);
    if (rc != FSEARCH_OK)
        return rc;
    char *o = out->text.p;
    out->nmatches = 0;
    out->cut_before = start > 0;
    out->cut_after = end < n;
    size_t mi = 0;
    while (mi < nm && m[mi].start < start)
        mi++;
    int in_space = 0;
    size_t mstart = 0;
    int open = 0;
    for (size_t i = start; i < end && rc == FSEARCH_OK; i++) {
        if (mi < nm && !open && i == m[mi].start && m[mi].end <= end) {
            mstart = out->text.n;
            open = 1;
            if (in_space) {
                o[out->text.n++] = ' ';
                mstart = out->text.n;
                in_space = 0;
            }
        }
        unsigned char c = (unsigned char)text[i];
        if (is_space(c) && !open) {
            in_space = 1;
        } else {
            if (in_space) {
                o[out->text.n++] = ' ';
                in_space = 0;
            }
            o[out->text.n++] = (char)c;
        }
        if (open && i + 1 == m[mi].end) {
            if (out->nmatches == out->cap) {
                size_t ncap = out->cap ? out->cap * 2 : 16;
                fsearch_range *p = fs_realloc(out->matches, ncap * sizeof *p);
                if (!p) {
                    rc = FSEARCH_ENOMEM;
                    break;
                }
                out->matches = p;
                out->cap = ncap;
            }
            out->matches[out->nmatches].start = mstart;
            out->matches[out->nmatches].end = out->text.n;
            out->nmatches++;
            open = 0;
            mi++;
            while (mi < nm && m[mi].start <= i)
                mi++;
        }
    }
    o[out->text.n] = '\0';
    return rc;
}

void fs_snippet_free(fs_snippet *s)
{
    fs_buf_free(&s->text);
    fs_free(s->matches);
    s->matches = NULL;
    s->nmatches = s->cap = 0;
}
