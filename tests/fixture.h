/*
** fixture.h - what the unit tests that index a small corpus share: writing
** a file of it (or a made-up document), reading one number back from the
** index, and removing the temporary folder it lives in.
**
** Static inline, so a test that uses only some of it compiles clean.
*/
#ifndef FS_FIXTURE_H
#define FS_FIXTURE_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write dir/name from a printf format. 0, or -1 if it cannot. */
static inline int fixture_write(const char *dir, const char *name,
                                const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static inline int fixture_write(const char *dir, const char *name,
                                const char *fmt, ...)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int bad = vfprintf(f, fmt, ap) < 0;
    va_end(ap);
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* The words fixture_doc() writes with, k taken modulo FIXTURE_NWORDS. */
#define FIXTURE_NWORDS 12
static inline const char *fixture_word(int k)
{
    static const char *const words[FIXTURE_NWORDS] = {
        "harbour", "lantern", "meadow", "orchard", "granite", "willow",
        "thunder", "saddle", "copper", "blanket", "village", "canyon",
    };
    return words[k % FIXTURE_NWORDS];
}

/*
** Write dir/name, document number i (>= 0) of a made-up corpus: the line
** `title`, then `paras` passages of three-word sentences (a word counts
** once per passage), nsent + (i + p) % spread of them in passage p
** (spread 0: nsent), long enough that the splitter cuts them apart.
** 0, or -1 if it cannot.
*/
static inline int fixture_doc(const char *dir, const char *name,
                              const char *title, int i, int paras, int nsent,
                              int spread)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int bad = fprintf(f, "%s\n\n", title) < 0;
    for (int p = 0; p < paras; p++) {
        int n = nsent + (spread ? (i + p) % spread : 0);
        for (int k = 0; k < n; k++)
            bad |= fprintf(f, "%s %s the %s. ", fixture_word(i + p),
                           fixture_word(i + 2 * p + k % 3),
                           fixture_word(i * 7 + k)) < 0;
        bad |= fprintf(f, "\n\n") < 0;
    }
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* The first column of the first row of `sql` on db, or -1 if there is
** none or it fails. */
static inline long long fixture_sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Remove a temporary folder and all in it, after making it all writable (a
** test may have taken permissions away). Only an absolute path without a
** quote is given to the shell. */
static inline void fixture_remove(const char *dir)
{
    char cmd[2200];
    if (!dir[0] || dir[0] != '/' || strchr(dir, '\''))
        return;
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'",
             dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

#endif
