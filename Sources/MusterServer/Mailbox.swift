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
final class Mailbox: Sendable {
    private let messages = Locked<[MailboxMessage]>([])
    private let wake = Locked<(@Sendable () -> Void)?>(nil)

    /// Sets how to wake the service thread once its context exists; nil
    /// before the context goes. Waking happens under the same lock, so once
    /// this returns no other thread is waking, or will wake, the old context.
    func setWake(_ wake: (@Sendable () -> Void)?) {
        self.wake.withLock { $0 = wake }
    }

    func post(_ message: MailboxMessage) {
        messages.withLock { $0.append(message) }
        wake.withLock { $0?() }
    }

    func drain() -> [MailboxMessage] {
        messages.withLock { messages in
            defer { messages.removeAll(keepingCapacity: true) }
            return messages
        }
    }
}
