#ifndef MUSTER_CLIBWEBSOCKETS_SHIM_H
#define MUSTER_CLIBWEBSOCKETS_SHIM_H

#include <libwebsockets.h>

/// `LWS_PRE` is a macro, which Swift cannot import; the shell reads it here.
static const size_t muster_lws_pre = LWS_PRE;

#endif
