import MusterCore

/// Who a frame is for: hosts see the whole record, a member (or a big
/// screen, `member` "screen") what a member's page shows.
struct Viewer: Hashable {
    var member: MemberID
    var role: Caller.Role
}

/// One durable event, serialized once per audience that sees it differently.
///
/// Hosts get every event whole, with every attendance line it changed,
/// except arrivals and departures (`member.*`): a storm of thousands would
/// swamp a secretary's phone, so their changed lines come batched in a
/// `counts` frame a tick. Members get what a member's page shows, so that
/// seating N members costs O(N) frames, not O(N²):
/// - others' joins, leaves, answers and ballots are not sent one by one: a
///   `counts` frame carries the counts at most once a second (`sendCounts`);
/// - events that change everyone's attendance carry only the viewer's own line;
/// - a hidden post's body is for hosts only, also when a member resumes
///   after it was hidden (`hidingBody()` swaps the members' frame).
struct EventFrames {
    /// The event whole, with every attendance line it changed.
    let full: Frame
    /// The attendance lines this event changed.
    let attendance: [AttendanceRecord]?
    private var members: Members
    /// Kept to build members' frames.
    private let seq: Int
    private let occurrence: Occurrence
    private let quorum: Quorum

    private enum Members {
        /// The hosts' frame.
        case full
        /// One frame for every member.
        case shared(Frame)
        /// Only the member concerned is sent it (the hosts' frame); the others get counts.
        case counted(concerning: MemberID)
        /// Each member with their own attendance line.
        case personal(event: WireEvent, lines: [MemberID: AttendanceRecord], session: SessionSnapshot.Info?)
    }

    init(seq: Int, _ occurrence: Occurrence, after state: SessionState) {
        self.seq = seq
        self.occurrence = occurrence
        quorum = state.quorum
        let lines = Self.changedAttendance(occurrence, state: state)
        attendance = lines
        let session = Self.changesSession(occurrence.event) ? state.info : nil
        let names = Self.names(occurrence.event, state: state)
        full = ServerMessage.event(
            seq: seq, at: occurrence.at, event: .whole(occurrence.event), quorum: quorum, attendance: lines,
            session: session, names: names)
        let everyone = { Dictionary(uniqueKeysWithValues: (lines ?? []).map { ($0.member, $0) }) }
        switch occurrence.event {
        case .sessionOpened: members = .personal(event: .openedWithoutRoster, lines: everyone(), session: session)
        case .sessionStarted, .sessionEnded: members = .personal(event: .whole(occurrence.event), lines: everyone(), session: session)
        case .rollCallClosed(let closed): members = .personal(event: .rollCallClosed(closed), lines: everyone(), session: nil)
        default: members = Self.concerning(occurrence.event).map { .counted(concerning: $0) } ?? .full
        }
    }

    /// The frame for `viewer`, or nil when they get this event only as a count.
    func frame(for viewer: Viewer) -> Frame? {
        if viewer.role == .host { return forHosts }
        switch members {
        case .full, .shared: return forEveryMember
        case .counted(let concerning): return viewer.member == concerning ? full : nil
        case .personal(let event, let lines, let session):
            return ServerMessage.event(
                seq: seq, at: occurrence.at, event: event.shown(to: viewer.member), quorum: quorum,
                attendance: lines[viewer.member].map { [$0] } ?? [], session: session)
        }
    }

    /// The hosts' frame, or nil when hosts get this event as a count.
    var forHosts: Frame? { Self.isCounted(event, for: .host) ? nil : full }

    /// The frame every member gets alike; nil when each gets their own or
    /// only the member concerned gets one. A broadcast asks once, not once a
    /// member (`frame(for:)` copies what it switches over: 180 of a frame's
    /// 2,559 user-space instructions at 1,000 members, callgrind).
    var forEveryMember: Frame? {
        switch members {
        case .full: full
        case .shared(let frame): frame
        case .counted, .personal: nil
        }
    }

    /// Whether `role` gets `event` only as a count (members: unless it is
    /// about them). Hosts get answers and ballots one by one.
    static func isCounted(_ event: Event, for role: Caller.Role) -> Bool {
        switch event {
        case .rollCallAnswered, .voteCast: role != .host
        default: concerning(event) != nil
        }
    }

    /// The member a counted event is about.
    var concerning: MemberID? { Self.concerning(occurrence.event) }

