import Dispatch
import MusterCore
import MusterDocuments
import MusterStore

/// Renders exports off the service thread: replaying a long session for its
/// minutes must not hold up a meeting's frames. The answer comes back
/// through the mailbox.
final class ExportService: Sendable {
    private let store: MusterDatabase
    private let mailbox: Mailbox
    private let queue = DispatchQueue(label: "muster-exports")

    /// What to render: a live session's state as it stands, or a session to read from the store.
    struct Job: Sendable {
        var request: Int
        var session: SessionID
        var export: SessionExport
        /// A live session's durable state; nil to load the session from the store.
        var state: SessionState?
        var asOf: Instant
        /// The attendance sheet's language; times are in the branch's zone.
        var language: DocumentLanguage
        /// A member (not a secretary) asking for the minutes: only of a session they attended.
        var reader: MemberID? = nil
        /// In a lesson for many branches, the branch whose sheet this is.
        var branch: BranchID? = nil
    }

    init(store: MusterDatabase, mailbox: Mailbox) {
        self.store = store
        self.mailbox = mailbox
    }

    func render(_ job: Job) {
        queue.async { [store, mailbox] in
            mailbox.post(.httpReady(job.request, Self.response(job, store: store)))
        }
    }

    static func response(_ job: Job, store: MusterDatabase) -> HTTPResponse {
        do {
            var stored: [StoredEvent]?
            let state: SessionState
            if let live = job.state {
                state = live
            } else {
                var events: [StoredEvent] = []
                state = try store.loadSession(job.session) { event, _ in events.append(event) }.machine.state
                stored = events
            }
            if let reader = job.reader {
                let attended = state.attendance(asOf: job.asOf).contains { $0.member == reader && $0.firstJoin != nil }
                guard job.export == .minutesHTML, state.endedAt != nil, attended else {
                    return .problem(403, "a member can read the minutes of an ended session they attended")
                }
            }
            let log = job.export.needsLog ? try stored ?? store.events(job.session) : []
            let zone = try store.timeZone(ofBranch: state.setup.branch)
            let body = try job.export.render(
                state, log: log, asOf: job.asOf, timeZone: zone, language: job.language, reader: job.reader, branch: job.branch)
            let download = job.export == .minutesHTML ? nil : "\(job.session)-\(job.export.rawValue)"
            return HTTPResponse(status: 200, contentType: job.export.contentType, body: body, filename: download)
        } catch let error as StoreError {
            if case .damaged = error { return .problem(500, "\(error)") }
            return .problem(500, "cannot read the session's record")
        } catch {
            return .problem(500, "cannot read the session's record")
        }
    }
}
