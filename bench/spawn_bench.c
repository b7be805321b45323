/*
** spawn_bench.c - latency of a search run as one process per query (the
** fsearch CLI, Xapian's quest, ripgrep): spawns the command with "{}" in
** its arguments replaced by the query, output to /dev/null, and times it to
** its exit. Timing here rather than in the driver script keeps the
** script's own start-up cost out of the figures. One line per query
** (bench_util.h); the hit count is the command's exit status.
**
**   spawn_bench QUERIES RUNS CMD ARG... ({} = the query)
*/
#include "bench_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

static double run_once(char **tmpl, int nargs, const char *query, int *status)
{
    char *argv[64];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int i;

    for (i = 0; i < nargs && i < 63; i++)
        argv[i] = strcmp(tmpl[i], "{}") == 0 ? (char *)query : tmpl[i];
    argv[i] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    double t0 = bench_now_ms();
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        perror(argv[0]);
        exit(2);
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    double t = bench_now_ms() - t0;
    posix_spawn_file_actions_destroy(&fa);
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return t;
}

int main(int argc, char **argv)
{
    bench_queries q;

    if (argc < 4) {
        fprintf(stderr, "usage: spawn_bench QUERIES RUNS CMD ARG...\n");
        return 2;
    }
    int runs = atoi(argv[2]);
    if (runs < 1 || runs > 1000) {
        fprintf(stderr, "spawn_bench: RUNS must be 1..1000\n");
        return 2;
    }
    bench_read_queries(&q, argv[1]);
    double *ms = calloc((size_t)q.n * (size_t)runs, sizeof *ms);
    int *st = calloc((size_t)q.n, sizeof *st);
    if (!ms || !st) {
        perror("calloc");
        return 2;
    }
    for (int r = 0; r <= runs; r++)
        for (int i = 0; i < q.n; i++) {
            double t = run_once(argv + 3, argc - 3, q.line[i], &st[i]);
            if (r > 0)
                ms[(size_t)i * (size_t)runs + (size_t)(r - 1)] = t;
        }
    for (int i = 0; i < q.n; i++)
        bench_report(ms + (size_t)i * (size_t)runs, runs, st[i], q.line[i]);
    free(ms);
    free(st);
    bench_free_queries(&q);
    return 0;
}
