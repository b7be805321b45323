/*
** fuzz_query.c - feed arbitrary bytes to the query translator and check
** that whatever it accepts is an expression FTS5 accepts too.
**
** The input up to its first NUL byte is the query; what follows the NUL,
** if anything, is parsed as a synonym file (else a fixed one is used). On
** success the expression must be non-empty, its FTS5 string count must be
** nphrases, every group must be in range and used, and a MATCH on an
** in-memory FTS5 table must not fail; with the fixed synonyms, every
** string must hold a word for fsearch's own tokenizer (a string of none
** matches nothing). Any breach aborts.
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsearch.h"
#include "query.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_synonyms[] =
    "Nanking Nanjing\n\"Iris Chang\" Chang\n";

/* The fuzz target may keep state between runs: the library may not. */
static sqlite3 *db;
static sqlite3_stmt *stmt;
static fs_synonyms *syn_default;
static fs_tokenizer *tokenizer;

/* Closed at exit so that valgrind and LeakSanitizer see no leak. */
static void teardown(void)
{
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    fs_synonyms_free(syn_default);
    fs_tokenizer_free(tokenizer);
}

static void setup(void)
{
    char err[128];
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, body);"
                     "INSERT INTO t VALUES('Safety zone', 'John Rabe in "
                     "Nanking, the safety-zone');"
                     "INSERT INTO t VALUES('Letters', 'Iris Chang: U.S. "
                     "C++ 10:30 don''t');",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?", -1,
                           &stmt, NULL) != SQLITE_OK ||
        fs_synonyms_parse(&syn_default, default_synonyms,
                          sizeof default_synonyms - 1, err,
                          sizeof err) != FSEARCH_OK ||
        fs_tokenizer_new(&tokenizer, "english") != FSEARCH_OK)
        abort();
    atexit(teardown);
}

/* FTS5 string literals in the expression; -1 if one is unterminated. */
static int count_literals(const char *m)
{
    int n = 0;
    while (*m) {
        if (*m++ != '"')
            continue;
        n++;
        for (;;) {
            if (!*m)
                return -1;
            if (*m == '"' && m[1] == '"') {
                m += 2;
                continue;
            }
            if (*m++ == '"')
                break;
        }
    }
    return n;
}

static int count_token(void *payload, const char *token, int ntoken,
                       int start, int end)
{
    (void)token, (void)ntoken, (void)start, (void)end;
    ++*(int *)payload;
    return 0;
}

/* Does every string of m give the tokenizer a word? Strings longer than
** the tokenizer folds of one word (1 KB) are let be: a run of marks that
** long before a letter folds to nothing there. */
static int all_have_words(const char *m)
{
    char buf[1024];
    while (*m) {
        if (*m++ != '"')
            continue;
        size_t n = 0;
        int ntok = 0, big = 0;
        for (; *m && !(*m == '"' && m[1] != '"'); m++) {
            if (*m == '"')
                m++;
            if (n < sizeof buf)
                buf[n++] = *m;
            else
                big = 1;
        }
        if (*m)
            m++;
        if (big)
            continue;
        if (fs_tokenizer_run(tokenizer, 0, buf, (int)n, count_token,
                             &ntok) != FSEARCH_OK || ntok == 0) {
            fprintf(stderr, "no word in <%.*s>\n", (int)n, buf);
            return 0;
        }
    }
    return 1;
}

static void check(const fs_query *q, int own_synonyms)
{
    char *used;
    if (!q->match || !q->match[0])
        abort();
    if (count_literals(q->match) != q->nphrases)
        abort();
    if (q->nphrases < 1 || q->nphrases > 256 || q->ngroups < 1 ||
        q->ngroups > q->nphrases)
        abort();
    used = calloc((size_t)q->ngroups, 1);
    if (!used)
        abort();
    for (int i = 0; i < q->nphrases; i++) {
        int g = q->phrase_group[i];
        if (g < -1 || g >= q->ngroups)
            abort();
        if (g >= 0)
            used[g] = 1;
    }
    for (int g = 0; g < q->ngroups; g++)
        if (!used[g])
            abort();
    free(used);
    if ((q->npaths > 0) != (q->paths != NULL))
        abort();
    for (int i = 0; i < q->nterms; i++)
        if (!q->terms[i] || !q->terms[i][0])
            abort();
    if (!own_synonyms && !all_have_words(q->match))
        abort();

    int rc;
    sqlite3_bind_text(stmt, 1, q->match, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "fts5 rejected <%s>: %s\n", q->match,
                sqlite3_errmsg(db));
        abort();
    }
    sqlite3_reset(stmt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    fs_synonyms *syn = NULL;
    fs_query *q = NULL;
    size_t qlen = 0;
    char *in;
    int rc;

    if (!db)
        setup();
    while (qlen < size && data[qlen])
        qlen++;
    in = malloc(qlen + 1);
    if (!in)
        return 0;
    memcpy(in, data, qlen);
    in[qlen] = '\0';

    if (qlen < size) {
        rc = fs_synonyms_parse(&syn, (const char *)data + qlen + 1,
                               size - qlen - 1, err, sizeof err);
        if (rc != FSEARCH_OK && rc != FSEARCH_EQUERY)
            abort();
        if ((rc == FSEARCH_OK) != (syn != NULL))
            abort();
    } else {
        syn = NULL;
    }

    for (int flags = 0; flags <= FS_QUERY_KEEP_STOPWORDS; flags++) {
        rc = fs_query_parse(&q, in, flags, syn ? syn : syn_default, err,
                            sizeof err);
        if (rc == FSEARCH_OK) {
            check(q, syn != NULL);
        } else if (rc != FSEARCH_EQUERY || q != NULL || !err[0] ||
                   strchr(err, '\n')) {
            abort();
        }
        fs_query_free(q);
        q = NULL;
    }
    fs_synonyms_free(syn);
    free(in);
    return 0;
}
