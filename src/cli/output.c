/*
** output.c - how hits look on a terminal or in a pipe: "path:line" first,
** then the snippet with the matched words highlighted. Text from documents
** never reaches the terminal raw: control characters are shown escaped.
*/
#include "cli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define COLOR_PATH "\033[35m"
#define COLOR_LINE "\033[32m"
#define COLOR_MATCH "\033[1;31m"
#define COLOR_DIM "\033[2m"
#define COLOR_OFF "\033[0m"

#define CONTEXT_WIDTH 160   /* bytes of a context line shown */

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("fsearch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_put_safe(FILE *out, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        int bad = 0;
        size_t len = 1;
        if (c < 0x20 || c == 0x7f) {
            bad = 1;
        } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0x9F) {
            bad = 1; /* a C1 control character, U+0080..U+009F */
            len = 2;
        }
        if (!bad) {
            i++;
            run++;
            continue;
        }
        fwrite(s + i - run, 1, run, out);
        run = 0;
        if (c == '\t' || c == '\n' || c == '\r')
            fputc(' ', out);
        else if (len == 1)
            fprintf(out, "^%c", c == 0x7f ? '?' : c + '@');
        else
            fputs("\xEF\xBF\xBD", out); /* U+FFFD */
        i += len;
    }
    fwrite(s + i - run, 1, run, out);
}

/* A document path as the user reaches it: under the corpus folder. */
static void put_path(FILE *out, const cli_opts *o, const char *path)
{
    const char *root = o->corpus;
    if (root && strcmp(root, ".") != 0) {
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
            n--;
        cli_put_safe(out, root, n);
        if (!(n == 1 && root[0] == '/'))
            fputc('/', out);
    }
    cli_put_safe(out, path, strlen(path));
}

/*
** Context lines text[0..n) (whole lines), numbered from `line`, dimmed on a
** terminal. Long lines are cut: context is there to orient, not to read.
*/
static void print_context(FILE *out, const cli_opts *o, const char *text,
                          unsigned line)
{
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t shown = n;
        if (shown > CONTEXT_WIDTH) {
            shown = CONTEXT_WIDTH;
            while (shown > 0 && ((unsigned char)p[shown] & 0xC0) == 0x80)
                shown--;
        }
        if (o->color)
            fputs(COLOR_DIM, out);
        fprintf(out, "    %u- ", line++);
        cli_put_safe(out, p, shown);
        if (shown < n)
            fputs("…", out);
        if (o->color)
            fputs(COLOR_OFF, out);
        fputc('\n', out);
        p = nl ? nl + 1 : NULL;
    }
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void print_hit(FILE *out, const cli_opts *o, const fsearch_hit *hit,
                      const char *before, const char *after);

void cli_print_hit(FILE *out, const cli_opts *o, const fsearch_hit *hit)
{
    print_hit(out, o, hit, NULL, NULL);
}

/* The snippet, matched words highlighted on a terminal. */
static void print_snippet(FILE *out, const cli_opts *o,
                          const fsearch_hit *hit);

static void print_also_in(FILE *out, const cli_opts *o,
                          const fsearch_hit *hit);

static void print_hit(FILE *out, const cli_opts *o, const fsearch_hit *hit,
                      const char *before, const char *after)
{
    if (o->color)
        fputs(COLOR_PATH, out);
    put_path(out, o, hit->path);
    if (o->color)
        fputs(COLOR_OFF, out);
    fputc(':', out);
    if (o->color)
        fputs(COLOR_LINE, out);
    fprintf(out, "%u", hit->line);
    if (o->color)
        fputs(COLOR_OFF, out);
    fputc('\n', out);
    if (before && *before)
        print_context(out, o, before, hit->line - count_lines(before));
    print_snippet(out, o, hit);
    if (after && *after)
        print_context(out, o, after, hit->end_line + 1);
    print_also_in(out, o, hit);
}

static void print_snippet(FILE *out, const cli_opts *o,
                          const fsearch_hit *hit)
{
    fputs("    ", out);
    if (hit->snippet_cut_before)
        fputs("…", out);
    size_t pos = 0;
    for (size_t i = 0; i < hit->nsnippet_matches; i++) {
        const fsearch_range *r = &hit->snippet_matches[i];
        if (r->start < pos || r->end > hit->snippet_len)
            continue;
        cli_put_safe(out, hit->snippet + pos, r->start - pos);
        if (o->color)
            fputs(COLOR_MATCH, out);
        cli_put_safe(out, hit->snippet + r->start, r->end - r->start);
        if (o->color)
            fputs(COLOR_OFF, out);
        pos = r->end;
    }
    cli_put_safe(out, hit->snippet + pos, hit->snippet_len - pos);
    if (hit->snippet_cut_after)
        fputs("…", out);
    fputc('\n', out);
}

/* The places a passage is also found. */
static void print_also_in(FILE *out, const cli_opts *o,
                          const fsearch_hit *hit)
{
    for (size_t i = 0; i < hit->nalso_in; i++) {
        fputs(o->color ? COLOR_DIM "    also in: " : "    also in: ", out);
        put_path(out, o, hit->also_in[i].path);
        fprintf(out, ":%u", hit->also_in[i].line);
        if (o->color)
            fputs(COLOR_OFF, out);
        fputc('\n', out);
    }
}

/* ---------------------------------------------------------------------- */

