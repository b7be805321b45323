/*
** process.c - settings that belong to the whole process, made by the
** command before the library opens anything. The library itself never
** changes SQLite's process-wide configuration: it may share the process
** with an application that has its own.
*/
#include "cli.h"

#include <sqlite3.h>

void cli_process_setup(void)
{
    /* SQLite counts every allocation (under a mutex) for its memory
    ** statistics and heap limits, which the command never reads: about a
    ** tenth of a one-search process's instructions, mostly while it parses
    ** the schema. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* No bulk page-cache allocation per pager (20 pages up front, each
    ** slot's header written, so each a fresh page fault): a search reads
    ** the index mapped and caches a handful of pages, and each temporary
    ** table a statement opens made one too. Pages are allocated one by one
    ** as needed instead; an index run's cache grows past 20 pages anyway. */
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
}

void cli_process_brief(void)
{
    /* A one-search process maps the index (FSEARCH_OPEN_BRIEF), but the
    ** library can only say so once the handle is open, after the header,
    ** page 1 and the schema's pages were already read into SQLite's cache:
    ** each read a copy into fresh heap pages (four page faults per 16 KB
    ** page, as many as the map takes for a whole 64 KB window). As the
    ** default of every connection opened from now on, they are mapped
    ** from the first read. The library's own pragma then asks the same. */
    sqlite3_config(SQLITE_CONFIG_MMAP_SIZE, (sqlite3_int64)1 << 40,
                   (sqlite3_int64)1 << 40);
}
