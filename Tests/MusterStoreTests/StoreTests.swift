import Foundation
import GRDB
import MusterCore
@testable import MusterStore
import Testing

/// A clock that only moves when told, for `createdAt` stamps.
final class FixedClock: Sendable {
    let instant = Instant(iso8601: "2026-11-20T08:00:00Z")!
    var now: @Sendable () -> Instant { { [instant] in instant } }
}

@Suite struct BranchAndMemberTests {
    let database = try! MusterDatabase.inMemory(now: FixedClock().now)

    @Test func aBranchIsFoundByIdOrName() throws {
        let branch = try database.addBranch(name: " 东村党支部 ")
        #expect(branch.name == "东村党支部")
        #expect(try database.branch(branch.id.rawValue) == branch)
        #expect(try database.branch("东村党支部") == branch)
        #expect(throws: StoreError.unknownBranch("西村")) { try database.branch("西村") }
        #expect(throws: StoreError.duplicateBranch(name: "东村党支部")) { try database.addBranch(name: "东村党支部") }
    }

    @Test func aMemberGetsARandomTokenThatIsStoredOnlyAsItsHash() throws {
        let branch = try database.addBranch(name: "东村党支部")
        let issued = try database.addMember(branch: "东村党支部", NewMember(name: "王建国", city: "杭州", secretary: true))
        #expect(issued.token.count == 24)
        #expect(Data(base64Encoded: issued.token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))?.count == 18)
        #expect(issued.member.tokenHash == LinkToken.hash(issued.token))
        #expect(issued.member.tokenHash.count == 32)
        #expect(issued.member.branchId == branch.id)
        #expect(try database.member(token: issued.token)?.id == issued.member.id)
        #expect(try database.member(token: issued.token + "x") == nil)
    }

    /// With the system's generator, as in production: 144 random bits per token.
    @Test func tokensDoNotRepeat() throws {
        let database = try MusterDatabase.inMemory(random: .system, now: FixedClock().now)
        _ = try database.addBranch(name: "b")
        let tokens = try (0..<200).map { try database.addMember(branch: "b", NewMember(name: "成员\($0)")).token }
        #expect(Set(tokens).count == 200)
        #expect(tokens.allSatisfy { Data(base64Encoded: $0.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))?.count == LinkToken.byteCount })
    }

    @Test func relinkingEndsTheOldLink() throws {
        _ = try database.addBranch(name: "b")
        let first = try database.addMember(branch: "b", NewMember(name: "李秀英"))
        let second = try database.relink(member: first.member.id)
        #expect(second.token != first.token)
        #expect(try database.member(token: first.token) == nil)
        #expect(try database.member(token: second.token)?.id == first.member.id)
        #expect(throws: StoreError.unknownMember("M404")) { try database.relink(member: "M404") }
    }

    @Test func aDuplicateMemberIsRefused() throws {
        _ = try database.addBranch(name: "b")
        _ = try database.addMember(branch: "b", NewMember(name: "张伟"))
        #expect(throws: StoreError.duplicateMember(name: "张伟", branch: "b")) {
            try database.addMember(branch: "b", NewMember(name: " 张伟 "))
        }
        #expect(try database.members(branch: "b").count == 1)
    }

    @Test func aBadRosterImportsNothing() throws {
        _ = try database.addBranch(name: "b")
        _ = try database.addMember(branch: "b", NewMember(name: "张伟"))
        let rows = try RosterFile.parse(Data("name\n李秀英\n刘洋\n张伟\n".utf8))
        #expect(throws: StoreError.rosterLine(4, StoreError.duplicateMember(name: "张伟", branch: "b").description)) {
            try database.importRoster(branch: "b", rows)
        }
        #expect(try database.members(branch: "b").map(\.name) == ["张伟"])
        let twice = try RosterFile.parse(Data("name\n李秀英\n李秀英\n".utf8))
        #expect(throws: StoreError.rosterLine(3, "\"李秀英\" is also on line 2")) { try database.importRoster(branch: "b", twice) }
        #expect(try database.members(branch: "b").count == 1)
    }
}

@Suite struct RosterFileTests {
    @Test func readsChineseHeadersAValuesWithABOM() throws {
        let csv = Data([0xEF, 0xBB, 0xBF] + Array("姓名,身份,城市,角色\r\n王建国,正式党员,示范村,书记\r\n\"李,秀英\",预备,深圳,\r\n\r\n吴婷,,,\r\n".utf8))
        let rows = try RosterFile.parse(csv)
        #expect(rows.map(\.line) == [2, 3, 5])
        #expect(rows[0].member == NewMember(name: "王建国", status: .full, city: "示范村", secretary: true))
        #expect(rows[1].member == NewMember(name: "李,秀英", status: .probationary, city: "深圳"))
        #expect(rows[2].member == NewMember(name: "吴婷"))
    }

