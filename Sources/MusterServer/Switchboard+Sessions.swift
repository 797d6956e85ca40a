import Foundation
import MusterCore
import MusterStore

/// Which session a link leads to, loading one from the store (and
/// recovering it after a crash), and letting ended ones go.
extension Switchboard {
    // MARK: Sessions

    /// The session a member's link leads to: one under way, else the planned one nearest in time.
    /// Sessions planned since the server started (with `muster session add`) are picked up here.
    func currentSession(of branch: BranchID) throws -> SessionID? {
        let now = clock()
        let candidates = try store.sessionSummaries(branch: branch).filter { !$0.ended && damaged[$0.id] == nil }
        if let running = candidates.filter({ $0.openedAt != nil }).max(by: { $0.openedAt! < $1.openedAt! }) {
            return running.id
        }
        return candidates.min { abs($0.startsAt.milliseconds(to: now)) < abs($1.startsAt.milliseconds(to: now)) }?.id
    }

    /// An ended session nobody follows leaves memory; a later hello reloads it.
    func evictEndedSessions() {
        for (id, hub) in hubs where hub.state.phase == .ended && hub.subscribers.isEmpty && !hub.hasPending {
            hubs[id] = nil
        }
    }

    /// Loads a session from the store. Devices the log still shows as
    /// connected died with the previous server: they leave at the last
    /// recorded moment, so no presence is credited that cannot be proven.
    @discardableResult
    func loadHub(_ id: SessionID) throws -> SessionHub? {
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
        hubs[id] = hub
        let state = hub.live.state
        guard state.phase == .open || state.phase == .started, let lastAt = state.lastEventAt else { return hub }
        // The recovery is one transaction (one fsync), not one per device.
        var recovery: [EventBatch] = []
        if let batch = hub.voidUncountableVotes(at: clock()) { recovery.append(batch) }
        // No socket survived the previous server: every device it recorded leaves.
        recovery += hub.reconcilePresence(connected: [:], at: lastAt)
        guard let last = recovery.last else { return hub }
        try store.append(recovery)
        hub.committed(upTo: last.firstSeq + last.occurrences.count - 1, sink: NoSink())
        return hub
    }

    /// A sink for work done before anyone is connected.
    private final class NoSink: ConnectionSink {
        func send(_ frame: Frame, to connection: ConnectionID) {}
        func close(_ connection: ConnectionID, code: CloseCode, reason: String) {}
        func helloAccepted(_ connection: ConnectionID) {}
    }
}
