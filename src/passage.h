/*
** passage.h - cut a document into passages, without SQLite or files.
**
** A passage is one paragraph (lines up to a blank line) or several short
** consecutive paragraphs merged, and a paragraph much longer than a snippet
** window is cut further at sentence ends. The splitter is streaming: it is
** fed a window of the document and reports one passage at a time, so that a
** 1 GB file never needs to be in memory at once.
*/
#ifndef FS_PASSAGE_H
#define FS_PASSAGE_H

#include <stddef.h>

/* Sizes that shape passages, in bytes. */
#define FS_PASSAGE_MIN 120    /* shorter paragraphs merge with the next */
#define FS_PASSAGE_MAX 1200   /* longer paragraphs are cut at sentences */
#define FS_PASSAGE_LOOKAHEAD (4 * FS_PASSAGE_MAX) /* window the splitter needs */

typedef struct fs_passage {
    size_t off;             /* byte offset of the first byte, in the buffer */
    size_t len;             /* bytes; never 0; no leading/trailing blank */
    unsigned long line;     /* 1-based line of the first byte */
    unsigned long end_line; /* 1-based line of the last byte */
} fs_passage;

typedef struct fs_splitter {
    unsigned long line;     /* 1-based line at the start of the next window */
} fs_splitter;

/* Start splitting a new document. */
void fs_splitter_init(fs_splitter *s);

/*
** Find the next passage in buf[0..n), which starts right after what the
** previous call consumed. `at_eof` says buf reaches the end of the document.
** Returns 1 with *out set and *consumed = bytes the caller may now drop from
** the front of buf (at least up to the passage's end); 0 when buf holds no
** complete passage: if !at_eof the caller must supply more bytes (buf shorter
** than FS_PASSAGE_LOOKAHEAD), if at_eof the document is finished (*consumed
** then counts trailing blank bytes). Never reads outside buf[0..n).
*/
int fs_splitter_next(fs_splitter *s, const char *buf, size_t n, int at_eof,
                     fs_passage *out, size_t *consumed);

#endif
