import CZlib

/// zlib's gzip, for what the server sends to browsers that take it.
enum Gzip {
    /// zlib's best: for the page's files, compressed once and sent many times.
    static let best = Z_BEST_COMPRESSION
    /// zlib's default, much faster than its best for a few percent more bytes: for answers made once.
    static let balanced = Z_DEFAULT_COMPRESSION

    /// `bytes` as a gzip stream, or nil if zlib fails.
    static func compress(_ bytes: [UInt8], level: Int32) -> [UInt8]? {
        var stream = z_stream()
        guard muster_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
