import Foundation
import GRDB
import MusterCore

/// A branch: a name, its voting rules, its roster.
public struct Branch: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "branch"
    public var id: BranchID
    public var name: String
    public var rules: VotingRules
    public var createdAt: Instant
    /// The IANA name of the branch's time zone, e.g. Asia/Shanghai: its
    /// minutes, sheets and planned times are written in it.
    public var timeZone: String
    /// The organisation the branch belongs to (every branch has one once the file is migrated).
    public var organisationId: OrganisationID? = nil

    /// China's one zone, which a branch has unless it is given another.
    public static let defaultTimeZone = "Asia/Shanghai"

    /// The table's columns, for queries.
    public enum Columns: String, ColumnExpression { case id, name, rules, createdAt, timeZone, organisationId }
}

/// A member of a branch, as the branch knows them today.
public struct Member: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "member"
    public var id: MemberID
    public var branchId: BranchID
    public var name: String
    public var status: MemberStatus
    public var city: String?
    public var secretary: Bool
    /// SHA-256 of the current link token; reissuing replaces it.
    public var tokenHash: Data
    public var createdAt: Instant
    /// When the member left the branch (transferred out, or died), and why: kept in
    /// past sessions' records, left out of new sessions, their link ended.
    public var leftAt: Instant? = nil
    public var leftReason: LeavingReason? = nil
    /// When the current link was first used to say hello; nil until then, and again after a relink.
    public var linkOpenedAt: Instant? = nil
    /// For the secretary to call them: never sent to a meeting, never on a member's page.
    public var phone: String? = nil

    public var rosterEntry: RosterEntry {
        RosterEntry(id: id, name: name, status: status, city: city, secretary: secretary)
    }

    /// The table's columns, for queries.
    public enum Columns: String, ColumnExpression {
        case id, branchId, name, status, city, secretary, tokenHash, createdAt, leftAt, leftReason, linkOpenedAt, phone
    }
}

/// Why a member left the branch's roster.
public enum LeavingReason: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// 转出: their membership moved to another organisation.
    case transferred
    /// 去世.
    case deceased
}

extension Member {
    /// Read column by column: every hello reads its member, and reading it
    /// through `Decodable` was 3% of a 10,000-member join storm.
    public init(row: Row) throws {
        id = try row.decode(forColumn: Columns.id.rawValue)
        branchId = try row.decode(forColumn: Columns.branchId.rawValue)
        name = try row.decode(forColumn: Columns.name.rawValue)
        status = try row.decode(forColumn: Columns.status.rawValue)
        city = try row.decode(forColumn: Columns.city.rawValue)
        secretary = try row.decode(forColumn: Columns.secretary.rawValue)
        tokenHash = try row.decode(forColumn: Columns.tokenHash.rawValue)
        createdAt = try row.decode(forColumn: Columns.createdAt.rawValue)
        leftAt = try row.decode(forColumn: Columns.leftAt.rawValue)
        leftReason = try row.decode(forColumn: Columns.leftReason.rawValue)
        linkOpenedAt = try row.decode(forColumn: Columns.linkOpenedAt.rawValue)
        phone = try row.decode(forColumn: Columns.phone.rawValue)
    }
}

extension MemberStatus: DatabaseValueConvertible {}

/// A planned session: its setup, stored as the core's `SessionSetup`.
struct SessionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "session"
    var id: SessionID
    var branchId: BranchID
    var title: String
    var startsAt: Instant
    /// The whole `SessionSetup`, stored by GRDB as JSON, so the core decides what a setup holds.
    var setup: SessionSetup
    var createdAt: Instant
    /// A lesson's organisation (`SessionSetup.organisation`), as a column to find it by.
    var organisationId: OrganisationID? = nil

    enum Columns: String, ColumnExpression { case id, branchId, title, startsAt, setup, createdAt, organisationId }
}

/// One row of the event log.
struct EventRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event"
    var sessionId: SessionID
    var seq: Int
    var at: Instant
    var kind: String
    /// The event's JSON, `kind` included: the stored form is the wire form.
    var body: String
    /// Who sent the command that produced this event, and the id they gave it.
    var callerId: MemberID?
    var commandId: String?

    enum Columns: String, ColumnExpression { case sessionId, seq, at, kind, body, callerId, commandId }
}

/// An event as stored: its place in the session's log and when it happened.
public struct StoredEvent: Sendable, Hashable {
    public var session: SessionID
    /// Dense and strictly increasing per session, from 1.
    public var seq: Int
    public var occurrence: Occurrence

    public init(session: SessionID, seq: Int, occurrence: Occurrence) {
        self.session = session
        self.seq = seq
        self.occurrence = occurrence
    }
}
