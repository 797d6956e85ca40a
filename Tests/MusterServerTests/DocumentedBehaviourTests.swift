import Foundation
import MusterCore
import MusterDocuments
import MusterStore
import Testing

@testable import MusterServer

/// What docs/protocol.md promises about hellos, resumes, events and HTTP
/// answers, checked on the switchboard without a socket.
@Suite struct DocumentedBehaviourTests {
    /// The event frames a connection was sent (`event` holds the kind, the frame the attendance).
    func events(_ board: Board, to connection: ConnectionID) -> [[String: Any]] {
        board.sink.messages(to: connection).filter { $0["type"] as? String == "event" }
    }

    /// `watch` is for hosts: a member asking for it is simply a member, and counted.
    @Test func watchFromAMemberIsAnOrdinaryCountedHello() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.switchboard.opened(50, address: "10.0.0.5")
        board.send(["type": "hello", "token": board.members[0].token, "watch": true], from: 50)
        board.settle()
        #expect((board.first(to: 50)["you"] as? [String: Any])?["role"] as? String == "member")
        let line = board.switchboard.hubs[board.session]!.state.presence[board.members[0].member.id]
        #expect(line?.isPresent == true)
    }

    /// A resume further back than the replay window gets a whole welcome; within it, exactly the missed events.
    @Test func theReplayWindowDecidesBetweenAResumeAndAFreshWelcome() throws {
        let board = try Board(replayWindow: 4)
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        for line in 1...6 { board.command("text.advance", from: host, ["line": line]) }
        let last = try board.store.lastSeq(board.session)
        // The big screen resumes: it is never counted, so its hellos add no event.
        let screen = try #require(board.first(to: host)["screen"] as? String)
        let near = board.connect(screen, session: board.session, since: last - 4)
        #expect(board.first(to: near)["resumed"] as? Bool == true)
        #expect(board.sink.messages(to: near).dropFirst().map { $0["seq"] as? Int } == Array((last - 3)...last))
        let far = board.connect(screen, session: board.session, since: last - 5)
        #expect(board.first(to: far)["resumed"] as? Bool != true)
        #expect(board.first(to: far)["state"] != nil)
        #expect(board.first(to: far)["seq"] as? Int == last)
    }

    /// A resume never sends more than half what a connection may have queued:
    /// sending more would close it as too slow, and it would resume again, forever.
    @Test func aResumeLongerThanHalfTheQueueGetsTheWholeState() throws {
        let board = try Board(queueLimit: 8)
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        let screen = try #require(board.first(to: host)["screen"] as? String)
        let last = try board.store.lastSeq(board.session)
        let within = board.connect(screen, session: board.session, since: last - 1)
        #expect(board.first(to: within)["resumed"] as? Bool == true)
        for line in 1...5 { board.command("text.advance", from: host, ["line": line]) }
        let beyond = board.connect(screen, session: board.session, since: last)
        #expect(board.first(to: beyond)["resumed"] as? Bool == false)
        #expect(board.sink.messages(to: beyond).count == 1)
    }

    /// A socket that says no valid hello within the hello timeout (10 s) is closed; one that did stays.
    @Test func aSocketThatSaysNoHelloIsClosedInTime() throws {
        let board = try Board()
        board.switchboard.opened(70, address: "10.0.0.7")
        let member = board.connect(board.members[0].token)
        board.clock.advance(seconds: 9)
        board.perform(board.switchboard.handle(.tick))
        #expect(!board.closed(70))
        board.clock.advance(seconds: 1)
        board.perform(board.switchboard.handle(.tick))
        #expect(board.closed(70))
        #expect(!board.closed(member))
    }

    /// Hosts get every attendance line with `session.started` and `session.ended`.
    @Test func startAndEndCarryEveryAttendanceLineToHosts() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        board.command("session.end", from: host)
        for kind in ["session.started", "session.ended"] {
            let event = events(board, to: host).first { ($0["event"] as? [String: Any])?["kind"] as? String == kind }
            #expect((event?["attendance"] as? [Any])?.count == 13, "\(kind)")
            #expect(event?["session"] != nil, "\(kind)")
        }
    }

    // MARK: HTTP

    func answer(_ board: Board, _ path: String, token: String?) -> HTTPResponse? {
        let decision = board.switchboard.respond(
            to: path, authorization: token.map { "Bearer \($0)" }, request: 1, language: .zh)
        switch decision {
        case .respond(let response): return response
        case .render(let job): return ExportService.response(job, store: board.store)
        case .office(let job): return BranchDesk.response(job, store: board.store, places: PlaceTable(tsv: ""))
        }
    }

    @Test func healthzSaysHowManySessionsAndConnectionsAndWhatIsSetAside() throws {
        let board = try Board()
        _ = board.connect(board.host.token)
        let body = try #require(answer(board, "/healthz", token: nil)?.body)
        let health = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(health["status"] as? String == "ok")
        #expect(health["sessions"] as? Int == 1)
        #expect(health["connections"] as? Int == 1)
        #expect((health["damaged"] as? [Any])?.isEmpty == true)
        let store = try #require(health["store"] as? [String: Any])
        #expect(store["writable"] as? Bool == true)
        #expect(store["pendingEvents"] as? Int == 0)
    }

    /// A failed commit shows on `/healthz` until one goes through; what waits
    /// for the writer shows as events and their age.
    @Test func healthzSaysWhetherTheDataFileTakesCommitsAndHowFarTheWriterIsBehind() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.send(["type": "cmd", "id": "t1", "cmd": "text.advance", "line": 1], from: host)
        board.clock.advance(seconds: 3)
        func store() throws -> [String: Any] {
            let body = try #require(answer(board, "/healthz", token: nil)?.body)
            let health = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            return try #require(health["store"] as? [String: Any])
        }
        #expect(try store()["pendingEvents"] as? Int == 1)
        #expect(try store()["behindMilliseconds"] as? Int == 3000)
        board.perform(board.switchboard.handle(.commitFailed([:], "disk I/O error")))
        #expect(try store()["writable"] as? Bool == false)
        #expect(try store()["lastFailure"] as? String == "disk I/O error")
        board.settle()
        #expect(try store()["writable"] as? Bool == true)
        #expect(try store()["pendingEvents"] as? Int == 0)
    }

    @Test func exportsAreForTheSessionsOwnSecretaryAndNameTheirFile() throws {
        let board = try Board()
        _ = try board.store.addBranch(name: "西村党支部")
        let stranger = try board.store.addMember(branch: "西村党支部", NewMember(name: "赵书记", secretary: true))
        let path = "/sessions/\(board.session)/attendance.csv"
        #expect(answer(board, path, token: nil)?.status == 401)
        #expect(answer(board, path, token: stranger.token)?.status == 403)
        #expect(answer(board, path, token: board.members[0].token)?.status == 403)
        let own = try #require(answer(board, path, token: board.host.token))
        #expect(own.status == 200)
        #expect(own.filename == "\(board.session)-attendance.csv")
        #expect(answer(board, "/sessions/\(board.session)/minutes.html", token: board.host.token)?.filename == nil)
        #expect(answer(board, "/sessions/\(board.session)/nothing", token: board.host.token)?.status == 404)
    }
}
