import Foundation
import MusterCore
@testable import MusterDocuments
import Testing

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!


@Suite struct ExportAndSnapshotTests {
    @Test func openVoteChoicesAreAJSONObjectKeyedByMember() throws {
        var scene = Scene.started()
        scene.join(Scene.voters, at: 1)
        scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 2)
        scene.run(.castVote("V1", choice: "赞成"), by: .member(Scene.fullMembers[0]), at: 3)
        let snapshot = scene.state.snapshot(for: .host, asOf: Scene.time(4))
        let data = try JSONEncoder().encode(snapshot)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let vote = (object["votes"] as! [[String: Any]])[0]
        #expect(vote["choices"] as? [String: String] == [Scene.fullMembers[0].rawValue: "赞成"])
        #expect(try JSONDecoder().decode(SessionSnapshot.self, from: data) == snapshot)
    }

    @Test func theAttendanceSheetOpensInExcelWithChineseNames() {
        var scene = Scene.started()
        let member = Scene.fullMembers[0]
        scene.join([member], at: 65)
        scene.run(.excuse(member: Scene.fullMembers[1], reason: "夜班, \"加班\""), at: 70)
        scene.run(.startRollCall(seconds: 30), at: 80)
        scene.run(.answerRollCall(), by: .member(member), at: 90)
        scene.run(.end, at: 3665)
        let records = scene.state.attendance(asOf: Scene.time(3665))
        let csv = AttendanceExport.csv(records, timeZone: shanghai, language: .zh)
        #expect(csv.hasPrefix("\u{FEFF}姓名,身份,出席情况,参会方式,首次进入,最后离开,在场分钟,点名应答,请假事由,所在城市\r\n"))
        let lines = csv.dropFirst().split(separator: "\r\n").map(String.init)
        #expect(lines.count == 1 + Scene.roster.count)
        #expect(lines[2] == "党员1,正式党员,出席,远程,2026-11-24 18:01:05,2026-11-24 19:01:05,60,1/1,,杭州")
        #expect(lines[3] == #"党员2,正式党员,请假,,,,0,0/1,"夜班, ""加班""",杭州"#)
        let english = AttendanceExport.csv(records, timeZone: shanghai, language: .en).dropFirst()
            .split(separator: "\r\n").map(String.init)
        #expect(english[0] == "Name,Member status,Attendance,Mode,First joined,Last left,Minutes present,Roll calls answered,Excuse,City")
        #expect(english[2] == "党员1,Full member,Present,Remote,2026-11-24 18:01:05,2026-11-24 19:01:05,60,1/1,,杭州")
    }

    /// Every status, mode and member status in the office's words, in both languages.
    @Test func everyValueHasItsWords() {
        for language in DocumentLanguage.allCases {
            let statuses = AttendanceRecord.Status.allCases.map { AttendanceExport.words($0, language) }
            let kinds = MemberStatus.allCases.map { AttendanceExport.words($0, language) }
            let modes = AttendanceMode.allCases.map { AttendanceExport.words($0, language) }
            #expect(Set(statuses).count == statuses.count && Set(kinds).count == kinds.count)
            #expect(Set(modes).count == modes.count)
        }
        #expect(AttendanceRecord.Status.allCases.map { AttendanceExport.words($0, .zh) } == ["出席", "迟到", "早退", "请假", "缺席"])
    }

    /// A server set to UTC still writes an evening meeting in Heilongjiang at its
    /// local hour; a branch in Xinjiang's zone gets its own.
    @Test func timesAreTheBranchesNotTheServers() {
        let evening = Instant(iso8601: "2026-11-24T11:11:00Z")!
        #expect(AttendanceExport.local(evening, shanghai) == "2026-11-24 19:11:00")
        #expect(AttendanceExport.local(evening, TimeZone(identifier: "Asia/Urumqi")!) == "2026-11-24 17:11:00")
        #expect(AttendanceExport.local(evening, TimeZone(identifier: "UTC")!) == "2026-11-24 11:11:00")
    }

    @Test func formulasInNamesAreDefused() {
        var machine = SessionMachine(setup: SessionSetup(id: "S", branch: "B", title: "t", scheduledStart: Scene.time(0)))
        _ = try? machine.handle(.open(roster: [RosterEntry(id: "M1", name: "=HYPERLINK(\"x\")")]), by: Scene.host, at: Scene.time(0))
        let record = machine.state.attendance(asOf: Scene.time(1))[0]
        let row = AttendanceExport.csv([record], timeZone: shanghai, language: .zh).split(separator: "\r\n")[1]
        #expect(row.hasPrefix(#""'=HYPERLINK(""x"")""#))
    }

    @Test func membersSeeNeitherHiddenPostsNorSecretChoices() {
        var scene = Scene.started()
        scene.join(Scene.voters, at: 1)
        scene.run(.openThread(title: "议题"), at: 2)
        scene.run(.addPost(thread: "T1", body: "不当言论", replyTo: nil), by: .member(Scene.fullMembers[0]), at: 3)
        scene.run(.hidePost("P1"), at: 4)
        scene.run(.openVote(question: "通过？", options: nil, secret: true), at: 5)
        scene.run(.castVote("V1", choice: "反对"), by: .member(Scene.fullMembers[0]), at: 6)
        let member = scene.state.snapshot(for: .member, asOf: Scene.time(7))
        let host = scene.state.snapshot(for: .host, asOf: Scene.time(7))
        #expect(member.posts[0].body == nil && member.posts[0].hidden)
        #expect(host.posts[0].body == "不当言论")
        #expect(member.votes[0].choices == nil && host.votes[0].choices == nil)
        #expect(member.votes[0].voters == [] && member.votes[0].cast == 1)
        #expect(host.votes[0].voters == [Scene.fullMembers[0]])
        #expect(member.quorum == Quorum(expected: 13, present: 13, required: 7))
        #expect(member.text?.current == 0)
        #expect(member.roster.isEmpty && host.roster.count == Scene.roster.count)
    }

    /// A member's picture holds their own line and part, and counts for the
    /// rest: its size does not grow with the branch.
    @Test func aMemberSeesTheirOwnPartAndCountsNotEveryone() {
        var scene = Scene.started()
        let me = Scene.fullMembers[0]
        scene.join(Scene.voters, at: 1)
        scene.run(.startRollCall(seconds: 60), at: 2)
        for voter in Scene.voters.prefix(5) { scene.run(.answerRollCall(), by: .member(voter), at: 3) }
        scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 4)
        for voter in Scene.voters.prefix(4) { scene.run(.castVote("V1", choice: "赞成"), by: .member(voter), at: 5) }
        scene.run(.openThread(title: "议题"), at: 6)
        scene.run(.addPost(thread: "T1", body: "发言", replyTo: nil), by: .member(Scene.fullMembers[3]), at: 7)
        let mine = scene.state.snapshot(for: .member, viewer: me, asOf: Scene.time(8))
        #expect(mine.roster.map(\.member) == [me])
        #expect(mine.rollcall?.answered == [me] && mine.rollcall?.answeredCount == 5)
        #expect(mine.votes[0].voters == [me] && mine.votes[0].cast == 4)
        #expect(mine.votes[0].choices == [me: "赞成"])
        #expect(mine.names == [Scene.secretary: "王书记", Scene.fullMembers[3]: "党员4"])
        let late = Scene.fullMembers[11]
        let theirs = scene.state.snapshot(for: .member, viewer: late, asOf: Scene.time(8))
        #expect(theirs.rollcall?.answered == [] && theirs.votes[0].voters == [] && theirs.votes[0].choices == [:])
    }

    /// Reasons go to hosts and the member concerned only (the trust issue, finding 13).
    @Test func anExcuseReasonIsShownToHostsAndTheMemberConcernedOnly() {
        var scene = Scene.started()
        let (excused, other) = (Scene.fullMembers[0], Scene.fullMembers[1])
        scene.run(.excuse(member: excused, reason: "住院治疗"), at: 2)
        func reason(_ snapshot: SessionSnapshot) -> String? { snapshot.roster.first { $0.member == excused }?.excuse }
        #expect(reason(scene.state.snapshot(for: .host, asOf: Scene.time(3))) == "住院治疗")
        #expect(reason(scene.state.snapshot(for: .member, viewer: excused, asOf: Scene.time(3))) == "住院治疗")
        #expect(reason(scene.state.snapshot(for: .member, viewer: other, asOf: Scene.time(3))) == nil)
        #expect(scene.state.snapshot(for: .member, viewer: other, asOf: Scene.time(3)).roster.allSatisfy { $0.excuse == nil })
    }
}

