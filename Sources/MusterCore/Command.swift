/// Something a caller asks a session to do.
///
/// Device arrivals and departures are commands too (`join`, `leave`): the
/// server issues them when a socket says `hello` or goes away, so presence is
/// recorded and replayed like everything else.
public enum Command: Sendable, Hashable {
    /// Opens the lobby and freezes the roster: later branch changes do not reach this session.
    case open(roster: [RosterEntry])
    case start
    case end
    /// While locked, members who have not joined yet cannot join; reconnects still can.
    case lock(Bool)
    case join(device: DeviceID, mode: AttendanceMode)
    case leave(device: DeviceID)
    /// The secretary ticks (or unticks) a member who is in the room.
    case markOnSite(member: MemberID, present: Bool)
    case excuse(member: MemberID, reason: String)
    case startRollCall(seconds: Int)
    case answerRollCall
    case closeRollCall
    case setText(title: String, lines: [String])
    /// Moves every screen to `line`: next, back and jump are all this.
    case advanceText(line: Int)
    case openThread(title: String)
    case addPost(thread: ThreadID, body: String, replyTo: PostID?)
    case hidePost(PostID)
    /// `options` nil means the default 赞成 / 反对 / 弃权.
    case openVote(question: String, options: [String]?, secret: Bool)
    case castVote(VoteID, choice: String)
    case closeVote(VoteID)
    case moveCity(String)
}

extension Command {
    /// The protocol's name of this command (`text.advance`), for logs and errors.
    public var name: String {
        switch self {
        case .open: "session.open"
        case .start: "session.start"
        case .end: "session.end"
        case .lock: "session.lock"
        case .join: "member.join"
        case .leave: "member.leave"
        case .markOnSite: "member.onsite"
        case .excuse: "member.excuse"
        case .startRollCall: "rollcall.start"
        case .answerRollCall: "rollcall.answer"
        case .closeRollCall: "rollcall.close"
        case .setText: "text.set"
        case .advanceText: "text.advance"
        case .openThread: "thread.open"
        case .addPost: "post.add"
        case .hidePost: "post.hide"
        case .openVote: "vote.open"
        case .castVote: "vote.cast"
        case .closeVote: "vote.close"
        case .moveCity: "me.city"
        }
    }
}
