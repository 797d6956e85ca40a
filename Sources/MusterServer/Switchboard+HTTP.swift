import Foundation
import MusterCore
import MusterStore

extension Switchboard {
    /// Answers `/healthz` and the exports. Exports need the host's token as a
    /// bearer token: `Authorization: Bearer TOKEN`.
    func respond(to path: String, authorization: String?, utcOffsetSeconds: Int) -> HTTPResponse {
        if path == "/healthz" {
            return .json(ServerMessage.encode(Health(status: "ok", sessions: hubs.count, connections: connectionCount)))
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
    }
}
