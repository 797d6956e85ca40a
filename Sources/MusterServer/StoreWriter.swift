import Foundation
import MusterCore
import MusterStore
import Synchronization

/// The one thread that writes the event log.
///
/// Hubs hand it batches and never wait. It commits everything queued in one
/// transaction (group commit: one fsync for many commands), then tells the
/// service thread how far each session is durable. If the group fails, it
/// retries each session alone, so one bad session does not sink the others.
final class StoreWriter: Sendable {
    private let database: MusterDatabase
    private let mailbox: Mailbox
    private let queue = Mutex<(batches: [Submission], stopping: Bool)>(([], false))

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

    /// Commits what is queued, then returns; nothing is accepted after.
    func stopAndFlush() {
        queue.withLock { $0.stopping = true }
        signal.signal()
        finished.wait()
    }

    private func run() {
        while true {
            signal.wait()
            let (batches, stopping) = queue.withLock { state in
                defer { state.batches.removeAll() }
                return (state.batches, state.stopping)
            }
            if !batches.isEmpty { commit(batches) }
            if stopping {
                finished.signal()
                return
            }
        }
    }

    private func commit(_ submissions: [Submission]) {
        do {
            try database.append(submissions.map(\.batch))
            mailbox.post(.committed(Self.lastSeqs(submissions.map(\.batch))))
        } catch {
            var committed: [SessionID: Int] = [:]
            var failed: [SessionID: Int] = [:]
            for (session, group) in Dictionary(grouping: submissions, by: \.batch.session) {
                do {
                    try database.append(group.map(\.batch))
                    committed.merge(Self.lastSeqs(group.map(\.batch))) { max($0, $1) }
                } catch {
                    failed[session] = group.map(\.generation).max()
                }
            }
            if !committed.isEmpty { mailbox.post(.committed(committed)) }
            if !failed.isEmpty { mailbox.post(.commitFailed(failed, "\(error)")) }
        }
    }

    private static func lastSeqs(_ batches: [EventBatch]) -> [SessionID: Int] {
        var last: [SessionID: Int] = [:]
        for batch in batches {
            last[batch.session] = max(last[batch.session] ?? 0, batch.firstSeq + batch.occurrences.count - 1)
        }
        return last
    }
}
