/*
** tokenizer_fts5.c - wrap tokenizer.c as the FTS5 tokenizer "fsearch".
**
** This is only the glue between FTS5's v1 tokenizer interface (SQLite 3.40)
** and fs_tokenizer_*: argument parsing, flag and return-code mapping. Each
** FTS5 tokenizer instance owns one fs_tokenizer; nothing is shared.
*/
#include "tokenizer_fts5.h"

#include "fsearch.h"
#include "tokenizer.h"

/* What fs_tokenizer_run() hands back to xTokenize for each token. */
typedef struct fts5_ctx {
    void *pCtx;                     /* FTS5's context for xToken */
    int (*xToken)(void *, int, const char *, int, int, int);
} fts5_ctx;

/* Create a tokenizer for `tokenize = 'fsearch [language]'`. */
static int fts5_create(void *pUserData, const char **azArg, int nArg,
                       Fts5Tokenizer **ppOut)
{
    fs_tokenizer *t = NULL;
    int rc;

    (void)pUserData;
    *ppOut = NULL;
    if (nArg > 1)
        return SQLITE_ERROR;
    rc = fs_tokenizer_new(&t, nArg == 1 ? azArg[0] : "english");
    if (rc == FSEARCH_ENOMEM)
        return SQLITE_NOMEM;
    if (rc != FSEARCH_OK)
        return SQLITE_ERROR;
    *ppOut = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void fts5_delete(Fts5Tokenizer *p)
{
    fs_tokenizer_free((fs_tokenizer *)p);
}

static int fts5_token(void *payload, const char *token, int ntoken,
                      int start, int end)
{
    fts5_ctx *c = payload;

    return c->xToken(c->pCtx, 0, token, ntoken, start, end);
}

static int fts5_tokenize(Fts5Tokenizer *p, void *pCtx, int flags,
                         const char *pText, int nText,
                         int (*xToken)(void *, int, const char *, int, int,
                                       int))
{
    fts5_ctx c;
    int rc;

    c.pCtx = pCtx;
    c.xToken = xToken;
    /* A prefix query must match every word that starts with the prefix, so
    ** it must not be cut to a stem ("execut*" is not "execut"). */
    rc = fs_tokenizer_run((fs_tokenizer *)p,
                          (flags & FTS5_TOKENIZE_PREFIX) ? FS_TOKENIZE_NOSTEM
                                                         : 0,
                          pText, nText > 0 ? nText : 0, fts5_token, &c);
    if (rc == FSEARCH_ENOMEM)
        return SQLITE_NOMEM;
    if (rc == SQLITE_DONE)
        return SQLITE_OK;
    return rc;
}

/* Fetch the fts5_api of db, the documented way. NULL if FTS5 is missing. */
static fts5_api *fts5_api_of(sqlite3 *db, int *rc)
{
    fts5_api *api = NULL;
    sqlite3_stmt *stmt = NULL;

    *rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL);
    if (*rc != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(stmt);
    *rc = sqlite3_finalize(stmt);
    return *rc == SQLITE_OK ? api : NULL;
}

int fs_tokenizer_register(sqlite3 *db)
{
    static const fts5_tokenizer methods = {
        fts5_create, fts5_delete, fts5_tokenize
    };
    fts5_tokenizer copy = methods;
    fts5_api *api;
    int rc;

    api = fts5_api_of(db, &rc);
    if (rc != SQLITE_OK)
        return rc;
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, "fsearch", NULL, &copy, NULL);
}
