/*
** impact.h - each common word's best passages, kept beside FTS5 so that a
** query of that one word finds its top results without walking the word's
** whole posting list (the walk costs in proportion to the corpus).
**
** The table (docs/SCHEMA.md) is `impact(term, hwm, avg_title, avg_body,
** rest, list)`: for each term in at least FS_IMPACT_MIN_DF passages, the
** FS_IMPACT_LIST (FS_IMPACT_LIST_SHORT if the term is in fewer than
** FS_IMPACT_FULL_DF) passages of highest BM25F frequency f (rank.c) under the
** build's average lengths, best first, with their frequencies, lengths and
** body positions; `rest` is the highest f of the term's other passages and
** `hwm` the highest passage id at the build. Passage ids are never reused
** (meta passage_next), so a listed id still means the same text or none.
** Rebuilt with the vocab table (vocab.c); between builds it stays a valid
** bound (see rank.c's impact walk), it only proves less.
*/
#ifndef FS_IMPACT_H
#define FS_IMPACT_H

#include "internal.h"

/*
** Terms in fewer passages get no list. Measured on the full benchmark slice
** (1.3 M passages, 24 words of 1 000-14 000 passages): with a list a word
** of 2 000-14 000 passages takes 0.3-0.7x the time of walking its
** postings, one of 1 000-2 000 still 0.6-0.9x, for 1.7 MB of list per 1 000
** terms of 256 entries; the build walks every listed term's postings
** (+4.4 CPU s at 2 000 against 30 000). A term in FS_IMPACT_FULL_DF
** passages or more gets the long list (deep pages of a very common word);
** 256 passages prove a first page with its look-ahead.
*/
#define FS_IMPACT_MIN_DF 2000
#define FS_IMPACT_FULL_DF 30000
#define FS_IMPACT_LIST 1024      /* passages listed per term that common */
#define FS_IMPACT_LIST_SHORT 256 /* per term of fewer passages */
#define FS_IMPACT_POS 64         /* body positions kept (FS_TOPK_MARKS/2) */

/* The cursor's request for one query (fs_rank_ctl.impact). */
typedef struct fs_impact_use {
    const char *term;            /* in: the query's one token, or NULL */
    int nterm;
    int used;                    /* out: the list's rows were handed out */
    sqlite3_int64 hwm;           /* out: rows above it were not listed */
    double bound;                /* out: no unlisted row <= hwm scores
                                 ** above this */
} fs_impact_use;

/* One listed passage, decoded. */
typedef struct fs_impact_ent {
    sqlite3_int64 id;
    int tf[2];                   /* title, body */
    int len[2];                  /* column lengths in tokens */
    int npos;                    /* body positions, -1: more than kept */
    int pos[FS_IMPACT_POS];
} fs_impact_ent;

/* A term's stored row, as read by fs_impact_load(). */
typedef struct fs_impact_list {
    sqlite3_int64 hwm;
    double avg[2];
    double rest;
    unsigned char *blob;         /* owned */
    size_t nblob, off;           /* off: next entry to decode */
} fs_impact_list;

/*
** Read term's row into *out, in the caller's read transaction: 1 found,
** 0 none (or no table), or a negative SQLite code negated.
*/
int fs_impact_load(fsearch *fs, const char *term, int nterm,
                   fs_impact_list *out);
/* The next entry: 1, 0 at the end, -1 if the blob is damaged. */
int fs_impact_next(fs_impact_list *l, fs_impact_ent *e);
void fs_impact_list_free(fs_impact_list *l);

/* Build the table afresh for terms in >= min_df passages (<= 0: the
** default or meta impact_min_df). FSEARCH_OK or an error recorded on fs. */
int fs_impact_rebuild(fsearch *fs, sqlite3_int64 min_df);

/* At the end of an index run: *out is set when the table must be rebuilt,
** which is when `due` (vocab.c's rule) or when it is missing. FSEARCH_OK
** or an error recorded on fs. */
int fs_impact_due(fsearch *fs, int due, int *out);

/* The builder's FTS5 function (rank.c registers it); SQLite rc. */
int fs_impact_register(fts5_api *api);

/* An SQLite varint at p[0..n) into *v; bytes read, 0 if cut short. */
int fs_rank_varint(const unsigned char *p, int n, sqlite3_uint64 *v);

/* BM25F's saturated frequency argument f of rank.c, for one term. */
double fs_rank_freq(const int *tf, const int *len, const double *avg);

#endif
