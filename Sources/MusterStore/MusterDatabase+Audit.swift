import Foundation
import GRDB
import MusterCore

/// One change to a branch's roster or plans: who made it, when, to what.
/// Written in the same transaction as the change, so the log and the data
/// never disagree. Never holds a token.
public struct AuditEntry: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "audit"
    public var id: Int64?
    public var branchId: BranchID
    public var at: Instant
    /// The secretary who did it; nil for the command line on the server.
    public var actor: MemberID?
    /// `member.add`, `member.edit`, `member.relink`, `roster.import`, `session.plan`.
    public var action: String
    /// The member or session concerned (for an import, how many members).
    public var subject: String
    /// What changed, in words (names, never tokens).
    public var detail: String

    public enum Columns: String, ColumnExpression { case id, branchId, at, actor, action, subject, detail }
}

extension MusterDatabase {
    /// The office's tables and columns: the audit log, members leaving, links opened.
    static func registerOfficeMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-audit") { db in
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("branchId", .text).notNull().references("branch", onDelete: .restrict)
                t.column("at", .text).notNull()
                t.column("actor", .text)
                t.column("action", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("detail", .text).notNull()
            }
            try db.create(index: "audit_branch", on: "audit", columns: ["branchId", "id"])
        }
        migrator.registerMigration("v9-members-leaving") { db in
            try db.alter(table: "member") { t in
                t.add(column: "leftAt", .text)
                t.add(column: "leftReason", .text)
            }
        }
        migrator.registerMigration("v10-links-opened") { db in
            try db.alter(table: "member") { t in t.add(column: "linkOpenedAt", .text) }
        }
        migrator.registerMigration("v11-phones") { db in
            try db.alter(table: "member") { t in t.add(column: "phone", .text) }
        }
    }

    func audit(
        _ db: Database, branch: BranchID, by actor: MemberID?, _ action: String, subject: String, _ detail: String
    ) throws {
        let entry = AuditEntry(
            id: nil, branchId: branch, at: now(), actor: actor, action: action, subject: subject, detail: detail)
        try entry.insert(db)
    }

    /// The branch's log of changes, newest first (at most `limit`).
    public func auditLog(branch: BranchID, limit: Int = 500) throws -> [AuditEntry] {
        try writer.read { db in
            try AuditEntry.filter(AuditEntry.Columns.branchId == branch)
                .order(AuditEntry.Columns.id.desc).limit(limit).fetchAll(db)
        }
    }

    /// Changes a member's name, status, city or phone (`city` or `phone` "" clears it).
    public func editMember(
        _ id: MemberID, name: String? = nil, status: MemberStatus? = nil, city: String? = nil, phone: String? = nil,
        by actor: MemberID? = nil
    ) throws -> Member {
        try writer.write { db in
            guard var member = try Member.fetchOne(db, key: id) else { throw StoreError.unknownMember(id.rawValue) }
            var changes: [String] = []
            if let name {
                let name = try Self.checkedName(name)
                if name != member.name {
                    let taken = try Member.filter(Member.Columns.branchId == member.branchId && Member.Columns.name == name)
                        .fetchCount(db)
                    if taken > 0 {
                        throw StoreError.duplicateMember(name: name, branch: try Self.branch(member.branchId.rawValue, in: db).name)
                    }
                    changes.append("name \(member.name) → \(name)")
                    member.name = name
                }
            }
            if let status, status != member.status {
                changes.append("status \(member.status.rawValue) → \(status.rawValue)")
                member.status = status
            }
            if let city {
                let city = try Self.checkedCity(city)
                if city != member.city {
                    changes.append("city \(member.city ?? "—") → \(city ?? "—")")
                    member.city = city
                }
            }
            if let phone {
                let phone = try Self.checkedPhone(phone)
                if phone != member.phone {
                    changes.append("phone changed")  // the number itself stays out of the log
                    member.phone = phone
                }
            }
            guard !changes.isEmpty else { return member }
            try member.update(db)
            try audit(db, branch: member.branchId, by: actor, "member.edit", subject: member.id.rawValue,
                      "\(member.name): " + changes.joined(separator: "; "))
            return member
        }
    }

    /// A member leaves the branch (transferred out, or died): gone from new
    /// sessions' rosters, kept in every past record, their link ended at once
    /// (on open pages too). Not undone here: a member who returns is added again.
    public func retire(_ id: MemberID, reason: LeavingReason, by actor: MemberID? = nil) throws -> Member {
        try writer.write { db in
            guard var member = try Member.fetchOne(db, key: id) else { throw StoreError.unknownMember(id.rawValue) }
            guard member.leftAt == nil else { throw StoreError.invalid("\(member.name) has already left the roster.") }
            member.leftAt = now()
            member.leftReason = reason
            // The new token is given to nobody: whatever page had the old link is told it is no longer valid.
            _ = try replaceLink(of: &member, in: db)
            try member.update(db)
            try audit(db, branch: member.branchId, by: actor, "member.retire", subject: member.id.rawValue,
                      "\(member.name): \(reason.rawValue)")
            return member
        }
    }

    /// Notes that these members' current links have been used (a hello went through), and
    /// when: the secretary sees who has never opened theirs. The store writer notes them in
    /// its next commit of events (`append(_:linksOpened:)`), or alone when there are none.
    public func noteLinksOpened(_ links: [(MemberID, Instant)]) throws {
        guard !links.isEmpty else { return }
        try writer.write { db in try Self.noteLinksOpened(links, in: db) }
    }

    static func noteLinksOpened(_ links: [(MemberID, Instant)], in db: Database) throws {
        guard !links.isEmpty else { return }
        let update = try db.cachedStatement(sql: "UPDATE member SET linkOpenedAt = ? WHERE id = ? AND linkOpenedAt IS NULL")
        for (member, time) in links { try update.execute(arguments: [time, member]) }
    }

    static func checkedName(_ name: String) throws -> String {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty else { throw StoreError.invalid("A member needs a name.") }
        guard name.count <= FieldLimits.title else {
            throw StoreError.invalid("The name is longer than \(FieldLimits.title) characters.")
        }
        return name
    }

    /// A phone number as stored: trimmed, nil when empty; digits, spaces, +, - and
    /// parentheses only, at most 20 characters.
    static func checkedPhone(_ phone: String?) throws -> String? {
        guard let phone = phone?.trimmingWhitespace(), !phone.isEmpty else { return nil }
        guard phone.count <= 20, phone.allSatisfy({ $0.isASCII && ($0.isNumber || " +-()".contains($0)) }) else {
            throw StoreError.invalid("\"\(phone)\" is not a phone number.")
        }
        return phone
    }

    /// A city as stored: trimmed, nil when empty.
    static func checkedCity(_ city: String?) throws -> String? {
        guard let city = city?.trimmingWhitespace(), !city.isEmpty else { return nil }
        guard city.count <= FieldLimits.city else {
            throw StoreError.invalid("The city is longer than \(FieldLimits.city) characters.")
        }
        return city
    }
}
