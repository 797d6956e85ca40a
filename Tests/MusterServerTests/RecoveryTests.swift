import Foundation
import MusterCore
import MusterStore
import Testing

@testable import MusterServer

/// A session the previous server left under way: its devices died with it,
/// and its secret votes' running counts too. Recovery is decided by the
/// loader and written only through the store writer.
@Suite struct RecoveryTests {
    /// A meeting under way with the host and seven members present, and a
    /// secret vote with one ballot in it; the clock then moves on ten minutes.
    func meetingCutShort() throws -> (board: Board, lastAt: Instant, lastSeq: Int) {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        let members = board.members.prefix(7).map { board.connect($0.token) }
        board.command("vote.open", from: host, ["question": "选举", "secret": true])
        let opened = board.sink.messages(to: members[0]).compactMap { $0["event"] as? [String: Any] }
            .last { $0["kind"] as? String == "vote.opened" }
        let vote = try #require(opened?["vote"] as? String)
        #expect(board.command("vote.cast", from: members[0], ["vote": vote, "choice": "赞成"])["type"] as? String == "ack")
        let state = board.switchboard.hubs[board.session]!.state
        board.clock.advance(seconds: 600)
        return (board, try #require(state.lastEventAt), try board.store.lastSeq(board.session))
    }

    func occurrences(_ actions: [ServerAction]) -> [Occurrence] {
        actions.flatMap { action -> [Occurrence] in
            if case .submit(let batch, _) = action { batch.occurrences } else { [] }
        }
    }

    @Test func devicesLeftBehindLeaveAtTheLastRecordedMomentThroughTheWriter() throws {
        let (board, lastAt, lastSeq) = try meetingCutShort()
        let actions = try board.restart()
        // Decided, not written: the store has nothing new until the writer commits.
        #expect(try board.store.lastSeq(board.session) == lastSeq)
        let recovery = occurrences(actions)
        let leaves = recovery.filter { if case .memberLeft = $0.event { true } else { false } }
        #expect(leaves.count == 8)
        #expect(leaves.allSatisfy { $0.at == lastAt }, "a dead device was credited time after the crash")
        #expect(recovery.contains { if case .voteVoided = $0.event { true } else { false } })
        board.perform(actions)
        board.settle()
        let state = board.switchboard.hubs[board.session]!.state
        #expect(state.presence.values.allSatisfy { !$0.isPresent })
        #expect(!state.votes.isEmpty && state.votes.allSatisfy { $0.result == nil && $0.voided != nil })
        #expect(try board.store.lastSeq(board.session) == lastSeq + recovery.count)
    }

    /// A graceful stop (SIGTERM) records every departure at the moment of
    /// the stop, not at the last event before it, and leaves the next start
    /// nobody to recover.
    @Test func aStopRecordsEveryDepartureAtTheStop() throws {
        let (board, lastAt, lastSeq) = try meetingCutShort()
        let stoppedAt = board.clock.read()
        board.perform(board.switchboard.handle(.stop))
        board.settle()
        let after = try board.store.events(board.session, after: lastSeq).map(\.occurrence)
        let leaves = after.filter { if case .memberLeft = $0.event { true } else { false } }
        #expect(leaves.count == 8)
        #expect(leaves.allSatisfy { $0.at == stoppedAt && $0.at != lastAt }, "departures not at the stop")
        #expect(board.sink.closed.count == 8 && board.sink.closed.allSatisfy { $0.1 == .goingAway })
        let recovery = occurrences(try board.restart())
        #expect(!recovery.contains { if case .memberLeft = $0.event { true } else { false } })
    }

    @Test func aRecoveryThatFailsToCommitIsDecidedAgain() throws {
        let (board, lastAt, lastSeq) = try meetingCutShort()
        let first = try board.restart()
        guard case .submit(_, let generation) = first.first else {
            Issue.record("no recovery was decided")
            return
        }
        // The disk was full: the writer reports the failure, the hub rolls back.
        board.perform(board.switchboard.handle(.commitFailed([board.session: generation], "disk full")))
        #expect(board.switchboard.hubs[board.session]!.state.presence.values.contains { $0.isPresent })
        board.clock.advance(seconds: 2)
        let again = board.switchboard.handle(.tick)
        let leaves = occurrences(again).filter { if case .memberLeft = $0.event { true } else { false } }
        #expect(leaves.count == 8)
        #expect(leaves.allSatisfy { $0.at == lastAt }, "the retry credited dead devices with time after the crash")
        #expect(occurrences(again).contains { if case .voteVoided = $0.event { true } else { false } })
        board.perform(again)
        board.settle()
        #expect(try board.store.lastSeq(board.session) == lastSeq + occurrences(again).count)
        #expect(board.switchboard.hubs[board.session]!.state.presence.values.allSatisfy { !$0.isPresent })
    }

    @Test func aStoreThatCannotBeReadIsNotCalledABadLink() throws {
        let board = try Board(reads: { FailingReads($0, failing: [.memberByToken]) })
        let connection = board.connect(board.host.token)
        #expect(board.first(to: connection)["code"] as? String == "internal")
        #expect(board.closed(connection))
    }

    @Test func aRosterThatCannotBeReadLeavesTheSessionUnopened() throws {
        let board = try Board(reads: { FailingReads($0, failing: [.roster]) })
        let host = board.connect(board.host.token)
        #expect(board.command("session.open", from: host)["code"] as? String == "internal")
        #expect(board.switchboard.hubs[board.session]!.state.phase == .scheduled)
    }
}

/// The in-memory store, with some reads failing as a damaged disk would.
struct FailingReads: SwitchboardStore {
    enum Read { case memberByToken, roster }
    struct DiskError: Error {}
    let store: MusterDatabase
    let failing: Set<Read>

