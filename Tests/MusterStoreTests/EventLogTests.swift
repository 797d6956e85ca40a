import Foundation
import MusterCore
import MusterStore
import Testing

@Suite struct EventLogTests {
    static let start = Instant(iso8601: "2026-11-24T10:00:00Z")!

    /// Given a branch with three members and a session.
    static func given(_ database: MusterDatabase) throws -> (SessionSetup, [MemberID]) {
        _ = try database.addBranch(name: "b")
        let members = try ["王", "李", "张"].enumerated().map {
            try database.addMember(branch: "b", NewMember(name: $1, secretary: $0 == 0)).member.id
        }
        let setup = try database.addSession(branch: "b", title: "会", startsAt: start, text: .partyOath)
        return (setup, members)
    }

    @Test func everyEventKindRoundTripsThroughTheStore() throws {
        let database = try MusterDatabase.inMemory(now: FixedClock().now)
        let (setup, _) = try Self.given(database)
        let occurrences = Self.everyKind.enumerated().map {
            Occurrence(at: Self.start.adding(seconds: $0.offset), event: $0.element)
        }
        #expect(try database.append(session: setup.id, occurrences) == 1...occurrences.count)
        let stored = try database.events(setup.id)
        #expect(stored.map(\.occurrence) == occurrences)
        #expect(stored.map(\.seq) == Array(1...occurrences.count))
        #expect(Set(stored.map(\.occurrence.event.eventKind)) == Set(EventKind.allCases))
        #expect(try database.events(setup.id, after: 20).map(\.seq) == Array(21...occurrences.count))
    }

