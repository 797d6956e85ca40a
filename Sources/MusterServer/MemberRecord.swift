import Foundation
import MusterCore
import MusterStore

/// A member's own record (`GET /api/me`): every session of their branch,
/// newest first, with their own attendance line in each one that has
/// opened, and whether they may read its minutes (they attended, it ended).
/// Only their own line: never anyone else's.
struct MemberRecord: Encodable {
    var member: MemberLine
    var branch: BranchLine
    var sessions: [Line]

    struct Line: Encodable {
        var session: SessionLine
        var attendance: AttendanceRecord?
        var minutes: Bool
    }

    static func of(_ member: Member, store: MusterDatabase, now: Instant) throws -> MemberRecord {
        let branch = try store.branch(member.branchId.rawValue)
        let summaries = Dictionary(
            try store.sessionSummaries(branch: branch.id).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let lines = try store.sessions(branch: branch.id.rawValue).reversed().map { setup -> Line in
            let summary = summaries[setup.id]
            guard summary?.openedAt != nil else { return Line(session: SessionLine(setup, summary), attendance: nil, minutes: false) }
            // The session as its record has it: a replay of its events (a branch holds a few a month).
            let state = try store.loadSession(setup.id).machine.state
            let own = state.attendance(asOf: state.endedAt ?? now).first { $0.member == member.id }
            return Line(
                session: SessionLine(setup, summary), attendance: own,
                minutes: state.endedAt != nil && own?.firstJoin != nil)
        }
        return MemberRecord(
            member: MemberLine(member),
            branch: BranchLine(id: branch.id.rawValue, name: branch.name, timeZone: branch.timeZone, rules: branch.rules.rawValue),
            sessions: lines)
    }
}