    init(_ store: MusterDatabase, failing: Set<Read>) {
        self.store = store
        self.failing = failing
    }

    func member(token: String) throws -> Member? {
        if failing.contains(.memberByToken) { throw DiskError() }
        return try store.member(token: token)
    }
    func lessonSummaries(for branch: BranchID) throws -> [SessionSummary] { try store.lessonSummaries(for: branch) }
    func lessonBranches(_ session: SessionID) throws -> [Branch] { try store.lessonBranches(session) }
    func sessionSetup(_ id: SessionID) throws -> SessionSetup { try store.sessionSetup(id) }
    func officeHolder(token: String) throws -> OfficeHolder? {
        if failing.contains(.memberByToken) { throw DiskError() }
        return try store.officeHolder(token: token)
    }
    func members(branch idOrName: String) throws -> [Member] {
        if failing.contains(.roster) { throw DiskError() }
        return try store.members(branch: idOrName)
    }
    func sessionBranch(_ id: SessionID) throws -> BranchID? { try store.sessionBranch(id) }
    func sessionSummaries(branch: BranchID) throws -> [SessionSummary] { try store.sessionSummaries(branch: branch) }
    func sessionsUnderWay() throws -> [SessionID] { try store.sessionsUnderWay() }
    func watchCredential(for session: SessionID) throws -> String { try store.watchCredential(for: session) }
    func session(watchCredential credential: String) throws -> SessionID? { try store.session(watchCredential: credential) }
    func lastLinkRevocation() throws -> Int { try store.lastLinkRevocation() }
    func linksReplaced(after: Int) throws -> (members: [MemberID: Data], last: Int) { try store.linksReplaced(after: after) }
    func lastSeq(_ session: SessionID) throws -> Int { try store.lastSeq(session) }
    func commandSeqs(_ session: SessionID) throws -> [CommandKey: Int] { try store.commandSeqs(session) }
    func loadSession(_ id: SessionID, observe: (StoredEvent, SessionState) -> Void) throws -> LoadedSession {
        try store.loadSession(id, observe: observe)
    }
}
