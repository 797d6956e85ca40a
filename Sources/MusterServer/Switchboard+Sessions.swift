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
        // Sessions under way are loaded (at start, or when opened): no read while a meeting runs,
        // so a crowd reconnecting costs no query each.
        let live = hubs.values.compactMap { hub -> (id: SessionID, opened: Instant)? in
            let state = hub.state
            guard state.setup.branch == branch, state.phase == .open || state.phase == .started, let opened = state.openedAt
            else { return nil }
            return (hub.id, opened)
        }
        if let running = live.max(by: { $0.opened < $1.opened }) { return running.id }
        let now = clock()
        let candidates = try store.sessionSummaries(branch: branch).filter { !$0.ended && damaged[$0.id] == nil }
        if let running = candidates.filter({ $0.openedAt != nil }).max(by: { $0.openedAt! < $1.openedAt! }) {
            return running.id
        }
        return candidates.min { abs($0.startsAt.milliseconds(to: now)) < abs($1.startsAt.milliseconds(to: now)) }?.id
    }

    /// An ended session nobody follows leaves memory; a later hello reloads it.
    func evictEndedSessions() {
        for (id, hub) in hubs
        where (hub.state.phase == .ended || hub.state.phase == .cancelled) && hub.audience.isEmpty && !hub.hasPending {
            hubs[id] = nil
        }
    }

    /// The hub of session `id`, loaded from the store; a session the previous
    /// server left under way is recovered through the writer.
    @discardableResult
    func loadHub(_ id: SessionID) throws -> SessionHub {
        let loaded = try loader.load(id, at: clock())
        hubs[id] = loaded.hub
        for batch in loaded.recovery { out.append(.submit(batch, generation: loaded.hub.generation)) }
        return loaded.hub
    }
}
