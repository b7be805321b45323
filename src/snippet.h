/*
** snippet.h - choose the window of a passage to show around its matches.
**
** Pure: text and match ranges in, a window out. The window holds as many
** distinct matches as fit, starts at a sentence or word boundary, never cuts
** a UTF-8 character, and has its runs of white space folded to one space.
*/
#ifndef FS_SNIPPET_H
#define FS_SNIPPET_H

#include <stddef.h>
#include "buf.h"
#include "fsearch.h"

typedef struct fs_snippet {
    fs_buf text;                 /* the window, spaces folded */
    fsearch_range *matches;      /* in text */
    size_t nmatches, cap;
    int cut_before, cut_after;   /* text was left out at either end */
} fs_snippet;

/*
** Build a snippet of about `target` bytes of text[0..n) around the ranges
** m[0..nm) (sorted by start). Reuses the memory in *out. FSEARCH_OK or
** FSEARCH_ENOMEM.
*/
int fs_snippet_make(fs_snippet *out, const char *text, size_t n,
                    const fsearch_range *m, size_t nm, size_t target);

void fs_snippet_free(fs_snippet *s);

#endif
