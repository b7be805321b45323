/*
** fixture.h - what the unit tests that index a small corpus share: writing
** a file of it, and removing the temporary folder it lives in.
**
** Static inline, so a test that uses only some of it compiles clean.
*/
#ifndef FS_FIXTURE_H
#define FS_FIXTURE_H

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
