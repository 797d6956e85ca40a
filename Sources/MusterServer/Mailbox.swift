import Foundation
import MusterCore

/// What other threads tell the service thread.
enum MailboxMessage: Sendable {
    /// The store has committed these sessions' events up to the seq given.
    case committed([SessionID: Int])
    /// Committing these sessions' events failed, for the hub generation given.
    case commitFailed([SessionID: Int], String)
    /// Time to look at clocks: roll-call windows, replaced links, reconciliation (from lws's timer).
    case tick
    /// An HTTP answer rendered off the service thread, for request number given.
    case httpReady(Int, HTTPResponse)
    /// Stop: close every connection with 1001 and finish.
    case stop
    /// Load the TLS certificate and key again from their files (SIGHUP after a renewal).
    case reloadCertificates
}

/// A lock-protected list the service thread drains on
/// `LWS_CALLBACK_EVENT_WAIT_CANCELLED`; `wake` is `lws_cancel_service`.
/// The service thread may also wait a moment for a message (`waitBriefly`)
/// instead of going back to `poll()` for it.
final class Mailbox: @unchecked Sendable {
    // @unchecked: `messages` is only touched while `arrived` is locked.
    private let arrived = NSCondition()
    private var messages: [MailboxMessage] = []
    /// Whether the service thread is in `waitBriefly`, not in `poll()`: then
    /// a post needs no wake, which would only cost it a pass over every socket.
    private var serviceWaiting = false
    private let wake = Locked<(@Sendable () -> Void)?>(nil)

    /// Sets how to wake the service thread once its context exists; nil
    /// before the context goes. Waking happens under the same lock, so once
    /// this returns no other thread is waking, or will wake, the old context.
    func setWake(_ wake: (@Sendable () -> Void)?) {
        self.wake.withLock { $0 = wake }
    }

    func post(_ message: MailboxMessage) {
        arrived.lock()
        messages.append(message)
        let waiting = serviceWaiting
        arrived.unlock()
        // After the unlock: woken under the lock, the service thread (on the same core when
        // pinned) could run only to wait for it, two more switches (`perf trace`). It rechecks
        // `messages` under the lock, so no post is missed.
        if waiting { arrived.broadcast() } else { wake.withLock { $0?() } }
    }

    /// Whether the service thread is in `waitBriefly` now (for tests).
    var isServiceWaiting: Bool {
        arrived.lock()
        defer { arrived.unlock() }
        return serviceWaiting
    }

    func drain() -> [MailboxMessage] {
        arrived.lock()
        defer {
            messages.removeAll(keepingCapacity: true)
            arrived.unlock()
        }
        return messages
    }

    /// Returns once a message is waiting, or after `seconds`; whether one is.
    @discardableResult
    func waitBriefly(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        arrived.lock()
        serviceWaiting = true
        defer {
            serviceWaiting = false
            arrived.unlock()
        }
        while messages.isEmpty {
            if !arrived.wait(until: deadline) { break }
        }
        return !messages.isEmpty
    }
}
