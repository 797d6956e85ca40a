import Foundation
import GRDB
import MusterCore

public enum OfficeHolderTag {}
public typealias OfficeHolderID = Identifier<OfficeHolderTag>

/// The levels above a branch through which a city finds and serves its
/// floating members, from the top down.
public enum OrganisationLevel: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// 县（区）.
    case county
    /// 乡镇（街道）.
    case township
    /// 村（社区）.
    case village

    /// 0 for a county; a child's rank is higher than its parent's.
    public var rank: Int { Self.allCases.firstIndex(of: self)! }
}

/// An organisation above branches: a county office, a township's or a village's.
public struct Organisation: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "organisation"
    public var id: OrganisationID
    public var name: String
    public var level: OrganisationLevel
    public var parentId: OrganisationID?
    public var createdAt: Instant

    /// Where the migration puts the branches a data file had before organisations, and
    /// where a branch goes when it is added without one.
    public static let defaultID: OrganisationID = "O0"
    public static let defaultName = "本级组织"

    public enum Columns: String, ColumnExpression { case id, name, level, parentId, createdAt }
}

/// Someone at an organisation's service point: they see every branch below it,
/// read-only, through a link of their own (only its hash is kept).
public struct OfficeHolder: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "officeHolder"
    public var id: OfficeHolderID
    public var organisationId: OrganisationID
    public var name: String
    public var tokenHash: Data
    public var createdAt: Instant

    public enum Columns: String, ColumnExpression { case id, organisationId, name, tokenHash, createdAt }
}

/// An organisation and everything below it, read at once.
public struct OrganisationTree: Sendable, Hashable {
    public var root: Organisation
    /// The organisations below the root, parents before children.
    public var below: [Organisation]
    /// The branches of the root and of every organisation below it.
    public var branches: [Branch]

    /// The branches under `organisation` (itself included), when it is in this tree.
    public func branches(under organisation: OrganisationID) -> [Branch] {
        let inside = Set([organisation] + Self.below(organisation, among: below).map(\.id))
        return branches.filter { $0.organisationId.map(inside.contains) == true }
    }

    /// The organisations below `root` among `all`, level by level (parents before children),
    /// by name within a level: a child's rank is above its parent's, so three levels reach the bottom.
    static func below(_ root: OrganisationID, among all: [Organisation]) -> [Organisation] {
        var below: [Organisation] = []
        var frontier: Set<OrganisationID> = [root]
        while !frontier.isEmpty {
            let children = all.filter { $0.parentId.map(frontier.contains) == true }.sorted { $0.name < $1.name }
            below += children
            frontier = Set(children.map(\.id))
        }
        return below
    }
}

