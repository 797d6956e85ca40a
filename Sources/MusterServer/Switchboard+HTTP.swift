import Foundation
import MusterCore
import MusterStore

extension Switchboard {
    /// Answers `/healthz` and the exports. Exports need the host's token as a
    /// bearer token: `Authorization: Bearer TOKEN`.
    func respond(to path: String, authorization: String?, utcOffsetSeconds: Int) -> HTTPResponse {
        if path == "/healthz" {
            let damaged = self.damaged.sorted { $0.key < $1.key }.map { Health.Damaged(session: $0.key, problem: $0.value) }
            return .json(
                ServerMessage.encode(
                    Health(
                        status: damaged.isEmpty ? "ok" : "degraded", sessions: hubs.count, connections: connectionCount,
                        damaged: damaged)))
        }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 3, parts[0] == "sessions" else { return .problem(404, "not found") }
        let session = SessionID(parts[1])
        guard let token = authorization.flatMap(Self.bearerToken), let member = try? store.member(token: token) else {
            return .problem(401, "send the secretary's link token as Authorization: Bearer TOKEN")
        }
        let state: SessionState
        var stored: [StoredEvent]?  // read while replaying a session that is not live
        do {
            if let hub = hubs[session] {
                state = hub.state
            } else {
                var events: [StoredEvent] = []
                state = try store.loadSession(session) { event, _ in events.append(event) }.machine.state
                stored = events
            }
        } catch StoreError.damaged(let id, let seq, let problem) {
            return .problem(500, "session \(id)'s record is damaged at event \(seq) (\(problem)); it cannot be exported until it is repaired")
        } catch {
            return .problem(404, "there is no session \(session)")
        }
        guard member.secretary, member.branchId == state.setup.branch else {
            return .problem(403, "only a secretary of this session's branch can export it")
        }
        guard let export = SessionExport(rawValue: parts[2]) else { return .problem(404, "not found") }
        do {
            let log = export.needsLog ? try stored ?? store.events(session) : []
            let body = try export.render(state, log: log, asOf: clock(), utcOffsetSeconds: utcOffsetSeconds)
            let download = export == .minutesHTML ? nil : "\(session)-\(export.rawValue)"
            return HTTPResponse(status: 200, contentType: export.contentType, body: body, filename: download)
        } catch {
            return .problem(500, "cannot read the session's record")
        }
    }

    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingWhitespace()
    }

    private struct Health: Encodable {
        var status: String
        var sessions: Int
        var connections: Int
        /// Sessions set aside because their log cannot be replayed.
        var damaged: [Damaged]

        struct Damaged: Encodable {
            var session: SessionID
            var problem: String
        }
    }
}
