/// Something that happened in a session: the unit of the event log.
///
/// Events are facts, past tense, and applying one never fails. Their JSON,
/// `{"kind":"text.advanced","line":3}`, is both the stored and the wire form.
public enum Event: Sendable, Hashable {
    case sessionOpened(SessionOpened)
    case sessionStarted
    case sessionEnded
    case sessionLocked(SessionLocked)
    case memberJoined(MemberJoined)
    case memberLeft(MemberLeft)
    case memberOnSite(MemberOnSite)
    case memberExcused(MemberExcused)
    case memberMoved(MemberMoved)
    case rollCallStarted(RollCallStarted)
    case rollCallAnswered(RollCallAnswered)
    case rollCallClosed(RollCallClosed)
    case textSet(TextSet)
    case textAdvanced(TextAdvanced)
    case threadOpened(ThreadOpened)
    case postAdded(PostAdded)
    case postHidden(PostHidden)
    case voteOpened(VoteOpened)
    case voteCast(VoteCast)
    case voteClosed(VoteClosed)
}

/// An event and when it happened.
public struct Occurrence: Sendable, Hashable, Codable {
    public var at: Instant
    public var event: Event

    public init(at: Instant, event: Event) {
        self.at = at
        self.event = event
    }
}

extension Event {
    public struct SessionOpened: Codable, Sendable, Hashable {
        public var roster: [RosterEntry]
    }

    public struct SessionLocked: Codable, Sendable, Hashable {
        public var locked: Bool
    }

    public struct MemberJoined: Codable, Sendable, Hashable {
        public var member: MemberID
        public var device: DeviceID
        public var mode: AttendanceMode
    }

    public struct MemberLeft: Codable, Sendable, Hashable {
        public var member: MemberID
        public var device: DeviceID
    }

    public struct MemberOnSite: Codable, Sendable, Hashable {
        public var member: MemberID
        public var present: Bool
    }

    public struct MemberExcused: Codable, Sendable, Hashable {
        public var member: MemberID
        public var reason: String
    }

    public struct MemberMoved: Codable, Sendable, Hashable {
        public var member: MemberID
        public var city: String
    }

    public struct RollCallStarted: Codable, Sendable, Hashable {
        public var rollcall: RollCallID
        public var seconds: Int
        public var closesAt: Instant
    }

    public struct RollCallAnswered: Codable, Sendable, Hashable {
        public var rollcall: RollCallID
        public var member: MemberID
    }

    public struct RollCallClosed: Codable, Sendable, Hashable {
        public var rollcall: RollCallID
        public var answered: [MemberID]
        /// Roster members who did not answer, excused members left out.
        public var missing: [MemberID]
    }

    public struct TextSet: Codable, Sendable, Hashable {
        public var title: String
        public var lines: [String]
    }

    public struct TextAdvanced: Codable, Sendable, Hashable {
        public var line: Int
    }

    public struct ThreadOpened: Codable, Sendable, Hashable {
        public var thread: ThreadID
        public var title: String
        public var by: MemberID
    }

    public struct PostAdded: Codable, Sendable, Hashable {
        public var post: PostID
        public var thread: ThreadID
        public var by: MemberID
        public var body: String
        public var replyTo: PostID?
    }

    public struct PostHidden: Codable, Sendable, Hashable {
        public var post: PostID
    }

    public struct VoteOpened: Codable, Sendable, Hashable {
        public var vote: VoteID
        public var question: String
        public var options: [String]
        public var secret: Bool
        /// Voting members on the roster.
        public var expected: Int
        /// Voting members present when the vote opened.
        public var present: Int
        /// "For" votes needed to pass, when the rules know it before the vote.
        public var threshold: Int?
    }

    /// A ballot. In a secret vote `choice` is absent: the log records only
    /// that the member voted, never what.
    public struct VoteCast: Codable, Sendable, Hashable {
        public var vote: VoteID
        public var member: MemberID
        public var choice: String?
    }

    public struct VoteClosed: Codable, Sendable, Hashable {
        public var vote: VoteID
        public var tally: [Tally]
        public var passed: Bool
        public var expected: Int
        /// Voting members present when the vote closed.
        public var present: Int
        public var cast: Int
        public var threshold: Int
    }

    /// Votes for one option.
    public struct Tally: Codable, Sendable, Hashable {
        public var choice: String
        public var count: Int

        public init(choice: String, count: Int) {
            self.choice = choice
            self.count = count
        }
    }
}
