/*
** test_query.c - tests of the query language translator (src/query.c).
**
** A table maps what users type to the exact FTS5 expression (or the error)
** we promise; then the groups, paths, terms and strictness of a dozen
** queries; then every translation, and thousands of generated queries, are
** run through a real FTS5 table to prove FTS5 accepts them and that they
** find the rows they should.
*/
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "fsearch.h"
#include "query.h"
#include "tokenizer.h"
#include "../test.h"

static const char synonym_text[] =
    "# place names\n"
    "Nanking Nanjing\n"
    "\"Iris Chang\" Chang   # multi-word entries are quoted\n";

static fs_synonyms *load_synonyms(void)
{
    fs_synonyms *syn = NULL;
    char err[128];
    int rc = fs_synonyms_parse(&syn, synonym_text, strlen(synonym_text), err,
                               sizeof err);
    CHECK_INT(rc, FSEARCH_OK);
    return syn;
}

/* ====================================================================== */
/* The table                                                               */

typedef struct qcase {
    const char *in;
    int flags;
    const char *match;    /* expected expression, or NULL for an error */
    const char *err;      /* expected substring of the error message */
} qcase;

#define OK(in, m) { in, 0, m, NULL }
#define ERR(in, e) { in, 0, NULL, e }

static const qcase cases[] = {
    /* odd things people type */
    OK("safety-zone", "\"safety\" OR \"zone\""),
    OK("\"unclosed", "\"unclosed\""),
    OK("\"unclosed phrase runs", "\"unclosed phrase runs\""),
    OK("rabe AND", "\"rabe\""),
    OK("U.S.", "\"U.S.\""),
    OK("don't", "\"don't\""),
    OK("C++", "\"C++\""),
    OK("10:30", "\"10:30\""),
    OK("N\xc3\xa1nj\xc4\xabng", "\"N\xc3\xa1nj\xc4\xabng\""),
    OK("1-2", "\"1-2\""),
    /* hyphenated free words: their parts, unless a part says little */
    OK("shock-sound wave", "\"shock\" OR \"sound\" OR \"wave\""),
    OK("re--entry-", "\"re\" OR \"entry\""),
    OK("\"safety-zone\"", "\"safety-zone\""),
    OK("x-15 e-mail", "\"x-15\" OR \"e-mail\""),
    OK("out-of-date state-of-the-art", "\"out-of-date\" OR "
                                       "\"state-of-the-art\""),
    OK("a-b-c-d-e-f-g-h-i", "\"a-b-c-d-e-f-g-h-i\""),
    OK("ab-cd-ef-gh-ij-kl-mn-op",
       "\"ab\" OR \"cd\" OR \"ef\" OR \"gh\" OR \"ij\" OR \"kl\" OR \"mn\" OR "
       "\"op\""),
    OK("ab-cd-ef-gh-ij-kl-mn-op-qr", "\"ab-cd-ef-gh-ij-kl-mn-op-qr\""),
    OK("x AND safety-zone", "\"x\" AND \"safety\" AND \"zone\""),
    OK("x OR safety-zone", "(\"x\" OR \"safety-zone\")"),
    OK("safety-zone OR x", "(\"safety-zone\" OR \"x\")"),
    OK("safety-zone NEAR x", "NEAR(\"safety-zone\" \"x\", 10)"),
    OK("+safety-zone x", "\"safety-zone\" AND (\"x\" OR \"safety-zone\")"),
    OK("x -safety-zone", "\"x\" NOT \"safety-zone\""),
    OK("title:safety-zone", "title : \"safety-zone\""),
    OK("safety-zone*", "\"safety-zone\" *"),
    OK("(safety-zone) x", "\"safety\" OR \"zone\" OR \"x\""),
    OK("x & y", "\"x\" OR \"y\""),
    OK("x -- y", "\"x\" OR \"y\""),
    OK("x - y", "\"x\" OR \"y\""),
    OK("x\"y\"z", "\"x\" OR \"y\" OR \"z\""),
    OK("x\"", "\"x\""),
    OK("\"\" x", "\"x\""),
    OK("and or not near", "\"near\""),
    ERR("((", "the query has no words to search for"),
    ERR("NOT", "nothing to exclude after NOT at column 1"),
    ERR("+++", "the query has no words to search for"),
    ERR("\"\"", "the query has no words to search for"),
    ERR("", "empty query"),
    ERR("  \t\r\n ", "empty query"),
    /* soft lists, OR, AND */
    OK("safety zone rabe", "\"safety\" OR \"zone\" OR \"rabe\""),
    OK("rabe OR zone", "(\"rabe\" OR \"zone\")"),
    OK("x OR y z", "(\"x\" OR \"y\") OR \"z\""),
    OK("x OR y OR z", "(\"x\" OR \"y\" OR \"z\")"),
    OK("x AND y z", "\"x\" AND \"y\" AND \"z\""),
    OK("x AND y OR z", "\"x\" AND (\"y\" OR \"z\")"),
    OK("x OR OR y", "(\"x\" OR \"y\")"),
    OK("OR x", "\"x\""),
    OK("x AND AND", "\"x\""),
    ERR("AND", "the query has no words to search for"),
    ERR("OR", "the query has no words to search for"),
    OK("x or y", "\"x\" OR \"y\""),
    OK("+x y z", "\"x\" AND (\"y\" OR \"z\" OR \"x\")"),
    OK("+x +y", "\"x\" AND \"y\""),
    OK("++x", "\"++x\""),
    /* exclusion */
    OK("x -y", "\"x\" NOT \"y\""),
    OK("x NOT y", "\"x\" NOT \"y\""),
    OK("x NOT NOT y", "\"x\" NOT \"y\""),
    OK("x AND -y", "\"x\" NOT \"y\""),
    OK("x -y -\"p q\"", "\"x\" NOT (\"y\" OR \"p q\")"),
    OK("x y -(z OR w)", "(\"x\" OR \"y\") NOT (\"z\" OR \"w\")"),
    OK("x y -(z w)", "(\"x\" OR \"y\") NOT (\"z\" OR \"w\")"),
    OK("x -(y -z)", "\"x\" NOT (\"y\" NOT \"z\")"),
    OK("x (-y)", "\"x\" NOT \"y\""),
    OK("-(-x) y", "\"y\""),
    OK("-x-y z", "\"z\" NOT \"x-y\""),
    OK("(x)-y", "\"x\" OR \"-y\""),
    ERR("-x", "nothing to search for: the query only excludes words"),
    ERR("NOT x", "nothing to search for: the query only excludes words"),
    ERR("x NOT", "nothing to exclude after NOT at column 3"),
    ERR("x (NOT) y", "nothing to exclude after NOT at column 4"),
    ERR("\xc3\xa9t\xc3\xa9 NOT", "nothing to exclude after NOT at column 5"),
    /* prefixes */
    OK("rab*", "\"rab\" *"),
    OK("rab**", "\"rab\" *"),
    OK("\"safety zo\"*", "\"safety zo\" *"),
    OK("\xc3\xa9*", "\"\xc3\xa9\" *"),
    OK("* x", "\"x\""),
    OK("the*", "\"the\" *"),
    /* NEAR */
    OK("NEAR(x y \"c d\", 5)", "NEAR(\"x\" \"y\" \"c d\", 5)"),
    OK("NEAR(x y)", "NEAR(\"x\" \"y\", 10)"),
    OK("NEAR(x y,7)", "NEAR(\"x\" \"y\", 7)"),
    OK("NEAR(x y", "NEAR(\"x\" \"y\", 10)"),
    OK("NEAR(x)", "\"x\""),
    OK("NEAR(the of)", "NEAR(\"the\" \"of\", 10)"),
    OK("NEAR(x* y) z", "NEAR(\"x\" * \"y\", 10) OR \"z\""),
    OK("x NEAR y", "NEAR(\"x\" \"y\", 10)"),
    OK("x NEAR/3 y", "NEAR(\"x\" \"y\", 3)"),
    OK("x NEAR/3 \"y z\" NEAR/4 w", "NEAR(\"x\" \"y z\" \"w\", 4)"),
    OK("x NEAR/99999999999 y", "NEAR(\"x\" \"y\", 1000000)"),
    OK("x NEAR", "\"x\""),
    OK("x NEAR title:y", "\"x\" OR title : \"y\""),
    OK("near(x y)", "\"near\" OR \"x\" OR \"y\""),
    ERR("NEAR()", "the query has no words to search for"),
    ERR("NEAR/5", "the query has no words to search for"),
    ERR("NEAR(x y, z)", "expected a number after ',' in NEAR at column 9"),
    ERR("NEAR(x y, 3 z)", "expected ')' to close NEAR at column 13"),
    ERR("NEAR(x (y))", "unexpected '(' at column 8"),
    ERR("NEAR(x OR y)", "unexpected OR at column 8"),
    /* title: and path: */
    OK("title:word", "title : \"word\""),
    OK("TITLE:word", "title : \"word\""),
    OK("title:\"x y\"", "title : \"x y\""),
    OK("title:(x y)", "title : (\"x\" OR \"y\")"),
    OK("title:(x -y)", "title : (\"x\" NOT \"y\")"),
    OK("x title:(-y)", "\"x\" NOT title : \"y\""),
    OK("title:NEAR(x y, 2)", "title : NEAR(\"x\" \"y\", 2)"),
    OK("title:x*", "title : \"x\" *"),
    OK("title:x OR y", "(title : \"x\" OR \"y\")"),
    OK("title:(title:x)", "title : \"x\""),
    OK("title:", "\"title:\""),
    OK("title:the", "title : \"the\""),
    OK("path:*.txt x", "\"x\""),
    OK("x path:\"my docs/*\"", "\"x\""),
    ERR("path:*.txt", "nothing to search for: the query has only path: filters"),
    ERR("-path:x y", "a path: filter cannot be excluded (column 1)"),
    /* synonyms */
    OK("nanking", "(\"nanking\" OR \"Nanjing\")"),
    OK("NANJING rabe", "(\"NANJING\" OR \"Nanking\") OR \"rabe\""),
    OK("Chang", "(\"Chang\" OR \"Iris Chang\")"),
    OK("\"nanking\"", "\"nanking\""),
    OK("nank*", "\"nank\" *"),
    OK("title:nanking", "title : (\"nanking\" OR \"Nanjing\")"),
    OK("x -nanking", "\"x\" NOT (\"nanking\" OR \"Nanjing\")"),
    OK("NEAR(nanking x)", "NEAR(\"nanking\" \"x\", 10)"),
    /* stop words */
    OK("the cat", "\"cat\""),
    { "the cat", FS_QUERY_KEEP_STOPWORDS, "\"the\" OR \"cat\"", NULL },
    OK("to be or not to be", "\"to be or not to be\""),
    OK("the who", "\"the who\""),
    OK("The Who -band", "\"The Who\" NOT \"band\""),
    OK("\"the who\" band", "\"the who\" OR \"band\""),
    OK("the AND cat", "\"the\" AND \"cat\""),
    OK("+the cat", "\"the\" AND (\"cat\" OR \"the\")"),
    OK("cat -the", "\"cat\" NOT \"the\""),
    OK("(the of) cat", "\"cat\""),
    OK("cats OR the dogs", "\"cats\" OR \"dogs\""),
    /* quoting: nothing typed can escape the FTS5 string */
    OK("\"a \"\"b\"\"\"", "\"a \"\"b\"\"\""),
    OK("\"x\"\"", "\"x\"\"\""),
    OK("\"x) OR (y\"", "\"x) OR (y\""),
    OK("'x' \"{title}:y\"", "\"'x'\" OR \"{title}:y\""),
    /* grouping */
    OK("(x y", "\"x\" OR \"y\""),
    OK("(((x)))", "\"x\""),
    OK("() x", "\"x\""),
    OK("(x y) z", "\"x\" OR \"y\" OR \"z\""),
    OK("x (y (z w))", "\"x\" OR \"y\" OR \"z\" OR \"w\""),
    OK("x AND (y AND (z w))", "\"x\" AND \"y\" AND (\"z\" OR \"w\")"),
    OK("((x y)) -z", "(\"x\" OR \"y\") NOT \"z\""),
    OK("x -(y -(z -w))", "\"x\" NOT (\"y\" NOT (\"z\" NOT \"w\"))"),
    OK("+x (y z) -(v w) -u",
       "(\"x\" AND (\"y\" OR \"z\" OR \"x\")) NOT (\"v\" OR \"w\" OR \"u\")"),
    OK("(x AND y) OR z", "((\"x\" AND \"y\") OR \"z\")"),
    ERR("x)", "unmatched ')' at column 2"),
    ERR("()", "the query has no words to search for"),
    ERR("(x))", "unmatched ')' at column 4"),
    ERR("\xc3\xa9\xc3\xa9)", "unmatched ')' at column 3"),
    /* control characters and invalid UTF-8 stay in a word with letters
    ** (the tokenizer cuts it there); alone they are no word */
    OK("x\001y", "\"x\001y\""),
    OK("\xff\xfe x", "\"x\""),
    OK("a\xff" "b", "\"a\xff" "b\""),
    ERR("\x80\"", "the query has no words to search for"),
    ERR("\001\002 \033", "the query has no words to search for"),
    /* a term the tokenizer finds no word in is punctuation: an FTS5
    ** string of no token matched nothing, and under AND hid every hit */
    ERR("\xff", "the query has no words to search for"),
    /* overlong, surrogate, past U+10FFFF */
    ERR("\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80",
        "the query has no words to search for"),
    ERR("\xcc\x81", "the query has no words to search for"),   /* U+0301 */
    /* marks: Mn, Me, Mc */
    ERR("\xcc\x81\xcc\x88\xe2\x83\x9d \xe0\xa4\x83",
        "the query has no words to search for"),
    /* em dash, inverted marks, ideographic full stop, no-break space */
    ERR("\xe2\x80\x94 \xc2\xbf\xc2\xa1 \xe3\x80\x82 \xc2\xa0",
        "the query has no words to search for"),
    ERR("!\001\xcc\x81\xff\x7f\xe2\x80\x94",
        "the query has no words to search for"),
    ERR("\"\xe2\x80\x94\"", "the query has no words to search for"),
    ERR("NEAR(\xe2\x80\x94 \xff)", "the query has no words to search for"),
    ERR("-\xe2\x80\x94", "the query has no words to search for"),
    ERR("rabe NOT \xe2\x80\x94", "nothing to exclude after NOT at column 6"),
    OK("rabe AND \xe2\x80\x94", "\"rabe\""),
    OK("rabe \xff AND zone", "\"rabe\" AND \"zone\""),
    OK("NEAR(rabe \xe2\x80\x94 zone)", "NEAR(\"rabe\" \"zone\", 10)"),
    OK("x-\xe2\x80\x94", "\"x-\xe2\x80\x94\""),
    /* a mark then a letter; Han; numbers Nd and Nl */
    OK("\xcc\x81y", "\"\xcc\x81y\""),
    OK("\xe6\x96\x87\xe4\xbb\xb6", "\"\xe6\x96\x87\xe4\xbb\xb6\""),
    OK("\xd9\xa3 \xe2\x85\xa0", "\"\xd9\xa3\" OR \"\xe2\x85\xa0\""),
    /* stop words only: all kept; a list of bare words is one phrase, and
    ** alternatives of OR stay apart (they were once one phrase) */
    OK("a OR the OR and", "(\"a\" OR \"the\" OR \"and\")"),
    OK("who OR what", "(\"who\" OR \"what\")"),
    OK("(the who) OR (of a)", "(\"the who\" OR \"of a\")"),
    OK("the OR (a of)", "(\"the\" OR \"a of\")"),
    OK("the (of a)", "\"the of a\""),
    OK("title:(the who)", "title : \"the who\""),
    OK("the title:(a OR the)", "\"the\" OR title : (\"a\" OR \"the\")"),
    OK("the OR a -rabe", "(\"the\" OR \"a\") NOT \"rabe\""),
    OK("the (of -rabe)", "\"the\" OR (\"of\" NOT \"rabe\")"),
    OK("(-rabe AND -x) the", "\"the\" NOT (\"rabe\" OR \"x\")"),
    OK("the OR a rabe", "\"rabe\""),
    { "a OR the", FS_QUERY_KEEP_STOPWORDS, "(\"a\" OR \"the\")", NULL },
    /* Unicode spaces separate words as ' ' does (they joined them into a
    ** phrase, or into a word with the space in it) */
    OK("\xe6\x9d\xb1\xe4\xba\xac\xe3\x80\x80\xe5\xa4\xa7\xe9\x98\xaa",
       "\"\xe6\x9d\xb1\xe4\xba\xac\" OR \"\xe5\xa4\xa7\xe9\x98\xaa\""),
    OK("rabe\xc2\xa0" "diary", "\"rabe\" OR \"diary\""),
    OK("rabe\xc2\x85" "diary\xe2\x80\xaf", "\"rabe\" OR \"diary\""),
    OK("rabe\xc2\xa0-x", "\"rabe\" NOT \"x\""),
    OK("rabe -\xc2\xa0x", "\"rabe\" OR \"x\""),
    OK("rabe\xe2\x80\xa8OR\xe2\x80\xa9" "diary", "(\"rabe\" OR \"diary\")"),
    OK("NEAR(rabe\xc2\xa0" "diary,\xe3\x80\x80" "5)",
       "NEAR(\"rabe\" \"diary\", 5)"),
    OK("\"rabe\xc2\xa0" "diary\"", "\"rabe\xc2\xa0" "diary\""),
    OK("x\xe2\x80\x8by", "\"x\xe2\x80\x8by\""),     /* U+200B is no space */
    ERR("\xc2\xa0\xe2\x80\x83\xe3\x80\x80", "empty query"),
    /* curly quotes, as word processors and phones type them, quote as '"'
    ** does (a pasted phrase was read as loose words) */
    OK("\xe2\x80\x9csafety zone\xe2\x80\x9d", "\"safety zone\""),
    OK("\xe2\x80\x9esafety zone\xe2\x80\x9c x", "\"safety zone\" OR \"x\""),
    OK("\"safety zone\xe2\x80\x9d x", "\"safety zone\" OR \"x\""),
    OK("\xe2\x80\x9csafety zone", "\"safety zone\""),
    OK("rabe -\xe2\x80\x9cx y\xe2\x80\x9d", "\"rabe\" NOT \"x y\""),
    OK("title:\xe2\x80\x9cthe who\xe2\x80\x9d", "title : \"the who\""),
    OK("NEAR(\xe2\x80\x9c" "a b\xe2\x80\x9d c, 3)", "NEAR(\"a b\" \"c\", 3)"),
    OK("\xe2\x80\x9c" "a \"\"b\"\"\xe2\x80\x9d", "\"a \"\"b\"\"\""),
    ERR("\xe2\x80\x9c\xe2\x80\x9d \xe2\x80\x9e",
        "the query has no words to search for"),
    /* guillemets are not quotes */
    OK("\xc2\xab" "safety zone\xc2\xbb",
       "\"\xc2\xab" "safety\" OR \"zone\xc2\xbb\""),
    /* NEAR/ without a number is a mistyped operator, as NEAR(a b, x) is */
    ERR("rabe NEAR/ diary", "expected a number after NEAR/ at column 10"),
    ERR("rabe NEAR/x diary", "expected a number after NEAR/ at column 10"),
    ERR("rabe NEAR/5x diary", "expected a number after NEAR/ at column 10"),
    ERR("NEAR/", "expected a number after NEAR/ at column 5"),
    ERR("NEAR(a NEAR/x b)", "NEAR takes only words and phrases: unexpected "
                            "NEAR/x at column 8"),
    OK("rabe near/x", "\"rabe\" OR \"near/x\""),
    OK("\"NEAR/x\"", "\"NEAR/x\""),
};

