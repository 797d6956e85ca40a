/// Why a command was refused. Refusing changes nothing.
public struct CommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The protocol's stable error codes; clients switch on these, never on messages.
    public enum Code: String, Codable, Sendable, CaseIterable {
        /// The command is malformed or a field is out of range.
        case badRequest = "bad_request"
        /// The token is wrong or has been reissued.
        case unauthorized
        /// The caller may not do this (a member sending a host command, a guest voting).
        case forbidden
        /// The thread, post, vote or member named does not exist.
        case notFound = "not_found"
        /// Not now: wrong phase, already done, no quorum.
        case conflict
        /// A frame or field is larger than allowed.
        case tooLarge = "too_large"
        /// Too many commands too fast.
        case rateLimited = "rate_limited"
        /// The session has ended and is read-only.
        case sessionEnded = "session_ended"
        /// The server failed; nothing was applied.
        case `internal`
    }

    public var code: Code
    /// A plain sentence for people; may change between versions.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func badRequest(_ message: String) -> Self { Self(.badRequest, message) }
    static func forbidden(_ message: String) -> Self { Self(.forbidden, message) }
    static func notFound(_ message: String) -> Self { Self(.notFound, message) }
    static func conflict(_ message: String) -> Self { Self(.conflict, message) }
    static func tooLarge(_ message: String) -> Self { Self(.tooLarge, message) }
}
