import Foundation
import MusterCore
import Testing

@testable import MusterServer

/// A member's welcome is assembled from a part shared by every member and
/// their own part; it must say exactly what the whole snapshot says, and the
/// shared part must follow the events that change it.
@Suite struct MemberWelcomeTests {
    func state(_ board: Board, _ connection: ConnectionID) throws -> [String: Any] {
        let welcome = board.first(to: connection)
        #expect(welcome["type"] as? String == "welcome")
        return try #require(welcome["state"] as? [String: Any])
    }

    @Test func aMembersWelcomeSaysWhatTheirSnapshotSays() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        board.command("thread.open", from: host, ["title": "学习体会"])
        board.command("rollcall.start", from: host, ["seconds": 60])
        // The welcome shows the session as it was when the phone said hello, before its own arrival.
        let hub = try #require(board.switchboard.hubs[board.session])
        let snapshot = hub.state.snapshot(for: .member, viewer: board.members[0].member.id, asOf: board.clock.read())
        let expected = try JSONSerialization.jsonObject(with: ServerMessage.encoder.encode(snapshot)) as? NSDictionary
        let phone = board.connect(board.members[0].token)
        #expect(NSDictionary(dictionary: try state(board, phone)) == expected)
        let welcome = board.first(to: phone)
        #expect(welcome["seq"] as? Int == (try board.store.lastSeq(board.session)) - 1, "before the phone's own arrival")
        #expect(welcome["resumed"] as? Bool == false)
        #expect((welcome["you"] as? [String: Any])?["member"] as? String == board.members[0].member.id.rawValue)
    }

    @Test func theSharedPartFollowsWhatChangesIt() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        let first = board.connect(board.members[0].token)
        #expect((try state(board, first)["text"] as? [String: Any])?["current"] as? Int == 0)
        board.command("text.advance", from: host, ["line": 3])
        board.command("thread.open", from: host, ["title": "学习体会"])
        let second = board.connect(board.members[1].token)
        let seen = try state(board, second)
        #expect((seen["text"] as? [String: Any])?["current"] as? Int == 3)
        #expect((seen["threads"] as? [[String: Any]])?.count == 1)
        #expect((seen["quorum"] as? [String: Any])?["present"] as? Int == 2, "the host and the first phone")
        #expect((seen["roster"] as? [[String: Any]])?.first?["member"] as? String == board.members[1].member.id.rawValue)
    }

    @Test(arguments: ["张三", #"引号"和\反斜杠"#, "line\nbreak\ttab\r", "\u{1}\u{1F}\u{7F}", "😀 表情", "</script>", ""])
    func namesAreWrittenAsJSONStrings(_ name: String) throws {
        var bytes = Array("[".utf8)
        JSONText.append(name, to: &bytes)
        bytes += Array("]".utf8)
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String]
        #expect(parsed == [name])
    }
}