static void check_case(const qcase *c, const fs_synonyms *syn)
{
    fs_query *q = NULL;
    char err[256];
    int rc = fs_query_parse(&q, c->in, c->flags, syn, err, sizeof err);
    if (c->match) {
        if (rc != FSEARCH_OK)
            fprintf(stderr, "input <%s>: error %d \"%s\"\n", c->in, rc, err);
        CHECK_INT(rc, FSEARCH_OK);
        if (q) {
            if (strcmp(q->match, c->match) != 0)
                fprintf(stderr, "input <%s>\n", c->in);
            CHECK_STR(q->match, c->match);
        }
    } else {
        if (rc != FSEARCH_EQUERY)
            fprintf(stderr, "input <%s>: rc %d, match <%s>\n", c->in, rc,
                    q ? q->match : "");
        CHECK_INT(rc, FSEARCH_EQUERY);
        CHECK(q == NULL);
        if (!strstr(err, c->err))
            fprintf(stderr, "input <%s>: error \"%s\", want \"%s\"\n",
                    c->in, err, c->err);
        CHECK(strstr(err, c->err) != NULL);
    }
    fs_query_free(q);
}

TEST(table)
{
    fs_synonyms *syn = load_synonyms();
    CHECK(sizeof cases / sizeof cases[0] >= 60);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], syn);
    fs_synonyms_free(syn);
}

