import Foundation
import MusterCore
import MusterStore

/// The reads the switchboard makes, each a short indexed read of the WAL.
/// Writes go only through the store writer (`ServerAction.submit`). Tests
/// give the switchboard an in-memory store, or one that fails.
protocol SwitchboardStore {
    /// The member a link's token belongs to; nil for an unknown or replaced link.
    func member(token: String) throws -> Member?
    /// The office holder a link's token belongs to (`muster office add`); nil for any other.
    func officeHolder(token: String) throws -> OfficeHolder?
    /// The branch's members as they are now, to freeze into a session's roster.
    func members(branch idOrName: String) throws -> [Member]
    func sessionBranch(_ id: SessionID) throws -> BranchID?
    func sessionSummaries(branch: BranchID) throws -> [SessionSummary]
    /// Lessons organisations above `branch` hold for all their branches, hosted by another branch.
    func lessonSummaries(for branch: BranchID) throws -> [SessionSummary]
    /// The branches whose members a lesson takes (none for a branch's own session).
    func lessonBranches(_ session: SessionID) throws -> [Branch]
    func sessionSetup(_ id: SessionID) throws -> SessionSetup
    /// Sessions opened and not ended: what a starting server must recover.
    func sessionsUnderWay() throws -> [SessionID]
    func watchCredential(for session: SessionID) throws -> String
    func session(watchCredential credential: String) throws -> SessionID?
    func lastLinkRevocation() throws -> Int
    func linksReplaced(after: Int) throws -> (members: [MemberID: Data], last: Int)
    func lastSeq(_ session: SessionID) throws -> Int
    func commandSeqs(_ session: SessionID) throws -> [CommandKey: Int]
    func loadSession(_ id: SessionID, observe: (StoredEvent, SessionState) -> Void) throws -> LoadedSession
}

extension MusterDatabase: SwitchboardStore {}
