import Foundation
import MusterCore
import Testing

@testable import MusterStore

/// Every change to a roster or a plan is in the branch's log, in the same
/// transaction: who did it (nil for the command line), what, and never a token.
@Suite struct AuditTests {
    let database = try! MusterDatabase.inMemory(now: FixedClock().now)

    @Test func everyChangeIsLoggedWithItsAuthor() throws {
        let branch = try database.addBranch(name: "东村党支部")
        let secretary = try database.addMember(branch: "东村党支部", NewMember(name: "王书记", secretary: true)).member
        let added = try database.addMember(branch: "东村党支部", NewMember(name: "李秀英", city: "深圳"), by: secretary.id)
        let edited = try database.editMember(added.member.id, status: .probationary, city: "杭州", by: secretary.id)
        #expect(edited.status == .probationary && edited.city == "杭州" && edited.name == "李秀英")
        let relinked = try database.relink(member: added.member.id, by: secretary.id)
        _ = try database.addSession(branch: "东村党支部", title: "党课", startsAt: Instant(millisecondsSince1970: 0), by: secretary.id)

        let log = try database.auditLog(branch: branch.id)
        #expect(log.map(\.action) == ["session.plan", "member.relink", "member.edit", "member.add", "member.add"])
        #expect(log.last?.actor == nil, "the command line's change has no secretary")
        #expect(log.dropLast().allSatisfy { $0.actor == secretary.id })
        #expect(log[2].detail == "李秀英: status full → probationary; city 深圳 → 杭州")
        let text = log.map(\.detail).joined()
        #expect(!text.contains(added.token) && !text.contains(relinked.token))
    }

    @Test func aRefusedEditChangesNothingAndLogsNothing() throws {
        let branch = try database.addBranch(name: "东村党支部")
        _ = try database.addMember(branch: "东村党支部", NewMember(name: "张伟"))
        let other = try database.addMember(branch: "东村党支部", NewMember(name: "刘洋")).member
        let logged = try database.auditLog(branch: branch.id).count
        #expect(throws: StoreError.duplicateMember(name: "张伟", branch: "东村党支部")) {
            try database.editMember(other.id, name: "张伟", city: "北京")
        }
        #expect(throws: StoreError.invalid("A member needs a name.")) { try database.editMember(other.id, name: " ") }
        #expect(try database.member(other.id) == other)
        #expect(try database.auditLog(branch: branch.id).count == logged)
        // Nothing to change: nothing logged.
        _ = try database.editMember(other.id, name: "刘洋")
        #expect(try database.auditLog(branch: branch.id).count == logged)
    }

    @Test func aMemberWhoLeavesIsOffTheRosterWithTheirLinkEnded() throws {
        let branch = try database.addBranch(name: "东村党支部")
        let issued = try database.addMember(branch: "东村党支部", NewMember(name: "张伟"))
        let stays = try database.addMember(branch: "东村党支部", NewMember(name: "刘洋")).member
        let revoked = try database.lastLinkRevocation()
        let left = try database.retire(issued.member.id, reason: .deceased)
        #expect(left.leftReason == .deceased && left.leftAt != nil)
        #expect(try database.members(branch: "东村党支部").map(\.id) == [stays.id])
        #expect(try database.formerMembers(branch: "东村党支部").map(\.id) == [issued.member.id])
        #expect(try database.member(token: issued.token) == nil, "their link is ended")
        #expect(try database.linksReplaced(after: revoked).members.keys.contains(issued.member.id))
        #expect(try database.auditLog(branch: branch.id).first?.detail == "张伟: deceased")
        #expect(throws: StoreError.invalid("张伟 has already left the roster.")) {
            try database.retire(issued.member.id, reason: .transferred)
        }
    }

    /// A phone number is for the secretary: checked, kept, and never written into the log.
    @Test func aPhoneNumberIsCheckedKeptAndLeftOutOfTheLog() throws {
        let branch = try database.addBranch(name: "东村党支部")
        let rows = try RosterFile.parse(Data("姓名,电话\r\n李秀英,139 0000 1111\r\n张伟,\r\n".utf8))
        #expect(rows.map(\.member.phone) == ["139 0000 1111", nil])
        let issued = try database.importRoster(branch: "东村党支部", rows)
        #expect(issued[0].member.phone == "139 0000 1111")
        #expect(throws: StoreError.rosterLine(2, "\"打我电话\" is not a phone number.")) {
            try database.importRoster(branch: "东村党支部", RosterFile.parse(Data("姓名,电话\r\n王五,打我电话\r\n".utf8)))
        }
        let edited = try database.editMember(issued[1].member.id, phone: "+86 (451) 555-0100")
        #expect(edited.phone == "+86 (451) 555-0100")
        #expect(try database.auditLog(branch: branch.id).first?.detail == "张伟: phone changed")
        #expect(!(try database.auditLog(branch: branch.id).map(\.detail).joined().contains("139")))
    }
}