/* ====================================================================== */
/* Groups, terms, paths, strictness                                        */

typedef struct detail {
    const char *in;
    int ngroups;
    int nphrases;
    int groups[8];
    int is_strict;
    const char *terms;    /* comma-separated */
    const char *paths;    /* comma-separated */
} detail;

static const detail details[] = {
    { "safety zone rabe", 3, 3, { 0, 1, 2 }, 0, "safety,zone,rabe", "" },
    { "x OR y z", 2, 3, { 0, 0, 1 }, 0, "x,y,z", "" },
    { "x AND y", 2, 2, { 0, 1 }, 1, "x,y", "" },
    { "x -y", 1, 2, { 0, -1 }, 1, "x", "" },
    { "NEAR(x y) z", 2, 3, { 0, 0, 1 }, 0, "x,y,z", "" },
    { "nanking rabe", 2, 3, { 0, 0, 1 }, 0, "nanking,rabe", "" },
    { "path:*.txt path:\"my docs/*\" x", 1, 1, { 0 }, 1, "x",
      "*.txt,my docs/*" },
    { "the cat", 1, 1, { 0 }, 1, "cat", "" },
    { "+x y", 2, 3, { 0, 1, 0 }, 0, "x,y", "" },
    { "+x +y", 2, 2, { 0, 1 }, 1, "x,y", "" },
    { "(x y) z", 2, 3, { 0, 0, 1 }, 0, "x,y,z", "" },
    { "(x y)", 2, 2, { 0, 1 }, 0, "x,y", "" },
    { "(x AND y) -z", 2, 3, { 0, 1, -1 }, 1, "x,y", "" },
    { "Safety-Zone RABE safety-zone", 5, 5, { 0, 1, 2, 3, 4 }, 0,
      "safety-zone,rabe", "" },
    { "shock-sound wave", 3, 3, { 0, 1, 2 }, 0, "shock-sound,wave", "" },
    { "(safety-zone) x", 2, 3, { 0, 0, 1 }, 0, "safety-zone,x", "" },
    { "to be or not to be", 1, 1, { 0 }, 1, "to,be,or,not", "" },
    { "a OR the OR and", 1, 3, { 0, 0, 0 }, 1, "a,the,and", "" },
    { "(the who) OR (of a)", 1, 2, { 0, 0 }, 1, "the,who,of,a", "" },
    { "title:(the who)", 1, 1, { 0 }, 1, "the,who", "" },
    { "path:\xe2\x80\x9cmy docs/*\xe2\x80\x9d x", 1, 1, { 0 }, 1, "x",
      "my docs/*" },
    { "\xc2\xa0rabe\xc2\xa0 \"x\xe3\x80\x80y\"", 2, 2, { 0, 1 }, 0, "rabe,x,y",
      "" },
    { "(the OR a) (of OR in)", 2, 4, { 0, 0, 1, 1 }, 0, "the,a,of,in", "" },
    { "title:(x y) -z", 2, 3, { 0, 1, -1 }, 0, "x,y", "" },
    { "rab* \"iris chang\"", 2, 2, { 0, 1 }, 0, "iris,chang", "" },
    { "-(x y) NEAR(a b c, 3)", 1, 5, { 0, 0, 0, -1, -1 }, 1, "a,b,c", "" },
    /* Leading '-'s are not part of a split word: its suggestion word was
    ** once read that many bytes too far ("x" here; past the end of the
    ** input in the next). */
    { "safety --zone-lantern xyz", 4, 4, { 0, 1, 2, 3 }, 0,
      "safety,zone-lantern,xyz", "" },
    { "safety --zone-lantern", 3, 3, { 0, 1, 2 }, 0, "safety,zone-lantern",
      "" },
};

