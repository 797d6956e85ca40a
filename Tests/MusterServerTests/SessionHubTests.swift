import Foundation
import MusterCore
import MusterStore
import Testing

@testable import MusterServer

/// Records what the hub asks of the transport.
/// Keeps what the shell would have done with the actions it was given.
final class RecordingSink {
    var sent: [(ConnectionID, String)] = []
    var closed: [(ConnectionID, CloseCode)] = []
    var submitted: [(batch: EventBatch, generation: Int)] = []
    var linksOpened: [MemberID] = []

    func record(_ actions: [ServerAction]) {
        for action in actions {
            switch action {
            case .send(let frame, let connection): sent.append((connection, frame.text))
            case .broadcast(let frame, let connections): sent += connections.map { ($0, frame.text) }
            case .close(let connection, let code, _): closed.append((connection, code))
            case .submit(let batch, let generation): submitted.append((batch, generation))
            case .linkOpened(let member): linksOpened.append(member)
            }
        }
    }

    func record(_ actions: ServerActions) { record(actions.list) }

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

    func hub(replayWindow: Int = 100) -> SessionHub {
        let setup = SessionSetup(id: "S1", branch: "B1", title: "会", scheduledStart: Self.start, text: .partyOath)
        return SessionHub(
            loaded: LoadedSession(machine: SessionMachine(setup: setup), seq: 0), log: [], commandSeqs: [:],
            replayWindow: replayWindow)
    }

    func at(_ seconds: Int) -> Instant { Self.start.adding(seconds: seconds) }
    let you = ServerMessage.You(member: "M1", role: .member, name: "李", device: "D1")

