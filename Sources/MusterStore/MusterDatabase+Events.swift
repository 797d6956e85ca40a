import Foundation
import GRDB
import MusterCore

/// A session rebuilt from the store: its machine and the last seq applied.
public struct LoadedSession: Sendable {
    public var machine: SessionMachine
    /// The seq of the last event replayed; 0 for a session with no events.
    public var seq: Int

    public init(machine: SessionMachine, seq: Int) {
        self.machine = machine
        self.seq = seq
    }
}

/// Events for one session to append in one go.
public struct EventBatch: Sendable, Hashable {
    public var session: SessionID
    /// The seq the first occurrence must get: the log stays dense.
    public var firstSeq: Int
    public var occurrences: [Occurrence]
    /// The client's command these events answer, kept to recognise a resend.
    public var command: CommandKey?

    public init(
        session: SessionID, firstSeq: Int, occurrences: [Occurrence], command: CommandKey? = nil
    ) {
        self.session = session
        self.firstSeq = firstSeq
        self.occurrences = occurrences
        self.command = command
    }
}

/// A client command as its sender named it: the same member sending the same
/// id again means the same command.
public struct CommandKey: Sendable, Hashable {
    public var member: MemberID
    public var id: String

    public init(member: MemberID, id: String) {
        self.member = member
        self.id = id
    }
}

extension MusterDatabase {
    /// Appends batches in one transaction: all of them are durable when this
    /// returns, or none is (group commit for the server's writer).
    ///
    /// A batch whose `firstSeq` does not follow the stored log is refused,
    /// and with it the whole transaction.
    /// Appends batches in one transaction; `linksOpened` (members whose link was first used,
    /// and when) are noted in the same one, so they cost no write of their own.
    public func append(_ batches: [EventBatch], linksOpened: [(MemberID, Instant)] = []) throws {
        let encoder = JSONEncoder()
        try writer.write { db in
            try Self.noteLinksOpened(linksOpened, in: db)
            // A join storm commits thousands of one-event batches of one session: ask the
            // file for a session's last seq once per commit, then count on from it.
            var nextSeq: [SessionID: Int] = [:]
            // One compiled statement for every row (a record's `insert` builds its SQL each time).
            let insert = try db.cachedStatement(
                sql: "INSERT INTO event (sessionId, seq, at, kind, body, callerId, commandId) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for batch in batches {
                let expected = try nextSeq[batch.session] ?? Self.lastSeq(batch.session, in: db) + 1
                guard batch.firstSeq == expected else {
                    throw StoreError.sequenceGap(session: batch.session.rawValue, expected: expected, got: batch.firstSeq)
                }
                nextSeq[batch.session] = batch.firstSeq + batch.occurrences.count
                for (offset, occurrence) in batch.occurrences.enumerated() {
                    let body = String(decoding: try encoder.encode(occurrence.event), as: UTF8.self)
                    try insert.execute(arguments: [
                        batch.session, batch.firstSeq + offset, occurrence.at, occurrence.event.kind, body,
                        batch.command?.member, batch.command?.id,
                    ])
                    if case .sessionReplanned(let replan) = occurrence.event {
                        try Self.replan(batch.session, replan, in: db)
                    }
                    if case .memberMoved(let moved) = occurrence.event {
                        // Where a member is now is their last report: the roster and the map follow it.
                        try db.execute(sql: "UPDATE member SET city = ? WHERE id = ?", arguments: [moved.city, moved.member])
                    }
                }
            }
        }
    }

    /// A replanned session's row follows its log, in the same transaction: the
    /// branch's list and the session a link leads to read the row.
    static func replan(_ session: SessionID, _ replan: Replan, in db: Database) throws {
        guard var record = try SessionRecord.fetchOne(db, key: session) else { return }
        if let title = replan.title { record.title = title; record.setup.title = title }
        if let kind = replan.kind { record.setup.kind = kind }
        if let start = replan.scheduledStart { record.startsAt = start; record.setup.scheduledStart = start }
        if let grace = replan.graceSeconds { record.setup.graceSeconds = grace }
        try record.update(db)
    }

