import Foundation
@testable import MusterDocuments
import Testing

@testable import MusterCore

/// 三会一课 as an office reads it, computed from sessions and a time.
@Suite struct BranchDashboardTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    /// 2026-11-20, 10:00 in Shanghai: November, in the fourth quarter.
    let now = Instant(iso8601: "2026-11-20T02:00:00Z")!
    let members: [(id: MemberID, name: String)] = [("M1", "王"), ("M2", "李"), ("M3", "张")]

    func line(_ member: MemberID, _ status: AttendanceRecord.Status, guest: Bool = false) -> AttendanceRecord {
        AttendanceRecord(
            member: member, name: member.rawValue, memberStatus: guest ? .guest : .full, status: status, late: false,
            mode: nil, presentNow: false, devices: 0, firstJoin: nil, lastLeave: nil, secondsPresent: 0,
            rollCallsAnswered: 0, rollCallsHeld: 0, excuse: nil, city: nil)
    }

    func held(_ kind: String, _ iso: String, _ lines: [AttendanceRecord] = []) -> BranchDashboard.Session {
        .init(kind: kind, startsAt: Instant(iso8601: iso)!, held: true, attendance: lines)
    }

    @Test func eachKindIsDoneDueOrOverdueForItsPeriod() throws {
        let sessions = [
            held("committee", "2026-11-03T11:00:00Z"),  // this month
            held("group-meeting", "2026-10-10T11:00:00Z"),  // last month only
            held("branch-meeting", "2026-08-15T11:00:00Z"),  // last quarter only
            // A lesson in this quarter that was called off is not held.
            .init(kind: "lesson", startsAt: Instant(iso8601: "2026-10-20T11:00:00Z")!, held: false, attendance: []),
        ]
        let board = BranchDashboard(sessions: sessions, members: members, now: now, timeZone: shanghai)
        let standing = Dictionary(uniqueKeysWithValues: board.cadence.map { ($0.kind, $0.standing) })
        #expect(standing == ["committee": .done, "group-meeting": .due, "branch-meeting": .due, "lesson": .overdue])
        #expect(board.cadence.first { $0.kind == "lesson" }?.lastHeld == nil)
        #expect(board.cadence.map(\.period) == ["month", "month", "quarter", "quarter"])
    }

    /// A session at 00:30 on 1 December in Shanghai is December's, though it is still November in UTC.
    @Test func monthsAreTheBranchsOwn() {
        let board = BranchDashboard(
            sessions: [held("committee", "2026-11-30T16:30:00Z")], members: members,
            now: Instant(iso8601: "2026-12-05T02:00:00Z")!, timeZone: shanghai)
        #expect(board.cadence.first?.standing == .done)
        #expect(board.heldByMonth.first == BranchDashboard.Month(month: "2026-12", byKind: ["committee": 1]))
        #expect(board.heldByMonth[1] == BranchDashboard.Month(month: "2026-11", byKind: [:]))
    }

    @Test func theRateCountsAttendancesOverPlacesAndLeavesGuestsOut() throws {
        let sessions = [
            held("committee", "2026-09-01T11:00:00Z", [line("M1", .present), line("M2", .absent), line("M3", .absent), line("G", .absent, guest: true)]),
            held("committee", "2026-10-01T11:00:00Z", [line("M1", .late), line("M2", .excused), line("M3", .absent)]),
            held("committee", "2026-11-01T11:00:00Z", [line("M1", .leftEarly), line("M2", .present), line("M3", .absent)]),
        ]
        let board = BranchDashboard(sessions: sessions, members: members, now: now, timeZone: shanghai)
        #expect(try #require(board.attendanceRate) == 4.0 / 9.0)
        let lines = Dictionary(uniqueKeysWithValues: board.members.map { ($0.name, $0) })
        #expect(lines["王"]?.attended == 3 && lines["王"]?.expected == 3)
        #expect(lines["李"]?.attended == 1 && lines["李"]?.excused == 1)
        #expect(board.members.filter(\.missedLastThree).map(\.name) == ["张"], "excused once is not missed")
    }

    @Test func aBranchThatHeldNothingHasNoRateAndIsOverdueEverywhere() {
        let board = BranchDashboard(sessions: [], members: members, now: now, timeZone: shanghai)
        #expect(board.attendanceRate == nil)
        #expect(board.cadence.allSatisfy { $0.standing == .overdue })
        #expect(board.members.allSatisfy { $0.expected == 0 && !$0.missedLastThree })
        #expect(board.heldByMonth.count == 6)
    }
}
