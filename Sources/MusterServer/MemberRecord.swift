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
        let lines = try SessionLine.sessions(of: branch.id, in: store).map { setup, summary -> Line in
            guard summary?.openedAt != nil else { return Line(session: SessionLine(setup, summary), attendance: nil, minutes: false) }
            // The session as its record has it: a replay of its events (a branch holds a few a month).
            let state = try store.loadSession(setup.id).machine.state
            let own = state.attendance(asOf: state.endedAt ?? now).first { $0.member == member.id }
            return Line(
                session: SessionLine(setup, summary), attendance: own,
                minutes: state.endedAt != nil && own?.firstJoin != nil)
        }
        return MemberRecord(member: MemberLine(member), branch: BranchLine(branch), sessions: lines)
    }
}
