import MusterCore
import Testing

@Suite struct VoteTests {
    /// 13 voters expected; `present` of them joined at 10 s.
    static func scene(present: Int, rules: VotingRules = .branchWork) -> Scene {
        var scene = Scene.started(rules: rules)
        scene.join(Array(Scene.voters.prefix(present)), at: 10)
        return scene
    }

    @Test func sevenOfThirteenPresentIsAQuorum() {
        var scene = Self.scene(present: 7)
        #expect(scene.state.quorum == Quorum(expected: 13, present: 7, required: 7))
        let events = scene.run(.openVote(question: "通过年度计划？", options: nil, secret: false), at: 20)
        #expect(
            events == [
                .voteOpened(
                    .init(
                        vote: "V1", question: "通过年度计划？", options: ["赞成", "反对", "弃权"], secret: false,
                        expected: 13, present: 7, threshold: 7))
            ])
    }

    @Test func sixOfThirteenPresentIsNoQuorum() {
        var scene = Self.scene(present: 6)
        #expect(!scene.state.quorum.met)
        scene.refuse(.openVote(question: "通过？", options: nil, secret: false), at: 20, .conflict)
        // Probationary members and guests do not make up the numbers.
        scene.join([Scene.probationary, Scene.guest], at: 21)
        scene.refuse(.openVote(question: "通过？", options: nil, secret: false), at: 22, .conflict)
    }

    @Test func aMotionNeedsSevenForOfThirteenExpectedNotAMajorityOfThosePresent() {
        // 9 present; 6 for, 3 against: a majority of those present, but not of the 13 expected.
        var scene = Self.scene(present: 9)
        scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 20)
        for (index, voter) in Scene.voters.prefix(9).enumerated() {
            scene.run(.castVote("V1", choice: index < 6 ? "赞成" : "反对"), by: .member(voter), at: 30 + index)
        }
        let closed = closedResult(scene.run(.closeVote("V1"), at: 60))
        #expect(closed?.tally == [.init(choice: "赞成", count: 6), .init(choice: "反对", count: 3), .init(choice: "弃权", count: 0)])
        #expect(closed?.threshold == 7)
        #expect(closed?.passed == false)
        #expect(closed?.expected == 13)
        #expect(closed?.present == 9)
        #expect(closed?.cast == 9)
    }

    @Test func sevenForOfThirteenPasses() {
        var scene = Self.scene(present: 8)
        scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 20)
        for (index, voter) in Scene.voters.prefix(8).enumerated() {
            scene.run(.castVote("V1", choice: index < 7 ? "赞成" : "弃权"), by: .member(voter), at: 30 + index)
        }
        let closed = closedResult(scene.run(.closeVote("V1"), at: 60))
        #expect(closed?.passed == true)
        #expect(closed?.threshold == 7)
    }

    @Test func simpleMajorityCountsVotesCastWithoutAbstentions() {
        // 9 present: 4 for, 3 against, 2 abstain. Passes by simple majority (4 > 3), not by branch-work rules.
        var scene = Self.scene(present: 9, rules: .simpleMajority)
        let opened = scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 20)
        guard case .voteOpened(let vote) = opened.first else { Issue.record("no vote.opened"); return }
        #expect(vote.threshold == nil)
        #expect(scene.state.quorum.required == 7)
        let choices = ["赞成", "赞成", "赞成", "赞成", "反对", "反对", "反对", "弃权", "弃权"]
        for (voter, choice) in zip(Scene.voters, choices) {
            scene.run(.castVote("V1", choice: choice), by: .member(voter), at: 30)
        }
        let closed = closedResult(scene.run(.closeVote("V1"), at: 60))
        #expect(closed?.threshold == 4)
        #expect(closed?.passed == true)
        #expect(closed?.cast == 9)
    }

    @Test func simpleMajorityStillNeedsTheQuorum() {
        var scene = Self.scene(present: 6, rules: .simpleMajority)
        scene.refuse(.openVote(question: "通过？", options: nil, secret: false), at: 20, .conflict)
    }

    @Test func aTieFailsUnderSimpleMajority() {
        var scene = Self.scene(present: 8, rules: .simpleMajority)
        scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 20)
        for (index, voter) in Scene.voters.prefix(8).enumerated() {
            scene.run(.castVote("V1", choice: index % 2 == 0 ? "赞成" : "反对"), by: .member(voter), at: 30)
        }
        let closed = closedResult(scene.run(.closeVote("V1"), at: 60))
        #expect(closed?.threshold == 5)
        #expect(closed?.passed == false)
    }

    @Test func aSecretVoteNeverRecordsAChoiceBesideAMember() throws {
        var scene = Self.scene(present: 8)
        scene.run(.openVote(question: "推选代表", options: ["张三", "李四"], secret: true), at: 20)
        var logged: [Event] = []
        var sealed: [SecretBallot] = []
        for (index, voter) in Scene.voters.prefix(8).enumerated() {
            let outcome = try scene.machine.handle(
                .castVote("V1", choice: index < 5 ? "张三" : "李四"), by: .member(voter), at: Scene.time(30))
            logged += outcome.occurrences.map(\.event)
            sealed += outcome.sealedBallot.map { [$0] } ?? []
        }
        #expect(logged.allSatisfy { if case .voteCast(let cast) = $0 { cast.choice == nil } else { false } })
        #expect(sealed.count == 8)
        #expect(scene.state.votes[0].choices.isEmpty)
        #expect(scene.state.votes[0].voters.count == 8)
        let closed = closedResult(scene.run(.closeVote("V1"), at: 60))
        #expect(closed?.tally == [.init(choice: "张三", count: 5), .init(choice: "李四", count: 3)])
        #expect(closed?.passed == false, "5 is not more than half of 13")
        #expect(scene.state.votes[0].sealedCounts.isEmpty, "running counts are dropped once the result is known")
    }

    @Test func onlyFullMembersPresentVoteAndOnlyOnce() {
        var scene = Self.scene(present: 8)
        scene.join([Scene.probationary, Scene.guest], at: 11)
        scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 20)
        scene.refuse(.castVote("V1", choice: "赞成"), by: .member(Scene.probationary), at: 21, .forbidden)
        scene.refuse(.castVote("V1", choice: "赞成"), by: .member(Scene.guest), at: 21, .forbidden)
        scene.refuse(.castVote("V1", choice: "赞成"), by: .member(Scene.voters[12]), at: 21, .forbidden)
        scene.run(.castVote("V1", choice: "赞成"), by: .member(Scene.voters[0]), at: 22)
        scene.refuse(.castVote("V1", choice: "反对"), by: .member(Scene.voters[0]), at: 23, .conflict)
        scene.refuse(.castVote("V1", choice: "也许"), by: .member(Scene.voters[1]), at: 23, .badRequest)
        scene.refuse(.castVote("V2", choice: "赞成"), by: .member(Scene.voters[1]), at: 23, .notFound)
    }

    @Test func votesAreOneAtATimeAndNeedSensibleChoices() {
        var scene = Self.scene(present: 8)
        scene.refuse(.openVote(question: "通过？", options: nil, secret: false), by: .member(Scene.voters[1]), at: 20, .forbidden)
        scene.refuse(.openVote(question: "  ", options: nil, secret: false), at: 20, .badRequest)
        scene.refuse(.openVote(question: "通过？", options: ["只有一个"], secret: false), at: 20, .badRequest)
        scene.refuse(.openVote(question: "通过？", options: ["同", "同"], secret: false), at: 20, .badRequest)
        scene.run(.openVote(question: "通过？", options: nil, secret: false), at: 21)
        scene.refuse(.openVote(question: "再来", options: nil, secret: false), at: 22, .conflict)
        scene.run(.closeVote("V1"), at: 23)
        scene.refuse(.closeVote("V1"), at: 24, .conflict)
        scene.refuse(.castVote("V1", choice: "赞成"), by: .member(Scene.voters[0]), at: 24, .conflict)
        scene.run(.openVote(question: "再来", options: nil, secret: true), at: 25)
        #expect(scene.state.openVote?.id == "V2")
    }

    @Test func votesNeedAStartedSession() {
        var scene = Scene()
        scene.run(.open(roster: Scene.roster), at: 0)
        scene.join(Scene.voters, at: 1)
        scene.refuse(.openVote(question: "通过？", options: nil, secret: false), at: 2, .conflict)
    }

    private func closedResult(_ events: [Event]) -> Event.VoteClosed? {
        guard case .voteClosed(let closed) = events.first else {
            Issue.record("expected vote.closed, got \(events)")
            return nil
        }
        return closed
    }
}

