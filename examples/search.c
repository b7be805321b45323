/*
** search.c - an example of embedding libfsearch: open an index read-only,
** run one query and print each hit, its matched words in [brackets] and
** the other files holding the same passage. Exit status as grep.
**
**   cc search.c $(pkg-config --cflags --libs fsearch) -o fsearch-search
**   ./fsearch-search index/fsearch.db "safety zone" 3
*/
#include <fsearch.h>

#include <stdio.h>
#include <stdlib.h>

/* Print the hit's snippet with each matched word between [ and ]. The
** ranges are byte offsets into hit->snippet, in order. */
static void print_snippet(const fsearch_hit *hit)
{
    size_t at = 0;
    size_t i;

    fputs(hit->snippet_cut_before ? "   ..." : "   ", stdout);
    for (i = 0; i < hit->nsnippet_matches; i++) {
        const fsearch_range *m = &hit->snippet_matches[i];
        fwrite(hit->snippet + at, 1, m->start - at, stdout);
        putchar('[');
        fwrite(hit->snippet + m->start, 1, m->end - m->start, stdout);
        putchar(']');
        at = m->end;
    }
    fwrite(hit->snippet + at, 1, hit->snippet_len - at, stdout);
    puts(hit->snippet_cut_after ? "..." : "");
}

int main(int argc, char **argv)
{
    fsearch *fs = NULL;
    fsearch_cursor *cur = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    const fsearch_hit *hit;
    unsigned int nhits = 0;
    int rc;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s INDEX QUERY [LIMIT]\n", argv[0]);
        return 2;
    }
    if (argc == 4)
        so.limit = (unsigned int)strtoul(argv[3], NULL, 10);

    /* A handle comes back even when opening fails, to carry the message. */
    o.flags = FSEARCH_OPEN_READONLY;
    rc = fsearch_open(&fs, argv[1], &o);
    if (rc == FSEARCH_OK)
        rc = fsearch_search(&cur, fs, argv[2], &so);
    while (rc == FSEARCH_OK && (rc = fsearch_next(cur, &hit)) == FSEARCH_OK) {
        size_t i;

        printf("%u. %s:%u-%u  score %.2f\n", hit->rank, hit->path,
               hit->line, hit->end_line, hit->score);
        print_snippet(hit);
        for (i = 0; i < hit->nalso_in; i++)
            printf("   also in %s:%u\n", hit->also_in[i].path,
                   hit->also_in[i].line);
        nhits++;
    }
    if (rc < 0)
        fprintf(stderr, "%s: %s (%s)\n", argv[0], fsearch_errmsg(fs),
                fsearch_errstr(rc));
    fsearch_cursor_free(cur);
    fsearch_close(fs);
    return rc < 0 ? 2 : nhits == 0;
}
