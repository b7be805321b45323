/*
** query.h - translate what a user types into a safe FTS5 MATCH expression.
**
** Pure: no SQLite, no files. Every input either becomes an expression that
** FTS5 accepts (user words are always emitted as quoted FTS5 strings, so no
** input can inject FTS5 syntax) or is rejected with a message naming the
** problem and its position.
*/
#ifndef FS_QUERY_H
#define FS_QUERY_H

#include <stddef.h>

typedef struct fs_query {
    char *match;          /* FTS5 expression, NUL-terminated */
    int nphrases;         /* phrases in `match`, in FTS5's numbering order */
    int *phrase_group;    /* [nphrases] group of each phrase, -1 if negated,
                             FS_GROUP_FEEDBACK if added by feedback.c */
    double *phrase_weight; /* [nphrases] ranking weight, NULL: all 1 */
    int ngroups;          /* groups: the query's "words" for ranking */
    char **paths;         /* path: globs (any may match), NULL if none */
    int npaths;
    char **terms;         /* the positive words as typed, for suggestions */
    int nterms;
    int is_strict;        /* 1 if the expression already requires every group */
} fs_query;

/*
** Synonym groups, read from a file the user edits: one group per line,
** words separated by blanks ("Nanking Nanjing"), '#' starts a comment. A
** query word found in a group is searched as any word of the group
** (ASCII case-insensitive). Multi-word entries are written in quotes
** ("Iris Chang" Chang).
*/
typedef struct fs_synonyms fs_synonyms;

/* Parse text[0..n). FSEARCH_OK with *out, FSEARCH_EQUERY with a message in
** err naming the line, or FSEARCH_ENOMEM. Free with fs_synonyms_free. */
int fs_synonyms_parse(fs_synonyms **out, const char *text, size_t n,
                      char *err, size_t nerr);
void fs_synonyms_free(fs_synonyms *syn);

/*
** Parse `input`, expanding synonyms from `syn` (may be NULL). Returns FSEARCH_OK with *out set (free with
** fs_query_free), FSEARCH_EQUERY with a one-line message in err (e.g.
** "unbalanced parenthesis at column 7"), or FSEARCH_ENOMEM.
*/
int fs_query_parse(fs_query **out, const char *input, int flags,
                   const fs_synonyms *syn, char *err, size_t nerr);

/* Flags for fs_query_parse(). */
enum {
    FS_QUERY_KEEP_STOPWORDS = 0x1   /* do not drop English stop words */
};

void fs_query_free(fs_query *q);

/* Group of a phrase that is no query word but a word added by feedback
** (feedback.c): it weighs in the ranking only, and is not highlighted. */
#define FS_GROUP_FEEDBACK (-2)

/* Bytes of the blank that starts at s[i] (i < n) as the parser reads
** blanks (ASCII ones and Unicode spaces), or 0. */
size_t fs_query_blank_len(const char *s, size_t n, size_t i);

/* Bytes of the quotation mark that starts at s[i] (i < n) as the parser
** reads them ('"' and the curly U+201C-U+201E), or 0. */
size_t fs_query_quote_len(const char *s, size_t n, size_t i);

/* Is s[0..n) one of the English stop words dropped from free words? */
int fs_query_is_stop_word(const char *s, size_t n);

/* Append to out the ranking argument of fsearch_rank() for q: each
** phrase's group, with ":weight" when q has weights ("0 1 -2:0.3100"),
** NUL-terminated but not counted in out->n. *rc as fs_buf's. */
struct fs_buf;
void fs_query_rank_groups(int *rc, struct fs_buf *out, const fs_query *q);

#endif
