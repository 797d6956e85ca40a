import MusterCore
import Testing

@Suite struct LifecycleTests {
    @Test func sessionGoesFromScheduledThroughOpenAndStartedToEnded() {
        var scene = Scene()
        #expect(scene.state.phase == .scheduled)
        #expect(scene.run(.open(roster: Scene.roster), at: -600) == [.sessionOpened(.init(roster: Scene.roster))])
        #expect(scene.state.phase == .open)
        #expect(scene.state.roster.count == 15)
        #expect(scene.run(.start, at: 0) == [.sessionStarted])
        #expect(scene.state.phase == .started)
        #expect(scene.state.startedAt == Scene.time(0))
        #expect(scene.run(.end, at: 3600) == [.sessionEnded])
        #expect(scene.state.phase == .ended)
        #expect(scene.state.endedAt == Scene.time(3600))
    }

    @Test func membersCannotRunTheSession() {
        var scene = Scene()
        scene.refuse(.open(roster: Scene.roster), by: .member(Scene.fullMembers[0]), at: 0, .forbidden)
        scene.run(.open(roster: Scene.roster), at: 0)
        scene.refuse(.start, by: .member(Scene.fullMembers[0]), at: 1, .forbidden)
        scene.refuse(.end, by: .member(Scene.fullMembers[0]), at: 1, .forbidden)
        scene.refuse(.lock(true), by: .member(Scene.fullMembers[0]), at: 1, .forbidden)
    }

    @Test func phasesMustComeInOrder() {
        var scene = Scene()
        scene.refuse(.start, at: 0, .conflict)
        scene.refuse(.end, at: 0, .conflict)
        scene.refuse(.join(device: "D1", mode: .remote), by: .member(Scene.fullMembers[0]), at: 0, .conflict)
        scene.run(.open(roster: Scene.roster), at: 0)
        scene.refuse(.open(roster: Scene.roster), at: 1, .conflict)
        scene.run(.start, at: 2)
        scene.refuse(.start, at: 3, .conflict)
    }

    @Test func openingNeedsAUsableRoster() {
        var scene = Scene()
        scene.refuse(.open(roster: []), at: 0, .badRequest)
        scene.refuse(.open(roster: [Scene.roster[0], Scene.roster[0]]), at: 0, .badRequest)
    }

    @Test func everythingIsRefusedAfterTheEnd() {
        var scene = Scene.started()
        scene.join([Scene.fullMembers[0]], at: 10)
        scene.run(.end, at: 100)
        let member = Caller.member(Scene.fullMembers[0])
        let commands: [(Command, Caller)] = [
            (.start, Scene.host), (.end, Scene.host), (.lock(true), Scene.host),
            (.open(roster: Scene.roster), Scene.host),
            (.join(device: "D9", mode: .remote), member), (.leave(device: "D-M01"), member),
            (.markOnSite(member: Scene.fullMembers[1], present: true), Scene.host),
            (.excuse(member: Scene.fullMembers[1], reason: "病假"), Scene.host),
            (.startRollCall(seconds: 60), Scene.host), (.answerRollCall(), member), (.closeRollCall, Scene.host),
            (.setText(title: "t", lines: ["a"]), Scene.host), (.advanceText(line: 1), Scene.host),
            (.openThread(title: "t"), Scene.host), (.addPost(thread: "T1", body: "b", replyTo: nil), member),
            (.hidePost("P1"), Scene.host), (.openVote(question: "q", options: nil, secret: false), Scene.host),
            (.castVote("V1", choice: "赞成"), member), (.closeVote("V1"), Scene.host), (.moveCity("北京"), member),
        ]
        for (command, caller) in commands {
            scene.refuse(command, by: caller, at: 200, .sessionEnded)
        }
    }

    @Test func endingClosesAnOpenRollCallAndVoteFirst() {
        var scene = Scene.started()
        scene.join(Scene.voters, at: 10)
        scene.run(.startRollCall(seconds: 60), at: 20)
        scene.run(.openVote(question: "通过决议？", options: nil, secret: false), at: 30)
        let events = scene.run(.end, at: 40)
        #expect(events.map(\.kind) == ["rollcall.closed", "vote.closed", "session.ended"])
        #expect(scene.state.openRollCall == nil)
        #expect(scene.state.openVote == nil)
    }

    @Test func lockKeepsNewcomersOutButLetsMembersReconnect() {
        var scene = Scene.started()
        let (inside, outside) = (Scene.fullMembers[0], Scene.fullMembers[1])
        scene.join([inside], at: 10)
        scene.run(.leave(device: "D-\(inside)"), by: .member(inside), at: 20)
        scene.run(.lock(true), at: 30)
        #expect(scene.state.locked)
        scene.refuse(.lock(true), at: 31, .conflict)
        scene.refuse(.join(device: "D-\(outside)", mode: .remote), by: .member(outside), at: 40, .forbidden)
        scene.run(.join(device: "D2-\(inside)", mode: .remote), by: .member(inside), at: 50)
        scene.run(.lock(false), at: 60)
        scene.join([outside], at: 70)
        #expect(scene.state.presence[outside]?.isPresent == true)
    }