/* Compare an array of strings with a comma-separated list. */
static int same_list(char **v, int n, const char *list)
{
    char buf[256];
    int i = 0;
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","), i++)
        if (i >= n || strcmp(v[i], tok) != 0)
            return 0;
    return i == n;
}

TEST(groups_terms_paths)
{
    fs_synonyms *syn = load_synonyms();
    for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
        const detail *d = &details[i];
        fs_query *q = NULL;
        char err[256];
        /* On the heap, just its size: ASan sees a read past its end. */
        char *in = strdup(d->in);
        CHECK(in != NULL);
        int rc = fs_query_parse(&q, in, 0, syn, err, sizeof err);
        CHECK_INT(rc, FSEARCH_OK);
        if (!q) {
            free(in);
            continue;
        }
        if (q->ngroups != d->ngroups || q->nphrases != d->nphrases ||
            q->is_strict != d->is_strict)
            fprintf(stderr, "input <%s> -> %s\n", d->in, q->match);
        CHECK_INT(q->ngroups, d->ngroups);
        CHECK_INT(q->nphrases, d->nphrases);
        CHECK_INT(q->is_strict, d->is_strict);
        for (int k = 0; k < q->nphrases && k < 8; k++)
            CHECK_INT(q->phrase_group[k], d->groups[k]);
        if (!same_list(q->terms, q->nterms, d->terms))
            fprintf(stderr, "input <%s>: terms differ (%d)\n", d->in,
                    q->nterms);
        CHECK(same_list(q->terms, q->nterms, d->terms));
        CHECK(same_list(q->paths, q->npaths, d->paths));
        CHECK((q->paths == NULL) == (q->npaths == 0));
        fs_query_free(q);
        free(in);
    }
    fs_synonyms_free(syn);
}

