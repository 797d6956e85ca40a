import Foundation
import MusterCore
import MusterStore
import Testing

@testable import MusterServer

@Suite struct StoreWriterTests {
    static let start = Instant(iso8601: "2026-11-24T10:00:00Z")!

    func given() throws -> (MusterDatabase, SessionID, SessionID) {
        let database = try MusterDatabase.inMemory(now: { Self.start })
        _ = try database.addBranch(name: "b")
        _ = try database.addMember(branch: "b", NewMember(name: "王", secretary: true))
        let first = try database.addSession(branch: "b", title: "一", startsAt: Self.start, text: .partyOath).id
        let second = try database.addSession(branch: "b", title: "二", startsAt: Self.start, text: .partyOath).id
        return (database, first, second)
    }

    func batch(_ session: SessionID, _ firstSeq: Int, _ count: Int = 1) -> EventBatch {
        EventBatch(
            session: session, firstSeq: firstSeq,
            occurrences: (0..<count).map { Occurrence(at: Self.start.adding(seconds: $0), event: .sessionLocked(.init(locked: $0 % 2 == 0))) })
    }

    /// A batch the hub made before it heard of a failure follows the lost one:
    /// it is dropped unwritten, and the hub's new batch behind it commits.
    @Test func aStaleBatchNeverFailsAnInnocentOne() throws {
        let (database, session, other) = try given()
        let mailbox = Mailbox()
        let writer = StoreWriter(database: database, mailbox: mailbox)
        // Generation 0: a batch that does not follow the log (seq 5 of an empty log) fails.
        writer.commit([.init(batch: batch(session, 5), generation: 0)])
        guard case .commitFailed(let failed, _) = mailbox.drain().first else {
            Issue.record("expected a failure")
            return
        }
        #expect(failed == [session: 0])
        // Queued behind it: its generation-0 successor (stale), the hub's new
        // generation-1 batch, and another session's batch.
        writer.commit([
            .init(batch: batch(session, 6), generation: 0), .init(batch: batch(session, 1, 2), generation: 1),
            .init(batch: batch(other, 1), generation: 0),
        ])
        let messages = mailbox.drain()
        guard messages.count == 1, case .committed(let seqs) = messages[0] else {
            Issue.record("expected one commit, got \(messages)")
            return
        }
        #expect(seqs == [session: 2, other: 1])
        #expect(try database.lastSeq(session) == 2)
    }

    /// One session out of step does not sink the others committed with it.
    @Test func aGapInOneSessionCommitsTheOthers() throws {
        let (database, session, other) = try given()
        let mailbox = Mailbox()
        let writer = StoreWriter(database: database, mailbox: mailbox)
        writer.commit([.init(batch: batch(session, 3), generation: 0), .init(batch: batch(other, 1), generation: 0)])
        let messages = mailbox.drain()
        #expect(messages.contains { if case .committed(let seqs) = $0 { seqs == [other: 1] } else { false } })
        #expect(messages.contains { if case .commitFailed(let failed, _) = $0 { failed == [session: 0] } else { false } })
        #expect(try database.lastSeq(other) == 1)
    }

    /// Group commit: what was queued while the last commit ran goes in one
    /// transaction, answered by one message; stopping flushes the queue first.
    @Test func queuedBatchesCommitAsOneGroupAndStoppingFlushesThem() throws {
        let (database, session, other) = try given()
        let mailbox = Mailbox()
        let writer = StoreWriter(database: database, mailbox: mailbox)
        for seq in 1...5 { writer.submit(batch(session, seq), generation: 0) }
        writer.submit(batch(other, 1, 3), generation: 0)
        writer.commitQueued()
        let messages = mailbox.drain()
        guard messages.count == 1, case .committed(let seqs) = messages[0] else {
            Issue.record("expected one commit for the group, got \(messages)")
            return
        }
        #expect(seqs == [session: 5, other: 3])
        // On its thread: a stop commits what is queued before it returns.
        writer.start()
        writer.submit(batch(session, 6), generation: 0)
        writer.stopAndFlush()
        #expect(try database.lastSeq(session) == 6)
        writer.submit(batch(session, 7), generation: 0)
        writer.stopAndFlush()
        #expect(try database.lastSeq(session) == 6, "nothing is written after the stop")
    }
}
