/*
** headertest.c - the public header must stand alone: this file includes
** only <fsearch.h> and is compiled as C99 with -pedantic -Werror, and as
** C++, by `make headertest`.
*/
#include <fsearch.h>

int headertest_uses_api(void);

int headertest_uses_api(void)
{
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    return (int)(o.version + io.version + so.version) +
           (fsearch_errstr(FSEARCH_OK) != 0);
}
