import Foundation
import MusterCore
import MusterStore
import Testing

@testable import MusterServer

/// Records what the hub asks of the transport.
final class RecordingSink: ConnectionSink {
    var sent: [(ConnectionID, String)] = []

    func send(_ frame: Frame, to connection: ConnectionID) { sent.append((connection, frame.text)) }
    func close(_ connection: ConnectionID, code: CloseCode, reason: String) {}
    func helloAccepted(_ connection: ConnectionID) {}

    func messages(to connection: ConnectionID) -> [[String: Any]] {
        sent.filter { $0.0 == connection }.map {
            try! JSONSerialization.jsonObject(with: Data($0.1.utf8)) as! [String: Any]
        }
    }
}

@Suite struct SessionHubTests {
    static let start = Instant(iso8601: "2026-11-24T10:00:00Z")!
    static let host = Caller.host("M0")
    static let roster = [RosterEntry(id: "M0", name: "王", secretary: true), RosterEntry(id: "M1", name: "李")]

    func hub() -> SessionHub {
        let setup = SessionSetup(id: "S1", branch: "B1", title: "会", scheduledStart: Self.start, text: .partyOath)
        return SessionHub(
            loaded: LoadedSession(machine: SessionMachine(setup: setup), seq: 0), log: [], commandSeqs: [:])
    }

    func at(_ seconds: Int) -> Instant { Self.start.adding(seconds: seconds) }
    let you = ServerMessage.You(member: "M1", role: .member, name: "李", device: "D1")

    @Test func nothingIsShownOrAckedBeforeTheCommit() throws {
        let hub = hub()
        let sink = RecordingSink()
        _ = hub.subscribe(7, you: you, since: nil, maxReplay: 100, at: at(0))
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: (7, "c1"))
        #expect(hub.live.state.phase == .open)
        #expect(hub.state.phase == .scheduled)
        #expect(sink.sent.isEmpty)
        hub.committed(upTo: 1, sink: sink)
        #expect(hub.state.phase == .open)
        #expect(sink.messages(to: 7).map { $0["type"] as! String } == ["event", "ack"])
    }

    @Test func aFailedCommitRollsBackAndAnswersInternal() throws {
        let hub = hub()
        let sink = RecordingSink()
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: (7, "c1"))
        hub.committed(upTo: 1, sink: sink)
        _ = try hub.handle(.start, by: Self.host, at: at(2), reply: (7, "c2"))
        _ = try hub.handle(.advanceText(line: 3), by: Self.host, at: at(3), reply: (7, "c3"))
        let generation = hub.generation
        hub.commitFailed(generation: generation, sink: sink)
        #expect(hub.live.state == hub.state)
        #expect(hub.liveSeq == 1)
        let errors = sink.messages(to: 7).filter { $0["type"] as? String == "error" }
        #expect(errors.map { $0["id"] as! String } == ["c2", "c3"])
        #expect(errors.allSatisfy { $0["code"] as? String == "internal" })
        // A late report for the old generation is ignored; new work goes on.
        guard case .batch(let batch) = try hub.handle(.start, by: Self.host, at: at(4), reply: (7, "c4")) else {
            Issue.record("expected a batch")
            return
        }
        #expect(batch.firstSeq == 2)
        hub.commitFailed(generation: generation, sink: sink)
        #expect(hub.liveSeq == 2)
        hub.committed(upTo: 2, sink: sink)
        #expect(hub.state.phase == .started)
    }

    @Test func aResendIsAckedWithTheOriginalSeqAndMakesNoEvent() throws {
        let hub = hub()
        let sink = RecordingSink()
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: (7, "c1"))
        guard case .duplicate = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(2), reply: (8, "c1")) else {
            Issue.record("a resend while committing should wait for the commit")
            return
        }
        hub.committed(upTo: 1, sink: sink)
        #expect(sink.messages(to: 8).map { $0["seq"] as? Int } == [1])
        guard case .alreadyAcked(1) = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(3), reply: (9, "c1")) else {
            Issue.record("a resend of a durable command is acked at once")
            return
        }
        #expect(hub.liveSeq == 1)
    }

    @Test func resumingReplaysExactlyTheEventsAfterSince() throws {
        let hub = hub()
        let sink = RecordingSink()
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: nil)
        _ = try hub.handle(.start, by: Self.host, at: at(2), reply: nil)
        for line in 1...3 { _ = try hub.handle(.advanceText(line: line), by: Self.host, at: at(2 + line), reply: nil) }
        hub.committed(upTo: 5, sink: sink)
        let frames = hub.subscribe(1, you: you, since: 2, maxReplay: 100, at: at(9)).map {
            try! JSONSerialization.jsonObject(with: Data($0.bytes)) as! [String: Any]
        }
        #expect(frames.first?["resumed"] as? Bool == true)
        #expect(frames.first?["seq"] as? Int == 2)
        #expect(frames.dropFirst().map { $0["seq"] as! Int } == [3, 4, 5])
        // Too far behind, or ahead of what exists: the whole state instead.
        for since in [0, 6] {
            let fresh = hub.subscribe(2, you: you, since: since, maxReplay: 2, at: at(9))
            #expect(fresh.count == 1)
            #expect(fresh[0].text.contains(#""resumed":false"#))
        }
    }
}
