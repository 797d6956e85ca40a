/// An answer to a plain HTTP request, ready for the shell to write.
struct HTTPResponse: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8]
    var filename: String?
    /// `gzip` once compressed for a browser that takes it.
    var contentEncoding: String?

    static func json(_ frame: Frame, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json; charset=utf-8", body: frame.bytes)
    }

    /// Worth gzipping for a browser that takes it: text of a kilobyte or more. A county's
    /// sheets, minutes and office JSON shrink five to ten times; a spreadsheet is a zip already.
    var worthCompressing: Bool {
        contentEncoding == nil && body.count >= 1024
            && (contentType.hasPrefix("text/") || contentType.hasPrefix("application/json"))
    }

    /// This answer gzipped, or as it is where gzip would not make it smaller.
    func gzipped() -> HTTPResponse {
        guard let gzip = Gzip.compress(body), gzip.count < body.count else { return self }
        var answer = self
        answer.body = gzip
        answer.contentEncoding = "gzip"
        return answer
    }

    static func problem(_ status: Int, _ message: String) -> HTTPResponse {
        json(ServerMessage.encode(["error": message]), status: status)
    }
}