/* ====================================================================== */
/* Words as the tokenizer sees them                                        */

static int count_tokens(void *payload, const char *token, int ntoken,
                        int start, int end)
{
    (void)token, (void)ntoken, (void)start, (void)end;
    ++*(int *)payload;
    return 0;
}

/* UTF-8 of cp, surrogates and all (those are then invalid, as typed). */
static size_t put_utf8(char *b, long cp)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
** A query of one character is searched exactly when the index's tokenizer
** makes a token of it, and refused ("no words") otherwise: the parser's
** idea of a word character must be the tokenizer's. Every code point of
** the planes in use (0-3 and 14), a sample of the others.
*/
TEST(word_chars_match_tokenizer)
{
    fs_tokenizer *tk = NULL;
    int disagree = 0, searched = 0;
    CHECK_INT(fs_tokenizer_new(&tk, "english"), FSEARCH_OK);
    if (!tk)
        return;
    for (long cp = 1; cp <= 0x10FFFF;
         cp += (cp < 0x40000 || (cp >= 0xE0000 && cp < 0xE1000)) ? 1 : 97) {
        char b[8], err[128];
        size_t n = put_utf8(b, cp);
        int ntok = 0;
        fs_query *q = NULL;
        b[n] = '\0';
        CHECK_INT(fs_tokenizer_run(tk, 0, b, (int)n, count_tokens, &ntok),
                  FSEARCH_OK);
        int rc = fs_query_parse(&q, b, 0, NULL, err, sizeof err);
        fs_query_free(q);
        searched += rc == FSEARCH_OK;
        if ((rc == FSEARCH_OK) != (ntok > 0) && disagree++ < 5)
            fprintf(stderr, "U+%04lX: query rc %d (%s), %d tokens\n", cp,
                    rc, err, ntok);
    }
    CHECK_INT(disagree, 0);
    CHECK(searched > 100000);         /* letters: CJK alone has 90 000 */
    fs_tokenizer_free(tk);
}

/* ====================================================================== */
/* Limits and big inputs                                                   */

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 16);   /* room for a short strcat */
    if (!s)
        abort();
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static int parse_rc(const char *in, char *err, size_t nerr, fs_query **qo)
{
    fs_query *q = NULL;
    int rc = fs_query_parse(&q, in, 0, NULL, err, nerr);
    if (qo)
        *qo = q;
    else
        fs_query_free(q);
    return rc;
}

TEST(nesting_limit)
{
    char err[128];
    char *s = repeat("(", 64);
    fs_query *q;
    char *t = malloc(64 + 2);
    snprintf(t, 66, "%sx", s);
    CHECK_INT(parse_rc(t, err, sizeof err, &q), FSEARCH_OK);
    if (q)
        CHECK_STR(q->match, "\"x\"");
    fs_query_free(q);
    free(s);
    free(t);

    s = repeat("(", 65);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK_STR(err, "too deeply nested: more than 64 parentheses at column 65");
    free(s);

    /* a megabyte of '(' fails fast at the 65th, without deep recursion */
    s = repeat("(", 1 << 20);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK(strstr(err, "column 65") != NULL);
    free(s);
    s = repeat(")", 1 << 20);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK_STR(err, "unmatched ')' at column 1");
    free(s);
}

TEST(word_limit)
{
    char err[128];
    fs_query *q = NULL;
    char *s = malloc(256 * 8 + 16);
    size_t n = 0;
    for (int i = 0; i < 256; i++)
        n += (size_t)sprintf(s + n, "w%d ", i);
    CHECK_INT(parse_rc(s, err, sizeof err, &q), FSEARCH_OK);
    if (q) {
        CHECK_INT(q->nphrases, 256);
        CHECK_INT(q->ngroups, 256);
        CHECK_INT(q->phrase_group[255], 255);
    }
    fs_query_free(q);
    strcpy(s + n, "one_more");
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK_STR(err, "query too long: more than 256 words");
    free(s);

    /* 10 000 terms */
    s = malloc(10000 * 8);
    n = 0;
    for (int i = 0; i < 10000; i++)
        n += (size_t)sprintf(s + n, "t%d ", i);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK_STR(err, "query too long: more than 256 words");
    free(s);

    /* synonyms and the soft/required trick count as phrases too */
    s = repeat("+x ", 200);
    strcat(s, "y");
    CHECK_INT(parse_rc(s, err, sizeof err, &q), FSEARCH_OK);
    if (q)
        CHECK_INT(q->nphrases, 202);
    fs_query_free(q);
    free(s);
    s = repeat("x AND ", 300);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    free(s);
    s = repeat("the AND ", 300);     /* kept stop words count when emitted */
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK_STR(err, "query too long: more than 256 words");
    free(s);
}

