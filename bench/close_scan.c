/*
 * What one disconnect costs in lws 4.1 as Debian builds it (with _DEBUG):
 * `sanity_assert_no_sockfd_traces` walks the context's whole descriptor table,
 * as long as the open-file limit, reading every live connection's descriptor.
 * This program does that walk as lws does, for `limit` slots of which `live`
 * hold a connection (lws's own struct size), closing them one by one.
 *
 *   gcc -O2 -o .build/close_scan bench/close_scan.c
 *   .build/close_scan 1048576 10000     # a container's usual limit
 *   .build/close_scan 65536 10000       # Muster's cap (LWSServer.maxOpenFiles)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct connection { char before[0x308]; int descriptor; char after[0x400]; };

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: close_scan LIMIT LIVE\n"); return 2; }
    int limit = atoi(argv[1]), live = atoi(argv[2]);
    if (limit < 1 || live < 1 || live + 10 > limit) { fprintf(stderr, "close_scan: need 0 < LIVE < LIMIT - 10\n"); return 2; }
    struct connection **table = calloc(limit, sizeof *table);
    for (int i = 0; i < live; i++) {
        table[i + 10] = malloc(sizeof **table);
        table[i + 10]->descriptor = i + 10;
        if (!malloc(2048)) return 1; /* the rest of a connection's memory, between them */
    }
    struct timespec start, end;
    long found = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int closed = 0; closed < live; closed++) {
        int descriptor = live + 9 - closed;
        table[descriptor] = NULL; /* lws forgets the descriptor, then checks no slot still has it */
        struct connection **slot = table, **end_of_table = table + limit;
        while (slot != end_of_table && !(*slot && (*slot)->descriptor == descriptor)) slot++;
        found += slot != end_of_table;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    printf("limit %d, %d connections closing one by one: %.0f ms, %.1f us a close\n", limit, live, ms, ms * 1e3 / live);
    return found != 0; /* never found: the walk always goes to the end, as in lws */
}
