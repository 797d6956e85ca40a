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
    /// Calls off a session that has not opened; it stays in the record, cancelled, with its reason.
    case cancel(reason: String)
    /// Changes a session that has not opened: what is nil stays as it is.
    case replan(Replan)
    /// While locked, members who have not joined yet cannot join; reconnects still can.
    case lock(Bool)
    case join(device: DeviceID, mode: AttendanceMode)
    case leave(device: DeviceID)
    /// The secretary ticks (or unticks) a member who is in the room.
    case markOnSite(member: MemberID, present: Bool)
    case excuse(member: MemberID, reason: String)
    case startRollCall(seconds: Int)
    /// `rollcall`: the roll call the tap was made for; a tap for one that is over is refused.
    case answerRollCall(RollCallID? = nil)
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

/// The protocol's name of each command (`text.advance`): the one list the
/// decoder, the errors and the tests all use. Raw values are the wire names.
public enum CommandName: String, Sendable, CaseIterable {
    case open = "session.open"
    case start = "session.start"
    case end = "session.end"
    case cancel = "session.cancel"
    case replan = "session.replan"
    case lock = "session.lock"
    case join = "member.join"
    case leave = "member.leave"
    case markOnSite = "member.onsite"
    case excuse = "member.excuse"
    case startRollCall = "rollcall.start"
    case answerRollCall = "rollcall.answer"
    case closeRollCall = "rollcall.close"
    case setText = "text.set"
    case advanceText = "text.advance"
    case openThread = "thread.open"
    case addPost = "post.add"
    case hidePost = "post.hide"
    case openVote = "vote.open"
    case castVote = "vote.cast"
    case closeVote = "vote.close"
    case moveCity = "me.city"

    /// Commands only the server issues (a device arriving or leaving); a client cannot send them.
    public var isServerOnly: Bool { self == .join || self == .leave }
}

extension Command {
    /// The protocol's name of this command, for logs and errors.
    public var name: CommandName {
        switch self {
        case .open: .open
        case .start: .start
        case .end: .end
        case .cancel: .cancel
        case .replan: .replan
        case .lock: .lock
        case .join: .join
        case .leave: .leave
        case .markOnSite: .markOnSite
        case .excuse: .excuse
        case .startRollCall: .startRollCall
        case .answerRollCall: .answerRollCall
        case .closeRollCall: .closeRollCall
        case .setText: .setText
        case .advanceText: .advanceText
        case .openThread: .openThread
        case .addPost: .addPost
        case .hidePost: .hidePost
        case .openVote: .openVote
        case .castVote: .castVote
        case .closeVote: .closeVote
        case .moveCity: .moveCity
        }
    }
}