TEST(megabyte_inputs)
{
    char err[128];
    fs_query *q = NULL;
    size_t mb = 1 << 20;

    /* one huge word */
    char *s = repeat("x", mb);
    CHECK_INT(parse_rc(s, err, sizeof err, &q), FSEARCH_OK);
    if (q) {
        CHECK_INT(strlen(q->match), mb + 2);
        CHECK_INT(q->nphrases, 1);
    }
    fs_query_free(q);
    free(s);

    /* a huge unterminated phrase of quotes: every "" is one '"' */
    s = repeat("\"\"", mb / 2);
    s[0] = 'x';                       /* x"" "" ... -> only empty phrases */
    CHECK_INT(parse_rc(s, err, sizeof err, &q), FSEARCH_OK);
    if (q)
        CHECK_STR(q->match, "\"x\"");
    fs_query_free(q);
    free(s);

    /* a megabyte of stop words: one phrase */
    s = repeat("the ", mb / 4);
    CHECK_INT(parse_rc(s, err, sizeof err, &q), FSEARCH_OK);
    if (q) {
        CHECK_INT(q->nphrases, 1);
        CHECK_INT(strlen(q->match), mb - 1 + 2);
    }
    fs_query_free(q);
    free(s);

    /* a megabyte of words, of punctuation, of operators */
    s = repeat("ab ", mb / 3);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK_STR(err, "query too long: more than 256 words");
    free(s);
    s = repeat("+++ ", mb / 4);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    CHECK_STR(err, "the query has no words to search for");
    free(s);
    s = repeat("OR ", mb / 3);
    strcat(s, "x");
    CHECK_INT(parse_rc(s, err, sizeof err, &q), FSEARCH_OK);
    if (q)
        CHECK_STR(q->match, "\"x\"");
    fs_query_free(q);
    free(s);
    s = repeat("() ", mb / 3);
    CHECK_INT(parse_rc(s, err, sizeof err, NULL), FSEARCH_EQUERY);
    free(s);
}

TEST(error_buffer)
{
    fs_query *q = NULL;
    char small[8];
    /* a short buffer is truncated, never overrun; NULL is fine too */
    CHECK_INT(fs_query_parse(&q, "x)", 0, NULL, small, sizeof small),
              FSEARCH_EQUERY);
    CHECK_STR(small, "unmatch");
    CHECK_INT(fs_query_parse(&q, "x)", 0, NULL, NULL, 0), FSEARCH_EQUERY);
    CHECK(q == NULL);
    /* success leaves an empty message */
    char err[64] = "junk";
    CHECK_INT(fs_query_parse(&q, "x", 0, NULL, err, sizeof err), FSEARCH_OK);
    CHECK_STR(err, "");
    fs_query_free(q);
    fs_query_free(NULL);
}

/* ====================================================================== */
/* Synonym files                                                           */

static char *expand(const char *syntext, const char *query)
{
    fs_synonyms *syn = NULL;
    fs_query *q = NULL;
    char err[128];
    char *m = NULL;
    if (fs_synonyms_parse(&syn, syntext, strlen(syntext), err, sizeof err))
        return NULL;
    if (fs_query_parse(&q, query, 0, syn, err, sizeof err) == FSEARCH_OK)
        m = strdup(q->match);
    fs_query_free(q);
    fs_synonyms_free(syn);
    return m;
}

TEST(synonym_files)
{
    char err[128];
    fs_synonyms *syn = NULL;
    char *m;

    /* lines sharing a word merge; the repeated word is emitted once */
    m = expand("Nanking Nanjing\nnanjing Nan-ching # x\n", "nanking");
    CHECK_STR(m, "(\"nanking\" OR \"Nanjing\" OR \"Nan-ching\")");
    free(m);
    m = expand("a1 b1\nc1 d1\n", "d1");
    CHECK_STR(m, "(\"d1\" OR \"c1\")");
    free(m);
    /* '#' starts a comment only at the start of a word */
    m = expand("C# csharp\n#x y\n", "csharp x");
    CHECK_STR(m, "(\"csharp\" OR \"C#\") OR \"x\"");
    free(m);
    /* a line with a single word, or the same word twice, adds nothing */
    m = expand("lonely\nsam3 SAM3\n\n   \n", "lonely sam3");
    CHECK_STR(m, "\"lonely\" OR \"sam3\"");
    free(m);
    /* CRLF lines, tabs, empty quoted entries */
    m = expand("x1\t\"\"  \"y 1\"\r\n", "x1");
    CHECK_STR(m, "(\"x1\" OR \"y 1\")");
    free(m);

    CHECK_INT(fs_synonyms_parse(&syn, "a b\n\"c d\n", 8, err, sizeof err),
              FSEARCH_EQUERY);
    CHECK(syn == NULL);
    CHECK_STR(err, "line 2: unterminated quote");
    CHECK_INT(fs_synonyms_parse(&syn, "", 0, err, sizeof err), FSEARCH_OK);
    CHECK(syn != NULL);
    fs_synonyms_free(syn);
    /* an embedded NUL is a blank, so no expression is ever cut short */
    CHECK_INT(fs_synonyms_parse(&syn, "k1\0k2 k3", 8, err, sizeof err),
              FSEARCH_OK);
    fs_query *q = NULL;
    CHECK_INT(fs_query_parse(&q, "k2", 0, syn, err, sizeof err), FSEARCH_OK);
    if (q)
        CHECK_STR(q->match, "(\"k2\" OR \"k1\" OR \"k3\")");
    fs_query_free(q);
    fs_synonyms_free(syn);
    fs_synonyms_free(NULL);
}

/* ====================================================================== */
/* Allocation failures                                                     */

static sqlite3_mem_methods real_mem;
static int fail_countdown;      /* fail the allocation that brings it to 0 */

static void *failing_malloc(int n)
{
    if (fail_countdown > 0 && --fail_countdown == 0)
        return NULL;
    return real_mem.xMalloc(n);
}

static void *failing_realloc(void *p, int n)
{
    if (fail_countdown > 0 && --fail_countdown == 0)
        return NULL;
    return real_mem.xRealloc(p, n);
}

