import MusterCore
import Testing

/// The product's scene: a village branch whose secretary and twelve full
/// members make 13 voters, plus a probationary member and a guest.
/// Times are seconds after the scheduled start, 2026-11-24 10:00 UTC.
struct Scene {
    static let scheduled = Instant(iso8601: "2026-11-24T10:00:00Z")!
    static let secretary = MemberID("M00")
    static let fullMembers = (1...12).map { MemberID(String(format: "M%02d", $0)) }
    static let probationary = MemberID("P01")
    static let guest = MemberID("G01")
    static let voters = [secretary] + fullMembers

    static let roster: [RosterEntry] =
        [RosterEntry(id: secretary, name: "王书记", secretary: true)]
        + fullMembers.enumerated().map { RosterEntry(id: $1, name: "党员\($0 + 1)", city: "杭州") }
        + [
            RosterEntry(id: probationary, name: "预备党员", status: .probationary),
            RosterEntry(id: guest, name: "列席", status: .guest),
        ]

    static func time(_ seconds: Int) -> Instant { scheduled.adding(seconds: seconds) }

    static let host = Caller.host(secretary)
    static func member(_ id: MemberID) -> Caller { .member(id) }

    var machine: SessionMachine

    init(rules: VotingRules = .branchWork, graceSeconds: Int = 300, text: SharedText? = .partyOath) {
        machine = SessionMachine(
            setup: SessionSetup(
                id: "S1", branch: "B1", title: "十一月主题党日", scheduledStart: Scene.scheduled,
                graceSeconds: graceSeconds, rules: rules, text: text))
    }

    var state: SessionState { machine.state }

    /// Runs a command that must succeed and returns its events.
    @discardableResult
    mutating func run(_ command: Command, by caller: Caller = Scene.host, at seconds: Int) -> [Event] {
        do {
            return try machine.handle(command, by: caller, at: Scene.time(seconds)).occurrences.map(\.event)
        } catch {
            Issue.record("\(command.name) refused: \(error)")
            return []
        }
    }

    /// Runs a command that must be refused with `code`, and checks that nothing changed.
    mutating func refuse(
        _ command: Command, by caller: Caller = Scene.host, at seconds: Int, _ code: CommandError.Code,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let before = machine.state
        do {
            let outcome = try machine.handle(command, by: caller, at: Scene.time(seconds))
            Issue.record("\(command.name) was accepted: \(outcome.occurrences)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
        }
        #expect(machine.state == before, "a refused command changed the state", sourceLocation: sourceLocation)
    }

    /// Opened at -600 s and started at 0.
    static func started(rules: VotingRules = .branchWork) -> Scene {
        var scene = Scene(rules: rules)
        scene.run(.open(roster: roster), at: -600)
        scene.run(.start, at: 0)
        return scene
    }

    /// Joins `members` each on their own device `D-<id>`.
    mutating func join(_ members: [MemberID], at seconds: Int, mode: AttendanceMode = .remote) {
        for member in members { run(.join(device: DeviceID("D-\(member)"), mode: mode), by: .member(member), at: seconds) }
    }

    func record(_ member: MemberID, asOf seconds: Int) -> AttendanceRecord {
        state.attendance(asOf: Scene.time(seconds)).first { $0.member == member }!
    }
}
