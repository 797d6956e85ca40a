import Foundation
import GRDB
import MusterCore

/// A member and the link token just issued to them. The token is shown once;
/// only its hash is kept.
public struct IssuedLink: Sendable, Hashable {
    public var member: Member
    public var token: String
}

/// What a person filling in a roster supplies for one member.
public struct NewMember: Sendable, Hashable {
    public var name: String
    public var status: MemberStatus
    public var city: String?
    public var secretary: Bool
    /// For the secretary only (see `Member.phone`).
    public var phone: String?

    public init(
        name: String, status: MemberStatus = .full, city: String? = nil, secretary: Bool = false, phone: String? = nil
    ) {
        self.name = name
        self.status = status
        self.city = city
        self.secretary = secretary
        self.phone = phone
    }
}

extension MusterDatabase {
    // MARK: Branches

    /// Adds a branch under `organisation` (an id or exact name); without one, under the default organisation.
    public func addBranch(
        name: String, rules: VotingRules = .branchWork, timeZone: String = Branch.defaultTimeZone,
        organisation: String? = nil
    ) throws -> Branch {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty else { throw StoreError.invalid("A branch needs a name.") }
        let zone = try Self.checkedTimeZone(timeZone)
        return try writer.write { db in
            guard try Branch.filter(Branch.Columns.name == name).fetchCount(db) == 0 else {
                throw StoreError.duplicateBranch(name: name)
            }
            let owner: OrganisationID
            if let organisation {
                owner = try Self.organisation(organisation, in: db).id
            } else {
                try Self.insertDefaultOrganisation(db, at: now())
                owner = Organisation.defaultID
            }
            let branch = Branch(
                id: random.identifier("B"), name: name, rules: rules, createdAt: now(), timeZone: zone, organisationId: owner)
            try branch.insert(db)
            return branch
        }
    }

    /// A branch by its id or, for people typing at a terminal, its exact name.
    public func branch(_ idOrName: String) throws -> Branch {
        try writer.read { db in try Self.branch(idOrName, in: db) }
    }

    /// Moves a branch to another time zone (an IANA name such as Asia/Urumqi).
    @discardableResult
    public func setTimeZone(branch idOrName: String, _ timeZone: String) throws -> Branch {
        let zone = try Self.checkedTimeZone(timeZone)
        return try writer.write { db in
            var branch = try Self.branch(idOrName, in: db)
            branch.timeZone = zone
            try branch.update(db)
            return branch
        }
    }

    /// The time zone a session's documents and times are written in: its branch's.
    public func timeZone(ofSession session: SessionID) throws -> TimeZone {
        guard let branch = try sessionBranch(session) else { throw StoreError.unknownSession(session.rawValue) }
        return try timeZone(ofBranch: branch)
    }

    public func timeZone(ofBranch branch: BranchID) throws -> TimeZone {
        let name = try writer.read { db in try Self.branch(branch.rawValue, in: db).timeZone }
        // A name this machine's time zone data lacks (it was checked when set): China's offset.
        return TimeZone(identifier: name) ?? TimeZone(identifier: Branch.defaultTimeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)!
    }

    static func checkedTimeZone(_ name: String) throws -> String {
        let name = name.trimmingWhitespace()
        guard TimeZone(identifier: name) != nil else {
            throw StoreError.invalid("\"\(name)\" is not a time zone. Use a name like Asia/Shanghai or Asia/Urumqi.")
        }
        return name
    }

    public func branches() throws -> [Branch] {
        try writer.read { db in try Branch.order(Branch.Columns.name).fetchAll(db) }
    }

    static func branch(_ idOrName: String, in db: Database) throws -> Branch {
        if let branch = try Branch.fetchOne(db, key: idOrName) { return branch }
        if let branch = try Branch.filter(Branch.Columns.name == idOrName).fetchOne(db) { return branch }
        throw StoreError.unknownBranch(idOrName)
    }

    // MARK: Members

    /// Adds a member; `actor` is the secretary who did it (nil: the command line), for the audit log.
    public func addMember(branch idOrName: String, _ new: NewMember, by actor: MemberID? = nil) throws -> IssuedLink {
        try writer.write { db in
            let branch = try Self.branch(idOrName, in: db)
            let issued = try insert(new, into: branch, db)
            try audit(db, branch: branch.id, by: actor, "member.add", subject: issued.member.id.rawValue,
                      "\(issued.member.name) (\(issued.member.status.rawValue))")
            return issued
        }
    }

