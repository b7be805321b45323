/*
** topk.h - the ranked passages of a query, best first, without sorting
** every match: a bounded heap fed by an unsorted MATCH scan, and for short
** free-word queries a first pass over the passages that hold every word.
** The order is exactly that of ORDER BY rank (score, then rowid on ties).
*/
#ifndef FS_TOPK_H
#define FS_TOPK_H

#include "internal.h"
#include "buf.h"
#include "impact.h"

/* Ints of body matches kept per ranked row: (token, phrase size) pairs. */
#define FS_TOPK_MARKS 128

/* One ranked passage. */
typedef struct fs_topk_ent {
    sqlite3_int64 id;            /* passage rowid */
    double score;                /* higher is better */
    size_t slot;                 /* its matches: fs_topk_marks() */
    int nmarks;                  /* ints of them; -1 if not kept */
} fs_topk_ent;

typedef struct fs_topk {
    fsearch *fs;
    const fs_query *q;           /* borrowed from the cursor */
    char *groups;                /* fsearch_rank()'s argument */
    char *tier;                  /* every word required, or NULL */
    sqlite3_stmt *st[3];         /* scans: [0] tier, [1] the query,
                                 ** [2] its rows above the impact list's hwm */
    int level;                   /* 0: the tier, 1: the whole query, 2: the
                                 ** word's impact list and the newer rows */
    char *term;                  /* a one-word query's token, or NULL */
    fs_impact_use use;           /* level 2's request and answer */
    size_t want;                 /* heap size; 0 keeps every row */
    size_t chunk;                /* rows a caller needs at first */
    fs_rank_ctl ctl;
    char **keys;                 /* [q->nphrases] ctl.keys, or NULL */
    fs_topk_ent *heap;           /* after a scan: sorted, best first */
    size_t n, cap;
    int *slab;                   /* [cap * FS_TOPK_MARKS]: rows' matches */
    int rowmarks[FS_TOPK_MARKS]; /* the row being scored */
    size_t pos;                  /* next entry of heap to hand out */
    size_t yielded;              /* entries handed out so far */
    int scanned;                 /* heap holds the current level's scan */
    int complete;                /* the scan kept every row it saw */
} fs_topk;

/*
** Set up t for query q (borrowed until fs_topk_free): `groups` is the
** fsearch_rank() argument, `first` the rows the caller will likely read
** (offset + limit + look-ahead). FSEARCH_OK or an error recorded on fs.
*/
int fs_topk_init(fs_topk *t, fsearch *fs, const fs_query *q,
                 const char *groups, size_t first);

/* The body matches of e, (token, phrase size) pairs, e->nmarks ints of
** them (none if -1); valid until the next fs_topk_next(). */
const int *fs_topk_marks(const fs_topk *t, const fs_topk_ent *e);

/* From now on, keep every row (a count reads them all). */
void fs_topk_all(fs_topk *t);

/* The next passage in rank order: FSEARCH_OK with *out, FSEARCH_DONE, or an
** error recorded on fs. */
int fs_topk_next(fs_topk *t, fs_topk_ent *out);

void fs_topk_free(fs_topk *t);

/* Append the SQL restricting d.path to q's path: globs (parameters ?4 on),
** and bind them to st. */
void fs_path_filter_sql(int *rc, fs_buf *sql, const fs_query *q);
int fs_path_filter_bind(sqlite3_stmt *st, const fs_query *q, fs_buf *tmp);

#endif
