import MusterCore
import Testing

@Suite struct RollCallTests {
    @Test func membersAnswerWithinTheWindowAndTheHostCloses() {
        var scene = Scene.started()
        let (first, second) = (Scene.fullMembers[0], Scene.fullMembers[1])
        scene.join([first, second], at: 5)
        scene.run(.excuse(member: Scene.fullMembers[2], reason: "住院"), at: 6)
        #expect(
            scene.run(.startRollCall(seconds: 60), at: 10)
                == [.rollCallStarted(.init(rollcall: "R1", seconds: 60, closesAt: Scene.time(70)))])
        scene.run(.answerRollCall(), by: .member(second), at: 20)
        scene.run(.answerRollCall(), by: .member(first), at: 30)
        scene.refuse(.answerRollCall(), by: .member(first), at: 31, .conflict)
        let events = scene.run(.closeRollCall, at: 40)
        guard case .rollCallClosed(let closed) = events.first else {
            Issue.record("expected rollcall.closed, got \(events)")
            return
        }
        #expect(closed.answered == [second, first])
        #expect(closed.missing.count == 15 - 2 - 1)
        #expect(!closed.missing.contains(Scene.fullMembers[2]))
        #expect(scene.record(first, asOf: 50).rollCallsAnswered == 1)
        #expect(scene.record(first, asOf: 50).rollCallsHeld == 1)
    }

    /// A 到 tapped offline for R1 must not answer R2 (the trust issue, finding 2).
    @Test func aTapForARollCallThatIsOverIsRefused() {
        var scene = Scene.started()
        let member = Scene.fullMembers[0]
        scene.join([member], at: 5)
        scene.run(.startRollCall(seconds: 60), at: 10)
        scene.run(.closeRollCall, at: 20)
        scene.run(.startRollCall(seconds: 60), at: 30)
        scene.refuse(.answerRollCall("R1"), by: .member(member), at: 31, .conflict)
        scene.run(.answerRollCall("R2"), by: .member(member), at: 32)
        #expect(scene.state.rollCalls.map(\.answered) == [[], [member]])
    }

    @Test func theWindowClosesByItselfWithTheNextCommand() {
        var scene = Scene.started()
        let member = Scene.fullMembers[0]
        scene.join([member], at: 5)
        scene.run(.startRollCall(seconds: 60), at: 10)
        // The answer comes too late: the close is produced, the answer refused.
        scene.refuse(.answerRollCall(), by: .member(member), at: 70, .conflict)
        #expect(scene.state.openRollCall?.id == "R1", "a refused command changes nothing, not even the clock")
        let events = try! scene.machine.handle(.advanceText(line: 1), by: Scene.host, at: Scene.time(90))
        #expect(events.occurrences.map(\.event.kind) == ["rollcall.closed", "text.advanced"])
        #expect(events.occurrences.first?.at == Scene.time(70))
        #expect(scene.state.openRollCall == nil)
    }

    @Test func theWindowClosesOnATick() {
        var scene = Scene.started()
        scene.run(.startRollCall(seconds: 10), at: 10)
        #expect(scene.machine.nextDeadline == Scene.time(20))
        #expect(scene.machine.tick(at: Scene.time(19)).isEmpty)
        let closed = scene.machine.tick(at: Scene.time(25))
        #expect(closed.map(\.event.kind) == ["rollcall.closed"])
        #expect(closed.first?.at == Scene.time(20))
        #expect(scene.machine.tick(at: Scene.time(30)).isEmpty)
        #expect(scene.machine.nextDeadline == nil)
    }

    @Test func aRollCallNeedsAStartedSessionAHostAndASensibleWindow() {
        var scene = Scene()
        scene.run(.open(roster: Scene.roster), at: 0)
        scene.refuse(.startRollCall(seconds: 60), at: 1, .conflict)
        scene.run(.start, at: 2)
        scene.refuse(.startRollCall(seconds: 9), at: 3, .badRequest)
        scene.refuse(.startRollCall(seconds: 601), at: 3, .badRequest)
        scene.refuse(.startRollCall(seconds: 60), by: .member(Scene.fullMembers[0]), at: 3, .forbidden)
        scene.run(.startRollCall(seconds: 600), at: 3)
        scene.refuse(.startRollCall(seconds: 60), at: 4, .conflict)
    }

    @Test func answeringNeedsAnOpenRollCallAndPresence() {
        var scene = Scene.started()
        let member = Scene.fullMembers[0]
        scene.refuse(.answerRollCall(), by: .member(member), at: 1, .conflict)
        scene.refuse(.closeRollCall, at: 1, .conflict)
        scene.run(.startRollCall(seconds: 60), at: 2)
        scene.refuse(.answerRollCall(), by: .member(member), at: 3, .conflict)
    }
}
