import Foundation
@testable import MusterCore
import PropertyBased
import Testing

/// Replaying the log must rebuild exactly the state that was built step by
/// step: that is how the server restarts and how exports are made.
@Suite struct ReplayPropertyTests {
    @Test func replayingTheEventsOfAnyCommandSequenceRebuildsTheState() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000).array(of: 0...120)) { script in
            var live = Scene(rules: script.first.map { $0 % 2 == 0 } == true ? .branchWork : .simpleMajority)
            var log: [Occurrence] = []
            var sealed: [VoteID: [String: Int]] = [:]
            var seconds = -900
            for step in script {
                seconds += step % 97
                let (command, caller) = Self.command(from: step, state: live.state)
                if step % 11 == 0 {
                    log += live.machine.tick(at: Scene.time(seconds))
                    continue
                }
                guard let outcome = try? live.machine.handle(command, by: caller, at: Scene.time(seconds)) else {
                    continue
                }
                log += outcome.occurrences
                if let ballot = outcome.sealedBallot { sealed[ballot.vote, default: [:]][ballot.choice, default: 0] += 1 }
            }

            // Through JSON, as the store keeps it.
            let stored = try JSONEncoder().encode(log)
            var replayed = SessionMachine(setup: live.state.setup)
            for occurrence in try JSONDecoder().decode([Occurrence].self, from: stored) {
                replayed.apply(occurrence)
            }
            // Everything replays but the running count of an open secret vote,
            // which is never stored (it would link choices to voters).
            var expected = live.state
            for index in expected.votes.indices where !expected.votes[index].isOver {
                #expect(expected.votes[index].sealedCounts == sealed[expected.votes[index].id] ?? [:])
                expected.votes[index].sealedCounts = [:]
            }
            #expect(replayed.state == expected)
            #expect(
                replayed.state.attendance(asOf: Scene.time(seconds)) == live.state.attendance(asOf: Scene.time(seconds)))
            // The quorum is kept as presence changes: it must equal a count of the roster.
            let voters = live.state.roster.filter(\.status.votes)
            let present = voters.filter { live.state.presence[$0.id]?.isPresent == true }.count
            #expect(live.state.quorum.expected == voters.count && live.state.quorum.present == present)
        }
    }

    /// The generator below reaches every kind of event, so the property above covers them all.
    @Test func theCommandGeneratorReachesEveryEventKind() {
        var generator = SplitMix(seed: 7)
        var scene = Scene()
        var kinds: Set<String> = []
        var seconds = -900
        for _ in 0..<20_000 {
            let step = Int(generator.next() % 1_000_001)
            seconds += step % 97
            let (command, caller) = Self.command(from: step, state: scene.state)
            if let outcome = try? scene.machine.handle(command, by: caller, at: Scene.time(seconds)) {
                kinds.formUnion(outcome.occurrences.map(\.event.kind))
            }
            if scene.state.phase == .ended || scene.state.phase == .cancelled { scene = Scene() }
        }
        // A void vote comes from a restart (`voidUncountableVotes`), not from a command.
        let reachable = Set(EventKind.allCases.map(\.rawValue)).subtracting([EventKind.voteVoided.rawValue])
        #expect(kinds == reachable, "missing: \(reachable.subtracting(kinds))")
    }

    /// Turns a random number into a plausible command from a plausible caller.
    static func command(from step: Int, state: SessionState) -> (Command, Caller) {
        let pick = step / 31
        let people = Scene.roster.map(\.id)
        let someone = people[pick % people.count]
        let member = Caller.member(someone)
        let device = DeviceID("D\(pick % 3)-\(someone)")
        let choices = state.openVote?.options ?? ["赞成"]
        let vote = VoteID("V\(max(1, state.votes.count))")
        switch step % 31 {
        case 0, 1: return (.open(roster: Scene.roster), Scene.host)
        case 2:
            if pick % 11 == 0 { return (.cancel(reason: "改期\(pick % 3)"), Scene.host) }
            if pick % 7 == 0 { return (.replan(Replan(title: "改\(pick % 5)", graceSeconds: pick % 600)), Scene.host) }
            return (.start, Scene.host)
        case 3: return (pick % 9 == 0 ? .end : .lock(pick % 2 == 0), Scene.host)
        case 4, 5, 6, 7: return (.join(device: device, mode: pick % 4 == 0 ? .onsite : .remote), member)
        case 8, 9, 10: return (.leave(device: device), member)
        case 12: return (.markOnSite(member: someone, present: pick % 2 == 0), Scene.host)
        case 13: return (.excuse(member: someone, reason: "事假\(pick % 5)"), Scene.host)
        case 14: return (.startRollCall(seconds: 10 + pick % 120), Scene.host)
        case 15, 16: return (.answerRollCall(), member)
        case 17: return (.closeRollCall, Scene.host)
        case 18: return (.setText(title: "文\(pick % 3)", lines: ["一", "二", "三"]), Scene.host)
        case 19: return (.advanceText(line: pick % 13), Scene.host)
        case 20: return (.openThread(title: "议题\(pick % 4)"), Scene.host)
        case 21, 23: return (.addPost(thread: ThreadID("T\(1 + pick % 3)"), body: "发言\(pick)", replyTo: pick % 3 == 0 ? PostID("P\(1 + pick % 5)") : nil), member)
        case 24: return (.hidePost(PostID("P\(1 + pick % 6)")), Scene.host)
        case 25: return (.openVote(question: "议案\(pick % 4)", options: nil, secret: pick % 2 == 0), Scene.host)
        case 26, 27, 28: return (.castVote(vote, choice: choices[pick % choices.count]), member)
        case 29: return (.closeVote(vote), Scene.host)
        default: return (.moveCity("城市\(pick % 7)"), member)
        }
    }
}


/// A tiny seeded generator for the coverage check.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
