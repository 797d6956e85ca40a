import ArgumentParser
import Foundation
import MusterCore
import MusterStore

/// Figures for the parts that need no network: the core, replay, the store.
/// (Fan-out over real sockets: bench/fanout.py.)
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the session core and the event store on this machine.",
        discussion: """
            Runs a synthetic meeting of --members members through the state machine, then stores
            and replays its log in a temporary database. Build with -c release for real figures.
            For fan-out over WebSockets see bench/fanout.py.
            """)

    @Option(help: "Members on the roster.")
    var members = 1000

    @Option(help: "Commands to run through the core (bounded: at most 2,000,000).")
    var commands = 200_000

    @Option(help: "Events per store transaction when appending.")
    var batch = 64

    func run() throws {
        let count = min(max(commands, 1000), 2_000_000)
        let start = Instant(secondsSince1970: 1_795_514_400)
        let roster = (0..<members).map { RosterEntry(id: MemberID("M\($0)"), name: "党员\($0)", secretary: $0 == 0) }
        let setup = SessionSetup(id: "SBENCH", branch: "B", title: "bench", scheduledStart: start, text: .partyOath)
        let host = Caller.host(roster[0].id)

        // 1. The core: joins, text advances, posts, a roll call and votes, as in a long meeting.
        var machine = SessionMachine(setup: setup)
        var log: [Occurrence] = []
        log.reserveCapacity(count + members * 2)
        let clock = ContinuousClock()
        let coreTime = try clock.measure {
            log += try machine.handle(.open(roster: roster), by: host, at: start).occurrences
            log += try machine.handle(.start, by: host, at: start).occurrences
            log += try machine.handle(.openThread(title: "讨论"), by: host, at: start).occurrences
            for step in 0..<count {
                let at = start.adding(seconds: 1 + step / 100)
                let member = roster[step % members]
                let command: (Command, Caller) =
                    switch step % 4 {
                    case 0: (.join(device: DeviceID("D\(step)"), mode: .remote), .member(member.id))
                    case 1: (.advanceText(line: step % 12), host)
                    case 2: (.addPost(thread: "T1", body: "发言 \(step)", replyTo: nil), .member(member.id))
                    default: (.leave(device: DeviceID("D\(step - 3)")), .member(roster[(step - 3) % members].id))
                    }
                log += try machine.handle(command.0, by: command.1, at: at).occurrences
            }
        }
        report("core: \(count) commands", count, coreTime)

        // 2. Replaying the log: how a restart rebuilds a session.
        var replayed = SessionMachine(setup: setup)
        let replayTime = clock.measure { for occurrence in log { replayed.apply(occurrence) } }
        report("replay: \(log.count) events", log.count, replayTime)
        guard replayed.state == machine.state else { throw CommandFailure("replay diverged: replaying the log did not give the state the commands made") }

        // 3. The store: group commits of `batch` events (WAL, synchronous=FULL), then a full reload.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try MusterDatabase.open(path: directory.appendingPathComponent("bench.sqlite").path, now: { start })
        let branch = try database.addBranch(name: "bench")
        let planned = try database.addSession(branch: branch.id.rawValue, title: "bench", startsAt: start, text: .partyOath)
        let stored = Array(log.prefix(50_000))
        let appendTime = try clock.measure {
            var seq = 1
            for chunk in stride(from: 0, to: stored.count, by: batch) {
                let events = Array(stored[chunk..<min(chunk + batch, stored.count)])
                try database.append([EventBatch(session: planned.id, firstSeq: seq, occurrences: events)])
                seq += events.count
            }
        }
        report("store: \(stored.count) events in commits of \(batch)", stored.count, appendTime)
        let loadTime = try clock.measure { _ = try database.loadSession(planned.id) }
        report("store: load and replay \(stored.count) events", stored.count, loadTime)
    }

    private func report(_ what: String, _ count: Int, _ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let rate = Double(count) / seconds
        print("\(what): \(String(format: "%.3f", seconds)) s, \(String(format: "%.0f", rate))/s")
    }
}
