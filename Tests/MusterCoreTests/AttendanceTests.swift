import MusterCore
import Testing

@Suite struct AttendanceTests {
    let member = Scene.fullMembers[0]

    @Test func joiningExactlyAtStartPlusGraceIsOnTime() {
        var scene = Scene.started()
        scene.join([member], at: 300)
        #expect(scene.record(member, asOf: 400).status == .present)
        #expect(scene.record(member, asOf: 400).late == false)
    }

    @Test func joiningOneMillisecondAfterTheGraceIsLate() {
        var scene = Scene.started()
        _ = try? scene.machine.handle(
            .join(device: "D", mode: .remote), by: .member(member),
            at: Scene.time(300).adding(seconds: 0).advanced(milliseconds: 1))
        #expect(scene.record(member, asOf: 400).status == .late)
    }

    @Test func lateCountsFromTheActualStartWhenTheSecretaryStartsLate() {
        var scene = Scene()
        scene.run(.open(roster: Scene.roster), at: -60)
        scene.run(.start, at: 600)
        scene.join([member], at: 800)
        #expect(scene.record(member, asOf: 900).status == .present)
    }

    @Test func lobbyTimeBeforeTheStartDoesNotCount() {
        var scene = Scene()
        scene.run(.open(roster: Scene.roster), at: -600)
        scene.join([member], at: -500)
        scene.run(.start, at: 0)
        let record = scene.record(member, asOf: 120)
        #expect(record.status == .present)
        #expect(record.secondsPresent == 120)
        #expect(record.firstJoin == Scene.time(-500))
    }

    @Test func reconnectGapsAreNotCountedAndStatusFollowsTheLatestState() {
        var scene = Scene.started()
        let caller = Caller.member(member)
        scene.run(.join(device: "phone", mode: .remote), by: caller, at: 0)
        scene.run(.leave(device: "phone"), by: caller, at: 600)
        #expect(scene.record(member, asOf: 700).status == .leftEarly)
        scene.run(.join(device: "phone-2", mode: .remote), by: caller, at: 900)
        scene.run(.leave(device: "phone-2"), by: caller, at: 1500)
        scene.run(.join(device: "phone-3", mode: .remote), by: caller, at: 1560)
        scene.run(.end, at: 3600)
        let record = scene.record(member, asOf: 3600)
        #expect(record.status == .present)
        // 0–600, 900–1500, 1560–3600: the two gaps (300 s and 60 s) are left out.
        #expect(record.secondsPresent == 600 + 600 + 2040)
        #expect(scene.state.presence[member]?.intervals.count == 3)
        #expect(record.lastLeave == Scene.time(3600))
    }

    @Test func twoOverlappingDevicesMakeOneInterval() {
        var scene = Scene.started()
        let caller = Caller.member(member)
        scene.run(.join(device: "phone", mode: .remote), by: caller, at: 0)
        scene.run(.join(device: "laptop", mode: .remote), by: caller, at: 100)
        scene.run(.leave(device: "phone"), by: caller, at: 200)
        #expect(scene.record(member, asOf: 250).presentNow)
        scene.run(.leave(device: "laptop"), by: caller, at: 300)
        #expect(scene.state.presence[member]?.intervals == [.init(from: Scene.time(0), to: Scene.time(300))])
        #expect(scene.record(member, asOf: 400).secondsPresent == 300)
    }

    @Test func theSameDeviceCannotJoinTwiceOrLeaveTwice() {
        var scene = Scene.started()
        let caller = Caller.member(member)
        scene.run(.join(device: "phone", mode: .remote), by: caller, at: 0)
        scene.refuse(.join(device: "phone", mode: .remote), by: caller, at: 1, .conflict)
        scene.run(.leave(device: "phone"), by: caller, at: 2)
        scene.refuse(.leave(device: "phone"), by: caller, at: 3, .conflict)
    }

    @Test func leavingBeforeTheEndAndNotComingBackIsLeftEarly() {
        var scene = Scene.started()
        scene.join([member], at: 400)
        scene.run(.leave(device: "D-\(member)"), by: .member(member), at: 1000)
        scene.run(.end, at: 3600)
        let record = scene.record(member, asOf: 3600)
        #expect(record.status == .leftEarly)
        #expect(record.late)
        #expect(record.secondsPresent == 600)
    }

    @Test func membersStillPresentAtTheEndDidNotLeaveEarly() {
        var scene = Scene.started()
        scene.join([member], at: 0)
        scene.run(.end, at: 3600)
        let record = scene.record(member, asOf: 9999)
        #expect(record.status == .present)
        #expect(record.secondsPresent == 3600)
        #expect(!record.presentNow)
    }

    @Test func anExcusedMemberWhoNeverComesIsExcusedWithTheReason() {
        var scene = Scene.started()
        scene.run(.excuse(member: member, reason: "在外地务工，夜班"), at: 10)
        scene.run(.end, at: 3600)
        let record = scene.record(member, asOf: 3600)
        #expect(record.status == .excused)
        #expect(record.excuse == "在外地务工，夜班")
        #expect(scene.record(Scene.fullMembers[1], asOf: 3600).status == .absent)
    }

    @Test func anExcusedMemberWhoJoinsAnywayIsPresentAndKeepsTheReason() {
        var scene = Scene.started()
        scene.run(.excuse(member: member, reason: "原以为要加班"), at: 10)
        scene.join([member], at: 100)
        let record = scene.record(member, asOf: 200)
        #expect(record.status == .present)
        #expect(record.excuse == "原以为要加班")
    }

    @Test func excusingNeedsAReason() {
        var scene = Scene.started()
        scene.refuse(.excuse(member: member, reason: " \n "), at: 10, .badRequest)
    }

    @Test func theSecretaryTicksMembersInTheRoom() {
        var scene = Scene.started()
        #expect(scene.run(.markOnSite(member: member, present: true), at: 60) == [.memberOnSite(.init(member: member, present: true))])
        scene.refuse(.markOnSite(member: member, present: true), at: 61, .conflict)
        scene.refuse(.markOnSite(member: member, present: true), by: .member(member), at: 61, .forbidden)
        var record = scene.record(member, asOf: 120)
        #expect(record.mode == .onsite)
        #expect(record.presentNow)
        #expect(record.secondsPresent == 60)
        // A phone joining while ticked does not start a second interval.
        scene.join([member], at: 200)
        scene.run(.markOnSite(member: member, present: false), at: 300)
        #expect(scene.record(member, asOf: 300).presentNow)
        scene.run(.leave(device: "D-\(member)"), by: .member(member), at: 400)
        record = scene.record(member, asOf: 500)
        #expect(record.secondsPresent == 340)
        #expect(scene.state.presence[member]?.intervals.count == 1)
    }

    @Test func theQuorumCountsOnlyFullMembersPresent() {
        var scene = Scene.started()
        scene.join([Scene.probationary, Scene.guest] + Array(Scene.fullMembers.prefix(3)), at: 10)
        #expect(scene.state.quorum == Quorum(expected: 13, present: 3, required: 7))
    }
}

extension Instant {
    func advanced(milliseconds: Int64) -> Instant {
        Instant(millisecondsSince1970: millisecondsSince1970 + milliseconds)
    }
}
