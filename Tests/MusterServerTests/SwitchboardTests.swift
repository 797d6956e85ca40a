import Foundation
import MusterCore
import MusterStore
import Testing

@testable import MusterServer

/// The Switchboard without a socket or a data file: an in-memory store, the
/// writer driven by hand, and the actions it returns carried out as the
/// shell would (frames recorded, batches handed to the writer).
final class Board {
    static let start = Instant(iso8601: "2026-11-26T19:30:00Z")!
    let store: MusterDatabase
    let mailbox = Mailbox()
    let writer: StoreWriter
    private(set) var switchboard: Switchboard
    /// The switchboard's clock: tests move it.
    let clock = ManualClock(Board.start)
    private let limits: ServerConfiguration
    private let reads: (MusterDatabase) -> any SwitchboardStore
    let sink = RecordingSink()
    let branch: BranchID
    let host: IssuedLink
    let members: [IssuedLink]
    let session: SessionID
    private var next: ConnectionID = 1

    /// - Parameter reads: what the switchboard reads through, given the in-memory store (default: that store).
    init(
        memberCount: Int = 12, commandBurst: Double = 20, replayWindow: Int = 512, queueLimit: Int = 1024,
        reads: @escaping (MusterDatabase) -> any SwitchboardStore = { $0 }
    ) throws {
        let start = Instant(iso8601: "2026-11-26T19:30:00Z")!
        store = try MusterDatabase.inMemory(random: .seeded(7), now: { start })
        branch = try store.addBranch(name: "东村党支部").id
        host = try store.addMember(branch: "东村党支部", NewMember(name: "王书记", secretary: true))
        let store = self.store
        members = try (1...memberCount).map { try store.addMember(branch: "东村党支部", NewMember(name: "党员\($0)")) }
        session = try store.addSession(branch: "东村党支部", title: "党日", startsAt: Board.start, text: .partyOath).id
        writer = StoreWriter(database: store, mailbox: mailbox)
        var limits = ServerConfiguration.standard
        limits.commandBurst = commandBurst
        limits.replayWindow = replayWindow
        limits.queueLimit = queueLimit
        self.limits = limits
        self.reads = reads
        switchboard = try Switchboard(store: reads(store), clock: clock.read, bootID: "T", limits: limits)
        perform(try switchboard.start())
    }

    /// A new server over the same store, as after a crash; returns what its start decided, not yet carried out.
    func restart() throws -> [ServerAction] {
        switchboard = try Switchboard(store: reads(store), clock: clock.read, bootID: "U", limits: limits)
        return try switchboard.start()
    }

    /// Does what the shell would with the switchboard's actions.
    func perform(_ actions: [ServerAction]) {
        sink.record(actions)
        for case .submit(let batch, let generation) in actions { writer.submit(batch, generation: generation) }
        for case .linkOpened(let member) in actions { writer.noteLinkOpened(member, at: clock.read()) }
    }

    /// Commits what the hubs handed the writer and delivers the outcome, as the two threads would.
    func settle() {
        writer.commitQueued()
        for message in mailbox.drain() { perform(switchboard.handle(message)) }
    }

    /// A new connection that says hello (`canCompress`: as a page on a socket that did not ask); returns it.
    func connect(
        _ token: String, session: SessionID? = nil, since: Int? = nil, address: String = "10.0.0.1", canCompress: Bool = false
    ) -> ConnectionID {
        let connection = next
        next += 1
        switchboard.opened(connection, address: address)
        var hello: [String: Any] = ["type": "hello", "token": token]
        if let session { hello["session"] = session.rawValue }
        if let since { hello["since"] = since }
        if canCompress { hello["canCompress"] = true }
        send(hello, from: connection)
        settle()
        return connection
    }

    func send(_ message: [String: Any], from connection: ConnectionID) {
        let bytes = try! JSONSerialization.data(withJSONObject: message)
        perform(switchboard.received(Array(bytes), from: connection))
    }

    /// Sends a command and returns the answer to it (after the commit).
    @discardableResult
    func command(_ name: String, from connection: ConnectionID, _ fields: [String: Any] = [:]) -> [String: Any] {
        let id = "c\(sink.sent.count)-\(name)"
        send(["type": "cmd", "id": id, "cmd": name].merging(fields) { $1 }, from: connection)
        settle()
        return sink.messages(to: connection).last { $0["id"] as? String == id } ?? [:]
    }

    func first(to connection: ConnectionID) -> [String: Any] { sink.messages(to: connection).first ?? [:] }
    func closed(_ connection: ConnectionID) -> Bool { sink.closed.contains { $0.0 == connection } }
}

/// A clock a test moves by hand.
final class ManualClock {
    var now: Instant
    init(_ start: Instant) { now = start }
    func read() -> Instant { now }
    func advance(seconds: Int) { now = now.adding(seconds: seconds) }
}

@Suite struct SwitchboardTests {
    @Test func aWrongTokenIsRefusedAndClosed() throws {
        let board = try Board()
        let connection = board.connect("not-a-token")
        #expect(board.first(to: connection)["code"] as? String == "unauthorized")
        #expect(board.closed(connection))
    }

    /// Without `session`, a link leads to the branch's current session, one
    /// planned while serving included.
    @Test func helloChoosesTheSessionTheLinkLeadsTo() throws {
        let board = try Board()
        let connection = board.connect(board.host.token)
        #expect(board.first(to: connection)["session"] as? String == board.session.rawValue)
        let later = try board.store.addSession(
            branch: "东村党支部", title: "补开", startsAt: Board.start.adding(seconds: 86400), text: .partyOath)
        #expect(board.command("session.open", from: connection)["type"] as? String == "ack")
        // The open one wins over the planned one; once it has ended, the planned one is next.
        #expect(board.first(to: board.connect(board.members[0].token))["session"] as? String == board.session.rawValue)
        #expect(board.command("session.end", from: connection)["type"] as? String == "ack")
        #expect(board.first(to: board.connect(board.members[1].token))["session"] as? String == later.id.rawValue)
    }

