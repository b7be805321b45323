/*
** text.h - what a file's bytes are: text or binary, and its text as UTF-8.
**
** The indexer asks here whether a file is worth indexing (by content, never
** by name) and turns any text into valid UTF-8 before it is stored, so that
** Latin-1 or broken files keep their words and JSON output stays valid.
*/
#ifndef FS_TEXT_H
#define FS_TEXT_H

#include <stddef.h>
#include "buf.h"

enum fs_text_kind {
    FS_TEXT_UTF8 = 0,     /* text; UTF-8 or a single-byte encoding */
    FS_TEXT_UTF16LE,      /* text in UTF-16 with a little-endian BOM */
    FS_TEXT_UTF16BE,      /* text in UTF-16 with a big-endian BOM */
    FS_TEXT_BINARY        /* not text: do not index */
};

/* Classify a file from its first bytes (pass at most 64 KiB). */
int fs_text_sniff(const char *head, size_t n);

/*
** Append text[0..n) to out as valid UTF-8: valid sequences are kept,
** each invalid byte is read as Windows-1252/Latin-1 (so Latin-1 files keep
** their words), a NUL becomes a space. Returns nothing; errors go to *rc.
*/
void fs_text_to_utf8(int *rc, fs_buf *out, const char *text, size_t n);

/* Is text[0..n) valid UTF-8 with no NUL byte? (Fast path: no copy needed.) */
int fs_text_is_clean_utf8(const char *text, size_t n);

/*
** Convert UTF-16 (without its BOM) to UTF-8, appending to out. Unpaired
** surrogates become U+FFFD. `big_endian` picks the byte order. An odd last
** byte is dropped.
*/
void fs_text_utf16_to_utf8(int *rc, fs_buf *out, const char *text, size_t n,
                           int big_endian);

#endif
