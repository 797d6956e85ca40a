#ifndef MUSTER_CLIBWEBSOCKETS_SHIM_H
#define MUSTER_CLIBWEBSOCKETS_SHIM_H

#include <libwebsockets.h>

// Macros Swift cannot import, as constants the shell can read.

/// Bytes lws needs free before every buffer given to lws_write.
static const size_t muster_lws_pre = LWS_PRE;
/// Close a WebSocket whose text frames are not valid UTF-8.
static const uint64_t muster_lws_option_validate_utf8 = LWS_SERVER_OPTION_VALIDATE_UTF8;

#endif
