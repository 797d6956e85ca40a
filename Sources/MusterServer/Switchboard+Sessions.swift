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
            guard state.phase == .open || state.phase == .started, let opened = state.openedAt,
                state.setup.branch == branch || (try? admits(hub.id, state.setup, branch: branch)) == true
            else { return nil }
            return (hub.id, opened)
        }
        if let running = live.max(by: { $0.opened < $1.opened }) { return running.id }
        let now = clock()
        // The branch's own sessions, and the lessons organisations above it hold for all their branches.
        let candidates = try (store.sessionSummaries(branch: branch) + store.lessonSummaries(for: branch))
            .filter { !$0.ended && damaged[$0.id] == nil }
        if let running = candidates.filter({ $0.openedAt != nil }).max(by: { $0.openedAt! < $1.openedAt! }) {
            return running.id
        }
        return candidates.min { abs($0.startsAt.milliseconds(to: now)) < abs($1.startsAt.milliseconds(to: now)) }?.id
    }

    /// Whether a member of `branch` belongs in a session: its own branch's, or a lesson
    /// for an organisation the branch is under.
    func admits(_ id: SessionID, _ setup: SessionSetup, branch: BranchID) throws -> Bool {
        if setup.branch == branch { return true }
        guard setup.organisation != nil else { return false }
        return try branches(ofLesson: id).contains(branch)
    }

    func branches(ofLesson id: SessionID) throws -> Set<BranchID> {
        if let known = lessonBranches[id] { return known }
        let branches = Set(try store.lessonBranches(id).map(\.id))
        lessonBranches[id] = branches
        return branches
    }

    /// The roster a session freezes as it opens: its branch's members as they are now; a
    /// lesson's, every member of each of its branches, each line with its branch.
    func roster(of setup: SessionSetup) throws -> [RosterEntry] {
        guard setup.organisation != nil else { return try store.members(branch: setup.branch.rawValue).map(\.rosterEntry) }
        return try store.lessonBranches(setup.id).flatMap { branch in
            try store.members(branch: branch.id.rawValue).map { member in
                var entry = member.rosterEntry
                entry.branch = branch.id
                return entry
            }
        }
    }

    /// How many the roster has; while the session is planned, how many it will have once
    /// opened (a read of the branches' members, made for a secretary's first visit alone).
    func rosterSize(of hub: SessionHub) throws -> Int {
        hub.state.phase == .scheduled ? try roster(of: hub.state.setup).count : hub.state.roster.count
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