    @Test func columnsMayComeInAnyOrder() throws {
        let rows = try RosterFile.parse(Data("role,city,name\nsecretary,Hangzhou,Wang\n".utf8))
        #expect(rows == [RosterRow(line: 2, member: NewMember(name: "Wang", city: "Hangzhou", secretary: true))])
    }

    @Test(arguments: [
        ("name\n\"open quote\n", StoreError.rosterLine(2, "a quote is not closed")),
        ("name,status\nA,chief\n", StoreError.rosterLine(2, "\"chief\" is not a status; use full, probationary or guest (正式, 预备, 列席)")),
        ("name,role\nA,king\n", StoreError.rosterLine(2, "\"king\" is not a role; use member or secretary (党员, 书记)")),
        ("name,city\nA,x,y\n", StoreError.rosterLine(2, "3 values, but the header has 2 columns")),
        ("name,city\n,x\n", StoreError.rosterLine(2, "the name is empty")),
        ("who,city\nA,x\n", StoreError.rosterLine(1, "the header needs a name column (name,status,city,role)")),
        ("\n\n", StoreError.invalid("The roster file is empty.")),
    ])
    func malformedFilesNameTheLine(csv: String, error: StoreError) {
        #expect(throws: error) { try RosterFile.parse(Data(csv.utf8)) }
    }

    /// What Excel or WPS on a Chinese Windows saves as "CSV (逗号分隔)": GBK.
    @Test func aGBKRosterReadsAsItsUTF8Twin() throws {
        // 姓名,身份,城市 / 王建国,预备党员,鹤岗 / 李𠮷,正式,杭州 (𠮷 is outside GBK: four bytes in GB18030)
        let gbk: [UInt8] = [
            0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0xC9, 0xED, 0xB7, 0xDD, 0x2C, 0xB3, 0xC7, 0xCA, 0xD0, 0x0D, 0x0A,
            0xCD, 0xF5, 0xBD, 0xA8, 0xB9, 0xFA, 0x2C, 0xD4, 0xA4, 0xB1, 0xB8, 0xB5, 0xB3, 0xD4, 0xB1, 0x2C,
            0xBA, 0xD7, 0xB8, 0xDA, 0x0D, 0x0A,
            0xC0, 0xEE, 0x95, 0x34, 0xB2, 0x35, 0x2C, 0xD5, 0xFD, 0xCA, 0xBD, 0x2C, 0xBA, 0xBC, 0xD6, 0xDD, 0x0D, 0x0A,
        ]
        let utf8 = "姓名,身份,城市\r\n王建国,预备党员,鹤岗\r\n李𠮷,正式,杭州\r\n"
        #expect(TextFile.decode(Data(gbk))?.encoding == .gb18030)
        #expect(TextFile.decode(Data(gbk))?.text == utf8)
        #expect(try RosterFile.parse(Data(gbk)) == RosterFile.parse(Data(utf8.utf8)))
        #expect(TextFile.decode(Data([0xEF, 0xBB, 0xBF] + Array(utf8.utf8)))?.encoding == .utf8)
    }

    @Test func neitherUTF8NorGBKIsExplained() {
        let error = StoreError.invalid(
            "The roster file is neither UTF-8 nor GBK text. Save it from Excel or WPS as CSV and try again.")
        // UTF-16 ("Unicode text" in Excel), and GBK cut in the middle of a character.
        for bytes: [UInt8] in [[0xFF, 0xFE, 0x0D, 0x54, 0x2C, 0x00], [0x2C, 0xC4, 0xE3, 0xBA]] {
            #expect(throws: error) { try RosterFile.parse(Data(bytes)) }
        }
    }
}

/// The server reads links' tokens through a read-only connection of its own:
/// it must see every relink and every new member at once, whoever wrote them.
@Suite struct LookupConnectionTests {
    @Test func tokensAreReadAsTheFileHasThemNow() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muster-lookups-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("muster.sqlite").path
        let server = try MusterDatabase.open(path: path, random: .seeded(3), now: FixedClock().now).withLookupConnection()
        _ = try server.addBranch(name: "东村党支部")
        let first = try server.addMember(branch: "东村党支部", NewMember(name: "张三"))
        #expect(try server.member(token: first.token)?.id == first.member.id)
        // Another process (the command line) relinks and adds a member.
        let other = try MusterDatabase.open(path: path, random: .seeded(4), now: FixedClock().now)
        let relinked = try other.relink(member: first.member.id)
        let second = try other.addMember(branch: "东村党支部", NewMember(name: "李四"))
        #expect(try server.member(token: first.token) == nil, "the replaced link is dead at once")
        #expect(try server.member(token: relinked.token)?.id == first.member.id)
        #expect(try server.member(token: second.token)?.name == "李四")
        // It is only for reading: nothing can be written through it.
        #expect(throws: (any Error).self) { try server.lookups?.unsafeRead { db in try db.execute(sql: "DELETE FROM member") } }
    }
}
