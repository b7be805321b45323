/*
** test_brief.c - a brief read-only handle (FSEARCH_OPEN_READONLY |
** FSEARCH_OPEN_BRIEF, what the command opens for a search) maps the index
** instead of caching it: the hits, their order, scores to the bit, places
** and snippets must be those of a read-write and a plain read-only handle,
** and it must see what was committed after an earlier handle's search.
*/
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsearch.h"
#include "../test.h"
#include "../fixture.h"

static char tmp_dir[512], corpus[600], db[600];

/* A file of the corpus, from a printf format. */
#define put(...) fixture_write(corpus, __VA_ARGS__)

static const char *const words[] = {
    "quokka", "harbour", "ledger", "timber", "capital", "colony", "keeper",
    "winter", "stone", "museum", "tide", "dawn", "lantern", "granary",
};
#define NWORDS (sizeof words / sizeof words[0])

/* Files of a few passages each, the words mixed differently in each, some
** passages copied into other files (so "also in" has work). */
static void make_corpus(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsearch-brief.XXXXXX",
             base && *base ? base : "/tmp");
    CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
    snprintf(db, sizeof db, "%s/index.db", tmp_dir);
    CHECK_INT(mkdir(corpus, 0777), 0);
    uint32_t x = 12345;
    for (int f = 0; f < 40; f++) {
        char text[4096], name[32];
        size_t n = 0;
        n += (size_t)snprintf(text + n, sizeof text - n, "File %d\n\n", f);
        for (int p = 0; p < 4; p++) {
            for (int w = 0; w < 30; w++) {
                x = x * 1103515245u + 12345u;
                n += (size_t)snprintf(text + n, sizeof text - n, "%s ",
                                      words[(x >> 16) % NWORDS]);
            }
            n += (size_t)snprintf(text + n, sizeof text - n, "\n\n");
        }
        if (f % 7 == 3)     /* a passage shared by several files */
            snprintf(text + n, sizeof text - n, "The keeper of the granary "
                     "lit the lantern at dawn by the harbour.\n");
        snprintf(name, sizeof name, "f%02d.txt", f);
        CHECK_INT(put(name, "%s", text), 0);
    }
}

static void remove_tmp(void)
{
    fixture_remove(tmp_dir);
}

/* Everything a user sees of a search, one line per hit, into buf. */
static void run(fsearch *fs, const char *query, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.limit = 10;
    fsearch_cursor *cur = NULL;
    CHECK_INT(fsearch_search(&cur, fs, query, &so), FSEARCH_OK);
    const fsearch_hit *h;
    int rc;
    while (cur && (rc = fsearch_next(cur, &h)) == FSEARCH_OK && n < size) {
        n += (size_t)snprintf(buf + n, size - n, "%s:%u-%u %a %.*s |",
                              h->path, h->line, h->end_line, h->score,
                              (int)h->snippet_len, h->snippet);
        for (size_t i = 0; i < h->nalso_in && n < size; i++)
            n += (size_t)snprintf(buf + n, size - n, " %s:%u",
                                  h->also_in[i].path, h->also_in[i].line);
        if (n < size)
            n += (size_t)snprintf(buf + n, size - n, "\n");
    }
    CHECK(n < size);
    fsearch_cursor_free(cur);
}

static fsearch *open_as(unsigned flags)
{
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = flags;
    CHECK_INT(fsearch_open(&fs, db, &o), FSEARCH_OK);
    return fs;
}

static const char *const queries[] = {
    "quokka", "harbour ledger", "\"keeper of the granary\"", "lantern OR dawn",
    "capital -colony", "tim*", "museum winter stone tide", "nosuchword",
};

TEST(same_hits_as_other_handles)
{
    make_corpus();
    fsearch *rw = open_as(FSEARCH_OPEN_CREATE);
    CHECK_INT(fsearch_index(rw, corpus, NULL, NULL), FSEARCH_OK);
    fsearch *ro = open_as(FSEARCH_OPEN_READONLY);
    static char a[32768], b[32768], c[32768];
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        /* A new brief handle per search, as the command opens one. */
        fsearch *brief = open_as(FSEARCH_OPEN_READONLY | FSEARCH_OPEN_BRIEF);
        run(rw, queries[i], a, sizeof a);
        run(ro, queries[i], b, sizeof b);
        run(brief, queries[i], c, sizeof c);
        if (strcmp(a, c) != 0)
            fprintf(stderr, "query %s:\nread-write:\n%sbrief:\n%s",
                    queries[i], a, c);
        CHECK_STR(b, a);
        CHECK_STR(c, a);
        if (i == 0)
            CHECK(strlen(a) > 0);
        fsearch_close(brief);
    }
    fsearch_close(ro);
    fsearch_close(rw);
    remove_tmp();
}

TEST(sees_later_commits)
{
    make_corpus();
    fsearch *rw = open_as(FSEARCH_OPEN_CREATE);
    CHECK_INT(fsearch_index(rw, corpus, NULL, NULL), FSEARCH_OK);
    fsearch *brief = open_as(FSEARCH_OPEN_READONLY | FSEARCH_OPEN_BRIEF);
    static char a[32768], b[32768];
    run(brief, "zebrafinch", a, sizeof a);
    CHECK_STR(a, "");
    /* The index grows while the brief handle is open (past its mapping). */
    for (int f = 0; f < 30; f++) {
        char name[32];
        snprintf(name, sizeof name, "new%02d.txt", f);
        CHECK_INT(put(name, "New %d\n\nA zebrafinch sang by the harbour "
                  "in file %d, %s.\n", f, f, words[f % NWORDS]), 0);
    }
    CHECK_INT(fsearch_index(rw, corpus, NULL, NULL), FSEARCH_OK);
    run(brief, "zebrafinch", a, sizeof a);
    run(rw, "zebrafinch", b, sizeof b);
    CHECK(strlen(a) > 0);
    CHECK_STR(a, b);
    fsearch_close(brief);
    fsearch_close(rw);
    remove_tmp();
}

RUN_TESTS("brief", T(same_hits_as_other_handles), T(sees_later_commits))