/* Load the synonyms: --synonyms or $FSEARCH_SYNONYMS must exist; the
** default, synonyms.txt in the index's folder, may be absent. */
static int load_synonyms(fsearch *fs, const cli_opts *o)
{
    const char *path = o->synonyms;
    if (!path || !*path)
        path = getenv("FSEARCH_SYNONYMS");
    if (path && *path) {
        if (fsearch_set_synonyms(fs, path) != FSEARCH_OK) {
            cli_error("%s", fsearch_errmsg(fs));
            return -1;
        }
        return 0;
    }
    const char *slash = strrchr(o->index, '/');
    size_t dir = slash ? (size_t)(slash - o->index) + 1 : 0;
    char *def = malloc(dir + sizeof "synonyms.txt");
    if (!def) {
        cli_error("out of memory");
        return -1;
    }
    memcpy(def, o->index, dir);
    memcpy(def + dir, "synonyms.txt", sizeof "synonyms.txt");
    int rc = fsearch_set_synonyms(fs, def);
    free(def);
    if (rc != FSEARCH_OK && rc != FSEARCH_ENOTFOUND) {
        cli_error("%s", fsearch_errmsg(fs));
        return -1;
    }
    return 0;
}

/* One note on stderr: `head`, the words, then `tail`. */
static void print_words(const char *head, const char *const *words,
                        size_t n, const char *tail)
{
    fputs(head, stderr);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", stderr);
        cli_put_safe(stderr, words[i], strlen(words[i]));
    }
    fputs(tail, stderr);
}

/* "did you mean" on stderr; with --fuzzy, first what was searched too,
** then only the suggestions that were not (those for quoted words). */
static int print_suggestions(fsearch_cursor *cur, const cli_opts *o)
{
    const char *const *words, *const *fuzzy;
    size_t n, nfuzzy = 0;
    /* Not looked for when they would not be shown: a rare word's spellings
    ** cost more than its search. (--fuzzy found them already.) */
    if (o->quiet && !o->fuzzy)
        return 0;
    if (fsearch_suggestions(cur, &words, &n) != FSEARCH_OK ||
        fsearch_fuzzy_words(cur, &fuzzy, &nfuzzy) != FSEARCH_OK)
        return -1;
    if (n == 0 || o->quiet)
        return 0;
    fflush(stdout);     /* the note follows the hits on a shared terminal */
    if (nfuzzy)
        print_words("fsearch: also searched for: ", fuzzy, nfuzzy, "\n");
    /* Both lists keep fsearch_suggestions()' order: the rest is what the
    ** searched list skips. */
    size_t shown = 0;
    for (size_t i = 0, f = 0; i < n; i++) {
        if (f < nfuzzy && fuzzy[f] == words[i]) {
            f++;
            continue;
        }
        fputs(shown++ ? ", " : "fsearch: did you mean: ", stderr);
        cli_put_safe(stderr, words[i], strlen(words[i]));
    }
    if (shown)
        fputs("?\n", stderr);
    return 0;
}

int cli_search(fsearch *fs, const cli_opts *o, const char *query)
{
    if (load_synonyms(fs, o) != 0)
        return EXIT_TROUBLE;
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.limit = o->limit;
    so.offset = o->offset;
    if (o->files_only) {
        so.flags |= FSEARCH_SEARCH_FILES;
        /* Like grep -l: every file, unless -n says otherwise. */
        if (!o->limit_set)
            so.limit = UINT_MAX;
        /* Paths only: no highlights to find (JSON still shows them). */
        if (!o->json)
            so.flags |= FSEARCH_SEARCH_NO_SNIPPET;
    }
    if (o->fuzzy)
        so.flags |= FSEARCH_SEARCH_FUZZY;
    if (o->no_expand)
        so.flags |= FSEARCH_SEARCH_NO_EXPAND;
    fsearch_cursor *cur = NULL;
    int rc = fsearch_search(&cur, fs, query, &so);
    if (rc != FSEARCH_OK) {
        cli_error("%s", fsearch_errmsg(fs));
        return EXIT_TROUBLE;
    }
    int status = EXIT_NONE;
    uint64_t n = 0;
    const char *json;
    if (o->count_only) {
        rc = fsearch_count(cur, &n);
        if (rc == FSEARCH_OK && o->json)
            rc = fsearch_summary_json(cur, (int64_t)n, &json);
        if (rc == FSEARCH_OK) {
            if (o->json)
                puts(json);
            else
                printf("%llu\n", (unsigned long long)n);
        }
    } else {
        const fsearch_hit *hit;
        while (!ferror(stdout) && (rc = fsearch_next(cur, &hit)) == FSEARCH_OK) {
            if (o->json) {
                rc = fsearch_hit_json(cur, &json);
                if (rc != FSEARCH_OK)
                    break;
                puts(json);
            } else if (o->files_only) {
                put_path(stdout, o, hit->path);
                fputc('\n', stdout);
            } else {
                const char *before = NULL, *after = NULL;
                /* A file that cannot be read now only loses its context. */
                if (o->context > 0 &&
                    fsearch_hit_context(cur, o->context, &before, &after) !=
                        FSEARCH_OK)
                    before = after = NULL;
                if (n > 0)
                    fputc('\n', stdout);
                print_hit(stdout, o, hit, before, after);
            }
            n++;
        }
        if (rc == FSEARCH_DONE)
            rc = FSEARCH_OK;
        if (rc == FSEARCH_OK && o->json && !ferror(stdout)) {
            rc = fsearch_summary_json(cur, -1, &json);
            if (rc == FSEARCH_OK)
                puts(json);
        }
    }
    if (rc == FSEARCH_OK)
        status = n > 0 ? EXIT_HITS : EXIT_NONE;
    if (rc == FSEARCH_OK && !o->json && !ferror(stdout))
        rc = print_suggestions(cur, o);
    if (rc != FSEARCH_OK) {
        cli_error("%s", fsearch_errmsg(fs));
        status = EXIT_TROUBLE;
    }
    fsearch_cursor_free(cur);
    return status;
}
