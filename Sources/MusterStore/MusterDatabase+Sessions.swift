import Foundation
import GRDB
import MusterCore

extension MusterDatabase {
    /// Plans a session of `branch`, with the branch's voting rules; with `organisation`, a lesson
    /// that branch hosts for every branch under that organisation (the host among them).
    public func addSession(
        branch idOrName: String, title: String, kind: String = "branch-meeting", startsAt: Instant,
        graceSeconds: Int = SessionSetup.defaultGraceSeconds, text: SharedText? = nil, organisation: String? = nil,
        by actor: MemberID? = nil, note: String? = nil
    ) throws -> SessionSetup {
        let title = title.trimmingWhitespace()
        guard !title.isEmpty else { throw StoreError.invalid("A session needs a title.") }
        guard title.count <= FieldLimits.title else { throw StoreError.invalid("The title is longer than \(FieldLimits.title) characters.") }
        guard (0...3600).contains(graceSeconds) else { throw StoreError.invalid("The grace period is 0 to 3600 seconds.") }
        var checkedText: SharedText?
        if let text {
            do {
                checkedText = try SharedText.checked(title: text.title, lines: text.lines)
            } catch {
                throw StoreError.invalid("The text cannot be used: \(error.message).")
            }
        }
        return try writer.write { db in
            let branch = try Self.branch(idOrName, in: db)
            var owner: Organisation?
            if let organisation {
                owner = try Self.organisation(organisation, in: db)
                guard try Self.branches(under: owner!.id, in: db).contains(where: { $0.id == branch.id }) else {
                    throw StoreError.invalid("\(branch.name) is not under \(owner!.name): a lesson is hosted by one of its own branches.")
                }
            }
            let setup = SessionSetup(
                id: random.identifier("S"), branch: branch.id, title: title, kind: kind, scheduledStart: startsAt,
                graceSeconds: graceSeconds, rules: branch.rules, text: checkedText, organisation: owner?.id)
            try SessionRecord(
                id: setup.id, branchId: branch.id, title: title, startsAt: startsAt,
                setup: setup, createdAt: now(), organisationId: owner?.id
            ).insert(db)
            // `note`: who planned it when it was not the branch's secretary (an office's lesson).
            try audit(db, branch: branch.id, by: actor, "session.plan", subject: setup.id.rawValue,
                      "\(title) (\(kind)), \(startsAt.iso8601)" + (owner.map { "; a lesson of \($0.name)" } ?? "")
                          + (note.map { ", planned by \($0)" } ?? ""))
            return setup
        }
    }

    public func sessionSetup(_ id: SessionID) throws -> SessionSetup {
        try writer.read { db in try Self.setup(id, in: db) }
    }

    /// The branch's sessions, soonest first.
    public func sessions(branch idOrName: String) throws -> [SessionSetup] {
        try writer.read { db in
            let branch = try Self.branch(idOrName, in: db)
            return try SessionRecord.filter(SessionRecord.Columns.branchId == branch.id)
                .order(SessionRecord.Columns.startsAt).fetchAll(db).map(\.setup)
        }
    }

    /// The branch a session belongs to, or nil: one indexed read, to authorize before any work.
    public func sessionBranch(_ id: SessionID) throws -> BranchID? {
        try writer.read { db in
            try SessionRecord.select(SessionRecord.Columns.branchId, as: BranchID.self).filter(key: id).fetchOne(db)
        }
    }

    /// Where a branch's sessions stand, read from the log's index without replaying anything.
    public func sessionSummaries(branch: BranchID) throws -> [SessionSummary] {
        try writer.read { db in try Self.summaries(db, where: "s.branchId = ?", [branch]) }
    }

    /// Lessons other branches host for an organisation above `branch`: its members attend them too.
    public func lessonSummaries(for branch: BranchID) throws -> [SessionSummary] {
        try writer.read { db in
            guard let home = try Branch.fetchOne(db, key: branch), var above = home.organisationId else { return [] }
            var organisations: [OrganisationID] = [above]
            while let parent = try Organisation.fetchOne(db, key: above)?.parentId, !organisations.contains(parent) {
                organisations.append(parent)
                above = parent
            }
            let marks = Array(repeating: "?", count: organisations.count).joined(separator: ", ")
            return try Self.summaries(
                db, where: "s.organisationId IN (\(marks)) AND s.branchId != ?",
                StatementArguments(organisations.map(\.rawValue) + [branch.rawValue]))
        }
    }

    /// The branches a lesson's organisation holds: its members are the lesson's roster.
    public func lessonBranches(_ session: SessionID) throws -> [Branch] {
        try writer.read { db in
            guard let organisation = try Self.setup(session, in: db).organisation else { return [] }
            return try Self.branches(under: organisation, in: db)
        }
    }

    private static func summaries(_ db: Database, where condition: String, _ arguments: StatementArguments) throws
        -> [SessionSummary]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.startsAt,
                  (SELECT at FROM event e WHERE e.sessionId = s.id AND e.kind = 'session.opened') AS openedAt,
                  EXISTS (SELECT 1 FROM event e WHERE e.sessionId = s.id AND e.kind = 'session.ended') AS ended,
                  (SELECT body FROM event e WHERE e.sessionId = s.id AND e.kind = 'session.cancelled') AS cancelled
                FROM session s WHERE \(condition) ORDER BY s.startsAt
                """,
            arguments: arguments
        ).map { row in
            let cancelled = (row["cancelled"] as String?).flatMap { body -> String? in
                guard case .sessionCancelled(let event) = try? JSONDecoder().decode(Event.self, from: Data(body.utf8))
                else { return "" }
                return event.reason
            }
            return SessionSummary(
                id: row["id"], startsAt: row["startsAt"],
                openedAt: (row["openedAt"] as String?).flatMap { Instant(iso8601: $0) },
                ended: row["ended"] || cancelled != nil, cancelReason: cancelled)
        }
    }

    static func setup(_ id: SessionID, in db: Database) throws -> SessionSetup {
        guard let record = try SessionRecord.fetchOne(db, key: id) else { throw StoreError.unknownSession(id.rawValue) }
        return record.setup
    }
}

/// Where a session stands, without replaying it.
public struct SessionSummary: Sendable, Hashable {
    public var id: SessionID
    public var startsAt: Instant
    /// When it opened, if it has.
    public var openedAt: Instant?
    /// Ended, or cancelled: over either way, and never the session a link leads to.
    public var ended: Bool
    /// Why it was cancelled, if it was.
    public var cancelReason: String?

    public init(id: SessionID, startsAt: Instant, openedAt: Instant?, ended: Bool, cancelReason: String? = nil) {
        self.id = id
        self.startsAt = startsAt
        self.openedAt = openedAt
        self.ended = ended
        self.cancelReason = cancelReason
    }
}
