import Foundation
import MusterCore
import Testing

@testable import MusterServer

/// A phone whose browser cannot run the page reports it; the secretary's
/// console learns who, and nothing is recorded.
@Suite struct UnsupportedBrowserTests {
    static let oldPhone = "Mozilla/5.0 (Linux; Android 6.0; HM NOTE) Chrome/49.0 Mobile MicroMessenger/6.5"

    @Test func theSecretaryIsToldWhoseBrowserCannotRunThePage() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        let before = try board.store.lastSeq(board.session)
        board.switchboard.opened(50, address: "10.0.0.9")
        board.send(["type": "unsupported", "token": board.members[0].token, "browser": Self.oldPhone], from: 50)
        let told = try #require(board.sink.messages(to: host).last)
        #expect(told["type"] as? String == "unsupported")
        #expect(told["member"] as? String == board.members[0].member.id.rawValue)
        #expect(told["browser"] as? String == Self.oldPhone)
        #expect(told["name"] as? String == "党员1")
        #expect(board.sink.closed.contains { $0.0 == 50 && $0.1 == .normal })
        #expect(try board.store.lastSeq(board.session) == before, "nothing is recorded: the member is not present")
        // A console opened later sees it in its welcome.
        let laptop = board.connect(board.host.token, address: "10.0.0.2")
        let welcome = board.first(to: laptop)
        let listed = try #require((welcome["unsupported"] as? [[String: Any]])?.first)
        #expect(listed["member"] as? String == board.members[0].member.id.rawValue)
        #expect(listed["browser"] as? String == Self.oldPhone)
        // Members are not told.
        let phone = board.connect(board.members[1].token, address: "10.0.0.3")
        #expect(board.first(to: phone)["unsupported"] == nil)
        #expect(!board.sink.messages(to: phone).contains { $0["type"] as? String == "unsupported" })
    }

    @Test func aReportNeedsAValidLink() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.switchboard.opened(51, address: "10.0.0.9")
        board.send(["type": "unsupported", "token": "not-a-token", "browser": Self.oldPhone], from: 51)
        #expect(board.first(to: 51)["code"] as? String == "unauthorized")
        #expect(!board.sink.messages(to: host).contains { $0["type"] as? String == "unsupported" })
    }
}
