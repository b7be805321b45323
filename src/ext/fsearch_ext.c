/*
** fsearch_ext.c - libfsearch as an SQLite loadable extension: it registers
** the "fsearch" FTS5 tokenizer and the auxiliary functions fsearch_rank()
** and fsearch_matches() on a connection, so that any SQLite program (the
** sqlite3 shell, a language binding) can run MATCH queries on an index.
**
** The library's code calls sqlite3_* directly rather than through the
** extension's routine table, so the extension links libsqlite3 dynamically
** and must be loaded into a program that uses that same shared libsqlite3
** (the sqlite3 shell and most bindings on Linux do). Only the entry points
** below are exported (fsearch_ext.map).
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "internal.h"


/* Entry points: SQLite looks for sqlite3_extension_init first, then for
** sqlite3_fsearchext_init, the name it derives from "fsearch_ext.so". */
#define FS_EXT_EXPORT __attribute__((visibility("default")))
FS_EXT_EXPORT int sqlite3_fsearchext_init(sqlite3 *db, char **pzErrMsg,
                                          const sqlite3_api_routines *pApi);
FS_EXT_EXPORT int sqlite3_extension_init(sqlite3 *db, char **pzErrMsg,
                                         const sqlite3_api_routines *pApi);

int sqlite3_fsearchext_init(sqlite3 *db, char **pzErrMsg,
                            const sqlite3_api_routines *pApi)
{
    SQLITE_EXTENSION_INIT2(pApi);
    int rc = fs_register_all(db);
    if (rc != SQLITE_OK && pzErrMsg)
        *pzErrMsg = sqlite3_mprintf("fsearch: cannot register the tokenizer "
                                    "and functions: %s (is FTS5 available?)",
                                    sqlite3_errstr(rc));
    return rc;
}

int sqlite3_extension_init(sqlite3 *db, char **pzErrMsg,
                           const sqlite3_api_routines *pApi)
{
    return sqlite3_fsearchext_init(db, pzErrMsg, pApi);
}
