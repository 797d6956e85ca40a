/* A broadcast server on libwebsockets doing Muster's job in the benchmark:
 * a hello gets a welcome, a host's text.advance goes to everyone. Frames go
 * into one ring; each connection keeps the seq it sends next, so a broadcast
 * is one pass asking every connection for a writeable callback, and each
 * connection writes from the ring's tail (no per-client scan of the ring).
 *
 * Given a second argument, a file, it keeps a record as Muster does: each
 * advance is appended to that file and `fdatasync`ed before it goes out
 * (the bench's "c+lws+log"), so the cost of a durable record can be told
 * apart from the cost of the rest. */
#include <fcntl.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING 1024
#define FRAME 128

struct frame { size_t len; unsigned char data[LWS_PRE + FRAME]; };
static struct frame ring[RING];
static long head = 0; /* seq of the newest frame */
static int interrupted;
static int record = -1; /* the log's descriptor, or -1: a relay without a record */

struct member { long next; int welcome; int joined; };

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    struct member *m = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        memset(m, 0, sizeof *m);
        break;
    case LWS_CALLBACK_RECEIVE:
        if (len > 0 && memmem(in, len, "\"hello\"", 7)) {
            m->welcome = 1;
            m->joined = 1;
            m->next = head + 1;
            lws_callback_on_writable(wsi);
        } else if (len > 0 && memmem(in, len, "\"text.advance\"", 14)) {
            head++;
            struct frame *f = &ring[head % RING];
            f->len = (size_t)snprintf((char *)f->data + LWS_PRE, FRAME,
                "{\"type\":\"event\",\"seq\":%ld,\"event\":{\"kind\":\"text.advanced\",\"line\":%ld}}", head, head % 12);
            if (record >= 0) {
                f->data[LWS_PRE + f->len] = '\n';
                if (write(record, f->data + LWS_PRE, f->len + 1) != (ssize_t)f->len + 1 || fdatasync(record) != 0) {
                    perror("log");
                    return -1;
                }
            }
            lws_callback_on_writable_all_protocol(lws_get_context(wsi), lws_get_protocol(wsi));
        }
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (m->welcome) {
            static const char welcome[] = "{\"type\":\"welcome\",\"seq\":0}";
            unsigned char buffer[LWS_PRE + sizeof welcome];
            memcpy(buffer + LWS_PRE, welcome, sizeof welcome - 1);
            m->welcome = 0;
            if (lws_write(wsi, buffer + LWS_PRE, sizeof welcome - 1, LWS_WRITE_TEXT) < 0) return -1;
        } else if (m->joined && m->next <= head) {
            if (head - m->next >= RING) return -1; /* too slow: dropped, as Muster closes it */
            struct frame *f = &ring[m->next % RING];
            m->next++;
            if (lws_write(wsi, f->data + LWS_PRE, f->len, LWS_WRITE_TEXT) < (int)f->len) return -1;
        }
        if (m->joined && m->next <= head) lws_callback_on_writable(wsi);
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    { "bench", callback, sizeof(struct member), 1024, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void stop(int sig) { (void)sig; interrupted = 1; }

int main(int argc, char **argv) {
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = argc > 1 ? atoi(argv[1]) : 0;
    if (argc > 2 && (record = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0) {
        perror(argv[2]);
        return 1;
    }
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context *context = lws_create_context(&info);
    if (!context) return 1;
    printf("serving on %d\n", lws_get_vhost_listen_port(lws_get_vhost_by_name(context, "default")));
    fflush(stdout);
    while (!interrupted && lws_service(context, 0) >= 0) {}
    lws_context_destroy(context);
    return 0;
}
