/// Everything known about one session: what a late joiner's page needs, what
/// an export reads. Built only by applying events, so replaying the log
/// rebuilds it exactly.
public struct SessionState: Sendable, Hashable {
    public enum Phase: String, Codable, Sendable, CaseIterable {
        /// Planned; nobody can join yet.
        case scheduled
        /// The lobby: members join, the secretary prepares.
        case open
        /// The meeting is under way; lateness counts from here.
        case started
        /// Over and read-only.
        case ended
        /// Called off before it opened; read-only, with its reason.
        case cancelled
    }

    /// As planned; a `session.replanned` changes it until the session opens.
    public internal(set) var setup: SessionSetup
    public internal(set) var phase: Phase = .scheduled
    public internal(set) var openedAt: Instant?
    public internal(set) var startedAt: Instant?
    public internal(set) var endedAt: Instant?
    /// When and why it was called off (phase `cancelled`).
    public internal(set) var cancelledAt: Instant?
    public internal(set) var cancelReason: String?
    public internal(set) var locked = false
    /// The roster frozen at opening, in roster order.
    public internal(set) var roster: [RosterEntry] = []
    public internal(set) var presence: [MemberID: Presence] = [:]
    public internal(set) var text: TextState?
    public internal(set) var rollCalls: [RollCall] = []
    public internal(set) var threads: [DiscussionThread] = []
    public internal(set) var posts: [Post] = []
    public internal(set) var votes: [Vote] = []
    /// The time of the latest event; the machine never lets time run backwards.
    public internal(set) var lastEventAt: Instant?

    public init(setup: SessionSetup) {
        self.setup = setup
        if let text = setup.text { self.text = TextState(text: text, current: 0, marks: []) }
    }

    /// The roster entry of a member, if they are on it.
    public func entry(_ member: MemberID) -> RosterEntry? {
        guard let index = rosterIndex[member] else { return nil }
        return roster[index]
    }

    /// The roll call whose window is running, if any.
    public var openRollCall: RollCall? {
        guard let last = rollCalls.last, last.closedAt == nil else { return nil }
        return last
    }

    /// The vote being held, if any.
    public var openVote: Vote? {
        guard let last = votes.last, !last.isOver else { return nil }
        return last
    }

    /// Voting members expected, present now, and needed for a vote. Kept as
    /// presence changes, not counted: every event's frame carries it, and a
    /// county's session has thousands on its roster.
    public var quorum: Quorum {
        Quorum(expected: voters, present: votersPresent, required: setup.rules.quorumRequired(expected: voters))
    }

    /// Voting members on the roster, and how many of them are present now.
    var voters = 0
    var votersPresent = 0

    /// Index of each member in `roster`, rebuilt when the roster is frozen.
    var rosterIndex: [MemberID: Int] = [:]
}

/// How one member has been present: every device and the room tick merged
/// into one set of intervals.
public struct Presence: Sendable, Hashable {
    /// Devices connected right now.
    public internal(set) var devices: Set<DeviceID> = []
    /// Ticked by the secretary as being in the room.
    public internal(set) var inRoom = false
    /// The mode of the latest arrival.
    public internal(set) var mode: AttendanceMode?
    public internal(set) var firstJoin: Instant?
    public internal(set) var lastLeave: Instant?
    /// When the current interval began, while present.
    public internal(set) var presentSince: Instant?
    /// Finished intervals, in order, never overlapping.
    public internal(set) var intervals: [Interval] = []
    /// Was still present when the session ended.
    public internal(set) var presentAtEnd = false
    public internal(set) var excuse: String?
    /// Self-reported during the session (`me.city`); overrides the roster's city.
    public internal(set) var city: String?

    public var isPresent: Bool { presentSince != nil }

    public struct Interval: Codable, Sendable, Hashable {
        public var from: Instant
        public var to: Instant

        public init(from: Instant, to: Instant) {
            self.from = from
            self.to = to
        }
    }
}

/// The shared text and where the reading is.
public struct TextState: Sendable, Hashable {
    public internal(set) var text: SharedText
    /// The line every screen highlights.
    public internal(set) var current: Int
    /// Every move, with its time, for the minutes.
    public internal(set) var marks: [LineMark]

    public struct LineMark: Codable, Sendable, Hashable {
        public var line: Int
        public var at: Instant
    }
}

public struct RollCall: Sendable, Hashable {
    public let id: RollCallID
    public let startedAt: Instant
    public let closesAt: Instant
    /// In the order they answered.
    public internal(set) var answered: [MemberID] = []
    public internal(set) var closedAt: Instant?
    public internal(set) var missing: [MemberID]?
}

public struct DiscussionThread: Sendable, Hashable {
    public let id: ThreadID
    public let title: String
    public let by: MemberID
    public let openedAt: Instant
}

public struct Post: Sendable, Hashable {
    public let id: PostID
    public let thread: ThreadID
    public let by: MemberID
    public let body: String
    public let replyTo: PostID?
    public let at: Instant
    public internal(set) var hidden = false
}

public struct Vote: Sendable, Hashable {
    public let id: VoteID
    public let question: String
    public let options: [String]
    public let secret: Bool
    public let openedAt: Instant
    public let expectedAtOpening: Int
    public let presentAtOpening: Int
    public let thresholdAtOpening: Int?
    /// Who voted, in order. For a secret vote this is all that is known of them.
    public internal(set) var voters: [MemberID] = []
    /// Each voter's choice, for an open vote only.
    public internal(set) var choices: [MemberID: String] = [:]
    /// Running counts of a secret vote, never shown before it closes (they
    /// would reveal each ballot as it comes in) and never stored beside a member.
    public internal(set) var sealedCounts: [String: Int] = [:]
    public internal(set) var result: Event.VoteClosed?
    /// Set when the vote could not be counted; it has no result.
    public internal(set) var voided: Event.VoteVoided.Reason?
    public internal(set) var closedAt: Instant?

    /// Closed with a result, or void: no more ballots.
    public var isOver: Bool { result != nil || voided != nil }

    /// Options in this vote that count as abstaining: `弃权` or `abstain`.
    var abstainOptions: Set<String> {
        Set(options.filter { ["弃权", "abstain"].contains($0.lowercased()) })
    }
}

/// A secret ballot's choice, kept apart from the event that says who voted.
///
/// It lives in the server's memory only, as a count per choice: nothing on
/// disk ever holds it (each commit of a running count would show, commit by
/// commit, who chose what). The counts reach the log once, as the tally of
/// `vote.closed`; a restart while the vote is open voids it
/// (`SessionMachine.voidUncountableVotes`).
public struct SecretBallot: Sendable, Hashable {
    public var vote: VoteID
    public var choice: String
}
