import Foundation

/// A value shared between threads, behind a pthread mutex (`NSLock`).
///
/// Used instead of `Synchronization.Mutex` where threads meet (the mailbox,
/// the store writer's queue) because ThreadSanitizer understands pthread
/// mutexes, while on Linux `Mutex` waits on a raw futex it cannot see, and
/// every access through it is reported as a race: `scripts/sanitize` needs
/// to tell real races from that noise.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
