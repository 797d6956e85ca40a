#ifndef MUSTER_CZLIB_SHIM_H
#define MUSTER_CZLIB_SHIM_H

#include <zlib.h>

/// deflateInit2 is a macro (it passes the library's version and the stream's
/// size, so a header and a library that disagree are caught): Swift cannot
/// call it, so here it is as a function.
static inline int muster_deflate_init_gzip(z_streamp stream, int level) {
    // 15 + 16: the largest window, with a gzip header and trailer around the deflate stream.
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/// inflateInit2's counterpart, for reading gzip back (the tests do).
static inline int muster_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}

#endif
