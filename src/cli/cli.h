/*
** cli.h - what the parts of the fsearch command share. The command is
** built only on the public header include/fsearch.h.
*/
#ifndef FS_CLI_H
#define FS_CLI_H

#include <stdio.h>
#include "fsearch.h"

/* Exit statuses, as grep: hits, none, trouble. */
enum { EXIT_HITS = 0, EXIT_NONE = 1, EXIT_TROUBLE = 2 };

typedef struct cli_opts {
    const char *corpus;      /* folder to index */
    const char *index;       /* index file */
    const char *language;    /* stemmer for a new index */
    int color;               /* 1: colour output */
    int quiet;               /* no progress, no notes */
    int json;
    unsigned limit, offset;
    int files_only;          /* -l */
    int count_only;          /* -c */
    int context;             /* -C N */
} cli_opts;

/* Print "fsearch: message" on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Print `s[0..n)` with control characters made visible, so nothing in a
** document can drive the terminal. */
void cli_put_safe(FILE *out, const char *s, size_t n);

/* Print one hit for a person. */
void cli_print_hit(FILE *out, const cli_opts *o, const fsearch_hit *hit);

/* `fsearch index` and `fsearch status`; return an exit status. */
int cli_index(fsearch *fs, const cli_opts *o, unsigned flags, int announce);
int cli_status(fsearch *fs, const cli_opts *o);

#endif
