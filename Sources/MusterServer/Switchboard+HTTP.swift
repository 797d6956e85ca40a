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
        do {
            state = try hubs[session]?.state ?? store.loadSession(session).machine.state
        } catch {
            return .problem(404, "there is no session \(session)")
        }
        guard member.secretary, member.branchId == state.setup.branch else {
            return .problem(403, "only a secretary of this session's branch can export it")
        }
        let now = clock()
        switch parts[2] {
        case "attendance.csv":
            let csv = AttendanceExport.csv(state.attendance(asOf: now), utcOffsetSeconds: utcOffsetSeconds)
            return HTTPResponse(
                status: 200, contentType: "text/csv; charset=utf-8", body: Array(csv.utf8),
                filename: "attendance-\(session).csv")
        case "attendance.json":
            guard let log = try? eventLog(session) else { return .problem(500, "cannot read the log") }
            return .json(
                ServerMessage.encode(
                    AttendanceDocument(
                        session: state.snapshot(for: .host, asOf: now).session, quorum: state.quorum,
                        attendance: state.attendance(asOf: now), log: log)))
        case "log.json":
            guard let log = try? eventLog(session) else { return .problem(500, "cannot read the log") }
            return .json(ServerMessage.encode(log))
        default:
            return .problem(404, "not found")
        }
    }

    private func eventLog(_ session: SessionID) throws -> [LoggedEvent] {
        try store.events(session).map { LoggedEvent(seq: $0.seq, at: $0.occurrence.at, event: $0.occurrence.event) }
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

    private struct LoggedEvent: Encodable {
        var seq: Int
        var at: Instant
        var event: Event
    }

    private struct AttendanceDocument: Encodable {
        var session: SessionSnapshot.Info
        var quorum: Quorum
        var attendance: [AttendanceRecord]
        var log: [LoggedEvent]
    }
}
