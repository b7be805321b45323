/*
** fuzz_passage.c - fuzz target for the passage splitter and UTF-8 repair.
**
** Splits the input whole and streamed through windows of FS_PASSAGE_LOOKAHEAD
** bytes and a bit more, and aborts if they differ or any passage breaks the
** splitter's promises; then checks that the UTF-8 repairs output clean text.
*/
#include "passage.h"
#include "text.h"
#include "fsearch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

typedef struct walk {
    const uint8_t *text;    /* the whole input */
    size_t size;            /* bytes in text */
    size_t prev_end;        /* end of the previous passage */
    size_t line_pos;        /* text[0..line_pos) is counted in line */
    unsigned long line;     /* 1-based line at text[line_pos] */
} walk;

static unsigned long line_at(walk *w, size_t off)
{
    for (; w->line_pos < off; w->line_pos++)
        w->line += w->text[w->line_pos] == '\n';
    return w->line;
}

/* Abort unless p (offsets into the whole text) is a well-formed passage. */
static void check_passage(walk *w, const fs_passage *p)
{
    if (p->len == 0 || p->len > FS_PASSAGE_MAX || p->off < w->prev_end ||
        p->off + p->len > w->size)
        abort();
    if (is_blank(w->text[p->off]) || is_blank(w->text[p->off + p->len - 1]))
        abort();
    for (size_t i = w->prev_end; i < p->off; i++) {
        if (!is_blank(w->text[i]))
            abort();
    }
    if (p->line != line_at(w, p->off) ||
        p->end_line != line_at(w, p->off + p->len - 1) ||
        p->end_line < p->line)
        abort();
    w->prev_end = p->off + p->len;
}

/* Split whole; returns the passages (malloc'd) and their count. */
static fs_passage *split_whole(const uint8_t *data, size_t size, size_t *n_out)
{
    fs_passage *v = malloc((size + 1) * sizeof *v);
    size_t n = 0, pos = 0;
    fs_splitter s;
    if (!v)
        abort();
    fs_splitter_init(&s);
    walk w = { data, size, 0, 0, 1 };
    for (;;) {
        fs_passage p;
        size_t used = 0;
        int r = fs_splitter_next(&s, (const char *)data + pos, size - pos, 1,
                                 &p, &used);
        if (used > size - pos)
            abort();
        if (r) {
            p.off += pos;
            check_passage(&w, &p);
            v[n++] = p;
        }
        pos += used;
        if (!r)
            break;
    }
    for (size_t i = w.prev_end; i < size; i++) {
        if (!is_blank(data[i]))
            abort();
    }
    if (pos != size)
        abort();
    *n_out = n;
    return v;
}

/* Stream through a private window and compare with the whole split. */
static void split_stream(const uint8_t *data, size_t size, size_t win,
                         const fs_passage *want, size_t nwant)
{
    char *buf = malloc(win);
    size_t pos = 0, k = 0;
    fs_splitter s;
    if (!buf)
        abort();
    fs_splitter_init(&s);
    for (;;) {
        size_t len = size - pos < win ? size - pos : win;
        int at_eof = pos + len == size;
        memcpy(buf, data + pos, len);
        fs_passage p;
        size_t used = 0;
        int r = fs_splitter_next(&s, buf, len, at_eof, &p, &used);
        if (used > len)
            abort();
        if (r) {
            if (k >= nwant || p.off + pos != want[k].off ||
                p.len != want[k].len || p.line != want[k].line ||
                p.end_line != want[k].end_line)
                abort();
            k++;
        }
        pos += used;
        if (!r && at_eof)
            break;
        if (!r && used == 0 && len == win)
            abort(); /* a full window must always make progress */
    }
    if (k != nwant || pos != size)
        abort();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = 0;
    fs_passage *v = split_whole(data, size, &n);
    split_stream(data, size, FS_PASSAGE_LOOKAHEAD, v, n);
    /* A second, odd window size that varies with the input. */
    split_stream(data, size, FS_PASSAGE_LOOKAHEAD + 1 + size % 4093, v, n);
    free(v);

    int rc = FSEARCH_OK;
    fs_buf out = FS_BUF_INIT;
    fs_text_to_utf8(&rc, &out, (const char *)data, size);
    if (rc != FSEARCH_OK || !fs_text_is_clean_utf8(out.p, out.n) ||
        out.n < size)
        abort();
    if (fs_text_is_clean_utf8((const char *)data, size) &&
        (out.n != size || (size && memcmp(out.p, data, size) != 0)))
        abort();
    fs_buf_free(&out);

    /* UTF-16 in either byte order must come out clean as well. */
    for (int be = 0; be < 2; be++) {
        fs_text_utf16_to_utf8(&rc, &out, (const char *)data, size, be);
        if (rc != FSEARCH_OK || !fs_text_is_clean_utf8(out.p, out.n))
            abort();
        fs_buf_free(&out);
    }
    (void)fs_text_sniff((const char *)data, size);
    return 0;
}
