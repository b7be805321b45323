/*
** test_walk.c - the corpus walk on awkward trees: order, hidden entries,
** symbolic links (loops, outside the root, broken), pipes, sockets,
** unreadable folders, names with spaces and newlines, very deep folders.
** Each case builds a tree in a temporary folder and checks the listing.
*/
#include "../test.h"
#include "../fixture.h"
#include "alloc.h"
#include "buf.h"
#include "fsearch.h"
#include "statring.h"
#include "walk.h"

#include <errno.h>

#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char tmp_root[256];

static void make_root(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/fsearch-walk.XXXXXX");
    if (!mkdtemp(tmp_root))
        abort();
}

static void remove_root(void)
{
    fixture_remove(tmp_root);
}

/* The root-relative path `rel` made absolute (a static buffer). */
static const char *at(const char *rel)
{
    static char buf[8192];
    snprintf(buf, sizeof buf, "%s/%s", tmp_root, rel);
    return buf;
}

static void put_file(const char *rel, const char *text)
{
    FILE *f = fopen(at(rel), "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static void put_dir(const char *rel)
{
    if (mkdir(at(rel), 0755) != 0)
        abort();
}

/* Walk the root; the listing is one line per entry, "path size" for a file
** and "path !reason" for a skipped one. The caller frees it. */
static char *listing_with(unsigned flags, int *rc_out)
{
    fs_walk *w = NULL;
    char err[256];
    int rc = fs_walk_open(&w, tmp_root, flags, err, sizeof err);
    fs_buf b = FS_BUF_INIT;
    int brc = FSEARCH_OK;
    fs_buf_puts(&brc, &b, "");
    fs_walk_entry e;
    while (rc == FSEARCH_OK && (rc = fs_walk_next(w, &e)) == FSEARCH_OK) {
        if (e.skip_reason)
            fs_buf_printf(&brc, &b, "%s !%s\n", e.path, e.skip_reason);
        else
            fs_buf_printf(&brc, &b, "%s %llu\n", e.path,
                          (unsigned long long)e.size);
    }
    fs_walk_free(w);
    *rc_out = rc;
    return b.p;
}

/* As listing_with(), with each file's modification time too. */
static char *listing_times(unsigned flags, int *rc_out)
{
    fs_walk *w = NULL;
    char err[256];
    int rc = fs_walk_open(&w, tmp_root, flags, err, sizeof err);
    fs_buf b = FS_BUF_INIT;
    int brc = FSEARCH_OK;
    fs_buf_puts(&brc, &b, "");
    fs_walk_entry e;
    while (rc == FSEARCH_OK && (rc = fs_walk_next(w, &e)) == FSEARCH_OK) {
        if (e.skip_reason)
            fs_buf_printf(&brc, &b, "%s !%s\n", e.path, e.skip_reason);
        else
            fs_buf_printf(&brc, &b, "%s %llu %lld\n", e.path,
                          (unsigned long long)e.size, (long long)e.mtime_ns);
    }
    fs_walk_free(w);
    *rc_out = rc;
    return b.p;
}

/* The same on one thread and with folders read ahead, with stats through
** io_uring and one by one, with listings in slabs from the start (small
** ones, so that many fill and are freed) or only in a big walk, times
** included, which is checked first; the listing with the helper and the
** ring is returned. */
static char *listing(int *rc_out)
{
    static const unsigned variants[] = {
        FS_WALK_ONE_THREAD | FS_WALK_NO_RING, FS_WALK_ONE_THREAD,
        FS_WALK_NO_RING, 0, FS_WALK_TEST_SLABS,
        FS_WALK_TEST_SLABS | FS_WALK_ONE_THREAD
    };
    int rc1;
    char *one = listing_times(variants[0], &rc1);
    for (size_t i = 1; i < sizeof variants / sizeof variants[0]; i++) {
        int rc;
        char *t = listing_times(variants[i], &rc);
        CHECK_INT(rc, rc1);
        CHECK_STR(t, one);
        fs_free(t);
    }
    fs_free(one);
    return listing_with(0, rc_out);
}

TEST(order_and_odd_names)
{
    make_root();
    put_dir("b");
    put_file("b/x.txt", "xx");
    put_file("b-c.txt", "1");     /* '-' sorts before '/' */
    put_file("b0.txt", "22");     /* '0' sorts after '/' */
    put_file("a b.txt", "333");
    put_file("new\nline.txt", "4444");
    put_file(".hidden", "h");
    put_dir(".git");
    put_file(".git/HEAD", "ref");
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    CHECK_STR(s, "a b.txt 3\n"
                 "b-c.txt 1\n"
                 "b/x.txt 2\n"
                 "b0.txt 2\n"
                 "new\nline.txt 4\n");
    fs_free(s);
    remove_root();
}

TEST(symlinks)
{
    make_root();
    put_dir("d");
    put_file("d/real.txt", "real");
    CHECK(symlink("..", at("d/up")) == 0);            /* loop to the root */
    CHECK(symlink("/etc", at("outside")) == 0);       /* leaves the root */
    CHECK(symlink("/etc/hostname", at("outfile")) == 0);
    CHECK(symlink("d/real.txt", at("inlink.txt")) == 0);
    CHECK(symlink("nowhere", at("broken")) == 0);
    CHECK(symlink("self", at("self")) == 0);          /* points at itself */
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    CHECK_STR(s, "broken !broken symbolic link\n"
                 "d/real.txt 4\n"
                 "d/up !symbolic link loop\n"
                 "inlink.txt 4\n"
                 "outfile !symbolic link leading outside the folder\n"
                 "outside !symbolic link leading outside the folder\n"
                 "self !broken symbolic link\n");
    fs_free(s);
    remove_root();
}

TEST(mutual_links_do_not_hang)
{
    /* Two folders linking to each other: each is entered once per branch. */
    make_root();
    put_dir("p");
    put_dir("q");
    put_file("p/a.txt", "a");
    CHECK(symlink("../q", at("p/toq")) == 0);
    CHECK(symlink("../p", at("q/top")) == 0);
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    CHECK_STR(s, "p/a.txt 1\n"
                 "p/toq/top !symbolic link loop\n"
                 "q/top/a.txt 1\n"
                 "q/top/toq !symbolic link loop\n");
    fs_free(s);
    remove_root();
}

TEST(pipes_sockets_and_unreadable)
{
    make_root();
    CHECK(mkfifo(at("fifo"), 0644) == 0);
    int sk = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    const char *sp = at("sock");
    CHECK(strlen(sp) < sizeof sa.sun_path);
    memcpy(sa.sun_path, sp, strlen(sp) + 1 < sizeof sa.sun_path
                                ? strlen(sp) + 1 : sizeof sa.sun_path - 1);
    CHECK(bind(sk, (struct sockaddr *)&sa, sizeof sa) == 0);
    put_dir("closed");
    put_file("closed/in.txt", "x");
    chmod(at("closed"), 0);
    put_file("z.txt", "z");
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    if (geteuid() == 0) {
        /* root reads through chmod 0 */
        CHECK_STR(s, "closed/in.txt 1\n"
                     "fifo !a named pipe, not a regular file\n"
                     "sock !a socket, not a regular file\n"
                     "z.txt 1\n");
    } else {
        CHECK_STR(s, "closed !unreadable folder: Permission denied\n"
                     "fifo !a named pipe, not a regular file\n"
                     "sock !a socket, not a regular file\n"
                     "z.txt 1\n");
    }
    close(sk);
    fs_free(s);
    remove_root();
}

TEST(deep_folders)
{
    /* 200 levels: the walk holds one listing per level and no path limit
    ** of its own. */
    make_root();
    char rel[1024] = "";
    size_t n = 0;
    for (int i = 0; i < 200; i++) {
        n += (size_t)snprintf(rel + n, sizeof rel - n, "%sd", i ? "/" : "");
        put_dir(rel);
    }
    snprintf(rel + n, sizeof rel - n, "/bottom.txt");
    put_file(rel, "deep");
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    char want[1100];
    snprintf(want, sizeof want, "%s 4\n", rel);
    CHECK_STR(s, want);
    fs_free(s);
    remove_root();
}

TEST(root_must_be_a_folder)
{
    make_root();
    put_file("f", "x");
    fs_walk *w = (fs_walk *)1;
    char err[256];
    CHECK_INT(fs_walk_open(&w, at("f"), 0, err, sizeof err), FSEARCH_ENOTFOUND);
    CHECK(w == NULL);
    CHECK(strstr(err, "is not a folder") != NULL);
    CHECK_INT(fs_walk_open(&w, at("missing"), 0, err, sizeof err),
              FSEARCH_ENOTFOUND);
    CHECK(strstr(err, "No such file") != NULL);
    /* a trailing slash on the root changes nothing */
    put_dir("r");
    put_file("r/a.txt", "a");
    char root[300];
    snprintf(root, sizeof root, "%s/r//", tmp_root);
    CHECK_INT(fs_walk_open(&w, root, 0, err, sizeof err), FSEARCH_OK);
    fs_walk_entry e;
    CHECK_INT(fs_walk_next(w, &e), FSEARCH_OK);
    CHECK_STR(e.path, "a.txt");
    CHECK(strstr(e.full_path, "/r/a.txt") != NULL);
    CHECK_INT(fs_walk_next(w, &e), FSEARCH_DONE);
    fs_walk_free(w);
    remove_root();
}

TEST(read_ahead_same_as_one_thread)
{
    /* Many folders, deep and wide, with files, links back up, links
    ** sideways and odd entries among them: the helper reads ahead while the
    ** caller walks, and the listings must still be identical. */
    make_root();
    char rel[256];
    for (int i = 0; i < 40; i++) {
        snprintf(rel, sizeof rel, "d%02d", i);
        put_dir(rel);
        for (int j = 0; j < i % 7; j++) {
            snprintf(rel, sizeof rel, "d%02d/s%d", i, j);
            put_dir(rel);
            for (int k = 0; k < (i + j) % 5; k++) {
                snprintf(rel, sizeof rel, "d%02d/s%d/f%d.txt", i, j, k);
                put_file(rel, "x");
            }
            snprintf(rel, sizeof rel, "d%02d/s%d/t", i, j);
            put_dir(rel);
            snprintf(rel, sizeof rel, "d%02d/s%d/t/leaf.txt", i, j);
            put_file(rel, "leaf");
        }
        snprintf(rel, sizeof rel, "d%02d/a.txt", i);
        put_file(rel, "aa");
        snprintf(rel, sizeof rel, "d%02d/z.txt", i);
        put_file(rel, "zzz");
    }
    CHECK(symlink("..", at("d03/up")) == 0);
    CHECK(symlink("../d05", at("d04/side")) == 0);
    CHECK(symlink("../../d06/s1", at("d05/s0/in")) == 0);
    CHECK(mkfifo(at("d07/fifo"), 0644) == 0);
    put_dir("d08/closed");
    put_file("d08/closed/in.txt", "in");
    chmod(at("d08/closed"), 0);
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    CHECK(strstr(s, "d03/up !symbolic link loop\n") != NULL);
    CHECK(strstr(s, "d04/side/s3/t/leaf.txt 4\n") != NULL);
    CHECK(strstr(s, "d05/s0/in/t/leaf.txt 4\n") != NULL);
    CHECK(strstr(s, "d07/fifo !a named pipe") != NULL);
    CHECK(strstr(s, "d39/z.txt 3\n") != NULL);
    fs_free(s);

    /* Stopped part-way, with folders read ahead and not taken: all freed
    ** (the sanitizer's leak check). */
    for (int stop = 1; stop < 60; stop += 7) {
        fs_walk *w = NULL;
        char err[256];
        CHECK_INT(fs_walk_open(&w, tmp_root, 0, err, sizeof err), FSEARCH_OK);
        fs_walk_entry e;
        for (int i = 0; i < stop; i++)
            CHECK_INT(fs_walk_next(w, &e), FSEARCH_OK);
        fs_walk_free(w);
    }
    remove_root();
}

/* A folder whose entries take several reads of the kernel's listing (more
** than 32 KB of them): every one comes out once, in order, hidden ones
** left out. */
TEST(folder_larger_than_one_read)
{
    make_root();
    put_dir("big");
    char rel[256];
    for (int i = 2999; i >= 0; i--) {
        snprintf(rel, sizeof rel, "big/%04d-a-rather-long-file-name-to-fill.txt",
                 i);
        put_file(rel, i % 3 ? "x" : "yy");
        if (i % 500 == 0) {
            snprintf(rel, sizeof rel, "big/.hidden%d", i);
            put_file(rel, "h");
        }
    }
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    fs_buf want = FS_BUF_INIT;
    int brc = FSEARCH_OK;
    fs_buf_puts(&brc, &want, "");
    for (int i = 0; i < 3000; i++)
        fs_buf_printf(&brc, &want,
                      "big/%04d-a-rather-long-file-name-to-fill.txt %d\n", i,
                      i % 3 ? 1 : 2);
    CHECK_INT(brc, FSEARCH_OK);
    CHECK_STR(s, want.p);
    fs_buf_free(&want);
    fs_free(s);
    remove_root();
}

/* Set the file's modification time to sec.nsec. */
static void set_time(const char *rel, long long sec, long nsec)
{
    struct timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = (time_t)sec;
    ts[0].tv_nsec = ts[1].tv_nsec = nsec;
    CHECK(utimensat(AT_FDCWD, at(rel), ts, AT_SYMLINK_NOFOLLOW) == 0);
}

/* Folders with enough entries to be stat'ed through the ring (and one
** with more than a submission holds), every kind of entry among them:
** the same entries, sizes, times and reasons as one stat at a time
** (listing() compares the four ways). */
TEST(stats_through_the_ring)
{
    make_root();
    put_dir("mix");
    char rel[256];
    for (int i = 0; i < 12; i++) {
        snprintf(rel, sizeof rel, "mix/f%02d.txt", i);
        put_file(rel, i % 2 ? "odd" : "even!");
        set_time(rel, 1700000000LL + i, 123456789L + i);
    }
    put_dir("mix/sub");
    put_file("mix/sub/in.txt", "in");
    CHECK(symlink("f01.txt", at("mix/link-to-file")) == 0);
    CHECK(symlink("sub", at("mix/link-to-folder")) == 0);
    CHECK(symlink("..", at("mix/link-up")) == 0);
    CHECK(symlink("/", at("mix/link-outside")) == 0);
    CHECK(symlink("nowhere", at("mix/link-broken")) == 0);
    CHECK(symlink("link-loop-b", at("mix/link-loop-a")) == 0);
    CHECK(symlink("link-loop-a", at("mix/link-loop-b")) == 0);
    CHECK(mkfifo(at("mix/fifo"), 0644) == 0);
    put_file("mix/.hidden", "h");
    put_dir("mix/closed");
    put_file("mix/closed/in.txt", "x");
    chmod(at("mix/closed"), 0);
    put_dir("big");
    for (int i = 0; i < 700; i++) {
        snprintf(rel, sizeof rel, "big/%03d.txt", i);
        put_file(rel, i % 3 ? "x" : "yy");
        set_time(rel, 1600000000LL + i * 7, (long)i * 1000003L % 1000000000L);
        if (i % 100 == 0) {
            snprintf(rel, sizeof rel, "big/%03d-link", i);
            char to[32];
            snprintf(to, sizeof to, "%03d.txt", i);
            CHECK(symlink(to, at(rel)) == 0);
            snprintf(rel, sizeof rel, "big/%03d-dir", i);
            put_dir(rel);
        }
    }
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    CHECK(strstr(s, "mix/f03.txt 3\n") != NULL);
    CHECK(strstr(s, "mix/link-to-file 3\n") != NULL);
    CHECK(strstr(s, "mix/link-to-folder/in.txt 2\n") != NULL);
    CHECK(strstr(s, "mix/link-up !symbolic link loop\n") != NULL);
    CHECK(strstr(s, "mix/link-outside !symbolic link leading outside the "
                    "folder\n") != NULL);
    CHECK(strstr(s, "mix/link-broken !broken symbolic link\n") != NULL);
    CHECK(strstr(s, "mix/link-loop-a !broken symbolic link\n") != NULL);
    CHECK(strstr(s, "mix/fifo !a named pipe") != NULL);
    CHECK(strstr(s, "big/698.txt 1\n") != NULL);
    CHECK(strstr(s, "big/600-link 2\n") != NULL);
    CHECK(strstr(s, ".hidden") == NULL);
    fs_free(s);
    chmod(at("mix/closed"), 0755);
    remove_root();
}

/* The ring itself, where the kernel has one: each result as fstatat's. */
TEST(statring_as_fstatat)
{
    fs_statring *g = fs_statring_new();
    if (!g) {
        printf("  (no io_uring here: the walk stats one by one)\n");
        return;
    }
    make_root();
    put_file("a.txt", "abc");
    set_time("a.txt", 1500000000LL, 999999999L);
    put_dir("d");
    CHECK(symlink("a.txt", at("l")) == 0);
    CHECK(mkfifo(at("p"), 0644) == 0);
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    const char *names[] = { "a.txt", "d", "l", "p", "missing", longname,
                            "a.txt", "d", "l", "p" };
    size_t n = sizeof names / sizeof names[0];
    fs_statres res[10];
    int dfd = open(tmp_root, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK_INT(fs_statring_stat(g, dfd, names, n, res), 0);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int err = fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) ? errno : 0;
        /* A failed stat is left to fstatat. */
        CHECK_INT(res[i].done, !err);
        if (err)
            continue;
        CHECK_INT((long long)res[i].mode, (long long)st.st_mode);
        CHECK_INT((long long)res[i].size, (long long)st.st_size);
        CHECK_INT((long long)res[i].mtime_sec, (long long)st.st_mtim.tv_sec);
        CHECK_INT((long long)res[i].mtime_nsec, (long long)st.st_mtim.tv_nsec);
    }
    CHECK(!res[4].done);
    CHECK(!res[5].done);
    close(dfd);
    fs_statring_free(g);
    remove_root();
}

/* A wait that fails unexpectedly while stats are in flight: the ring is
** given up, but only once the kernel is done with them (it writes their
** results into the ring's buffers, which the free would hand back), and
** the ring's free is then safe. The old code returned with them still
** running. */
TEST(statring_failure_waits_for_requests)
{
    fs_statring *g = fs_statring_new();
    if (!g) {
        printf("  (no io_uring here: the walk stats one by one)\n");
        return;
    }
    make_root();
    enum { N = 200 };
    static char name[N][16];
    const char *names[N];
    for (int i = 0; i < N; i++) {
        snprintf(name[i], sizeof name[i], "f%03d.txt", i);
        put_file(name[i], "x");
        names[i] = name[i];
    }
    static fs_statres res[N];
    int dfd = open(tmp_root, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    fs_statring_fail_in(g, 1);
    CHECK_INT(fs_statring_stat(g, dfd, names, N, res), -1);
    CHECK_INT(fs_statring_inflight(g), 0);
    /* What completed while waiting is kept, and right. */
    for (int i = 0; i < N; i++)
        if (res[i].done)
            CHECK_INT((long long)res[i].size, 1);
    close(dfd);
    fs_statring_free(g);
    remove_root();
}

/* Many folders, read ahead and walked with their listings in slabs: slabs
** fill, others follow, and each is unmapped once the last listing in it is
** freed, by whichever thread frees it (ASan and valgrind watch the rest).
** The entries are the same as with malloc'd listings. */
TEST(many_folders_in_slabs)
{
    make_root();
    char rel[256];
    for (int d = 0; d < 120; d++) {
        snprintf(rel, sizeof rel, "d%03d", d);
        put_dir(rel);
        if (d % 10 == 0) {
            snprintf(rel, sizeof rel, "d%03d/sub", d);
            put_dir(rel);
            snprintf(rel, sizeof rel, "d%03d/sub/in.txt", d);
            put_file(rel, "abc");
        }
        for (int f = 0; f < 30; f++) {
            snprintf(rel, sizeof rel, "d%03d/file-with-a-longish-name-%02d.txt",
                     d, f);
            put_file(rel, f % 2 ? "x" : "yy");
        }
    }
    int rc;
    char *s = listing(&rc);
    CHECK_INT(rc, FSEARCH_DONE);
    fs_buf want = FS_BUF_INIT;
    int brc = FSEARCH_OK;
    fs_buf_puts(&brc, &want, "");
    for (int d = 0; d < 120; d++) {
        for (int f = 0; f < 30; f++)
            fs_buf_printf(&brc, &want,
                          "d%03d/file-with-a-longish-name-%02d.txt %d\n", d, f,
                          f % 2 ? 1 : 2);
        if (d % 10 == 0)
            fs_buf_printf(&brc, &want, "d%03d/sub/in.txt 3\n", d);
    }
    CHECK_INT(brc, FSEARCH_OK);
    CHECK_STR(s, want.p);
    fs_buf_free(&want);
    fs_free(s);
    remove_root();
}

RUN_TESTS("walk", T(stats_through_the_ring), T(statring_as_fstatat),
          T(many_folders_in_slabs),
          T(statring_failure_waits_for_requests), T(read_ahead_same_as_one_thread), T(folder_larger_than_one_read), T(order_and_odd_names), T(symlinks),
          T(mutual_links_do_not_hang), T(pipes_sockets_and_unreadable),
          T(deep_folders), T(root_must_be_a_folder))