@Suite struct MinutesTests {
    @Test func theMinutesHoldTheRollTheReadingTheDiscussionAndTheVotes() {
        var scene = Scene.started()
        scene.join(Array(Scene.voters.prefix(8)), at: 10)
        scene.run(.advanceText(line: 1), at: 60)
        scene.run(.openThread(title: "<b>村务</b>"), at: 70)
        scene.run(.addPost(thread: "T1", body: "建议 & 意见", replyTo: nil), by: .member(Scene.fullMembers[0]), at: 80)
        scene.run(.addPost(thread: "T1", body: "广告", replyTo: nil), by: .member(Scene.fullMembers[1]), at: 81)
        scene.run(.hidePost("P2"), at: 82)
        scene.run(.openVote(question: "通过？", options: nil, secret: true), at: 90)
        for voter in Scene.voters.prefix(7) { scene.run(.castVote("V1", choice: "赞成"), by: .member(voter), at: 95) }
        scene.run(.closeVote("V1"), at: 100)
        scene.run(.end, at: 3600)
        let page = MinutesDocument.html(scene.state, asOf: Scene.time(3600), timeZone: shanghai)
        #expect(page.contains("<h1>十一月主题党日</h1>"))
        #expect(page.contains("开始：2026-11-24 18:00:00"))
        #expect(page.contains("应到 15 人，实到 8 人；应到有表决权党员 13 人，法定人数 7 人"))
        #expect(page.contains("<tr><td>2026-11-24 18:01:00</td><td>拥护党的纲领，</td></tr>"))
        #expect(page.contains("讨论：&lt;b&gt;村务&lt;/b&gt;"), "titles are escaped")
        #expect(page.contains("建议 &amp; 意见"))
        #expect(!page.contains("广告"), "hidden posts stay hidden in the minutes")
        #expect(page.contains("赞成 7 票，反对 0 票，弃权 0 票"))
        #expect(page.contains("<b>通过</b>"))
        #expect(page.contains("无记名投票"))
    }
}
