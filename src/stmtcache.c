/*
** stmtcache.c - prepared statements kept on the handle between searches.
**
** A cheap search runs half a dozen statements, and preparing them (parsing
** and planning the SQL) cost as much as a rare word's whole ranking. So a
** search takes its statements from the handle and gives them back when
** done; a statement is lent to one user at a time, so two cursors open on
** one handle never share one. SQLite re-prepares a kept statement by itself
** if the schema changed meanwhile.
*/
#include "internal.h"

#include <string.h>

int fs_stmt_take(fsearch *fs, const char *sql, sqlite3_stmt **out)
{
    *out = NULL;
    for (int i = 0; i < FS_STMT_CACHE; i++) {
        sqlite3_stmt *st = fs->stmts[i];
        if (st && strcmp(sqlite3_sql(st), sql) == 0) {
            fs->stmts[i] = NULL;
            *out = st;
            return SQLITE_OK;
        }
    }
    return sqlite3_prepare_v2(fs->db, sql, -1, out, NULL);
}

void fs_stmt_give(fsearch *fs, sqlite3_stmt *st)
{
    if (!st)
        return;
    /* Reset and unbound, it holds no lock and points at nothing. */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (int i = 0; i < FS_STMT_CACHE; i++) {
        if (!fs->stmts[i]) {
            fs->stmts[i] = st;
            return;
        }
    }
    /* Full: the oldest makes room, so the kept ones follow current use. */
    sqlite3_finalize(fs->stmts[0]);
    memmove(fs->stmts, fs->stmts + 1,
            (FS_STMT_CACHE - 1) * sizeof *fs->stmts);
    fs->stmts[FS_STMT_CACHE - 1] = st;
}

void fs_stmt_cache_free(fsearch *fs)
{
    for (int i = 0; i < FS_STMT_CACHE; i++) {
        sqlite3_finalize(fs->stmts[i]);
        fs->stmts[i] = NULL;
    }
}