    @Test func nothingIsShownOrAckedBeforeTheCommit() throws {
        let hub = hub()
        let sink = RecordingSink()
        _ = hub.subscribe(7, you: you, since: nil, at: at(0))
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: (7, "c1"))
        #expect(hub.live.state.phase == .open)
        #expect(hub.state.phase == .scheduled)
        // A device arriving now is shown the durable picture only, and no event.
        let arriving = hub.subscribe(8, you: you, since: nil, at: at(1)).map(\.text)
        #expect(arriving.count == 1 && arriving[0].contains(#""phase":"scheduled""#))
        #expect(hub.subscribe(9, you: you, since: 0, at: at(1)).count == 1)
        sink.record(hub.committed(upTo: 1))
        #expect(hub.state.phase == .open)
        #expect(sink.messages(to: 7).map { $0["type"] as! String } == ["event", "ack"])
    }

    @Test func aFailedCommitRollsBackAndAnswersInternal() throws {
        let hub = hub()
        let sink = RecordingSink()
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: (7, "c1"))
        sink.record(hub.committed(upTo: 1))
        _ = try hub.handle(.start, by: Self.host, at: at(2), reply: (7, "c2"))
        _ = try hub.handle(.advanceText(line: 3), by: Self.host, at: at(3), reply: (7, "c3"))
        let generation = hub.generation
        sink.record(hub.commitFailed(generation: generation))
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
        sink.record(hub.commitFailed(generation: generation))
        #expect(hub.liveSeq == 2)
        sink.record(hub.committed(upTo: 2))
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
        sink.record(hub.committed(upTo: 1))
        #expect(sink.messages(to: 8).map { $0["seq"] as? Int } == [1])
        guard case .alreadyAcked(1) = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(3), reply: (9, "c1")) else {
            Issue.record("a resend of a durable command is acked at once")
            return
        }
        #expect(hub.liveSeq == 1)
    }

    @Test func resumingReplaysExactlyTheEventsAfterSince() throws {
        let hub = hub(replayWindow: 3)
        let sink = RecordingSink()
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: nil)
        _ = try hub.handle(.start, by: Self.host, at: at(2), reply: nil)
        for line in 1...3 { _ = try hub.handle(.advanceText(line: line), by: Self.host, at: at(2 + line), reply: nil) }
        sink.record(hub.committed(upTo: 5))
        let frames = hub.subscribe(1, you: you, since: 2, at: at(9)).map {
            try! JSONSerialization.jsonObject(with: Data($0.bytes)) as! [String: Any]
        }
        #expect(frames.first?["resumed"] as? Bool == true)
        #expect(frames.first?["seq"] as? Int == 2)
        #expect(frames.dropFirst().map { $0["seq"] as! Int } == [3, 4, 5])
        // Too far behind (the log keeps 3), or ahead of what exists: the whole state instead.
        for since in [0, 1, 6] {
            let fresh = hub.subscribe(2, you: you, since: since, at: at(9))
            #expect(fresh.count == 1)
            #expect(fresh[0].text.contains(#""resumed":false"#))
        }
    }

    func object(_ frame: Frame) -> [String: Any] {
        try! JSONSerialization.jsonObject(with: Data(frame.bytes)) as! [String: Any]
    }

    func event(_ frame: Frame) -> [String: Any] { object(frame)["event"] as! [String: Any] }

    /// A member resuming over a post hidden since is not sent its body (the trust issue, finding 5).
    @Test func resumingOverAHiddenPostDoesNotShowItsBodyToMembers() throws {
        let hub = hub()
        let sink = RecordingSink()
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: nil)
        _ = try hub.handle(.start, by: Self.host, at: at(2), reply: nil)
        _ = try hub.handle(.openThread(title: "议题"), by: Self.host, at: at(3), reply: nil)
        _ = try hub.handle(.join(device: "D1", mode: .remote), by: .member("M1"), at: at(4), reply: nil)
        _ = try hub.handle(.addPost(thread: "T1", body: "不当言论", replyTo: nil), by: .member("M1"), at: at(5), reply: nil)
        sink.record(hub.committed(upTo: 5))
        _ = try hub.handle(.hidePost("P1"), by: Self.host, at: at(6), reply: nil)
        sink.record(hub.committed(upTo: 6))

        let member = hub.subscribe(1, you: you, since: 4, at: at(7))
        #expect(event(member[1])["kind"] as? String == "post.added")
        #expect(event(member[1])["body"] == nil)
        #expect(event(member[1])["hidden"] as? Bool == true)
        #expect(!member.contains { $0.text.contains("不当言论") })
        let host = ServerMessage.You(member: "M0", role: .host, name: "王", device: "D0")
        let hosts = hub.subscribe(2, you: host, since: 4, at: at(7))
        #expect(event(hosts[1])["body"] as? String == "不当言论")
    }

    /// Reasons go to hosts and the member concerned only (the trust issue, finding 13).
    @Test func anExcuseReasonGoesToHostsAndTheMemberConcernedOnly() throws {
        let hub = hub()
        let sink = RecordingSink()
        let roster = Self.roster + [RosterEntry(id: "M2", name: "张")]
        _ = try hub.handle(.open(roster: roster), by: Self.host, at: at(1), reply: nil)
        sink.record(hub.committed(upTo: 1))
        let host = ServerMessage.You(member: "M0", role: .host, name: "王", device: "D0")
        let other = ServerMessage.You(member: "M2", role: .member, name: "张", device: "D2")
        _ = hub.subscribe(1, you: host, since: nil, at: at(1))
        _ = hub.subscribe(2, you: you, since: nil, at: at(1))
        _ = hub.subscribe(3, you: other, since: nil, at: at(1))
        _ = try hub.handle(.excuse(member: "M1", reason: "住院治疗"), by: Self.host, at: at(2), reply: nil)
        _ = try hub.handle(.start, by: Self.host, at: at(3), reply: nil)
        sink.record(hub.committed(upTo: 3))
        func saw(_ connection: ConnectionID) -> Bool { sink.sent.contains { $0.0 == connection && $0.1.contains("住院治疗") } }
        #expect(saw(1) && saw(2))
        #expect(!saw(3))
        // Another member is not sent the excuse at all: it reaches them as a count.
        let excused = sink.messages(to: 3).first { ($0["event"] as? [String: Any])?["kind"] as? String == "member.excused" }
        #expect(excused == nil)
        // Nor in a fresh welcome, nor on a resume.
        let fresh = hub.subscribe(4, you: other, since: nil, at: at(4)) + hub.subscribe(5, you: other, since: 1, at: at(4))
        #expect(!fresh.contains { $0.text.contains("住院治疗") })
    }

    /// A failed commit loses a join and a leave: presence is made to match the
    /// sockets again, and hosts are told saving failed, then that it works (finding 4).
    @Test func afterAFailedCommitPresenceMatchesTheSocketsAgain() throws {
        let hub = hub()
        let sink = RecordingSink()
        let host = ServerMessage.You(member: "M0", role: .host, name: "王", device: "D0")
        _ = hub.subscribe(1, you: host, since: nil, at: at(0))
        _ = try hub.handle(.open(roster: Self.roster), by: Self.host, at: at(1), reply: nil)
        _ = try hub.handle(.join(device: "D-old", mode: .remote), by: .member("M0"), at: at(2), reply: nil)
        sink.record(hub.committed(upTo: 2))
        // D-old's socket closes and D-new connects; both records are lost.
        _ = try hub.handle(.leave(device: "D-old"), by: .member("M0"), at: at(3), reply: nil)
        _ = try hub.handle(.join(device: "D-new", mode: .remote), by: .member("M1"), at: at(3), reply: nil)
        sink.record(hub.commitFailed(generation: hub.generation))
        #expect(hub.needsReconcile)
        #expect(hub.state.presence["M0"]?.devices == ["D-old"], "the record says the closed device is still here")
        #expect(sink.messages(to: 1).last?["code"] as? String == "save_failed")

        let batches = hub.reconcilePresence(connected: ["D-new": .member("M1")], at: at(4))
        #expect(batches.flatMap(\.occurrences).map(\.event.kind) == ["member.left", "member.joined"])
        sink.record(hub.committed(upTo: batches.last!.firstSeq + batches.last!.occurrences.count - 1))
        #expect(hub.state.presence["M0"]?.devices == [])
        #expect(hub.state.presence["M1"]?.devices == ["D-new"])
        #expect(!hub.needsReconcile)
        #expect(sink.messages(to: 1).last?["code"] as? String == "save_recovered")
        #expect(hub.reconcilePresence(connected: ["D-new": .member("M1")], at: at(5)).isEmpty)
    }
}

