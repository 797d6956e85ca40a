import CLibWebSockets

/// permessage-deflate (RFC 7692) for the few devices that are sent the
/// roster: a secretary's console and a big screen, which ask for it with
/// `/ws?compress` (docs/protocol.md, "Connecting"). At 10,000 members a
/// host's welcome is 2 MB of JSON and about a tenth of that compressed.
///
/// Only on request, because a compressor is lws's zlib state, up to about
/// 300 KB for each socket, and a member's whole socket is held in 5 KB:
/// browsers offer the extension on every socket, and lws would take it on
/// every one. And at most `maxCompressed` at once, so that no client can
/// turn the request into memory: beyond it a socket works uncompressed.
extension LWSServer {
    /// Sockets compressing at once, at most.
    static let maxCompressed = 64

    /// What the per-connection data holds between lws's question and
    /// `established`: the socket asked, and compresses (no id is negative).
    static let compressionAgreed = -1

    /// Compressed output lws hands the socket at a time (2^14 bytes): a
    /// 10,000 members' welcome goes in eight pieces, each a pass of the
    /// service loop, where lws's default of 1 KB would take over a hundred.
    static let compressedPieceBits = "14"

    /// lws asks, during the upgrade, whether to take an extension the client
    /// offered. Returns whether to take it.
    func agreeToExtension(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?, _ name: UnsafeMutableRawPointer?) -> Bool {
        guard let user, let name, String(cString: name.assumingMemoryBound(to: CChar.self)) == "permessage-deflate",
            compressedConnections < Self.maxCompressed, Self.asksForCompression(queryArguments(wsi))
        else { return false }
        user.storeBytes(of: Self.compressionAgreed, as: Int.self)
        return true
    }

    /// Whether the upgrade's query (`/ws?compress`) asks for compression.
    static func asksForCompression(_ arguments: [String]) -> Bool {
        arguments.contains { $0 == "compress" || $0.hasPrefix("compress=") }
    }

    /// The request's query arguments, as lws split them (`a=1&b` is `["a=1", "b"]`).
    func queryArguments(_ wsi: OpaquePointer) -> [String] {
        var arguments: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while arguments.count < 8,
            lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, Int32(arguments.count)) >= 0
        {
            arguments.append(Self.string(buffer))
        }
        return arguments
    }

    /// A socket that compresses is counted, and set up before anything is written to it.
    func startCompressing(_ connection: LWSConnection) {
        compressedConnections += 1
        ServerMetrics.compressedConnections.record(compressedConnections)
        _ = lws_set_extension_option(connection.wsi, "permessage-deflate", "tx_buf_size", Self.compressedPieceBits)
    }

    /// A socket that compressed has closed.
    func stopCompressing() {
        compressedConnections -= 1
        ServerMetrics.compressedConnections.record(compressedConnections)
    }
}
