import Foundation
import Metrics
import MusterCore
import MusterStore

/// The one thread that writes the event log.
///
/// Hubs hand it batches and never wait. It commits everything queued in one
/// transaction (group commit: one fsync for many commands), then tells the
/// service thread how far each session is durable. If the group fails
/// because one session's batch does not follow its log, the others are
/// committed without it; if the disk or the file fails (full, locked, an I/O
/// error), the whole group fails at once, with no retry that would hold
/// every other ack up. After a failure, batches the hub made before it heard
/// (an older generation) are dropped unwritten: they follow the lost ones, and
/// would only fail the new batches queued behind them.
final class StoreWriter: Sendable {
    private let database: MusterDatabase
    private let mailbox: Mailbox
    private let queue = Locked<(batches: [Submission], links: [(MemberID, Instant)], stopping: Bool)>(([], [], false))
    /// Per session, the newest generation that failed.
    private let failedGenerations = Locked<[SessionID: Int]>([:])

    /// A batch and the hub generation that made it: a failure reported for
    /// an older generation is one the hub has already rolled back.
    struct Submission: Sendable {
        var batch: EventBatch
        var generation: Int
    }
    private let signal = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(database: MusterDatabase, mailbox: Mailbox) {
        self.database = database
        self.mailbox = mailbox
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "muster-store-writer"
        thread.start()
    }

    func submit(_ batch: EventBatch, generation: Int) {
        queue.withLock { $0.batches.append(Submission(batch: batch, generation: generation)) }
        signal.signal()
    }

    /// A member's link was used for the first time: noted in the next commit, best effort
    /// (a note that fails waits for the commit after; one lost to a stop is noted at the next hello).
    func noteLinkOpened(_ member: MemberID, at time: Instant) {
        queue.withLock { $0.links.append((member, time)) }
        signal.signal()
    }

    /// Commits what is queued, then returns; nothing is accepted after.
    /// Safe to call again: later calls return at once.
    func stopAndFlush() {
        let first = queue.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        signal.signal()
        finished.wait()
    }

    private func run() {
        while true {
            signal.wait()
            if commitQueued() {
                finished.signal()
                return
            }
        }
    }

    /// Commits what is queued now; true once stopping. The thread's loop
    /// (tests call it directly, with no thread).
    @discardableResult
    func commitQueued() -> Bool {
        let (batches, links, stopping) = queue.withLock { state in
            defer {
                state.batches.removeAll()
                state.links.removeAll()
            }
            return (state.batches, state.links, state.stopping)
        }
        if !batches.isEmpty {
            commit(batches, linksOpened: links)
        } else if !links.isEmpty, (try? database.noteLinksOpened(links)) == nil {
            queue.withLock { $0.links.insert(contentsOf: links, at: 0) }
        }
        return stopping
    }

    /// Commits one group; `run()` calls it with whatever is queued (tests call it directly).
    func commit(_ queued: [Submission], linksOpened links: [(MemberID, Instant)] = []) {
        let failedBefore = failedGenerations.withLock { $0 }
        let submissions = queued.filter { submission in
            failedBefore[submission.batch.session].map { submission.generation > $0 } ?? true
        }
        // Notes that do not go in this commit wait for the next (they never hold one up alone).
        var notesWritten = false
        defer { if !notesWritten, !links.isEmpty { queue.withLock { $0.links.insert(contentsOf: links, at: 0) } } }
        guard !submissions.isEmpty else { return }
        do {
            let started = ContinuousClock.now
            try database.append(submissions.map(\.batch), linksOpened: links)
            notesWritten = true
            ServerMetrics.commitDuration.record(duration: ContinuousClock.now - started)
            ServerMetrics.eventsCommitted.increment(by: submissions.reduce(0) { $0 + $1.batch.occurrences.count })
            mailbox.post(.committed(Self.lastSeqs(submissions.map(\.batch))))
        } catch StoreError.sequenceGap {
            // One session's log is out of step: commit the others without it.
            var committed: [SessionID: Int] = [:]
            var failed: [SessionID: Int] = [:]
            var reason = ""
            for (session, group) in Dictionary(grouping: submissions, by: \.batch.session) {
                do {
                    try database.append(group.map(\.batch))
                    committed.merge(Self.lastSeqs(group.map(\.batch))) { max($0, $1) }
                } catch {
                    failed[session] = group.map(\.generation).max()
                    reason = "\(error)"
                }
            }
            if !committed.isEmpty { mailbox.post(.committed(committed)) }
            report(failed, reason)
        } catch {
            // The disk or the file: every session in the group failed alike.
            var failed: [SessionID: Int] = [:]
            for submission in submissions {
                failed[submission.batch.session] = max(failed[submission.batch.session] ?? 0, submission.generation)
            }
            report(failed, "\(error)")
        }
    }

    private func report(_ failed: [SessionID: Int], _ reason: String) {
        guard !failed.isEmpty else { return }
        ServerMetrics.commitFailures.increment()
        failedGenerations.withLock { $0.merge(failed) { max($0, $1) } }
        mailbox.post(.commitFailed(failed, reason))
    }

    private static func lastSeqs(_ batches: [EventBatch]) -> [SessionID: Int] {
        var last: [SessionID: Int] = [:]
        for batch in batches {
            last[batch.session] = max(last[batch.session] ?? 0, batch.firstSeq + batch.occurrences.count - 1)
        }
        return last
    }
}
