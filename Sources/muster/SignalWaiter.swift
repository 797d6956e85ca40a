import Foundation

/// Signals as plain calls on a thread of their own.
///
/// `init` blocks the signals in the calling thread, and so in every thread it
/// starts afterwards: one sent from then on waits, pending, until `start`'s
/// thread takes it with `sigwait`. (Dispatch's signal sources on Linux set
/// their handler later, on dispatch's own thread; a signal sent in between
/// met `SIG_IGN` and was lost: see `tests/e2e/test_crash.py`.)
struct SignalWaiter: Sendable {
    private let signals: sigset_t

    /// Call this on the main thread before it starts any other thread.
    init(blocking numbers: [Int32]) {
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in numbers { sigaddset(&signals, number) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        self.signals = signals
    }

    /// Hands each signal, the ones that came before it too, to `handle`, one at a time, on a thread of its own.
    func start(_ handle: @escaping @Sendable (Int32) -> Void) {
        let waiting = self
        let thread = Thread {
            var signals = waiting.signals
            while true {
                var number: Int32 = 0
                if sigwait(&signals, &number) == 0 { handle(number) }
            }
        }
        thread.name = "muster signals"
        thread.start()
    }
}
