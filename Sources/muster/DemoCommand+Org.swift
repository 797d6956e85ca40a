import MusterCore
import MusterStore

/// `muster demo --org`: a district with two streets, four branches (the east street's
/// own and two villages', the west street's village) and 120 floating members in
/// twenty cities (two cities typed oddly, one that names no place), an office
/// link for the district and a planned session in each branch.
enum OrganisationDemo {
    static let district = "示范区"
    /// Each branch, the organisation it belongs to, and that organisation's level and parent.
    static let plan: [(branch: String, organisation: String, level: OrganisationLevel, parent: String)] = [
        ("东街道机关党支部", "东街道", .township, district),
        ("柳村党支部", "柳村", .village, "东街道"),
        ("杏村党支部", "杏村", .village, "东街道"),
        ("桃村党支部", "桃村", .village, "西街道"),
    ]
    static let streets = ["东街道", "西街道"]
    static let cities = [
        "北京", "上海", "广州", "深圳", "杭州", "苏州", "南京", "武汉", "成都", "重庆",
        "西安", "郑州", "长沙", "天津", "青岛", "厦门", "东莞", "宁波", "哈尔滨", "鹤岗",
    ]
    static let membersPerBranch = 30
    /// Where three members are, as they typed it: two that still find their city, one that finds none.
    static let typed: [Int: String] = [19: "Hegang", 36: "广东省东莞市", 42: "在外务工"]
    private static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
    private static let given = ["建国", "秀英", "伟", "洋", "静", "帆", "磊", "敏", "强", "婷", "明", "丽", "超", "军", "芳", "勇"]

    struct Output: Encodable {
        var district: String
        var office: String
        var officeLink: String
        var branches: [BranchOutput]
    }

    struct BranchOutput: Encodable {
        var id: String
        var name: String
        var organisation: String
        var session: SessionOutput
        var members: [MemberOutput]
    }

    /// Builds it all in a new data file (an existing district is refused: run it on a fresh `--db`).
    static func build(_ database: MusterDatabase, links: LinkOptions, now: Instant) throws -> Output {
        let top = try database.addOrganisation(name: district, level: .county)
        for street in streets { _ = try database.addOrganisation(name: street, level: .township, parent: top.id.rawValue) }
        var branches: [(Branch, String)] = []
        for entry in plan {
            if entry.level == .village {
                _ = try database.addOrganisation(name: entry.organisation, level: .village, parent: entry.parent)
            }
            branches.append((try database.addBranch(name: entry.branch, organisation: entry.organisation), entry.organisation))
        }
        var output: [BranchOutput] = []
        var index = 0
        for (branch, organisation) in branches {
            var issued: [IssuedLink] = []
            for seat in 0..<membersPerBranch {
                let city = typed[index] ?? cities[index % cities.count]
                // Twenty surnames and a given name that differs for each of them: 120 different names.
                let name = "\(surnames[index % surnames.count])\(given[(index / surnames.count + index % given.count) % given.count])"
                issued.append(
                    try database.addMember(
                        branch: branch.id.rawValue,
                        NewMember(name: name, status: seat % 7 == 6 ? .probationary : .full, city: city, secretary: seat == 0)))
                index += 1
            }
            let session = try database.addSession(
                branch: branch.id.rawValue, title: "十二月支部党员大会", kind: "branch-meeting",
                startsAt: now.adding(seconds: 600), text: .partyOath)
            output.append(
                BranchOutput(
                    id: branch.id.rawValue, name: branch.name, organisation: organisation, session: SessionOutput(session),
                    members: issued.map { MemberOutput($0.member, token: $0.token, links: links) }))
        }
        let (_, token) = try database.addOfficeHolder(name: "区委组织部", organisation: top.id.rawValue)
        return Output(district: district, office: token, officeLink: links.office(token), branches: output)
    }
}
