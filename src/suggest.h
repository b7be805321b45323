/*
** suggest.h - "did you mean": corrections for query words that the index
** does not hold (or holds far less often than a close spelling), found in
** the index's own vocabulary by a bounded edit-distance search.
*/
#ifndef FS_SUGGEST_H
#define FS_SUGGEST_H

#include <stddef.h>

#include "internal.h"

/* A correction for one query word. */
typedef struct fs_suggestion {
    int term;                    /* index in fs_query.terms */
    char *word;                  /* the corrected word, fs_malloc'd */
} fs_suggestion;

/*
** Damerau-Levenshtein distance (adjacent transpositions count one) between
** a[0..na) and b[0..nb), counted in UTF-8 code points (at most 64 of each;
** longer strings are compared by their first 64). Returns max + 1 as soon
** as the distance is known to exceed `max`.
*/
int fs_edit_distance(const char *a, size_t na, const char *b, size_t nb,
                     int max);

/*
** Corrections for the words of `q` (q->terms), from the index vocabulary of
** fs: the vocab table the indexer keeps (vocab.h; a word only in the files
** added since its last rebuild is not offered), or in an index without it,
** an fts5vocab table created on demand in the TEMP schema. A word gets
** a correction when one of its tokens is absent from the index, or rare
** (fewer than 5 passages) while a spelling within edit distance 1 (short
** words) or 2 has ten times as many; the correction shows the word as a
** document writes it (lowercased), not its stem. *out (NULL when *n_out is
** 0) belongs to the caller: fs_suggestions_free(). FSEARCH_OK or an error
** recorded on fs.
*/
int fs_suggest(fsearch *fs, const fs_query *q, fs_suggestion **out,
               size_t *n_out);

void fs_suggestions_free(fs_suggestion *s, size_t n);

#endif
