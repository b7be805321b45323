/*
** main.c - fsearch(1): options, the subcommands (search, index, status) and
** exit statuses. Uses only the public API in include/fsearch.h.
*/
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: fsearch [OPTIONS] QUERY...      search the index (built first if missing)\n"
    "       fsearch index [--rebuild] [--dry-run]   bring the index up to date\n"
    "       fsearch index --watch           keep it up to date until interrupted\n"
    "       fsearch status                  what the index holds, and how stale it is\n"
    "\n"
    "Options:\n"
    "  -n, --limit N         show at most N hits (default 10)\n"
    "      --offset N        skip the first N hits\n"
    "  -l, --files-with-matches  list matching files, best first\n"
    "  -c, --count           print the number of hits (files with -l)\n"
    "  -C, --context N       show N lines of the file around each passage\n"
    "      --json            JSON Lines: one object per hit, then a summary\n"
    "      --fuzzy           also search the \"did you mean\" spellings\n"
    "      --no-expand       search only the words typed (questions of more\n"
    "                        than 3 words are otherwise widened with words\n"
    "                        of their first results)\n"
    "      --synonyms FILE   synonym groups, one per line (default\n"
    "                        synonyms.txt next to the index, or $FSEARCH_SYNONYMS)\n"
    "      --color[=WHEN]    highlight matches: auto (default), always, never\n"
    "      --corpus DIR      folder of texts (default ./corpus, or $FSEARCH_CORPUS)\n"
    "      --index PATH      index file (default ./index/fsearch.db, or $FSEARCH_INDEX)\n"
    "      --language LANG   stemmer of a new index: english (default), french,\n"
    "                        german, ..., or none\n"
    "      --rebuild         (index) rebuild the index from scratch\n"
    "      --dry-run         (index) say what would change, change nothing\n"
    "      --watch           (index) update again whenever files change\n"
    "  -q, --quiet           no progress or notes on stderr\n"
    "  -h, --help            show this help\n"
    "  -V, --version         show the version\n"
    "\n"
    "Query language:\n"
    "  safety zone           passages with both words first, then with either\n"
    "  \"safety zone\"         the exact phrase\n"
    "  rabe OR minnie        either word;  a AND b: both required\n"
    "  nanking -film         NOT: leave out passages with a word (also NOT film)\n"
    "  massac*               words starting with a prefix\n"
    "  NEAR(rabe diary, 5)   words within 5 words of each other\n"
    "  title:nanking         match in the document's title (first line)\n"
    "  path:*.txt            only files whose path matches the glob\n"
    "  (rabe OR minnie) -x   parentheses group; operators only in capitals\n"
    "Words are matched case- and accent-insensitively, and stemmed (execution\n"
    "finds executed). Punctuation in a word is read as in the texts (U.S.,\n"
    "safety-zone). A passage found in several files is shown once, with the\n"
    "other places under \"also in\". Put queries starting with '-' after '--'.\n"
    "\n"
    "Exit status: 0 hits found, 1 no hits, 2 error.\n";

static void usage_error(const char *fmt, const char *arg)
{
    fputs("fsearch: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'fsearch --help' for more information.\n", stderr);
}

static int parse_uint(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > 1000000000UL)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int want_color(const char *when)
{
    if (!when || strcmp(when, "auto") == 0) {
        const char *nc = getenv("NO_COLOR");
        const char *term = getenv("TERM");
        if (nc && *nc)
            return 0;
        if (term && strcmp(term, "dumb") == 0)
            return 0;
        return isatty(STDOUT_FILENO);
    }
    if (strcmp(when, "always") == 0)
        return 1;
    if (strcmp(when, "never") == 0)
        return 0;
    return -1;
}

enum { OPT_COLOR = 256, OPT_CORPUS, OPT_INDEX, OPT_LANGUAGE, OPT_REBUILD,
       OPT_DRY_RUN, OPT_OFFSET, OPT_JSON, OPT_FUZZY, OPT_SYNONYMS, OPT_NO_EXPAND,
       OPT_WATCH };
static const struct option longopts[] = {
    { "limit", required_argument, NULL, 'n' },
    { "offset", required_argument, NULL, OPT_OFFSET },
    { "files-with-matches", no_argument, NULL, 'l' },
    { "count", no_argument, NULL, 'c' },
    { "context", required_argument, NULL, 'C' },
    { "json", no_argument, NULL, OPT_JSON },
    { "fuzzy", no_argument, NULL, OPT_FUZZY },
    { "no-expand", no_argument, NULL, OPT_NO_EXPAND },
    { "synonyms", required_argument, NULL, OPT_SYNONYMS },
    { "color", optional_argument, NULL, OPT_COLOR },
    { "colour", optional_argument, NULL, OPT_COLOR },
    { "corpus", required_argument, NULL, OPT_CORPUS },
    { "index", required_argument, NULL, OPT_INDEX },
    { "language", required_argument, NULL, OPT_LANGUAGE },
    { "rebuild", no_argument, NULL, OPT_REBUILD },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "watch", no_argument, NULL, OPT_WATCH },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
};