/// A township's lesson for every branch under it: roll calls and the text, no votes.
@Suite struct LessonTests {
    static func lesson() -> Scene {
        var scene = Scene()
        scene.machine = SessionMachine(
            setup: SessionSetup(
                id: "S2", branch: "B1", title: "空中课堂", kind: "lesson", scheduledStart: Scene.scheduled,
                text: .partyOath, organisation: "O1"))
        let roster = Scene.roster.enumerated().map { index, entry in
            var entry = entry
            entry.branch = index % 2 == 0 ? "B1" : "B2"
            return entry
        }
        scene.run(.open(roster: roster), at: -600)
        scene.run(.start, at: 0)
        scene.join(Scene.voters, at: 10)
        return scene
    }

    @Test func aLessonHoldsNoVoteEvenWithEveryoneThere() {
        var scene = Self.lesson()
        #expect(scene.state.quorum.met)
        scene.refuse(.openVote(question: "通过？", options: nil, secret: false), at: 20, .conflict)
    }

    @Test func aLessonsRosterKeepsEachMembersBranchAndItsRollCallsAndTextWork() {
        var scene = Self.lesson()
        #expect(Set(scene.state.roster.map(\.branch)) == ["B1", "B2"])
        scene.run(.advanceText(line: 1), at: 30)
        #expect(scene.state.text?.current == 1)
        scene.run(.startRollCall(seconds: 60), at: 40)
        #expect(scene.state.openRollCall != nil)
    }
}