@Suite struct ResumeLogTests {
    static let start = Instant(iso8601: "2026-11-24T10:00:00Z")!
    let viewer = Viewer(member: "M1", role: .member)

    func frames(_ seq: Int) -> EventFrames {
        let setup = SessionSetup(id: "S1", branch: "B1", title: "会", scheduledStart: Self.start, text: .partyOath)
        return EventFrames(seq: seq, Occurrence(at: Self.start, event: .textAdvanced(.init(line: seq))), after: SessionState(setup: setup))
    }

    func seqs(_ frames: [Frame]?) -> [Int]? {
        frames?.map { (try! JSONSerialization.jsonObject(with: Data($0.bytes)) as! [String: Any])["seq"] as! Int }
    }

    /// The ring keeps the last `capacity` events, whatever the session's length.
    @Test func keepsTheLastEventsAndNoMore() {
        var log = ResumeLog(capacity: 4, after: 10)
        for seq in 11...19 { log.append(frames(seq)) }
        #expect(log.count == 4 && log.firstSeq == 16 && log.lastSeq == 19)
        #expect(seqs(log.frames(after: 15, for: viewer)?.frames) == [16, 17, 18, 19])
        #expect(seqs(log.frames(after: 19, for: viewer)?.frames) == [])
        #expect(log.frames(after: 14, for: viewer) == nil, "one event too far behind")
        #expect(log.frames(after: 20, for: viewer) == nil, "ahead of what exists")
    }
}
