import MusterCore

extension SessionHub {
    /// How often members and screens are sent counts while people keep
    /// arriving. Each counts frame goes to every member: at four a second,
    /// seating 10,000 sent more counts than welcomes. Hosts' lines still go
    /// every tick (there are few hosts, and the roster should move).
    static let membersCountsMilliseconds = 1000

    /// Once a tick: the counts the skipped events changed, one frame per
    /// audience serialized once, however many there were: for members and
    /// screens, others' arrivals, answers and ballots (at most once a
    /// second); for hosts, the lines.
    func sendCounts(at now: Instant) -> ServerActions {
        var out = sendCounts(to: .member, at: now)
        out.append(contentsOf: sendCounts(to: .host, at: now))
        return out
    }

    /// The counts owed to `role`; `now` nil: before an event, whatever the time.
    func sendCounts(to role: Caller.Role, at now: Instant?) -> ServerActions {
        var out = ServerActions()
        let frame: Frame
        if role == .host {
            guard !owed.hosts.isEmpty else { return out }
            let lines = owed.hosts.values.sorted { $0.member < $1.member }
            owed.hosts = [:]
            frame = ServerMessage.counts(seq: durableSeq, state: durable.state, attendance: lines)
        } else {
            guard owed.members else { return out }
            if let now, let last = membersCountedAt, last.milliseconds(to: now) < Self.membersCountsMilliseconds {
                return out
            }
            owed.members = false
            membersCountedAt = now ?? membersCountedAt
            frame = ServerMessage.counts(seq: durableSeq, state: durable.state)
        }
        for (connection, viewer) in audience.viewers where (viewer.role == .host) == (role == .host) {
            out.send(frame, to: connection)
        }
        return out
    }
}
