import Foundation
import MusterCore

/// How a branch keeps 三会一课, for the offices above it: whether each kind of
/// session the rules ask for has been held this period (the branch committee
/// and the party group monthly, the branch assembly and the party lesson
/// quarterly), its attendance rate, and who missed the last three sessions.
/// Pure: the sessions and the time come in.
public struct BranchDashboard: Sendable, Hashable, Codable {
    /// One session of the branch, with its record once it ended.
    public struct Session: Sendable {
        public var kind: String
        public var startsAt: Instant
        /// Held: it ended (not cancelled).
        public var held: Bool
        /// Each expected member's line, for a held session.
        public var attendance: [AttendanceRecord]

        public init(kind: String, startsAt: Instant, held: Bool, attendance: [AttendanceRecord]) {
            self.kind = kind
            self.startsAt = startsAt
            self.held = held
            self.attendance = attendance
        }
    }

    /// Where a kind of session stands in the current period.
    public enum Standing: String, Sendable, Codable {
        /// Held this period.
        case done
        /// Not yet this period; it was held in the last one.
        case due
        /// Not held in the last period either.
        case overdue
    }

    public struct Cadence: Sendable, Hashable, Codable {
        public var kind: String
        /// `month` or `quarter`.
        public var period: String
        public var standing: Standing
        /// The last time one was held, if ever.
        public var lastHeld: Instant?
    }

    public struct MemberLine: Sendable, Hashable, Codable {
        public var member: MemberID
        public var name: String
        /// Held sessions they were on the roster of, and attended (present, late or left early).
        public var expected: Int
        public var attended: Int
        public var excused: Int
        /// Absent, unexcused, from each of the last three held sessions they were expected at.
        public var missedLastThree: Bool
    }

    public var cadence: [Cadence]
    /// Held sessions per month (`2026-11`), newest first, by kind.
    public var heldByMonth: [Month]
    /// Attendances over expected places, in every held session; nil before the first.
    public var attendanceRate: Double?
    public var members: [MemberLine]

    public struct Month: Sendable, Hashable, Codable {
        public var month: String
        public var byKind: [String: Int]
    }

    /// The kinds the rules ask for, and how often.
    public static let required: [(kind: String, months: Int)] = [
        ("committee", 1), ("group-meeting", 1), ("branch-meeting", 3), ("lesson", 3),
    ]

    /// - Parameters:
    ///   - members: the branch's current members (those who left are not chased).
    ///   - months: how many months `heldByMonth` goes back, this one included.
    public init(
        sessions: [Session], members: [(id: MemberID, name: String)], now: Instant, timeZone: TimeZone, months: Int = 6
    ) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let held = sessions.filter(\.held).sorted { $0.startsAt < $1.startsAt }
        let today = calendar.dateComponents([.year, .month], from: now.date)
        let monthIndex = { (instant: Instant) -> Int in
            let c = calendar.dateComponents([.year, .month], from: instant.date)
            return c.year! * 12 + c.month! - 1
        }
        let current = today.year! * 12 + today.month! - 1

        cadence = Self.required.map { rule in
            let ofKind = held.filter { $0.kind == rule.kind }
            let period = { (index: Int) in index / rule.months }
            let now = period(current)
            let standing: Standing =
                ofKind.contains { period(monthIndex($0.startsAt)) == now } ? .done
                : ofKind.contains { period(monthIndex($0.startsAt)) == now - 1 } ? .due : .overdue
            return Cadence(
                kind: rule.kind, period: rule.months == 1 ? "month" : "quarter", standing: standing,
                lastHeld: ofKind.last?.startsAt)
        }

        heldByMonth = (0..<months).map { back in
            let index = current - back
            var byKind: [String: Int] = [:]
            for session in held where monthIndex(session.startsAt) == index { byKind[session.kind, default: 0] += 1 }
            return Month(month: String(format: "%04d-%02d", index / 12, index % 12 + 1), byKind: byKind)
        }

        let attendedStatuses: Set<AttendanceRecord.Status> = [.present, .late, .leftEarly]
        let places = held.flatMap(\.attendance).filter { $0.memberStatus != .guest }
        attendanceRate = places.isEmpty ? nil : Double(places.filter { attendedStatuses.contains($0.status) }.count) / Double(places.count)

        self.members = members.map { member in
            let lines = held.compactMap { $0.attendance.first { $0.member == member.id } }
            let lastThree = lines.suffix(3)
            return MemberLine(
                member: member.id, name: member.name, expected: lines.count,
                attended: lines.filter { attendedStatuses.contains($0.status) }.count,
                excused: lines.filter { $0.status == .excused }.count,
                missedLastThree: lastThree.count == 3 && lastThree.allSatisfy { $0.status == .absent })
        }
    }
}

extension Instant {
    /// The same moment as Foundation's `Date`, for the calendar.
    var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }
}