    @Test func timeNeverRunsBackwards() {
        var scene = Scene.started()
        let member = Scene.fullMembers[0]
        scene.join([member], at: 100)
        // A clock stepping back must not make a negative interval.
        scene.run(.leave(device: "D-\(member)"), by: .member(member), at: 50)
        let record = scene.record(member, asOf: 100)
        #expect(record.secondsPresent == 0)
        #expect(record.lastLeave == Scene.time(100))
    }

    @Test func someoneOffTheRosterCannotTakePart() {
        var scene = Scene.started()
        let stranger = Caller.member("M99")
        scene.refuse(.join(device: "D", mode: .remote), by: stranger, at: 1, .forbidden)
        scene.refuse(.moveCity("上海"), by: stranger, at: 1, .forbidden)
        scene.refuse(.markOnSite(member: "M99", present: true), at: 1, .notFound)
        scene.refuse(.excuse(member: "M99", reason: "x"), at: 1, .notFound)
    }

    @Test func membersReportTheirCity() {
        var scene = Scene.started()
        let member = Scene.fullMembers[0]
        #expect(scene.run(.moveCity(" 深圳 "), by: .member(member), at: 5) == [.memberMoved(.init(member: member, city: "深圳"))])
        #expect(scene.record(member, asOf: 5).city == "深圳")
        scene.refuse(.moveCity("  "), by: .member(member), at: 6, .badRequest)
        scene.refuse(.moveCity(String(repeating: "城", count: 101)), by: .member(member), at: 6, .tooLarge)
    }
}

/// A planned session called off: it stays in the record, cancelled, with its reason, and takes nothing more.
@Suite struct CancellingTests {
    @Test func aPlannedSessionIsCancelledWithItsReason() {
        var scene = Scene()
        scene.refuse(.cancel(reason: "改期"), by: .member(Scene.fullMembers[0]), at: -700, .forbidden)
        scene.refuse(.cancel(reason: "  "), at: -700, .badRequest)
        scene.refuse(.cancel(reason: String(repeating: "长", count: 501)), at: -700, .tooLarge)
        #expect(scene.run(.cancel(reason: " 村里停电，改期 "), at: -650) == [.sessionCancelled(.init(reason: "村里停电，改期"))])
        #expect(scene.state.phase == .cancelled)
        #expect(scene.state.cancelledAt == Scene.time(-650) && scene.state.cancelReason == "村里停电，改期")
        #expect(scene.state.snapshot(for: .host, asOf: Scene.time(-600)).session.cancelReason == "村里停电，改期")
        for command in [Command.open(roster: Scene.roster), .start, .end, .cancel(reason: "再次")] {
            scene.refuse(command, at: -600, .sessionEnded)
        }
    }

    @Test func onlyASessionThatHasNotOpenedCanBeCancelled() {
        var scene = Scene()
        scene.run(.open(roster: Scene.roster), at: -600)
        scene.refuse(.cancel(reason: "改期"), at: -500, .conflict)
        scene.run(.start, at: 0)
        scene.refuse(.cancel(reason: "改期"), at: 1, .conflict)
    }

    @Test func aPlannedSessionIsChangedUntilItOpens() {
        var scene = Scene()
        let later = Replan(title: " 十二月党课 ", kind: "lesson", scheduledStart: Scene.time(7200), graceSeconds: 600)
        scene.refuse(.replan(later), by: .member(Scene.fullMembers[0]), at: -700, .forbidden)
        scene.refuse(.replan(Replan(title: " ")), at: -700, .badRequest)
        scene.refuse(.replan(Replan(kind: "party")), at: -700, .badRequest)
        scene.refuse(.replan(Replan(scheduledStart: Scene.time(-800))), at: -700, .badRequest)
        scene.refuse(.replan(Replan(graceSeconds: 4000)), at: -700, .badRequest)
        scene.refuse(.replan(Replan(title: "十一月主题党日")), at: -700, .conflict)
        let events = scene.run(.replan(later), at: -650)
        #expect(events == [.sessionReplanned(Replan(title: "十二月党课", kind: "lesson", scheduledStart: Scene.time(7200), graceSeconds: 600))])
        #expect(scene.state.setup.title == "十二月党课" && scene.state.setup.kind == "lesson")
        #expect(scene.state.setup.scheduledStart == Scene.time(7200) && scene.state.setup.graceSeconds == 600)
        #expect(scene.state.snapshot(for: .member, asOf: Scene.time(-600)).session.title == "十二月党课")
        scene.run(.open(roster: Scene.roster), at: -600)
        scene.refuse(.replan(Replan(title: "再改")), at: -500, .conflict)
    }
}
