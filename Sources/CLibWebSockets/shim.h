#ifndef MUSTER_CLIBWEBSOCKETS_SHIM_H
#define MUSTER_CLIBWEBSOCKETS_SHIM_H

#include <libwebsockets.h>

// Macros Swift cannot import, as constants the shell can read.

/// Bytes lws needs free before every buffer given to lws_write.
static const size_t muster_lws_pre = LWS_PRE;
/// lws_write's opcode for a close frame. lws 4.1's public header leaves the name
/// out (closes go through lws_close_reason, which also waits for the client's
/// answer and then closes the socket), but lws_write frames it as lws itself
/// does when it sends its own close: the stop's 1001 is written with it.
static const enum lws_write_protocol muster_lws_write_close = (enum lws_write_protocol)4;
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

/// File operations of the shell's own, ahead of lws's: the ops first (lws reaches them through
/// its list of file operations), then whose they are.
typedef struct muster_file_ops {
    struct lws_plat_file_ops ops;
    void *owner;
} muster_file_ops_t;

/// The browser said it takes gzip (lws sets it before opening a file).
static const lws_fop_flags_t muster_fop_gzip_acceptable = LWS_FOP_FLAG_COMPR_ACCEPTABLE_GZIP;
/// The file opened is gzip: lws answers with content-encoding: gzip.
static const lws_fop_flags_t muster_fop_is_gzip = LWS_FOP_FLAG_COMPR_IS_GZIP;
/// Not on disk: lws does not fstat it, and takes its time from the open file.
static const lws_fop_flags_t muster_fop_virtual = LWS_FOP_FLAG_VIRTUAL | LWS_FOP_FLAG_MOD_TIME_VALID;

/// Asks the CPU to start fetching the cache line at `address`. A hint: it
/// never faults, whatever the address, and changes nothing but timing.
static inline void muster_prefetch(const void *address) {
    __builtin_prefetch(address);
}

#endif
