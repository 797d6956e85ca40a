import Foundation
import GRDB
import MusterCore
import Testing

@testable import MusterStore

@Suite struct OrganisationTests {
    let database = try! MusterDatabase.inMemory(now: FixedClock().now)

    /// A data file from before organisations keeps working: its branches land
    /// under the default organisation, with their members and sessions.
    @Test func aFileFromBeforeOrganisationsPutsItsBranchesUnderTheDefault() throws {
        let queue = try DatabaseQueue()
        try MusterDatabase.migrator.migrate(queue, upTo: "v11-phones")
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO branch (id, name, rules, createdAt, timeZone) VALUES ('B1', '东村支部', ?, '2026-01-01T00:00:00Z', 'Asia/Shanghai')",
                arguments: [VotingRules.branchWork.rawValue])
        }
        let migrated = try MusterDatabase(queue, random: .seeded(2), now: FixedClock().now)
        #expect(try migrated.branch("B1").organisationId == Organisation.defaultID)
        #expect(try migrated.organisation(Organisation.defaultID.rawValue).name == Organisation.defaultName)
        #expect(try migrated.tree(of: Organisation.defaultID).branches.map(\.name) == ["东村支部"])
    }

    @Test func aNewFileHasNoOrganisationUntilABranchNeedsOne() throws {
        #expect(try database.organisations().isEmpty)
        let branch = try database.addBranch(name: "西村支部")
        #expect(branch.organisationId == Organisation.defaultID)
        #expect(try database.organisations().map(\.id) == [Organisation.defaultID])
    }

    /// County, township, village: a tree read from any node shows everything below it, and only that.
    @Test func anOfficeSeesEveryBranchBelowItAndNoOther() throws {
        let district = try database.addOrganisation(name: "河东区", level: .county)
        let north = try database.addOrganisation(name: "北街道", level: .township, parent: "河东区")
        let south = try database.addOrganisation(name: "南街道", level: .township, parent: district.id.rawValue)
        let village = try database.addOrganisation(name: "柳村", level: .village, parent: "北街道")
        _ = try database.addBranch(name: "柳村支部", organisation: "柳村")
        _ = try database.addBranch(name: "北街道机关支部", organisation: "北街道")
        _ = try database.addBranch(name: "南街道支部", organisation: south.id.rawValue)
        _ = try database.addBranch(name: "别处支部")

        let whole = try database.tree(of: district.id)
        #expect(whole.below.map(\.name) == ["北街道", "南街道", "柳村"])
        #expect(Set(whole.branches.map(\.name)) == ["柳村支部", "北街道机关支部", "南街道支部"])
        #expect(Set(whole.branches(under: north.id).map(\.name)) == ["柳村支部", "北街道机关支部"])
        #expect(whole.branches(under: village.id).map(\.name) == ["柳村支部"])

        let street = try database.tree(of: north.id)
        #expect(street.below.map(\.name) == ["柳村"])
        #expect(Set(street.branches.map(\.name)) == ["柳村支部", "北街道机关支部"])
    }

    @Test func anOrganisationIsRefusedOutOfOrderAndNothingChanges() throws {
        _ = try database.addOrganisation(name: "河东区", level: .county)
        _ = try database.addOrganisation(name: "北街道", level: .township, parent: "河东区")
        #expect(throws: StoreError.self) { try database.addOrganisation(name: "某区", level: .county, parent: "北街道") }
        #expect(throws: StoreError.self) { try database.addOrganisation(name: "又一街道", level: .township, parent: "北街道") }
        #expect(throws: StoreError.self) { try database.addOrganisation(name: "北街道", level: .township, parent: "河东区") }
        #expect(throws: StoreError.self) { try database.addOrganisation(name: "柳村", level: .village, parent: "无此处") }
        #expect(throws: StoreError.self) { try database.addOrganisation(name: "  ", level: .village) }
        #expect(try database.organisations().map(\.name).sorted() == ["北街道", "河东区"])
    }

    @Test func anOfficeHoldersLinkFindsThemAndAnotherTokenDoesNot() throws {
        _ = try database.addOrganisation(name: "河东区", level: .county)
        let (holder, token) = try database.addOfficeHolder(name: "李干事", organisation: "河东区")
        #expect(try database.officeHolder(token: token)?.id == holder.id)
        #expect(try database.officeHolder(token: token + "x") == nil)
        #expect(try database.member(token: token) == nil)
    }

    @Test func aBranchMovesToAnotherOrganisation() throws {
        _ = try database.addOrganisation(name: "河东区", level: .county)
        _ = try database.addBranch(name: "柳村支部")
        let moved = try database.move(branch: "柳村支部", to: "河东区")
        #expect(try database.organisation("河东区").id == moved.organisationId)
        #expect(throws: StoreError.self) { try database.move(branch: "柳村支部", to: "无此处") }
    }

    /// `me.city` in a meeting changes where the member is: the roster (and the map) follow in the same commit.
    @Test func aMemberMovedEventChangesTheirCity() throws {
        _ = try database.addBranch(name: "柳村支部")
        let link = try database.addMember(branch: "柳村支部", NewMember(name: "王芳", city: "深圳"))
        let session = try database.addSession(
            branch: "柳村支部", title: "会", startsAt: Instant(iso8601: "2026-11-26T10:00:00Z")!, text: .partyOath)
        _ = try database.append(session: session.id, [
            Occurrence(at: Instant(iso8601: "2026-11-26T10:00:00Z")!, event: .memberMoved(.init(member: link.member.id, city: "哈尔滨")))
        ])
        #expect(try database.currentMembers(of: [link.member.branchId]).map(\.city) == ["哈尔滨"])
    }
}
