import MusterCore

/// Who a frame is for: hosts see the whole record, a member what a member's page shows.
struct Viewer: Hashable {
    var member: MemberID
    var role: Caller.Role
}

/// One durable event, serialized once per audience that sees it differently.
///
/// Most events look the same to everyone and have one frame. An excuse
/// reason is for hosts and the member concerned; a hidden post's body is
/// for hosts only, also when a member resumes after it was hidden
/// (`hidingBody()` swaps the members' frame in the resume log).
struct EventFrames {
    /// What hosts, and the member `concerning`, are sent.
    let full: Frame
    /// What other members are sent, when it differs.
    private(set) var redacted: Frame?
    /// The member an event is about, who sees it in full.
    let concerning: MemberID?
    /// Kept to rebuild a redacted frame later (a post hidden after it was added).
    private let seq: Int
    private let occurrence: Occurrence
    private let quorum: Quorum

    init(seq: Int, _ occurrence: Occurrence, after state: SessionState) {
        self.seq = seq
        self.occurrence = occurrence
        quorum = state.quorum
        let lines = Self.changedAttendance(occurrence, state: state)
        let session = Self.changesSession(occurrence.event) ? state.info : nil
        full = ServerMessage.event(seq: seq, occurrence: occurrence, quorum: quorum, attendance: lines, session: session)
        switch occurrence.event {
        case .memberExcused(let excused):
            concerning = excused.member
            redacted = ServerMessage.event(
                seq: seq, at: occurrence.at, event: .excusedWithoutReason(excused.member), quorum: quorum,
                attendance: lines?.map { $0.shown(to: nil) })
        default:
            concerning = nil
            if let lines, lines.contains(where: { $0.excuse != nil }) {
                redacted = ServerMessage.event(
                    seq: seq, at: occurrence.at, event: .whole(occurrence.event), quorum: quorum,
                    attendance: lines.map { $0.shown(to: nil) }, session: session)
            }
        }
    }

    /// The frame for `viewer`.
    func frame(for viewer: Viewer) -> Frame {
        guard let redacted, viewer.role != .host, viewer.member != concerning else { return full }
        return redacted
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
        redacted = ServerMessage.event(
            seq: seq, at: occurrence.at, event: .postWithoutBody(added), quorum: quorum, attendance: nil)
    }

    /// Whether an event changes the session's own fields (phase, times, lock).
    static func changesSession(_ event: Event) -> Bool {
        switch event {
        case .sessionOpened, .sessionStarted, .sessionEnded, .sessionLocked: true
        default: false
        }
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
        case .sessionLocked, .rollCallStarted, .rollCallAnswered, .textSet, .textAdvanced, .threadOpened,
            .postAdded, .postHidden, .voteOpened, .voteCast, .voteClosed, .voteVoided:
            return nil
        }
        return state.entry(member).map { [state.attendance(of: $0, asOf: occurrence.at)] }
    }
}

/// An event as put on the wire: whole, or with what this audience may not see left out.
enum WireEvent: Encodable {
    case whole(Event)
    /// `member.excused` without its `reason`.
    case excusedWithoutReason(MemberID)
    /// `post.added` of a post since hidden: no `body`, and `hidden: true`.
    case postWithoutBody(Event.PostAdded)

    private enum Keys: String, CodingKey { case kind, member, post, thread, by, replyTo, hidden }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .whole(let event):
            try event.encode(to: encoder)
        case .excusedWithoutReason(let member):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(EventKind.memberExcused.rawValue, forKey: .kind)
            try container.encode(member, forKey: .member)
        case .postWithoutBody(let added):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(EventKind.postAdded.rawValue, forKey: .kind)
            try container.encode(added.post, forKey: .post)
            try container.encode(added.thread, forKey: .thread)
            try container.encode(added.by, forKey: .by)
            try container.encodeIfPresent(added.replyTo, forKey: .replyTo)
            try container.encode(true, forKey: .hidden)
        }
    }
}
