/*
** feedback.h - pseudo-relevance feedback: a question-like query is widened
** with the words that best characterise its first results.
*/
#ifndef FS_FEEDBACK_H
#define FS_FEEDBACK_H

#include "internal.h"

/*
** Queries of up to this many words are keyword queries: passages with all
** the words come first (rank.c) and they are never expanded. Longer ones
** are questions, read as a bag of words.
*/
#define FS_SHORT_QUERY_GROUPS 3

/*
** Rank the passages of `q` once, take the best passage of each of the top
** files with its neighbours, and add to q the words that are frequent there
** and rare in the index, each a phrase of group FS_GROUP_FEEDBACK with a
** ranking weight (q->phrase_weight). Only queries of soft free words are
** expanded: more than FS_SHORT_QUERY_GROUPS groups, nothing required or
** excluded, no path: filter. FSEARCH_OK whether or not q changed, else an
** error recorded on fs (q is then unchanged).
*/
int fs_feedback_expand(fsearch *fs, fs_query *q);

#endif
