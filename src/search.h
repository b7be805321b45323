/*
** search.h - the search cursor, shared by the files that dress its hits:
** search.c (ranking, duplicates, paging), json.c (JSON Lines) and suggest.c
** ("did you mean"). Library-private; embedders see an opaque cursor.
*/
#ifndef FS_SEARCH_H
#define FS_SEARCH_H

#include <stdint.h>
#include <time.h>

#include "internal.h"
#include "buf.h"
#include "shingles.h"
#include "snippet.h"
#include "suggest.h"
#include "topk.h"

/* Ranked candidates read ahead of the hit being returned, so that
** near-identical copies of a passage ranked a little lower are folded into
** it ("also in") instead of being shown again. */
#define FS_WINDOW 48

/* One "also in" entry while the list is gathered. */
typedef struct fs_also {
    sqlite3_int64 id;            /* passage rowid */
    size_t off;                  /* of its path in also_paths */
    unsigned int line;           /* 1-based */
} fs_also;

/* A copy of a hit's passage while "also in" is gathered. */
typedef struct fs_dup {
    sqlite3_int64 id;            /* passage rowid */
    unsigned int line;           /* 1-based */
    fs_buf path;
} fs_dup;

/* One ranked passage read from the index. */
typedef struct fs_cand {
    sqlite3_int64 id;            /* passage rowid */
    sqlite3_int64 hash;          /* fs_hash_passage of its text */
    double score;                /* higher is better */
    unsigned int line, end_line; /* 1-based */
    fs_buf doc;                  /* path NUL title, read on demand */
    size_t title_off;            /* into doc */
    fs_buf text;                 /* the text, unpacked on demand */
    size_t text_len;             /* bytes */
    sqlite3_int64 doc_id;        /* its file */
    sqlite3_int64 block;         /* passage_block holding the text */
    sqlite3_int64 boff, blen;    /* where in the block's text */
    int has_doc;                 /* doc holds path and title */
    int has_text;                /* text holds the text */
    fs_shingles sh;
    unsigned int folded_by;      /* 0, or the hit (cursor `unique`) that
                                 ** shows this passage as a copy */
    int marks[FS_TOPK_MARKS];    /* body matches found by the ranking scan */
    int nmarks;                  /* ints of marks; -1: ask FTS5 again */
} fs_cand;

struct fsearch_cursor {
    fsearch *fs;
    char *input;                 /* the query as searched (after --fuzzy) */
    fs_query *query;
    unsigned int limit, offset, snippet_bytes, flags;
    struct timespec started;     /* for elapsed_ms */
    sqlite3_stmt *st;            /* ranked files (files mode) */
    fs_topk topk;                /* ranked passages (otherwise) */
    sqlite3_stmt *st_pin;        /* kept stepped: one snapshot throughout */
    sqlite3_stmt *st_match;      /* matched words of one passage, prepared
                                 ** when a hit's scan did not note them */
    char *groups;                /* fsearch_rank()'s groups argument */
    sqlite3_stmt *st_one;        /* one passage by id, without its text */
    sqlite3_stmt *st_text;       /* one passage's text from its block */
    sqlite3_stmt *st_doc;        /* one file's path and title by id */
    sqlite3_stmt *st_hit;        /* both at once, for a hit */
    sqlite3_stmt *st_dups;       /* passages of the same hash */
    struct fs_dup *dups;         /* [MAX_ALSO_IN + 1] copies of one hash
                                 ** while they are gathered */
    int st_done;                 /* st has no more rows */
    int done;                    /* no more hits */
    unsigned int unique;         /* distinct hits seen, counting the offset */
    unsigned int returned;       /* hits handed out */

    fs_cand win[FS_WINDOW];      /* ring of candidates, in rank order */
    size_t win_head, win_n;
    int has_current;             /* win[win_head] is the current hit */

    fs_shingles shown[FS_WINDOW];/* ring: the last hits, for folding; full
                                 ** only once a candidate looked like one */
    sqlite3_int64 shown_loc[FS_WINDOW][3]; /* their texts' block, offset
                                 ** and length */
    fs_buf scratch;              /* a shown hit's text, to make it full */
    size_t shown_n, shown_next;

    uint64_t *seen;              /* open-addressing set of passage hashes */
    size_t seen_n, seen_cap;     /* cap: a power of two */
    int seen_zero;               /* hash 0 was seen */

    fsearch_hit hit;             /* the current hit */
    fs_cand one;                 /* files mode: the current file's passage */
    fsearch_range *matches;
    size_t capmatches;
    struct fs_tokenizer *tk;     /* the index's tokenizer, for highlights */
    int *toks;                   /* matched token numbers of a hit */
    size_t captoks;
    fs_snippet snippet;
    fs_buf also_paths;           /* NUL-separated paths of also_in */
    fsearch_location *also;
    fs_also *ents;        /* also_in while it is gathered */
    size_t capalso;
    int hit_valid;               /* `hit` is the current hit */

    /* suggestions, computed on demand */
    int suggested;               /* 1 once computed */
    fs_suggestion *sugg;
    size_t nsugg;
    const char **sugg_words;     /* [nsugg] views of sugg[i].word */
    unsigned char *sugg_used;    /* [nsugg] --fuzzy searched sugg[i] too */
    const char **fuzzy_words;    /* those searched, NULL-terminated */
    size_t nfuzzy;

    /* JSON and context output */
    sqlite3_stmt *st_json_hit, *st_json_push, *st_json_loc, *st_json_sum;
    fs_buf json;                 /* the last JSON text handed out */
    fs_buf jtmp;                 /* scratch for arrays */
    fs_buf file;                 /* context: the file, as UTF-8 */
    char *file_path;             /* which file `file` holds */
    char *root;                  /* the indexed folder, once read */
    fs_buf ctx_before, ctx_after;
};

/* Milliseconds since the cursor started. */
double fs_cursor_elapsed_ms(const fsearch_cursor *c);

#endif
