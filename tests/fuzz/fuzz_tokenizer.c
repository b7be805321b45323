/*
** fuzz_tokenizer.c - feed arbitrary bytes to the tokenizer and check the
** promises the rest of fsearch (and FTS5) rely on.
**
** Every token must lie inside the input, come in order, be 1 to
** FS_TOKEN_MAX_BYTES long and be valid UTF-8; any breach aborts. Runs both
** stemmed and with FS_TOKENIZE_NOSTEM.
*/
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "fsearch.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct check {
    int size;           /* of the input, bytes */
    int last_start;     /* start of the previous token */
} check;

static int valid_utf8(const char *p, int n)
{
    while (n > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p, n,
                                              &cp);

        if (k <= 0 || cp == 0)
            return 0;
        p += k;
        n -= (int)k;
    }
    return 1;
}

static int on_token(void *payload, const char *token, int ntoken, int start,
                    int end)
{
    check *c = payload;

    if (start < 0 || start >= end || end > c->size)
        abort();
    if (start < c->last_start)
        abort();
    if (ntoken < 1 || ntoken > FS_TOKEN_MAX_BYTES)
        abort();
    if (!valid_utf8(token, ntoken))
        abort();
    c->last_start = start;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int flags[] = { 0, FS_TOKENIZE_NOSTEM };
    fs_tokenizer *t = NULL;

    if (size > INT_MAX / 2)
        return 0;
    if (fs_tokenizer_new(&t, "english") != FSEARCH_OK)
        abort();
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        check c = { (int)size, 0 };

        if (fs_tokenizer_run(t, flags[i], (const char *)data, (int)size,
                             on_token, &c) != FSEARCH_OK)
            abort();
    }
    fs_tokenizer_free(t);
    return 0;
}
