import Logging
import MusterCore
import MusterStore

/// Brings a session from the store into memory, and recovers one the
/// previous server left under way. It only reads: what recovery records
/// (devices that died with that server leaving, secret votes whose running
/// count died with it voided) is returned as batches for the store writer.
final class SessionLoader {
    private let store: any SwitchboardStore
    /// How many of the last events a resuming client can be sent.
    let replayWindow: Int
    private let logger: Logger
    /// Sessions whose log cannot be replayed, with what is wrong: set aside, named on `/healthz`.
    private(set) var damaged: [SessionID: String] = [:]

    init(store: any SwitchboardStore, replayWindow: Int, logger: Logger) {
        self.store = store
        self.replayWindow = replayWindow
        self.logger = logger
    }

    /// A loaded session, and what must be committed to recover it (empty unless it was under way).
    struct Loaded {
        var hub: SessionHub
        var recovery: [EventBatch]
    }

    /// Replays session `id` into a hub. Throws `StoreError.damaged` (and
    /// remembers it) when the log cannot be replayed.
    func load(_ id: SessionID, at now: Instant) throws -> Loaded {
        if let problem = damaged[id] { throw StoreError.invalid(problem) }
        var log: [EventFrames] = []
        let loaded: LoadedSession
        do {
            // Frames only for the events a resuming client can still be sent.
            let keepAfter = try store.lastSeq(id) - replayWindow
            loaded = try store.loadSession(id) { stored, state in
                guard stored.seq > keepAfter else { return }
                log.append(EventFrames(seq: stored.seq, stored.occurrence, after: state))
            }
        } catch let error as StoreError {
            if case .damaged = error {
                damaged[id] = "\(error)"
                logger.error("session set aside: \(error)", metadata: ["session": "\(id)"])
            }
            throw error
        }
        let hub = SessionHub(loaded: loaded, log: log, commandSeqs: try store.commandSeqs(id), replayWindow: replayWindow)
        hub.logger = logger
        // No socket survived the previous server: every device it recorded leaves
        // (at the last recorded moment), and its uncountable secret votes are voided.
        return Loaded(hub: hub, recovery: hub.reconcilePresence(connected: [:], at: now))
    }
}
