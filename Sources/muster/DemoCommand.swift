import ArgumentParser
import MusterCore
import MusterStore

/// Sets up the product's scene so anyone can see Muster work in a minute.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Set up a demo branch (13 members, the oath) and print everyone's link.",
        discussion: """
            Run it again to get fresh links: the old ones stop working.
            With --org, on a new data file: a district, two streets, four branches and 120 members
            in twenty cities, and the district office's link to the map of where they are.
            """)

    static let branchName = "示范村党支部"

    /// Eight in the village, the secretary among them; five working far away.
    static let members: [NewMember] = [
        NewMember(name: "王建国", status: .full, city: "示范村", secretary: true),
        NewMember(name: "李秀英", city: "示范村"),
        NewMember(name: "张伟", city: "示范村"),
        NewMember(name: "刘洋", city: "示范村"),
        NewMember(name: "陈静", city: "示范村"),
        NewMember(name: "杨帆", city: "示范村"),
        NewMember(name: "赵磊", city: "示范村"),
        NewMember(name: "黄敏", city: "示范村"),
        NewMember(name: "周强", city: "杭州"),
        NewMember(name: "吴婷", city: "深圳"),
        NewMember(name: "徐明", city: "苏州"),
        NewMember(name: "孙丽", city: "北京"),
        NewMember(name: "马超", city: "广州"),
    ]

    @Flag(help: "Set up a district with four branches and 120 members instead (on a new data file).")
    var org = false

    @OptionGroup var links: LinkOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        if org { return try runOrganisation() }
        let (session, issued) = try reportingErrors {
            let database = try store.open()
            let branch: Branch
            var issued: [IssuedLink]
            if let existing = try? database.branch(Self.branchName) {
                branch = existing
                issued = try database.members(branch: branch.id.rawValue).map { try database.relink(member: $0.id) }
            } else {
                branch = try database.addBranch(name: Self.branchName)
                issued = try Self.members.map { try database.addMember(branch: branch.id.rawValue, $0) }
            }
            issued.sort { ($0.member.secretary ? 0 : 1, $0.member.createdAt) < ($1.member.secretary ? 0 : 1, $1.member.createdAt) }
            let session =
                try database.sessions(branch: branch.id.rawValue).first
                ?? database.addSession(
                    branch: branch.id.rawValue, title: "十一月主题党日：重温入党誓词", kind: "oath",
                    startsAt: Instant.now().adding(seconds: 600), text: .partyOath)
            return (session, issued)
        }
        let output = issued.map { MemberOutput($0.member, token: $0.token, links: links) }
        if store.json {
            try printJSON(DemoOutput(branch: Self.branchName, session: SessionOutput(session), members: output))
            return
        }
        print("Demo branch \(Self.branchName), session \"\(session.title)\" (\(session.id)) at \(session.scheduledStart.iso8601).")
        print("\nThe secretary's link (opens the console):")
        for member in output where member.secretary { print("  \(member.name)  \(member.link ?? "")") }
        print("\nThe members' links (send each person their own):")
        for member in output where !member.secretary { print("  \(member.name)  \(member.link ?? "")") }
    }

    private func runOrganisation() throws {
        let built = try reportingErrors { try OrganisationDemo.build(store.open(), links: links, now: .now()) }
        if store.json { return try printJSON(built) }
        print("Demo district \(built.district): \(built.branches.count) branches, \(built.branches.map(\.members.count).reduce(0, +)) members.")
        print("\nThe district office's link (the map of where members are):\n  \(built.officeLink)")
        print("\nThe secretaries' links:")
        for branch in built.branches {
            for member in branch.members where member.secretary { print("  \(branch.name)  \(member.name)  \(member.link ?? "")") }
        }
    }

    struct DemoOutput: Encodable {
        var branch: String
        var session: SessionOutput
        var members: [MemberOutput]
    }
}