extension MusterDatabase {
    static func registerOrganisationMigrations(_ migrator: inout DatabaseMigrator) {
        // Branches belong to organisations; existing ones to a default organisation.
        migrator.registerMigration("v12-organisations") { db in
            try db.create(table: "organisation") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique()
                t.column("level", .text).notNull()
                t.column("parentId", .text).references("organisation", onDelete: .restrict)
                t.column("createdAt", .text).notNull()
            }
            try db.create(table: "officeHolder") { t in
                t.primaryKey("id", .text)
                t.column("organisationId", .text).notNull().references("organisation", onDelete: .restrict)
                t.column("name", .text).notNull()
                t.column("tokenHash", .blob).notNull().unique()
                t.column("createdAt", .text).notNull()
            }
            try db.alter(table: "branch") { t in
                t.add(column: "organisationId", .text).references("organisation", onDelete: .restrict)
            }
            // A lesson an organisation holds for every branch under it (hosted by one of them).
            try db.alter(table: "session") { t in
                t.add(column: "organisationId", .text).references("organisation", onDelete: .restrict)
            }
            try db.create(index: "session_by_organisation", on: "session", columns: ["organisationId"])
            if try Branch.fetchCount(db) > 0 {
                try Self.insertDefaultOrganisation(db, at: Instant(iso8601: "2026-01-01T00:00:00Z")!)
                try db.execute(sql: "UPDATE branch SET organisationId = ?", arguments: [Organisation.defaultID])
            }
        }
    }

    /// The branches of `organisation` and of every organisation below it.
    static func branches(under organisation: OrganisationID, in db: Database) throws -> [Branch] {
        try branches(of: [organisation] + OrganisationTree.below(organisation, among: Organisation.fetchAll(db)).map(\.id), in: db)
    }

    /// The branches that belong to any of `organisations`, by name.
    static func branches(of organisations: [OrganisationID], in db: Database) throws -> [Branch] {
        try Branch.filter(organisations.contains(Branch.Columns.organisationId)).order(Branch.Columns.name).fetchAll(db)
    }

    static func insertDefaultOrganisation(_ db: Database, at time: Instant) throws {
        guard try Organisation.fetchOne(db, key: Organisation.defaultID) == nil else { return }
        try Organisation(id: Organisation.defaultID, name: Organisation.defaultName, level: .county, createdAt: time)
            .insert(db)
    }

    // MARK: Organisations

    /// Adds an organisation under `parent` (an id or an exact name; nil for a top one).
    public func addOrganisation(name: String, level: OrganisationLevel, parent: String? = nil) throws -> Organisation {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty else { throw StoreError.invalid("An organisation needs a name.") }
        return try writer.write { db in
            guard try Organisation.filter(Organisation.Columns.name == name).fetchCount(db) == 0 else {
                throw StoreError.invalid("An organisation named \"\(name)\" already exists.")
            }
            let above = try parent.map { try Self.organisation($0, in: db) }
            if let above, above.level.rank >= level.rank {
                throw StoreError.invalid(
                    "A \(level.rawValue) cannot be under a \(above.level.rawValue) (\(above.name)): county, then township, then village.")
            }
            let organisation = Organisation(
                id: random.identifier("O"), name: name, level: level, parentId: above?.id, createdAt: now())
            try organisation.insert(db)
            return organisation
        }
    }

    /// An organisation by its id or its exact name.
    public func organisation(_ idOrName: String) throws -> Organisation {
        try writer.read { db in try Self.organisation(idOrName, in: db) }
    }

    public func organisations() throws -> [Organisation] {
        try writer.read { db in try Organisation.order(Organisation.Columns.name).fetchAll(db) }
    }

    static func organisation(_ idOrName: String, in db: Database) throws -> Organisation {
        if let found = try Organisation.fetchOne(db, key: idOrName) { return found }
        if let found = try Organisation.filter(Organisation.Columns.name == idOrName).fetchOne(db) { return found }
        throw StoreError.invalid("There is no organisation \"\(idOrName)\". `muster org list` shows them.")
    }

    /// Puts a branch under another organisation.
    @discardableResult
    public func move(branch idOrName: String, to organisation: String) throws -> Branch {
        try writer.write { db in
            var branch = try Self.branch(idOrName, in: db)
            branch.organisationId = try Self.organisation(organisation, in: db).id
            try branch.update(db)
            return branch
        }
    }

    /// `organisation` and everything below it.
    public func tree(of organisation: OrganisationID) throws -> OrganisationTree {
        try writer.read { db in
            let root = try Self.organisation(organisation.rawValue, in: db)
            let below = OrganisationTree.below(root.id, among: try Organisation.fetchAll(db))
            let branches = try Self.branches(of: [root.id] + below.map(\.id), in: db)
            return OrganisationTree(root: root, below: below, branches: branches)
        }
    }

    // MARK: Office holders

    /// Issues a link for someone at `organisation`'s service point; the token is returned once.
    public func addOfficeHolder(name: String, organisation: String) throws -> (holder: OfficeHolder, token: String) {
        let name = try Self.checkedName(name)
        return try writer.write { db in
            let organisation = try Self.organisation(organisation, in: db)
            let token = LinkToken.generate(using: random)
            let holder = OfficeHolder(
                id: random.identifier("F"), organisationId: organisation.id, name: name,
                tokenHash: LinkToken.hash(token), createdAt: now())
            try holder.insert(db)
            return (holder, token)
        }
    }

    /// The office holder whose link carries `token`, if any.
    public func officeHolder(token: String) throws -> OfficeHolder? {
        let hash = LinkToken.hash(token)
        return try writer.read { db in try OfficeHolder.filter(OfficeHolder.Columns.tokenHash == hash).fetchOne(db) }
    }

    /// The current members (not those who left) of `branches`, by branch and name.
    public func currentMembers(of branches: [BranchID]) throws -> [Member] {
        try writer.read { db in
            try Member.filter(branches.contains(Member.Columns.branchId) && Member.Columns.leftAt == nil)
                .order(Member.Columns.branchId, Member.Columns.name).fetchAll(db)
        }
    }
}