/* Parse options from (*argc, *argv) at optind; stops at the first word.
** Returns 0 to go on, -1 when done (help, version), 1 on a usage error. */
static int parse_options(int *argc, char ***argv, cli_opts *o,
                         unsigned *index_flags)
{
    int c;
    while ((c = getopt_long(*argc, *argv, ":n:lcC:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_uint(optarg, &o->limit) != 0 || o->limit == 0) {
                usage_error("-n needs a positive number, not '%s'", optarg);
                return 1;
            }
            o->limit_set = 1;
            break;
        case OPT_OFFSET:
            if (parse_uint(optarg, &o->offset) != 0) {
                usage_error("--offset needs a number, not '%s'", optarg);
                return 1;
            }
            break;
        case OPT_COLOR:
            o->color = want_color(optarg ? optarg : "always");
            if (o->color < 0) {
                usage_error("--color takes auto, always or never, not '%s'",
                            optarg);
                return 1;
            }
            break;
        case OPT_CORPUS: o->corpus = optarg; break;
        case OPT_INDEX: o->index = optarg; break;
        case OPT_LANGUAGE: o->language = optarg; break;
        case OPT_REBUILD: *index_flags |= FSEARCH_INDEX_REBUILD; break;
        case OPT_DRY_RUN: *index_flags |= FSEARCH_INDEX_DRY_RUN; break;
        case OPT_WATCH: o->watch = 1; break;
        case 'q': o->quiet = 1; break;
        case 'l': o->files_only = 1; break;
        case 'c': o->count_only = 1; break;
        case 'C':
            if (parse_uint(optarg, &o->context) != 0 || o->context > 1000) {
                usage_error("-C needs a number of lines (0 to 1000), not '%s'",
                            optarg);
                return 1;
            }
            break;
        case OPT_JSON: o->json = 1; break;
        case OPT_FUZZY: o->fuzzy = 1; break;
        case OPT_NO_EXPAND: o->no_expand = 1; break;
        case OPT_SYNONYMS: o->synonyms = optarg; break;
        case 'h':
            fputs(usage_text, stdout);
            return -1;
        case 'V':
            printf("fsearch %s\n", fsearch_version());
            return -1;
        case ':':
            usage_error("option '%s' needs a value", (*argv)[optind - 1]);
            return 1;
        default:
            usage_error("unknown option '%s'", (*argv)[optind - 1]);
            return 1;
        }
    }
    return 0;
}

