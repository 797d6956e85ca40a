import Foundation
import MusterCore

extension Instant {
    /// The system's wall clock. Only the command line reads it: the core never
    /// does, and the store and the server are handed it (the server reads it
    /// once, then follows the monotonic clock).
    @Sendable static func now() -> Instant {
        Instant(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