    /// The member an arrival, departure, answer or ballot is about; nil for
    /// every other event: members get exactly these as counts.
    private static func concerning(_ event: Event) -> MemberID? {
        switch event {
        case .memberJoined(let e): e.member
        case .memberLeft(let e): e.member
        case .memberOnSite(let e): e.member
        case .memberExcused(let e): e.member
        case .memberMoved(let e): e.member
        case .rollCallAnswered(let e): e.member
        case .voteCast(let e): e.member
        default: nil
        }
    }

    var event: Event { occurrence.event }

    /// The post this event added, if any.
    var addedPost: PostID? {
        if case .postAdded(let added) = occurrence.event { return added.post }
        return nil
    }

    /// From now on members resuming over this `post.added` get it without its body.
    mutating func hidingBody() {
        guard case .postAdded(let added) = occurrence.event else { return }
        members = .shared(
            ServerMessage.event(seq: seq, at: occurrence.at, event: .postWithoutBody(added), quorum: quorum, attendance: nil))
    }

    /// Whether an event changes the session's own fields (phase, times, lock).
    static func changesSession(_ event: Event) -> Bool {
        switch event {
        case .sessionOpened, .sessionStarted, .sessionEnded, .sessionLocked, .sessionCancelled, .sessionReplanned: true
        default: false
        }
    }

    /// The name of who opened a thread or posted, for members, who have no roster.
    static func names(_ event: Event, state: SessionState) -> [MemberID: String]? {
        let by: MemberID
        switch event {
        case .threadOpened(let e): by = e.by
        case .postAdded(let e): by = e.by
        default: return nil
        }
        return state.entry(by).map { [by: $0.name] }
    }

    /// The attendance lines an event changed: one member's, or everyone's.
    static func changedAttendance(_ occurrence: Occurrence, state: SessionState) -> [AttendanceRecord]? {
        let member: MemberID
        switch occurrence.event {
        case .memberJoined(let e): member = e.member
        case .memberLeft(let e): member = e.member
        case .memberOnSite(let e): member = e.member
        case .memberExcused(let e): member = e.member
        case .memberMoved(let e): member = e.member
        case .sessionOpened, .sessionStarted, .sessionEnded, .rollCallClosed:
            return state.attendance(asOf: occurrence.at)
        case .sessionLocked, .sessionCancelled, .sessionReplanned, .rollCallStarted, .rollCallAnswered, .textSet, .textAdvanced, .threadOpened,
            .postAdded, .postHidden, .voteOpened, .voteCast, .voteClosed, .voteVoided:
            return nil
        }
        return state.entry(member).map { [state.attendance(of: $0, asOf: occurrence.at)] }
    }
}

/// An event as put on the wire: whole, or with what this audience may not see left out.
enum WireEvent: Encodable {
    case whole(Event)
    /// `post.added` of a post since hidden: no `body`, and `hidden: true`.
    case postWithoutBody(Event.PostAdded)
    /// `session.opened` without the roster (a member gets their own line with it).
    case openedWithoutRoster
    /// `rollcall.closed` with counts, and of the lists only `member` (nil: the lists whole, for hosts).
    case rollCallClosed(Event.RollCallClosed, member: MemberID? = nil)

    /// What a member sees of this event.
    func shown(to member: MemberID) -> WireEvent {
        if case .rollCallClosed(let closed, _) = self { return .rollCallClosed(closed, member: member) }
        return self
    }

    private enum Keys: String, CodingKey {
        case kind, member, post, thread, by, replyTo, hidden, rollcall, answered, missing, answeredCount, missingCount
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .whole(let event):
            try event.encode(to: encoder)
        case .postWithoutBody(let added):
            try container.encode(EventKind.postAdded.rawValue, forKey: .kind)
            try container.encode(added.post, forKey: .post)
            try container.encode(added.thread, forKey: .thread)
            try container.encode(added.by, forKey: .by)
            try container.encodeIfPresent(added.replyTo, forKey: .replyTo)
            try container.encode(true, forKey: .hidden)
        case .openedWithoutRoster:
            try container.encode(EventKind.sessionOpened.rawValue, forKey: .kind)
        case .rollCallClosed(let closed, let member):
            try container.encode(EventKind.rollCallClosed.rawValue, forKey: .kind)
            try container.encode(closed.rollcall, forKey: .rollcall)
            let visible = { (list: [MemberID]) in member.map { me in list.filter { $0 == me } } ?? list }
            try container.encode(visible(closed.answered), forKey: .answered)
            try container.encode(visible(closed.missing), forKey: .missing)
            try container.encode(closed.answered.count, forKey: .answeredCount)
            try container.encode(closed.missing.count, forKey: .missingCount)
        }
    }
}
