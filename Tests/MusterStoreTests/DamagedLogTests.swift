import Foundation
import GRDB
import MusterCore
import Testing

@testable import MusterStore

/// One damaged session is named and set aside; whoever reads it gets a
/// clear error, never a crash (the trust issue, finding 6).
@Suite struct DamagedLogTests {
    static let start = EventLogTests.start

    func given() throws -> (MusterDatabase, SessionSetup, [MemberID]) {
        let database = try MusterDatabase.inMemory(now: FixedClock().now)
        let (setup, members) = try EventLogTests.given(database)
        let roster = try database.members(branch: "b").map(\.rosterEntry)
        try database.append(
            session: setup.id,
            [
                Occurrence(at: Self.start, event: .sessionOpened(.init(roster: roster))),
                Occurrence(at: Self.start.adding(seconds: 1), event: .sessionStarted),
                Occurrence(at: Self.start.adding(seconds: 2), event: .textAdvanced(.init(line: 2))),
            ])
        return (database, setup, members)
    }

    func damage(_ database: MusterDatabase, seq: Int, body: String) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE event SET body = ? WHERE seq = ?", arguments: [body, seq])
        }
    }

    @Test func anUnreadableEventIsNamedBySessionAndSeq() throws {
        let (database, setup, _) = try given()
        try damage(database, seq: 2, body: #"{"kind":"session.started""#)
        #expect(throws: StoreError.damaged(session: setup.id.rawValue, seq: 2, problem: "the event cannot be read")) {
            try database.loadSession(setup.id)
        }
    }

    @Test(arguments: [
        #"{"kind":"text.advanced","line":9999}"#,
        #"{"kind":"member.joined","member":"Mnobody","device":"D1","mode":"remote"}"#,
        #"{"kind":"vote.cast","vote":"V7","member":"Mnobody"}"#,
        #"{"kind":"post.hidden","post":"P3"}"#,
        #"{"kind":"rollcall.closed","rollcall":"R1","answered":[],"missing":[]}"#,
    ])
    func anEventThatDoesNotFitIsRefusedNotApplied(body: String) throws {
        let (database, setup, _) = try given()
        try damage(database, seq: 3, body: body)
        do {
            _ = try database.loadSession(setup.id)
            Issue.record("a damaged log was replayed")
        } catch StoreError.damaged(let session, let seq, let problem) {
            #expect(session == setup.id.rawValue && seq == 3)
            #expect(!problem.isEmpty)
        }
    }
}

/// Data files written by earlier versions keep working.
@Suite struct EarlierFilesTests {
    /// Earlier versions wrote a session's setup with a plain `JSONEncoder`; it still reads back whole.
    @Test func aSetupWrittenAsPlainJSONStillLoads() throws {
        let database = try MusterDatabase.inMemory(now: FixedClock().now)
        let (setup, _) = try EventLogTests.given(database)
        let earlier = String(decoding: try JSONEncoder().encode(setup), as: UTF8.self)
        try database.writer.write { db in
            try db.execute(sql: "UPDATE session SET setup = ? WHERE id = ?", arguments: [earlier, setup.id])
        }
        #expect(try database.sessionSetup(setup.id) == setup)
        #expect(try database.sessions(branch: "b") == [setup])
    }
}
