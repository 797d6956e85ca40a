/// An answer to a plain HTTP request, ready for the shell to write.
struct HTTPResponse: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8]
    var filename: String?

    static func json(_ frame: Frame, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json; charset=utf-8", body: frame.bytes)
    }

    static func problem(_ status: Int, _ message: String) -> HTTPResponse {
        json(ServerMessage.encode(["error": message]), status: status)
    }
}
