/// One line of the attendance roll: derived from events, never typed in.
public struct AttendanceRecord: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Joined on time and stayed (or is still here).
        case present
        /// First joined after the start plus the grace period.
        case late
        /// Gone before the end and not back.
        case leftEarly = "left_early"
        /// Did not come, with a reason the secretary recorded.
        case excused
        /// Did not come.
        case absent
    }

    public var member: MemberID
    public var name: String
    public var memberStatus: MemberStatus
    public var status: Status
    /// Also true for a late member who then left early (status `left_early`).
    public var late: Bool
    public var mode: AttendanceMode?
    public var presentNow: Bool
    /// Devices connected right now (a member may use up to a few at once).
    public var devices: Int
    public var firstJoin: Instant?
    public var lastLeave: Instant?
    /// Time present between the start and the end (or `asOf`), every device merged.
    public var secondsPresent: Int
    public var rollCallsAnswered: Int
    public var rollCallsHeld: Int
    public var excuse: String?
    public var city: String?
}

extension AttendanceRecord {
    private enum CodingKeys: String, CodingKey {
        case member, name, memberStatus, status, late, mode, presentNow, devices, firstJoin, lastLeave
        case secondsPresent, rollCallsAnswered, rollCallsHeld, excuse, city
    }

    /// Written field by field as strings, numbers and booleans: an encoder's
    /// generic path for identifiers, times and enums cost more than all the
    /// rest, and every arrival's line is encoded for the hosts and the
    /// member's welcome. Same keys and values as the synthesized form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(member.rawValue, forKey: .member)
        try container.encode(name, forKey: .name)
        try container.encode(memberStatus.rawValue, forKey: .memberStatus)
        try container.encode(status.rawValue, forKey: .status)
        try container.encode(late, forKey: .late)
        try container.encodeIfPresent(mode?.rawValue, forKey: .mode)
        try container.encode(presentNow, forKey: .presentNow)
        try container.encode(devices, forKey: .devices)
        try container.encodeIfPresent(firstJoin?.iso8601, forKey: .firstJoin)
        try container.encodeIfPresent(lastLeave?.iso8601, forKey: .lastLeave)
        try container.encode(secondsPresent, forKey: .secondsPresent)
        try container.encode(rollCallsAnswered, forKey: .rollCallsAnswered)
        try container.encode(rollCallsHeld, forKey: .rollCallsHeld)
        try container.encodeIfPresent(excuse, forKey: .excuse)
        try container.encodeIfPresent(city, forKey: .city)
    }
}

extension AttendanceRecord {
    /// This line as a member may see it: the excuse reason only when it is their own.
    public func shown(to viewer: MemberID?) -> AttendanceRecord {
        guard excuse != nil, member != viewer else { return self }
        var line = self
        line.excuse = nil
        return line
    }
}

extension SessionState {
    /// When a first join turns late: the later of the scheduled and the actual
    /// start, plus the grace. A secretary who starts late makes nobody late.
    public var lateAfter: Instant? {
        guard let startedAt else { return nil }
        return max(startedAt, setup.scheduledStart).adding(seconds: setup.graceSeconds)
    }

    /// The roll, in roster order, as it stands at `asOf`.
    public func attendance(asOf: Instant) -> [AttendanceRecord] {
        roster.map { attendance(of: $0, asOf: asOf) }
    }

    /// The roll of one branch's members, in a lesson for many branches (each branch files its own).
    public func attendance(of branch: BranchID, asOf: Instant) -> [AttendanceRecord] {
        roster.filter { $0.branch == branch }.map { attendance(of: $0, asOf: asOf) }
    }

    public func attendance(of entry: RosterEntry, asOf: Instant) -> AttendanceRecord {
        let presence = self.presence[entry.id] ?? Presence()
        let late = presence.firstJoin.map { first in lateAfter.map { first > $0 } ?? false } ?? false
        let leftEarly =
            presence.firstJoin != nil && !presence.isPresent && !presence.presentAtEnd
            && (phase == .started || phase == .ended)
        let status: AttendanceRecord.Status =
            if presence.firstJoin == nil { presence.excuse == nil ? .absent : .excused }
            else if leftEarly { .leftEarly }
            else if late { .late }
            else { .present }
        let closedRollCalls = rollCalls.filter { $0.closedAt != nil }
        return AttendanceRecord(
            member: entry.id, name: entry.name, memberStatus: entry.status, status: status, late: late,
            mode: presence.mode, presentNow: presence.isPresent, devices: presence.devices.count, firstJoin: presence.firstJoin,
            lastLeave: presence.isPresent ? nil : presence.lastLeave,
            secondsPresent: secondsPresent(presence, asOf: asOf),
            rollCallsAnswered: closedRollCalls.filter { $0.answered.contains(entry.id) }.count,
            rollCallsHeld: closedRollCalls.count, excuse: presence.excuse, city: presence.city ?? entry.city)
    }

    /// Presence clipped to the meeting itself: lobby time before the start does not count.
    private func secondsPresent(_ presence: Presence, asOf: Instant) -> Int {
        guard let startedAt else { return 0 }
        let until = endedAt ?? max(asOf, lastEventAt ?? asOf)
        var intervals = presence.intervals
        if let since = presence.presentSince { intervals.append(.init(from: since, to: until)) }
        let milliseconds = intervals.reduce(Int64(0)) { total, interval in
            let from = max(interval.from, startedAt)
            let to = min(interval.to, until)
            return total + max(0, from.milliseconds(to: to))
        }
        return Int(milliseconds / 1000)
    }
}
