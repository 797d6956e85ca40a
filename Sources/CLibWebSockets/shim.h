#ifndef MUSTER_CLIBWEBSOCKETS_SHIM_H
#define MUSTER_CLIBWEBSOCKETS_SHIM_H

#include <libwebsockets.h>

// Macros Swift cannot import, as constants the shell can read.

/// Bytes lws needs free before every buffer given to lws_write.
static const size_t muster_lws_pre = LWS_PRE;
/// Close a WebSocket whose text frames are not valid UTF-8.
static const uint64_t muster_lws_option_validate_utf8 = LWS_SERVER_OPTION_VALIDATE_UTF8;

/// Serve HTTPS and WSS (OpenSSL, which Debian's lws links).
static const uint64_t muster_lws_option_tls = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;

/// The context has no vhost of its own: the shell creates the page's and the metrics' listeners.
static const uint64_t muster_lws_option_explicit_vhosts = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;

/// A timer lws runs on the service thread: the sul first (lws's rule), then
/// whose it is, so the callback finds its way back to the Swift server.
typedef struct muster_timer {
    lws_sorted_usec_list_t sul;
    void *owner;
} muster_timer_t;

/// Asks the CPU to start fetching the cache line at `address`. A hint: it
/// never faults, whatever the address, and changes nothing but timing.
static inline void muster_prefetch(const void *address) {
    __builtin_prefetch(address);
}

#endif