/* Join argv[from..argc) with spaces into one query. */
static char *join_args(int argc, char **argv, int from)
{
    size_t n = 1;
    for (int i = from; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *q = malloc(n);
    if (!q)
        return NULL;
    /* Copy with a moving end: strcat would rescan, quadratic in words. */
    char *end = q;
    for (int i = from; i < argc; i++) {
        if (i > from)
            *end++ = ' ';
        size_t len = strlen(argv[i]);
        memcpy(end, argv[i], len);
        end += len;
    }
    *end = '\0';
    return q;
}

int main(int argc, char **argv)
{
    /* A reader that goes away (fsearch x | head -1) makes writes fail with
    ** EPIPE instead of killing us: the search loop stops, everything is
    ** closed properly, and the EPIPE check at the end stays quiet. */
    signal(SIGPIPE, SIG_IGN);
    cli_process_setup();
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.corpus = getenv("FSEARCH_CORPUS");
    o.index = getenv("FSEARCH_INDEX");
    if (!o.corpus || !*o.corpus)
        o.corpus = "corpus";
    if (!o.index || !*o.index)
        o.index = "index/fsearch.db";
    o.limit = 10;
    o.color = want_color(NULL);
    unsigned index_flags = 0;
    opterr = 0;
    int rc = parse_options(&argc, &argv, &o, &index_flags);
    if (rc != 0)
        return rc < 0 ? EXIT_HITS : EXIT_TROUBLE;

    /* The subcommand, if any; options may also follow it. */
    const char *cmd = "search";
    if (optind < argc && strcmp(argv[optind - 1], "--") != 0 &&
        (strcmp(argv[optind], "index") == 0 ||
         strcmp(argv[optind], "status") == 0 ||
         strcmp(argv[optind], "search") == 0)) {
        cmd = argv[optind];
        argc -= optind;
        argv += optind;
        optind = 1;
        rc = parse_options(&argc, &argv, &o, &index_flags);
        if (rc != 0)
            return rc < 0 ? EXIT_HITS : EXIT_TROUBLE;
    }
    if (o.watch && (strcmp(cmd, "index") != 0 ||
                    (index_flags & FSEARCH_INDEX_DRY_RUN))) {
        usage_error("%s", "--watch goes with 'fsearch index' (not --dry-run)");
        return EXIT_TROUBLE;
    }
    if (strcmp(cmd, "search") != 0 && optind < argc) {
        usage_error("'%s' takes no arguments", cmd);
        return EXIT_TROUBLE;
    }
    if (strcmp(cmd, "search") == 0 && optind >= argc) {
        usage_error("%s", "no query given");
        return EXIT_TROUBLE;
    }

    /* Open the index; a search with no index yet builds it first. */
    struct stat st;
    int missing = stat(o.index, &st) != 0;
    fsearch_options fo = FSEARCH_OPTIONS_INIT;
    fo.language = o.language;
    int building = strcmp(cmd, "index") == 0 ||
                   (strcmp(cmd, "search") == 0 && missing);
    /* An index is made only with a folder to fill it from: made anyway, an
    ** empty one was left behind (index/fsearch.db wherever a search was
    ** typed), in which later searches found nothing, without a word. */
    int no_folder = 0;
    if (building && missing && !(index_flags & FSEARCH_INDEX_DRY_RUN))
        no_folder = stat(o.corpus, &st) != 0 ? errno
                    : S_ISDIR(st.st_mode)    ? 0
                                             : ENOTDIR;
    if (no_folder) {
        const char *why = strerror(no_folder);
        if (strcmp(cmd, "search") == 0)
            cli_error("no index at %s yet, and cannot read the folder '%s' "
                      "to build it from: %s", o.index, o.corpus, why);
        else
            cli_error("cannot read the folder '%s': %s", o.corpus, why);
        return EXIT_TROUBLE;
    }
    if (building && !(index_flags & FSEARCH_INDEX_DRY_RUN))
        fo.flags |= FSEARCH_OPEN_CREATE;
    /* --rebuild is the user's word that an unusable fsearch index (another
    ** format, damaged) may be replaced; other files are still refused. */
    if (building && (index_flags & FSEARCH_INDEX_REBUILD) &&
        !(index_flags & FSEARCH_INDEX_DRY_RUN))
        fo.flags |= FSEARCH_OPEN_RECREATE;
    /* A search writes nothing: read-only, it neither makes nor removes the
    ** -wal and -shm files each run, nor tries a checkpoint at close; and
    ** it is one search per process, so the index is mapped rather than
    ** cached (FSEARCH_OPEN_BRIEF). */
    if (strcmp(cmd, "search") == 0 && !missing) {
        fo.flags |= FSEARCH_OPEN_READONLY | FSEARCH_OPEN_BRIEF;
        cli_process_brief();
    }
    fsearch *fs = NULL;
    rc = fsearch_open(&fs, o.index, &fo);
    if (rc != FSEARCH_OK) {
        if (rc == FSEARCH_ENOTFOUND)
            cli_error("%s; run 'fsearch index' to build it", fsearch_errmsg(fs));
        else
            cli_error("%s", fsearch_errmsg(fs));
        fsearch_close(fs);
        return EXIT_TROUBLE;
    }

    int status;
    if (strcmp(cmd, "index") == 0) {
        status = o.watch ? cli_watch(fs, &o, index_flags)
                         : cli_index(fs, &o, index_flags, 0);
    } else if (strcmp(cmd, "status") == 0) {
        status = cli_status(fs, &o);
    } else {
        status = EXIT_HITS;
        if (missing) {
            if (!o.quiet)
                fprintf(stderr, "fsearch: no index at %s yet: indexing %s first\n",
                        o.index, o.corpus);
            status = cli_index(fs, &o, 0, 1);
        }
        if (status == EXIT_HITS) {
            if (!missing && !o.quiet)
                cli_stale_note(fs, &o);
            char *query = join_args(argc, argv, optind);
            if (!query) {
                cli_error("out of memory");
                status = EXIT_TROUBLE;
            } else {
                status = cli_search(fs, &o, query);
                free(query);
            }
        }
    }
    /* The output's fate is read before closing: closing a read-only
    ** handle tries a lock it cannot take, which leaves errno at EBADF. */
    int out_errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        out_errno = errno ? errno : EIO;
    /* A one-search process has written nothing and holds no lock that
    ** outlives it: closing would only free memory and unmap what exit
    ** unmaps anyway (~5% of a cheap search's instructions, mostly freeing
    ** the parsed schema). Unless a leak checker is watching. */
    if (!(fo.flags & FSEARCH_OPEN_BRIEF) || !cli_process_unwatched())
        fsearch_close(fs);
    /* A run that wrote the whole index: its pages, cached as SQLite wrote
    ** them, are cached again in large pages for the searches to come. */
    if (status != EXIT_TROUBLE && !o.watch &&
        !(index_flags & FSEARCH_INDEX_DRY_RUN) &&
        ((building && missing) || (strcmp(cmd, "index") == 0 &&
                                   (index_flags & FSEARCH_INDEX_REBUILD)))) {
        cli_index_recache(o.index);
        /* And the command's own code, for the same searches, if it was
        ** read back in small pages meanwhile (process.c). Not done by a
        ** search: where the file system cannot hold 2 MB folios, every
        ** search would read the 4 MB again. */
        cli_binary_recache();
    }
    if (out_errno) {
        if (out_errno != EPIPE)
            cli_error("cannot write the output: %s", strerror(out_errno));
        return EXIT_TROUBLE;
    }
    return status;
}
