/*
** output.c - how hits look on a terminal or in a pipe: "path:line" first,
** then the snippet with the matched words highlighted. Text from documents
** never reaches the terminal raw: control characters are shown escaped.
*/
#include "cli.h"

#include <stdarg.h>
#include <string.h>

#define COLOR_PATH "\033[35m"
#define COLOR_LINE "\033[32m"
#define COLOR_MATCH "\033[1;31m"
#define COLOR_DIM "\033[2m"
#define COLOR_OFF "\033[0m"

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

void cli_print_hit(FILE *out, const cli_opts *o, const fsearch_hit *hit)
{
    const char *root = o->corpus;
    int join = root && strcmp(root, ".") != 0;
    if (o->color)
        fputs(COLOR_PATH, out);
    if (join) {
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
            n--;
        cli_put_safe(out, root, n);
        fputc('/', out);
    }
    cli_put_safe(out, hit->path, strlen(hit->path));
    if (o->color)
        fputs(COLOR_OFF, out);
    fputc(':', out);
    if (o->color)
        fputs(COLOR_LINE, out);
    fprintf(out, "%u", hit->line);
    if (o->color)
        fputs(COLOR_OFF, out);
    fputc('\n', out);

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
    for (size_t i = 0; i < hit->nalso_in; i++) {
        fputs(o->color ? COLOR_DIM "    also in: " : "    also in: ", out);
        if (join) {
            cli_put_safe(out, root, strlen(root));
            fputc('/', out);
        }
        cli_put_safe(out, hit->also_in[i].path, strlen(hit->also_in[i].path));
        fprintf(out, ":%u", hit->also_in[i].line);
        if (o->color)
            fputs(COLOR_OFF, out);
        fputc('\n', out);
    }
}