    /// Adds every member or none: the first bad one stops the import.
    public func importRoster(branch idOrName: String, _ rows: [RosterRow], by actor: MemberID? = nil) throws -> [IssuedLink] {
        try writer.write { db in
            let branch = try Self.branch(idOrName, in: db)
            var seen: [String: Int] = [:]
            var issued: [IssuedLink] = []
            for row in rows {
                if let first = seen[row.member.name] {
                    throw StoreError.rosterLine(row.line, "\"\(row.member.name)\" is also on line \(first)")
                }
                seen[row.member.name] = row.line
                do {
                    issued.append(try insert(row.member, into: branch, db))
                } catch let error as StoreError {
                    throw StoreError.rosterLine(row.line, error.description)
                }
            }
            try audit(db, branch: branch.id, by: actor, "roster.import", subject: "\(issued.count)",
                      issued.map(\.member.name).joined(separator: ", "))
            return issued
        }
    }

    /// Issues a new link and ends the old one at once.
    public func relink(member id: MemberID, by actor: MemberID? = nil) throws -> IssuedLink {
        try writer.write { db in
            guard var member = try Member.fetchOne(db, key: id) else { throw StoreError.unknownMember(id.rawValue) }
            let token = try replaceLink(of: &member, in: db)
            member.linkOpenedAt = nil
            try member.update(db)
            try audit(db, branch: member.branchId, by: actor, "member.relink", subject: member.id.rawValue,
                      "\(member.name): a new link; the old one no longer works")
            return IssuedLink(member: member, token: token)
        }
    }

    /// Gives `member` a new token (returned; the caller saves the member) and records the
    /// revocation, so every device still on the old link is closed within a second.
    func replaceLink(of member: inout Member, in db: Database) throws -> String {
        let token = LinkToken.generate(using: random)
        member.tokenHash = LinkToken.hash(token)
        try db.execute(sql: "INSERT INTO linkRevocation (memberId, at) VALUES (?, ?)", arguments: [member.id, now()])
        return token
    }

    /// The member whose current link carries `token`, if any.
    public func member(token: String) throws -> Member? {
        let hash = LinkToken.hash(token)
        // A cached statement: a crowd reconnecting asks this thousands of times in a few seconds.
        // One SELECT is consistent by itself: no transaction around it (that was half its cost).
        return try (lookups ?? writer).unsafeRead { db in
            try Member.fetchOne(db.cachedStatement(sql: "SELECT * FROM member WHERE tokenHash = ?"), arguments: [hash])
        }
    }

    /// Links replaced since revocation `after` (0: since ever): the members
    /// concerned, with their current token hash, and the newest revocation seen.
    /// One indexed read, cheap enough to poll every second.
    public func linksReplaced(after: Int) throws -> (members: [MemberID: Data], last: Int) {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.memberId, m.tokenHash FROM linkRevocation r
                    JOIN member m ON m.id = r.memberId WHERE r.id > ? ORDER BY r.id
                    """,
                arguments: [after])
            var members: [MemberID: Data] = [:]
            for row in rows { members[MemberID(row["memberId"] as String)] = row["tokenHash"] }
            return (members, rows.last?["id"] ?? after)
        }
    }

    /// The newest link revocation, to start polling from.
    public func lastLinkRevocation() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT MAX(id) FROM linkRevocation") ?? 0 }
    }

    public func member(_ id: MemberID) throws -> Member? {
        try writer.read { db in try Member.fetchOne(db, key: id) }
    }

    /// The branch's roster today, secretaries first, then by name.
    public func members(branch idOrName: String) throws -> [Member] {
        try members(branch: idOrName, formerly: false)
    }

    /// Those who have left the branch's roster (transferred out, died).
    public func formerMembers(branch idOrName: String) throws -> [Member] {
        try members(branch: idOrName, formerly: true)
    }

    private func members(branch idOrName: String, formerly: Bool) throws -> [Member] {
        try writer.read { db in
            let branch = try Self.branch(idOrName, in: db)
            let left = formerly ? Member.Columns.leftAt != nil : Member.Columns.leftAt == nil
            return try Member.filter(Member.Columns.branchId == branch.id && left)
                .order(Member.Columns.secretary.desc, Member.Columns.createdAt, Member.Columns.name)
                .fetchAll(db)
        }
    }

    private func insert(_ new: NewMember, into branch: Branch, _ db: Database) throws -> IssuedLink {
        let name = try Self.checkedName(new.name)
        let city = try Self.checkedCity(new.city)
        let phone = try Self.checkedPhone(new.phone)
        guard try Member.filter(Member.Columns.branchId == branch.id && Member.Columns.name == name).fetchCount(db) == 0 else {
            throw StoreError.duplicateMember(name: name, branch: branch.name)
        }
        let token = LinkToken.generate(using: random)
        var member = Member(
            id: random.identifier("M"), branchId: branch.id, name: name, status: new.status,
            city: city, secretary: new.secretary,
            tokenHash: LinkToken.hash(token), createdAt: now())
        member.phone = phone
        try member.insert(db)
        return IssuedLink(member: member, token: token)
    }
}