    @Test func aBatchThatDoesNotFollowTheLogIsRefusedWhole() throws {
        let database = try MusterDatabase.inMemory(now: FixedClock().now)
        let (setup, _) = try Self.given(database)
        let event = Occurrence(at: Self.start, event: .sessionStarted)
        try database.append(session: setup.id, [event])
        #expect(throws: StoreError.sequenceGap(session: setup.id.rawValue, expected: 2, got: 3)) {
            try database.append([
                EventBatch(session: setup.id, firstSeq: 2, occurrences: [event]),
                EventBatch(session: setup.id, firstSeq: 3, occurrences: [event]),
            ].reversed())
        }
        #expect(try database.lastSeq(setup.id) == 1)
    }

    @Test func batchesOfOneCommitFollowEachOtherOrTheCommitIsRefusedWhole() throws {
        let database = try MusterDatabase.inMemory(now: FixedClock().now)
        let (setup, _) = try Self.given(database)
        let event = Occurrence(at: Self.start, event: .sessionStarted)
        try database.append([
            EventBatch(session: setup.id, firstSeq: 1, occurrences: [event, event]),
            EventBatch(session: setup.id, firstSeq: 3, occurrences: [event]),
        ])
        #expect(try database.lastSeq(setup.id) == 3)
        #expect(throws: StoreError.sequenceGap(session: setup.id.rawValue, expected: 5, got: 6)) {
            try database.append([
                EventBatch(session: setup.id, firstSeq: 4, occurrences: [event]),
                EventBatch(session: setup.id, firstSeq: 6, occurrences: [event]),
            ])
        }
        #expect(throws: StoreError.sequenceGap(session: setup.id.rawValue, expected: 5, got: 4)) {
            try database.append([
                EventBatch(session: setup.id, firstSeq: 4, occurrences: [event]),
                EventBatch(session: setup.id, firstSeq: 4, occurrences: [event]),
            ])
        }
        #expect(try database.lastSeq(setup.id) == 3)
    }

    @Test func aSessionReopensFromAFileWithTheSameStateAndSecretCounts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("muster.sqlite").path

        var machine: SessionMachine
        let setup: SessionSetup
        do {
            let database = try MusterDatabase.open(path: path, random: .seeded(9), now: FixedClock().now)
            let (planned, members) = try Self.given(database)
            setup = planned
            let roster = try database.members(branch: "b").map(\.rosterEntry)
            machine = SessionMachine(setup: setup)
            let host = Caller.host(members[0])
            var commands: [(Command, Caller)] = [(.open(roster: roster), host), (.start, host)]
            commands += members.map { (.join(device: DeviceID("D-\($0)"), mode: .remote), Caller.member($0)) }
            commands += [(.advanceText(line: 3), host), (.openVote(question: "通过？", options: nil, secret: true), host)]
            commands += members.map { (.castVote("V1", choice: $0 == members[2] ? "反对" : "赞成"), Caller.member($0)) }
            commands += [(.startRollCall(seconds: 30), host), (.answerRollCall(), .member(members[1]))]
            for (offset, (command, caller)) in commands.enumerated() {
                let outcome = try machine.handle(command, by: caller, at: Self.start.adding(seconds: offset))
                try database.append(session: setup.id, outcome.occurrences)
            }
        }
        // Reopen the file: a new process would do exactly this.
        let reopened = try MusterDatabase.open(path: path, now: FixedClock().now)
        var loaded = try reopened.loadSession(setup.id)
        // The running count of the open secret vote lived in memory only: the vote
        // is the same but for it, and after a restart it cannot be counted.
        #expect(loaded.machine.state.votes[0].voters == machine.state.votes[0].voters)
        #expect(loaded.machine.state.votes[0].sealedCounts == [:])
        #expect(machine.state.votes[0].sealedCounts == ["赞成": 2, "反对": 1])
        #expect(loaded.machine.state.roster == machine.state.roster)
        #expect(loaded.machine.state.presence == machine.state.presence)
        let lastSeq = try reopened.lastSeq(setup.id)
        #expect(loaded.seq == lastSeq)
        #expect(loaded.machine.state.text?.current == 3)
        let voided = loaded.machine.voidUncountableVotes(at: Self.start.adding(seconds: 99))
        #expect(voided.map(\.event) == [.voteVoided(.init(vote: "V1", reason: .serverRestarted))])
        #expect(loaded.machine.state.openVote == nil)
        // The secret ballots are nowhere in the log.
        let bodies = try reopened.events(setup.id).map(\.occurrence.event)
        #expect(bodies.allSatisfy { if case .voteCast(let cast) = $0 { cast.choice == nil } else { true } })
    }

    @Test func theFileIsInWALModeWithFullSync() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("muster-\(UUID()).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try MusterDatabase.open(path: path, now: FixedClock().now)
        let (mode, sync) = try database.pragmas()
        #expect(mode == "wal")
        #expect(sync == 2)  // FULL
    }

    static let everyKind: [Event] = [
        .sessionOpened(.init(roster: [RosterEntry(id: "M1", name: "王", secretary: true)])),
        .sessionStarted, .sessionEnded, .sessionCancelled(.init(reason: "改期")), .sessionReplanned(Replan(title: "改")), .sessionLocked(.init(locked: true)),
        .memberJoined(.init(member: "M1", device: "D1", mode: .remote)),
        .memberLeft(.init(member: "M1", device: "D1")),
        .memberOnSite(.init(member: "M1", present: true)),
        .memberExcused(.init(member: "M1", reason: "病假")),
        .memberMoved(.init(member: "M1", city: "广州")),
        .rollCallStarted(.init(rollcall: "R1", seconds: 60, closesAt: start.adding(seconds: 60))),
        .rollCallAnswered(.init(rollcall: "R1", member: "M1")),
        .rollCallClosed(.init(rollcall: "R1", answered: ["M1"], missing: [])),
        .textSet(.init(title: "誓词", lines: ["一", "二"])),
        .textAdvanced(.init(line: 1)),
        .threadOpened(.init(thread: "T1", title: "议题", by: "M1")),
        .postAdded(.init(post: "P1", thread: "T1", by: "M1", body: "好\n很好", replyTo: nil)),
        .postHidden(.init(post: "P1")),
        .voteOpened(.init(vote: "V1", question: "通过？", options: ["赞成", "反对"], secret: false, expected: 1, present: 1, threshold: 1)),
        .voteCast(.init(vote: "V1", member: "M1", choice: "赞成")),
        .voteCast(.init(vote: "V1", member: "M1", choice: nil)),
        .voteClosed(.init(vote: "V1", tally: [.init(choice: "赞成", count: 1)], passed: true, expected: 1, present: 1, cast: 1, threshold: 1)),
        .voteVoided(.init(vote: "V1", reason: .serverRestarted)),
        .sessionLocked(.init(locked: false)),
    ]
}
