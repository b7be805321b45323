/*
** cli.h - what the parts of the fsearch command share. The command is
** built only on the public header include/fsearch.h (and process.c on
** SQLite's, for process-wide settings).
*/
#ifndef FS_CLI_H
#define FS_CLI_H

#include <stdio.h>
#include "fsearch.h"

/* Process-wide settings (process.c); first thing in main(), before the
** library is used. */
void cli_process_setup(void);

/* For a process that opens the index only to search it once, on this one
** thread: SQLite maps the index from the very first page it reads, and
** takes its memory (the library's too) from a simple arena. Before
** fsearch_open(). */
void cli_process_brief(void);

/* 1 if cli_process_brief() installed the arena: no sanitizer or valgrind
** watches this process's memory, so it may exit without freeing it. */
int cli_process_unwatched(void);

/* After a run that wrote the whole index at `path` (a first build, a
** rebuild), once it is closed: have the kernel cache it in large pages,
** which searches then map with far fewer page faults. Best effort. */
void cli_index_recache(const char *path);

/* The command's own code and constants cached again in 2 MB folios when
** they are not (see src/cli/hugetext.ld); a no-op in builds without it. */
void cli_binary_recache(void);

/* Exit statuses, as grep: hits, none, trouble. */
enum { EXIT_HITS = 0, EXIT_NONE = 1, EXIT_TROUBLE = 2 };

typedef struct cli_opts {
    const char *corpus;      /* folder to index */
    const char *index;       /* index file */
    const char *language;    /* stemmer for a new index */
    int color;               /* 1: colour output */
    int quiet;               /* no progress, no notes */
    int json;                /* --json: JSON Lines on stdout */
    unsigned limit, offset;
    int limit_set;           /* -n was given (else -l lists every file) */
    int files_only;          /* -l */
    int count_only;          /* -c */
    unsigned context;        /* -C N: lines around each passage */
    int fuzzy;               /* --fuzzy: also search suggested spellings */
    int no_expand;           /* --no-expand: no feedback words */
    const char *synonyms;    /* --synonyms FILE, or NULL */
    int watch;               /* index --watch */
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

/*
** Run a search and print it as o asks (hits, -l files, -c count, --json),
** then any "did you mean" on stderr. Loads the synonyms file first
** (--synonyms, $FSEARCH_SYNONYMS, or synonyms.txt next to the index).
** Returns an exit status.
*/
int cli_search(fsearch *fs, const cli_opts *o, const char *query);

/* `fsearch index` and `fsearch status`; return an exit status. */
int cli_index(fsearch *fs, const cli_opts *o, unsigned flags, int announce);
int cli_status(fsearch *fs, const cli_opts *o);

/* Say on stderr when the corpus looks newer than the index (a cheap check,
** see fsearch_index_stale()). */
void cli_stale_note(fsearch *fs, const cli_opts *o);

/* `fsearch index --watch`: index, then again after every change, until
** SIGINT or SIGTERM; returns an exit status. */
int cli_watch(fsearch *fs, const cli_opts *o, unsigned flags);

#endif