TEST(allocation_failures)
{
    sqlite3_mem_methods m;
    const char *query = "nanking \"iris chang\" -(x y) path:*.txt path:b "
                        "+title:z NEAR(a b, 3) the w1 w2 w3 w4 w5 w6 w7 w8 "
                        "w9 w10 w11 w12 w13 w14 w15 w16 w17 w18";
    int ok = 0, nomem = 0;
    char *want = NULL;

    sqlite3_shutdown();
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
    m = real_mem;
    m.xMalloc = failing_malloc;
    m.xRealloc = failing_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
    sqlite3_initialize();

    for (int n = 1; n < 500 && !ok; n++) {
        fs_synonyms *syn = NULL;
        fs_query *q = NULL;
        char err[128];
        fail_countdown = n;
        int rc = fs_synonyms_parse(&syn, synonym_text, strlen(synonym_text),
                                   err, sizeof err);
        if (rc == FSEARCH_OK)
            rc = fs_query_parse(&q, query, 0, syn, err, sizeof err);
        fail_countdown = 0;
        if (rc == FSEARCH_OK) {
            ok = 1;
            want = strdup(q->match);
        } else {
            CHECK_INT(rc, FSEARCH_ENOMEM);
            CHECK(q == NULL);
            nomem++;
        }
        fs_query_free(q);
        fs_synonyms_free(syn);
    }

    sqlite3_shutdown();
    sqlite3_config(SQLITE_CONFIG_MALLOC, &real_mem);
    sqlite3_initialize();

    CHECK(ok);
    CHECK(nomem > 10);
    fs_synonyms *syn = load_synonyms();
    fs_query *q = NULL;
    char err[128];
    CHECK_INT(fs_query_parse(&q, query, 0, syn, err, sizeof err), FSEARCH_OK);
    if (q && want)
        CHECK_STR(want, q->match);
    fs_query_free(q);
    fs_synonyms_free(syn);
    free(want);
}

/* ====================================================================== */
/* FTS5 accepts every translation                                          */