    /// Appends one session's occurrences after its last stored event and
    /// returns the seqs they got.
    @discardableResult
    public func append(session: SessionID, _ occurrences: [Occurrence]) throws -> ClosedRange<Int>? {
        guard !occurrences.isEmpty else { return nil }
        let first = try lastSeq(session) + 1
        try append([EventBatch(session: session, firstSeq: first, occurrences: occurrences)])
        return first...(first + occurrences.count - 1)
    }

    /// Every client command that produced events in a session, with the seq of its last event.
    public func commandSeqs(_ session: SessionID) throws -> [CommandKey: Int] {
        typealias Columns = EventRecord.Columns
        return try writer.read { db in
            let rows = try EventRecord
                .select(Columns.callerId, Columns.commandId, max(Columns.seq).forKey(Columns.seq.rawValue))
                .filter(Columns.sessionId == session && Columns.commandId != nil)
                .group(Columns.callerId, Columns.commandId)
                .asRequest(of: Row.self).fetchAll(db)
            return Dictionary(
                uniqueKeysWithValues: rows.map { row in
                    let key = CommandKey(member: row[Columns.callerId], id: row[Columns.commandId])
                    return (key, row[Columns.seq] as Int)
                })
        }
    }

    /// Sessions opened and not ended: what a starting server must recover.
    public func sessionsUnderWay() throws -> [SessionID] {
        try writer.read { db in
            try SessionID.fetchAll(
                db,
                sql: """
                    SELECT id FROM session WHERE
                    EXISTS (SELECT 1 FROM event WHERE sessionId = session.id AND kind = 'session.opened') AND
                    NOT EXISTS (SELECT 1 FROM event WHERE sessionId = session.id AND kind = 'session.ended')
                    ORDER BY startsAt
                    """)
        }
    }

    public func lastSeq(_ session: SessionID) throws -> Int {
        try writer.read { db in try Self.lastSeq(session, in: db) }
    }

    /// The events after `seq`, in order.
    public func events(_ session: SessionID, after seq: Int = 0) throws -> [StoredEvent] {
        try writer.read { db in try Self.events(session, after: seq, in: db) }
    }

    /// Rebuilds a session by replaying its log through the core.
    ///
    /// `observe` sees each event with the state right after it, in the same
    /// pass (the server builds its resume frames this way). An event that
    /// cannot be read or does not fit throws `StoreError.damaged` naming it.
    public func loadSession(
        _ id: SessionID, observe: (StoredEvent, SessionState) -> Void = { _, _ in }
    ) throws -> LoadedSession {
        try writer.read { db in
            var machine = SessionMachine(setup: try Self.setup(id, in: db))
            let events = try Self.events(id, after: 0, in: db)
            for event in events {
                do {
                    try machine.replay(event.occurrence)
                } catch let error as ReplayError {
                    throw StoreError.damaged(session: id.rawValue, seq: event.seq, problem: error.problem)
                }
                observe(event, machine.state)
            }
            return LoadedSession(machine: machine, seq: events.last?.seq ?? 0)
        }
    }

    static func lastSeq(_ session: SessionID, in db: Database) throws -> Int {
        // A cached statement: the writer asks once per commit.
        try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM event WHERE sessionId = ?"), arguments: [session]) ?? 0
    }

    /// The log after `seq`, read row by row so a row that cannot be read is named, not skipped.
    static func events(_ session: SessionID, after seq: Int, in db: Database) throws -> [StoredEvent] {
        typealias Columns = EventRecord.Columns
        let decoder = JSONDecoder()
        let rows = try EventRecord.select(Columns.seq, Columns.at, Columns.body)
            .filter(Columns.sessionId == session && Columns.seq > seq).order(Columns.seq)
            .asRequest(of: Row.self).fetchAll(db)
        var expected = seq + 1
        return try rows.map { row in
            let seq: Int = row[Columns.seq]
            guard seq == expected else {
                throw StoreError.damaged(session: session.rawValue, seq: expected, problem: "the event is missing")
            }
            expected += 1
            guard let at = (row[Columns.at] as String?).flatMap({ Instant(iso8601: $0) }),
                let body = row[Columns.body] as String?,
                let event = try? decoder.decode(Event.self, from: Data(body.utf8))
            else {
                throw StoreError.damaged(session: session.rawValue, seq: seq, problem: "the event cannot be read")
            }
            return StoredEvent(session: session, seq: seq, occurrence: Occurrence(at: at, event: event))
        }
    }
}