    @Test func anotherBranchsSessionIsRefusedBeforeItIsLoaded() throws {
        let board = try Board()
        _ = try board.store.addBranch(name: "西村党支部")
        let stranger = try board.store.addMember(branch: "西村党支部", NewMember(name: "赵书记", secretary: true))
        let connection = board.connect(stranger.token, session: board.session)
        #expect(board.first(to: connection)["code"] as? String == "forbidden")
        #expect(board.switchboard.hubs.isEmpty, "the session was loaded for someone who may not see it")
    }

    @Test func aCommandBeforeHelloAndASecondHelloAreRefused() throws {
        let board = try Board()
        board.switchboard.opened(99, address: "10.0.0.9")
        board.send(["type": "cmd", "id": "x", "cmd": "session.open"], from: 99)
        #expect(board.first(to: 99)["code"] as? String == "unauthorized")
        let connection = board.connect(board.host.token)
        board.send(["type": "hello", "token": board.host.token], from: connection)
        #expect(board.sink.messages(to: connection).last?["code"] as? String == "conflict")
    }

    /// Authority on every command: a member's every host command is refused and changes nothing.
    @Test func membersCannotSendHostCommands() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        let member = board.connect(board.members[0].token)
        let before = board.switchboard.hubs[board.session]!.state
        let hostOnly: [(String, [String: Any])] = [
            ("session.start", [:]), ("session.end", [:]), ("session.lock", ["locked": true]),
            ("member.onsite", ["member": board.members[1].member.id.rawValue, "present": true]),
            ("member.excuse", ["member": board.members[1].member.id.rawValue, "reason": "病"]),
            ("rollcall.start", ["seconds": 30]), ("rollcall.close", [:]), ("text.set", ["title": "t", "lines": ["一"]]),
            ("text.advance", ["line": 1]), ("thread.open", ["title": "t"]), ("post.hide", ["post": "P1"]),
            ("vote.open", ["question": "q"]), ("vote.close", ["vote": "V1"]), ("session.open", [:]),
        ]
        for (name, fields) in hostOnly {
            let answer = board.command(name, from: member, fields)
            #expect(["forbidden", "conflict", "not_found"].contains(answer["code"] as? String ?? "ack"), "\(name): \(answer)")
        }
        #expect(board.switchboard.hubs[board.session]!.state == before)
    }

    @Test func commandsBeyondTheBurstAreRateLimited() throws {
        let board = try Board(commandBurst: 5)
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        let answers = (0..<6).map { board.command("text.advance", from: host, ["line": $0 % 3])["type"] as? String ?? "" }
        #expect(answers.filter { $0 == "error" }.count >= 3)
        #expect(board.sink.messages(to: host).contains { $0["code"] as? String == "rate_limited" })
    }

    @Test func aFourthDeviceOfOneMemberIsRefused() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        board.command("session.open", from: host)
        let devices = (0..<4).map { _ in board.connect(board.members[0].token) }
        #expect(devices.prefix(3).allSatisfy { board.first(to: $0)["type"] as? String == "welcome" })
        #expect(board.first(to: devices[3])["code"] as? String == "conflict")
        let line = board.switchboard.hubs[board.session]!.state.presence[board.members[0].member.id]
        #expect(line?.devices.count == 3)
    }

    @Test func hellosFromOneAddressAreBudgeted() throws {
        let board = try Board()
        let answers = (0..<62).map { board.first(to: board.connect("bad-\($0)", address: "10.9.9.9"))["code"] as? String }
        #expect(answers.prefix(60).allSatisfy { $0 == "unauthorized" })
        #expect(answers.suffix(2).allSatisfy { $0 == "rate_limited" })
        #expect(board.first(to: board.connect(board.host.token, address: "10.1.1.1"))["type"] as? String == "welcome")
    }

    @Test func aScreensCredentialFollowsButCannotCommand() throws {
        let board = try Board()
        let host = board.connect(board.host.token)
        let credential = try #require(board.first(to: host)["screen"] as? String)
        let screen = board.connect(credential)
        #expect((board.first(to: screen)["you"] as? [String: Any])?["role"] as? String == "screen")
        #expect(board.command("session.open", from: screen)["code"] as? String == "forbidden")
        #expect(board.switchboard.hubs[board.session]!.state.phase == .scheduled)
    }
}

/// The secretary sees whose link has never been used: a member's first hello is noted, once.
@Suite struct LinkOpenedTests {
    @Test func aLinksFirstUseIsNotedOnceAndAgainAfterARelink() throws {
        let board = try Board()
        let member = board.members[0]
        _ = board.connect(member.token)
        _ = board.connect(member.token)
        #expect(board.sink.linksOpened == [member.member.id], "noted once, however many devices")
        board.settle()  // the writer notes it (with the session's events, or alone: none here before it opens)
        #expect(try board.store.member(member.member.id)?.linkOpenedAt == Board.start)
        #expect(try board.store.member(board.members[1].member.id)?.linkOpenedAt == nil)
        _ = try board.store.relink(member: member.member.id)
        #expect(try board.store.member(member.member.id)?.linkOpenedAt == nil, "a new link is not opened yet")
    }
}