static const char *const rows[][2] = {
    { "Safety zone report", "The Rabe family opened the safety-zone in "
      "Nanking." },
    { "Letters", "Iris Chang wrote about Nanjing and the U.S. embassy." },
    { "Notes", "to be or not to be, that is the question" },
    { "Misc", "C++ code at 10:30 by John Rabe, don't" },
};

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open(":memory:", &db);
    CHECK_INT(rc, SQLITE_OK);
    rc = sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, body)",
                      NULL, NULL, NULL);
    CHECK_INT(rc, SQLITE_OK);
    sqlite3_prepare_v2(db, "INSERT INTO t(title, body) VALUES (?, ?)", -1,
                       &st, NULL);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sqlite3_bind_text(st, 1, rows[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rows[i][1], -1, SQLITE_STATIC);
        CHECK_INT(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return db;
}

/*
** Run `match`; return a bitmask of the rowids found (bit rowid-1), or -1
** after printing the SQLite error.
*/
static long run_match(sqlite3 *db, const char *match, const char *input)
{
    sqlite3_stmt *st = NULL;
    long found = 0;
    int rc = sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            found |= 1L << (sqlite3_column_int(st, 0) - 1);
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "sqlite error \"%s\" for input <%s> match <%s>\n",
                sqlite3_errmsg(db), input, match);
        found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

/* FTS5 string literals at the top of the expression. */
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

/* Parse `in`; on success check the invariants and run it. Returns the rc. */
static int check_query(sqlite3 *db, const char *in, int flags,
                       const fs_synonyms *syn)
{
    fs_query *q = NULL;
    char err[256];
    int rc = fs_query_parse(&q, in, flags, syn, err, sizeof err);
    if (rc != FSEARCH_OK) {
        if (rc != FSEARCH_EQUERY)
            fprintf(stderr, "input <%s>: rc %d\n", in, rc);
        CHECK_INT(rc, FSEARCH_EQUERY);
        CHECK(err[0] != '\0');
        CHECK(strchr(err, '\n') == NULL);
        return rc;
    }
    CHECK(q->match[0] != '\0');
    CHECK_INT(count_literals(q->match), q->nphrases);
    CHECK(q->nphrases >= 1 && q->nphrases <= 256);
    CHECK(q->ngroups >= 1);
    int seen[257] = { 0 };
    for (int i = 0; i < q->nphrases; i++) {
        int g = q->phrase_group[i];
        CHECK(g >= -1 && g < q->ngroups);
        if (g >= 0 && g < 257)
            seen[g] = 1;
    }
    for (int g = 0; g < q->ngroups && g < 257; g++)
        CHECK(seen[g]);
    long r = run_match(db, q->match, in);
    CHECK(r >= 0);
    fs_query_free(q);
    return rc;
}

TEST(fts5_accepts_table)
{
    sqlite3 *db = open_db();
    fs_synonyms *syn = load_synonyms();
    int ok = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ok += check_query(db, cases[i].in, cases[i].flags, syn) ==
              FSEARCH_OK;
    for (size_t i = 0; i < sizeof details / sizeof details[0]; i++)
        ok += check_query(db, details[i].in, 0, syn) == FSEARCH_OK;
    CHECK(ok > 100);
    fs_synonyms_free(syn);
    sqlite3_close(db);
}

/* The translations mean what the language says. */
TEST(fts5_semantics)
{
    static const struct {
        const char *in;
        long rows;        /* bit i: rowid i+1 */
    } sem[] = {
        { "safety zone rabe", 0x9 },
        { "rabe AND safety", 0x1 },
        { "+rabe safety", 0x9 },
        { "rabe -safety", 0x8 },
        { "rabe NOT title:safety", 0x8 },
        { "title:safety", 0x1 },
        { "title:(letters OR notes)", 0x6 },
        { "nanking", 0x3 },
        { "\"nanking\"", 0x1 },
        { "chang", 0x2 },
        { "to be or not to be", 0x4 },
        { "\"to be or\"", 0x4 },
        { "NEAR(rabe family, 2)", 0x1 },
        { "rabe NEAR/0 family", 0x1 },
        { "NEAR(rabe nanking, 2)", 0x0 },
        { "safety-zone", 0x1 },
        { "U.S.", 0x2 },
        { "embas*", 0x2 },
        { "\"safety zo\"*", 0x1 },
        { "don't", 0x8 },
        { "10:30", 0x8 },
        { "the question", 0x4 },
        { "code -(john OR iris)", 0x0 },
        { "code OR letters -rabe", 0x2 },
        /* stop words only, with OR: each alternative on its own */
        { "that OR and", 0x6 },
        { "(that is) OR about", 0x6 },
        { "(is that) OR about", 0x2 },
        { "title:(the who)", 0x0 },
    };
    sqlite3 *db = open_db();
    fs_synonyms *syn = load_synonyms();
    for (size_t i = 0; i < sizeof sem / sizeof sem[0]; i++) {
        fs_query *q = NULL;
        char err[256];
        int rc = fs_query_parse(&q, sem[i].in, 0, syn, err, sizeof err);
        CHECK_INT(rc, FSEARCH_OK);
        if (!q)
            continue;
        long got = run_match(db, q->match, sem[i].in);
        if (got != sem[i].rows)
            fprintf(stderr, "input <%s> match <%s>: rows 0x%lx\n",
                    sem[i].in, q->match, got);
        CHECK_INT(got, sem[i].rows);
        fs_query_free(q);
    }
    fs_synonyms_free(syn);
    sqlite3_close(db);
}

/*
** FTS5's parser has a fixed stack: deep alternations of AND, OR, NOT and
** title: that cannot be flattened either translate into something FTS5
** accepts or are refused as too complex, never an SQLite error.
*/
TEST(fts5_parser_depth)
{
    static const char *const opens[] = {
        "x AND (y ", "x OR title:(", "x -(y ", "+x (y AND ", "(x OR y) (",
        "x NEAR y AND (", "nanking OR (z AND ",
    };
    sqlite3 *db = open_db();
    fs_synonyms *syn = load_synonyms();
    char buf[2048];
    int ok = 0, complex = 0;
    for (size_t k = 0; k < sizeof opens / sizeof opens[0]; k++) {
        for (int depth = 1; depth <= 64; depth++) {
            size_t n = 0;
            for (int d = 0; d < depth; d++) {
                /* alternate with a soft level so nothing can be spliced */
                const char *o = (d & 1) ? "w OR (v " : opens[k];
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", o);
            }
            snprintf(buf + n, sizeof buf - n, "NEAR(a* b c, 2)");
            fs_query *q = NULL;
            char err[128];
            int rc = fs_query_parse(&q, buf, 0, syn, err, sizeof err);
            if (rc == FSEARCH_OK) {
                CHECK(run_match(db, q->match, buf) >= 0);
                ok++;
            } else {
                CHECK_INT(rc, FSEARCH_EQUERY);
                if (!strstr(err, "too complex"))
                    fprintf(stderr, "depth %d <%s>: %s\n", depth, buf, err);
                CHECK(strstr(err, "too complex") != NULL);
                complex++;
            }
            fs_query_free(q);
        }
    }
    /* realistic depths pass; absurd ones are refused */
    CHECK(ok > 7 * 10);
    CHECK(complex > 7 * 20);
    fs_synonyms_free(syn);
    sqlite3_close(db);
}

/* ====================================================================== */
/* Generated queries                                                       */

static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static const char *const pieces[] = {
    "x", "rabe", "safety-zone", "the", "to", "be", "nanking", "chang",
    "AND", "OR", "NOT", "NEAR", "NEAR/2", "NEAR(", ",", ", 3", ")", "(",
    "\"", "\"\"", "-", "+", "*", "title:", "path:", "TITLE:", "U.S.", "C++",
    "\xc3\xa9t\xc3\xa9", "\xff", "\x01", "{title}", ":", "^", "near", "or",
    "10:30", "'", "--", "+++", "NEAR(x y, 99)", "\xe2\x80\x94", "*x",
    "title:(", "-(", "-\"",
};

static void random_query(uint32_t *s, char *buf, size_t cap)
{
    size_t n = 0;
    int k = (int)(next_rand(s) % 12) + 1;
    for (int i = 0; i < k; i++) {
        const char *p = pieces[next_rand(s) % (sizeof pieces / sizeof *pieces)];
        size_t len = strlen(p);
        if (n + len + 2 >= cap)
            break;
        memcpy(buf + n, p, len);
        n += len;
        if (next_rand(s) % 3)
            buf[n++] = ' ';
    }
    buf[n] = '\0';
}

/* Flip, insert or delete a byte of a known query. */
static void mutate(uint32_t *s, const char *in, char *buf, size_t cap)
{
    static const char bytes[] = "()\"-+*: AN\x80x";
    size_t n = strlen(in);
    if (n + 2 >= cap)
        n = cap - 2;
    memcpy(buf, in, n);
    buf[n] = '\0';
    for (int r = (int)(next_rand(s) % 3) + 1; r > 0; r--) {
        size_t at = n ? next_rand(s) % (n + 1) : 0;
        char c = bytes[next_rand(s) % (sizeof bytes - 1)];
        switch (next_rand(s) % 3) {
        case 0:
            if (at < n)
                buf[at] = c;
            break;
        case 1:
            if (n + 2 < cap) {
                memmove(buf + at + 1, buf + at, n - at + 1);
                buf[at] = c;
                n++;
            }
            break;
        default:
            if (at < n) {
                memmove(buf + at, buf + at + 1, n - at);
                n--;
            }
            break;
        }
    }
}

TEST(fts5_accepts_generated)
{
    sqlite3 *db = open_db();
    fs_synonyms *syn = load_synonyms();
    uint32_t seed = 2463534242u;
    char buf[512];
    int ok = 0, bad = 0;
    for (int i = 0; i < 4000; i++) {
        random_query(&seed, buf, sizeof buf);
        if (check_query(db, buf, (int)(i & 1), syn) == FSEARCH_OK)
            ok++;
        else
            bad++;
    }
    for (int i = 0; i < 3000; i++) {
        const char *in = cases[next_rand(&seed) %
                               (sizeof cases / sizeof cases[0])].in;
        mutate(&seed, in, buf, sizeof buf);
        if (check_query(db, buf, 0, syn) == FSEARCH_OK)
            ok++;
        else
            bad++;
    }
    /* both outcomes must be well represented, or the generator is broken */
    CHECK(ok > 2000);
    CHECK(bad > 500);
    fs_synonyms_free(syn);
    sqlite3_close(db);
}

RUN_TESTS("query",
          T(table),
          T(groups_terms_paths),
          T(word_chars_match_tokenizer),
          T(nesting_limit),
          T(word_limit),
          T(megabyte_inputs),
          T(error_buffer),
          T(synonym_files),
          T(allocation_failures),
          T(fts5_accepts_table),
          T(fts5_semantics),
          T(fts5_parser_depth),
          T(fts5_accepts_generated))
