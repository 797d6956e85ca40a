import Foundation
import MusterCore
import MusterStore
import Testing

@testable import MusterServer

/// A county's session of hundreds or thousands: what each device is sent
/// must not grow with the number of people in it.
@Suite struct ScaleTests {
    func types(_ board: Board, to connection: ConnectionID) -> [String] {
        board.sink.messages(to: connection).map { $0["type"] as? String ?? "" }
    }

    /// Seating N members sends each member O(1) frames (its welcome, its own
    /// join, a count a second), not one per arrival: O(N) in all, not O(N²).
    @Test func seatingManyMembersSendsEachMemberAFewFrames() throws {
        let board = try Board(memberCount: 300)
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        let first = board.connect(board.members[0].token)
        // From many homes: one address may say only so many hellos at once.
        let phones = board.members.dropFirst().enumerated().map { board.connect($1.token, address: "10.1.\($0 / 50).\($0 % 50)") }
        board.perform(board.switchboard.handle(.tick))
        #expect(types(board, to: first) == ["welcome", "event", "counts"], "one count for 299 arrivals")
        let counts = try #require(board.sink.messages(to: first).last)
        #expect((counts["quorum"] as? [String: Any])?["present"] as? Int == 301)
        #expect(counts["seq"] as? Int == (try board.store.lastSeq(board.session)))
        #expect(phones.allSatisfy { types(board, to: $0).count <= 3 })
        // The secretary gets every arrival's roster line, batched: one frame for the storm.
        let batches = board.sink.messages(to: host).filter { $0["type"] as? String == "counts" }
        #expect(batches.count == 1)
        #expect((batches.first?["attendance"] as? [[String: Any]])?.count == 301, "the 300 members and the secretary")
        #expect(!board.sink.messages(to: host).contains { ($0["event"] as? [String: Any])?["kind"] as? String == "member.joined" })
        // A quiet tick sends nothing.
        let before = board.sink.sent.count
        board.perform(board.switchboard.handle(.tick))
        #expect(board.sink.sent.count == before)
    }

    /// While people keep arriving, members get counts once a second (each goes
    /// to every member), hosts their lines every tick; and counts owed always
    /// go before the next event, whatever the time.
    @Test func membersGetCountsOnceASecondAndBeforeTheNextEvent() throws {
        let board = try Board(memberCount: 30)
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        let phone = board.connect(board.members[0].token)
        let counts = { (connection: ConnectionID) in self.types(board, to: connection).filter { $0 == "counts" }.count }
        board.perform(board.switchboard.handle(.tick))
        #expect(counts(phone) == 0, "nobody else arrived yet")
        _ = board.connect(board.members[1].token, address: "10.3.0.1")
        board.perform(board.switchboard.handle(.tick))
        #expect(counts(phone) == 1)
        #expect(counts(host) == 2, "the first phone's line, then the second's")
        _ = board.connect(board.members[2].token, address: "10.3.0.2")
        board.perform(board.switchboard.handle(.tick))  // the same second
        #expect(counts(phone) == 1, "a member's counts wait for the second to pass")
        #expect(counts(host) == 3, "a host's lines go every tick")
        board.clock.advance(seconds: 1)
        board.perform(board.switchboard.handle(.tick))
        #expect(counts(phone) == 2)
        let latest = try #require(board.sink.messages(to: phone).last)
        #expect((latest["quorum"] as? [String: Any])?["present"] as? Int == 4)
        _ = board.connect(board.members[3].token, address: "10.3.0.3")
        board.command("text.advance", from: host, ["line": 1])
        #expect(types(board, to: phone).suffix(2) == ["counts", "event"], "owed counts go before the event")
    }

