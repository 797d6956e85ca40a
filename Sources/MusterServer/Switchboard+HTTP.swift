import Foundation
import MusterCore
import MusterDocuments
import MusterStore

extension Switchboard {
    /// What to do with an HTTP request.
    enum HTTPDecision {
        /// Answer now.
        case respond(HTTPResponse)
        /// Render off the service thread; the answer comes through the mailbox.
        case render(ExportService.Job)
        /// A secretary's office request, done off the service thread (`BranchDesk`).
        case office(BranchDesk.Job)
    }

    /// What an HTTP request brought: its method, address and, for a POST, its body.
    struct HTTPRequest {
        var number: Int
        var method = "GET"
        var path: String
        var authorization: String?
        var body: [UInt8] = []
        /// `?lang=en`: the attendance sheet in English.
        var language: DocumentLanguage = .zh
        /// `?preview=1`: a roster file checked and shown, not imported.
        var preview = false
    }

    /// `/api/…`: a secretary of a branch, by their link's token as a bearer token, and
    /// nobody else (but `/api/me`, any member's own record); everything is scoped to their own branch.
    func office(_ request: HTTPRequest) -> HTTPDecision {
        let path = request.path.split(separator: "/").dropFirst().map(String.init)
        guard let member = bearer(request.authorization) else {
            // An office holder's link: everything below their organisation, read-only.
            if let token = request.authorization.flatMap(Self.bearerToken), let holder = try? store.officeHolder(token: token) {
                return .office(
                    BranchDesk.Job(
                        request: request.number, method: request.method, path: path, body: request.body, preview: false,
                        caller: .officeHolder(holder), now: clock(), language: request.language))
            }
            return .respond(.problem(401, "send a secretary's link token as Authorization: Bearer TOKEN"))
        }
        // Every member may read their own record; the rest is the secretary's.
        guard member.secretary || request.path == "/api/me" else {
            return .respond(.problem(403, "only the branch's secretary can do this"))
        }
        return .office(
            BranchDesk.Job(
                request: request.number, method: request.method, path: path, body: request.body,
                preview: request.preview, caller: .member(member), now: clock(), language: request.language))
    }

    /// Answers `/healthz`, and authorizes an export before any work: the
    /// host's token as a bearer token (`Authorization: Bearer TOKEN`), a
    /// secretary of the session's branch, checked with two indexed reads.
    func respond(_ request: HTTPRequest) -> HTTPDecision {
        if request.path.hasPrefix("/api/") { return office(request) }
        guard request.method == "GET" else { return .respond(.problem(405, "only /api/ takes a POST")) }
        return respond(to: request.path, authorization: request.authorization, request: request.number, language: request.language)
    }

    /// `language`: the attendance sheet's (`?lang=en`, else Chinese).
    func respond(to path: String, authorization: String?, request: Int, language: DocumentLanguage) -> HTTPDecision {
        if path == "/healthz" { return .respond(.json(ServerMessage.encode(health()))) }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 3, parts[0] == "sessions", let export = SessionExport(rawValue: parts[2]) else {
            return .respond(.problem(404, "not found"))
        }
        let session = SessionID(parts[1])
        guard let member = bearer(authorization) else {
            return .respond(.problem(401, "send the secretary's link token as Authorization: Bearer TOKEN"))
        }
        guard let branch = try? store.sessionBranch(session) else {
            return .respond(.problem(404, "there is no session \(session)"))
        }
        // A secretary of the branch takes any export; a member of it, the minutes of a session they
        // attended (checked against the record when it is rendered). In a lesson for many branches,
        // each branch's secretary takes their own branch's attendance sheet.
        let setup = hubs[session]?.state.setup ?? (try? store.sessionSetup(session))
        let lesson = setup?.organisation != nil
        let admitted = member.branchId == branch || (setup.flatMap { try? admits(session, $0, branch: member.branchId) } ?? false)
        guard admitted, member.secretary || export == .minutesHTML else {
            return .respond(.problem(403, "only a secretary of this session's branch can export it"))
        }
        let sheet = export == .attendanceCSV || export == .attendanceXLSX
        if lesson, member.secretary, member.branchId != branch, !sheet {
            return .respond(.problem(403, "a lesson's other branches take their own attendance sheet; the rest is the host branch's"))
        }
        if let problem = damaged[session] { return .respond(.problem(500, problem)) }
        return .render(
            ExportService.Job(
                request: request, session: session, export: export, state: hubs[session]?.state, asOf: clock(),
                language: language, reader: member.secretary ? nil : member.id, branch: lesson && sheet ? member.branchId : nil))
    }

    /// The member whose current link's token came as `Authorization: Bearer TOKEN`, if any.
    private func bearer(_ authorization: String?) -> Member? {
        guard let token = authorization.flatMap(Self.bearerToken) else { return nil }
        return try? store.member(token: token)
    }

    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingWhitespace()
    }

    /// Whether the server can do its job: every session readable, the data file taking commits, the writer keeping up.
    private func health() -> Health {
        let damaged = self.damaged.sorted { $0.key < $1.key }.map { Health.Damaged(session: $0.key, problem: $0.value) }
        let pending = hubs.values.map(\.pendingEvents)
        let oldest = pending.compactMap(\.oldest).min()
        let store = Health.Store(
            writable: commitFailure == nil, lastFailure: commitFailure, pendingEvents: pending.reduce(0) { $0 + $1.count },
            behindMilliseconds: oldest.map { max(0, Int($0.milliseconds(to: clock()))) } ?? 0)
        return Health(
            status: damaged.isEmpty && store.writable ? "ok" : "degraded", sessions: hubs.count,
            connections: connectionCount, damaged: damaged, store: store)
    }

    private struct Health: Encodable {
        var status: String
        var sessions: Int
        var connections: Int
        /// Sessions set aside because their log cannot be replayed.
        var damaged: [Damaged]
        var store: Store

        /// The data file: whether the last commit went through (and why not), and how
        /// far the writer is behind: events accepted and not yet committed, and the oldest's age.
        struct Store: Encodable {
            var writable: Bool
            var lastFailure: String?
            var pendingEvents: Int
            var behindMilliseconds: Int
        }

        struct Damaged: Encodable {
            var session: SessionID
            var problem: String
        }
    }
}
