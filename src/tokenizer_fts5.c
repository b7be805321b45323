/*
** tokenizer_fts5.c - wrap tokenizer.c as the FTS5 tokenizer "fsearch".
**
** This is only the glue between FTS5's v1 tokenizer interface (SQLite 3.40)
** and fs_tokenizer_*: argument parsing, flag and return-code mapping. Each
** FTS5 tokenizer instance owns one fs_tokenizer; nothing is shared.
*/
#include "tokenizer_fts5.h"

#include "alloc.h"
#include "buf.h"
#include "fsearch.h"
#include "tokenizer.h"

#include <stdint.h>
#include <string.h>

/* One FTS5 tokenizer instance. */
typedef struct fts5_inst {
    fs_tokenizer *t;
    fs_replay *replay;              /* the handle's, or NULL */
} fts5_inst;

/* What fs_tokenizer_run() hands back to xTokenize for each token. */
typedef struct fts5_ctx {
    void *pCtx;                     /* FTS5's context for xToken */
    int (*xToken)(void *, int, const char *, int, int, int);
} fts5_ctx;

/* Create a tokenizer for `tokenize = 'fsearch [language]'`: the
** fs_tokenizer itself is the instance. */
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

/* The same, for a handle that replays: an fts5_inst. */
static int replay_create(void *pUserData, const char **azArg, int nArg,
                         Fts5Tokenizer **ppOut)
{
    fts5_inst *inst;
    int rc = fts5_create(NULL, azArg, nArg, ppOut);

    if (rc != SQLITE_OK)
        return rc;
    inst = fs_malloc(sizeof *inst);
    if (!inst) {
        fs_tokenizer_free((fs_tokenizer *)*ppOut);
        *ppOut = NULL;
        return SQLITE_NOMEM;
    }
    inst->t = (fs_tokenizer *)*ppOut;
    inst->replay = pUserData;
    *ppOut = (Fts5Tokenizer *)inst;
    return SQLITE_OK;
}

static void replay_delete(Fts5Tokenizer *p)
{
    fts5_inst *inst = (fts5_inst *)p;

    if (inst) {
        fs_tokenizer_free(inst->t);
        fs_free(inst);
    }
}

static int fts5_token(void *payload, const char *token, int ntoken,
                      int start, int end)
{
    fts5_ctx *c = payload;

    return c->xToken(c->pCtx, 0, token, ntoken, start, end);
}

/* The replay format: per token, its start and end offsets (two native
** int32) and its length (one byte: tokens are at most FS_TOKEN_MAX_BYTES),
** then its bytes. */
_Static_assert(FS_TOKEN_MAX_BYTES <= 255,
               "a replayed token's length is stored in one byte");

int fs_replay_put(void *payload, const char *token, int ntoken, int start,
                  int end)
{
    fs_buf *b = payload;
    int32_t se[2] = { start, end };
    unsigned char len = (unsigned char)(ntoken < 255 ? ntoken : 255);
    int rc = FSEARCH_OK;

    fs_buf_reserve(&rc, b, sizeof se + 1 + len);
    if (rc != FSEARCH_OK)
        return rc;
    memcpy(b->p + b->n, se, sizeof se);
    b->p[b->n + sizeof se] = (char)len;
    memcpy(b->p + b->n + sizeof se + 1, token, len);
    b->n += sizeof se + 1 + len;
    return FSEARCH_OK;
}

static int replay_run(const unsigned char *p, size_t n, void *pCtx,
                      int (*xToken)(void *, int, const char *, int, int, int))
{
    size_t i = 0;

    while (i + 9 <= n) {
        int32_t se[2];
        size_t len;
        int rc;

        memcpy(se, p + i, sizeof se);
        len = p[i + 8];
        if (i + 9 + len > n)
            break;
        rc = xToken(pCtx, 0, (const char *)p + i + 9, (int)len, se[0], se[1]);
        if (rc != SQLITE_OK)
            return rc;
        i += 9 + len;
    }
    return SQLITE_OK;
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

static int replay_tokenize(Fts5Tokenizer *p, void *pCtx, int flags,
                           const char *pText, int nText,
                           int (*xToken)(void *, int, const char *, int, int,
                                         int))
{
    fts5_inst *inst = (fts5_inst *)p;
    const fs_replay *r = inst->replay;

    if (flags == FTS5_TOKENIZE_DOCUMENT)
        for (int i = 0; i < 2; i++)
            if (r->text[i] && r->ntext[i] == nText &&
                (r->text[i] == pText ||
                 (nText > 0 && pText &&
                  memcmp(r->text[i], pText, (size_t)nText) == 0)))
                return replay_run(r->toks[i], r->ntoks[i], pCtx, xToken);
    return fts5_tokenize((Fts5Tokenizer *)inst->t, pCtx, flags, pText, nText,
                         xToken);
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
    return fs_tokenizer_register_replay(db, NULL);
}

int fs_tokenizer_register_replay(sqlite3 *db, fs_replay *replay)
{
    static const fts5_tokenizer methods = {
        fts5_create, fts5_delete, fts5_tokenize
    };
    static const fts5_tokenizer replay_methods = {
        replay_create, replay_delete, replay_tokenize
    };
    fts5_tokenizer copy = replay ? replay_methods : methods;
    fts5_api *api;
    int rc;

    api = fts5_api_of(db, &rc);
    if (rc != SQLITE_OK)
        return rc;
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, "fsearch", replay, &copy, NULL);
}