    /// The secretary arriving is counted for members too, though the secretary is a host.
    @Test func aHostsArrivalReachesMembersAsACount() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        let phone = board.connect(board.members[0].token)
        board.perform(board.switchboard.handle(.tick))
        _ = board.connect(board.host.token, address: "10.0.0.2")  // the secretary's laptop
        board.perform(board.switchboard.handle(.tick))
        let counts = try #require(board.sink.messages(to: phone).last { $0["type"] as? String == "counts" })
        #expect((counts["quorum"] as? [String: Any])?["present"] as? Int == 2)
        #expect(counts["seq"] as? Int == (try board.store.lastSeq(board.session)))
    }

    /// A member's welcome is the same size in a branch of 12 and one of 600.
    @Test func aMembersWelcomeDoesNotGrowWithTheBranch() throws {
        func welcomeBytes(_ memberCount: Int) throws -> Int {
            let board = try Board(memberCount: memberCount)
            let host = board.connect(board.host.token)
            board.command("session.open", from: host)
            board.command("session.start", from: host)
            let phone = board.connect(board.members[0].token)
            let welcome = try #require(board.sink.sent.first { $0.0 == phone })
            return welcome.1.utf8.count
        }
        let small = try welcomeBytes(12)
        let large = try welcomeBytes(600)
        #expect(large - small < 64, "a member's welcome grew from \(small) to \(large) bytes")
    }

    /// A resume over others' arrivals gets the member's own events and one count, not every arrival.
    @Test func aMemberResumingOverArrivalsGetsOneCount() throws {
        let board = try Board(memberCount: 40)
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        let seen = try board.store.lastSeq(board.session)
        for (index, member) in board.members.dropFirst().enumerated() { _ = board.connect(member.token, address: "10.2.0.\(index)") }
        let resumed = board.connect(board.members[0].token, session: board.session, since: seen)
        let kinds = board.sink.messages(to: resumed).map { ($0["event"] as? [String: Any])?["kind"] as? String ?? $0["type"] as! String }
        #expect(kinds == ["welcome", "counts", "member.joined"], "\(kinds)")
    }

    /// A console that could compress, into a session of 500 or more (planned:
    /// whose branch has 500), is asked to connect again compressed before it is
    /// sent the roster; nothing is done for that hello. Members, resumes,
    /// smaller sessions and sockets that cannot compress are welcomed as before.
    @Test func aBigSessionsConsoleIsAskedToConnectAgainCompressed() throws {
        let board = try Board(memberCount: Switchboard.compressedRosterFrom - 1)  // and the secretary
        let early = board.connect(board.host.token, address: "10.0.0.5", canCompress: true)
        #expect(types(board, to: early) == ["compress"], "planned: the roster comes with session.opened")
        let laptop = board.connect(board.host.token)
        #expect(types(board, to: laptop) == ["welcome"], "a socket that cannot compress")
        board.command("session.open", from: laptop)
        let seq = try board.store.lastSeq(board.session)
        let console = board.connect(board.host.token, address: "10.0.0.2", canCompress: true)
        #expect(types(board, to: console) == ["compress"])
        #expect(board.sink.closed.contains { $0 == (console, .normal) })
        #expect(try board.store.lastSeq(board.session) == seq, "the secretary's device did not join")
        let phone = board.connect(board.members[0].token, address: "10.0.0.3", canCompress: true)
        #expect(types(board, to: phone).first == "welcome")
        let resumed = board.connect(board.host.token, session: board.session, since: seq, address: "10.0.0.4", canCompress: true)
        #expect(types(board, to: resumed).first == "welcome")
    }

    @Test func aSmallSessionsConsoleIsWelcomedOnAnySocket() throws {
        let board = try Board(memberCount: Switchboard.compressedRosterFrom - 2)
        let console = board.connect(board.host.token, canCompress: true)
        #expect(types(board, to: console) == ["welcome"])
        board.command("session.open", from: console)
        let again = board.connect(board.host.token, address: "10.0.0.2", canCompress: true)
        #expect(types(board, to: again).first == "welcome")
        #expect(!board.closed(console) && !board.closed(again))
    }
}
