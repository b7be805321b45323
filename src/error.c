/*
** error.c - the last error of a handle, and SQLite result codes mapped to
** fsearch ones in one place.
*/
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int fs_error(fsearch *fs, int code, const char *fmt, ...)
{
    if (!fs)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fs->errmsg, sizeof fs->errmsg, fmt, ap);
    va_end(ap);
    fs->errcode = code;
    return code;
}

void fs_error_clear(fsearch *fs)
{
    if (fs) {
        fs->errcode = FSEARCH_OK;
        fs->errmsg[0] = '\0';
    }
}

int fs_error_sqlite(fsearch *fs, int sqlite_rc, const char *what)
{
    int code;
    switch (sqlite_rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return FSEARCH_OK;
    case SQLITE_NOMEM:
        code = FSEARCH_ENOMEM;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = FSEARCH_EBUSY;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        code = FSEARCH_ECORRUPT;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        code = FSEARCH_EIO;
        break;
    case SQLITE_INTERRUPT:
        code = FSEARCH_EINTR;
        break;
    default:
        code = FSEARCH_ERROR;
        break;
    }
    /* The connection's message, unless the code is ours (a damaged row
    ** found by fsearch's own checks): SQLite would say "not an error". */
    const char *msg = fs && fs->db &&
                              (sqlite3_errcode(fs->db) & 0xff) ==
                                  (sqlite_rc & 0xff)
                          ? sqlite3_errmsg(fs->db)
                          : sqlite3_errstr(sqlite_rc);
    if (code == FSEARCH_ECORRUPT)
        return fs_error(fs, code, "%s: the index is damaged (%s); "
                        "rebuild it with 'fsearch index --rebuild'", what, msg);
    if ((sqlite_rc & 0xff) == SQLITE_FULL)
        return fs_error(fs, code, "%s: the disk is full", what);
    return fs_error(fs, code, "%s: %s", what, msg);
}

const char *fsearch_errmsg(const fsearch *fs)
{
    if (!fs)
        return "out of memory (no handle)";
    return fs->errmsg;
}

const char *fsearch_errstr(int rc)
{
    switch (rc) {
    case FSEARCH_OK: return "ok";
    case FSEARCH_DONE: return "no more hits";
    case FSEARCH_ERROR: return "error";
    case FSEARCH_ENOMEM: return "out of memory";
    case FSEARCH_EIO: return "input/output error";
    case FSEARCH_ECORRUPT: return "the index is damaged or not an fsearch index";
    case FSEARCH_EQUERY: return "the query cannot be understood";
    case FSEARCH_EVERSION: return "the index was built by another version";
    case FSEARCH_EBUSY: return "the index is busy";
    case FSEARCH_EINVAL: return "invalid argument";
    case FSEARCH_ENOTFOUND: return "not found";
    case FSEARCH_EINTR: return "interrupted";
    default: return "unknown error code";
    }
}

const char *fsearch_version(void)
{
    return FSEARCH_VERSION;
}
