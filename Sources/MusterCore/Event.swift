/// Something that happened in a session: the unit of the event log.
///
/// Events are facts, past tense, and applying one never fails. Their JSON,
/// `{"kind":"text.advanced","line":3}`, is both the stored and the wire form.
public enum Event: Sendable, Hashable {
    case sessionOpened(SessionOpened)
    case sessionStarted
    case sessionEnded
    case sessionCancelled(SessionCancelled)
    case sessionReplanned(Replan)
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
    case voteVoided(VoteVoided)
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

        public init(roster: [RosterEntry]) {
            self.roster = roster
        }
    }

    public struct SessionCancelled: Codable, Sendable, Hashable {
        public var reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    public struct SessionLocked: Codable, Sendable, Hashable {
        public var locked: Bool

        public init(locked: Bool) {
            self.locked = locked
        }
    }

    public struct MemberJoined: Codable, Sendable, Hashable {
        public var member: MemberID
        public var device: DeviceID
        public var mode: AttendanceMode

        public init(member: MemberID, device: DeviceID, mode: AttendanceMode) {
            self.member = member
            self.device = device
            self.mode = mode
        }
    }

    public struct MemberLeft: Codable, Sendable, Hashable {
        public var member: MemberID
        public var device: DeviceID

        public init(member: MemberID, device: DeviceID) {
            self.member = member
            self.device = device
        }
    }

    public struct MemberOnSite: Codable, Sendable, Hashable {
        public var member: MemberID
        public var present: Bool

        public init(member: MemberID, present: Bool) {
            self.member = member
            self.present = present
        }
    }

    public struct MemberExcused: Codable, Sendable, Hashable {
        public var member: MemberID
        public var reason: String

        public init(member: MemberID, reason: String) {
            self.member = member
            self.reason = reason
        }
    }

    public struct MemberMoved: Codable, Sendable, Hashable {
        public var member: MemberID
        public var city: String

        public init(member: MemberID, city: String) {
            self.member = member
            self.city = city
        }
    }

    public struct RollCallStarted: Codable, Sendable, Hashable {
        public var rollcall: RollCallID
        public var seconds: Int
        public var closesAt: Instant

        public init(rollcall: RollCallID, seconds: Int, closesAt: Instant) {
            self.rollcall = rollcall
            self.seconds = seconds
            self.closesAt = closesAt
        }
    }

    public struct RollCallAnswered: Codable, Sendable, Hashable {
        public var rollcall: RollCallID
        public var member: MemberID

        public init(rollcall: RollCallID, member: MemberID) {
            self.rollcall = rollcall
            self.member = member
        }
    }

    public struct RollCallClosed: Codable, Sendable, Hashable {
        public var rollcall: RollCallID
        public var answered: [MemberID]
        /// Roster members who did not answer, excused members left out.
        public var missing: [MemberID]

        public init(rollcall: RollCallID, answered: [MemberID], missing: [MemberID]) {
            self.rollcall = rollcall
            self.answered = answered
            self.missing = missing
        }
    }

    public struct TextSet: Codable, Sendable, Hashable {
        public var title: String
        public var lines: [String]

        public init(title: String, lines: [String]) {
            self.title = title
            self.lines = lines
        }
    }

    public struct TextAdvanced: Codable, Sendable, Hashable {
        public var line: Int

        public init(line: Int) {
            self.line = line
        }
    }

    public struct ThreadOpened: Codable, Sendable, Hashable {
        public var thread: ThreadID
        public var title: String
        public var by: MemberID

        public init(thread: ThreadID, title: String, by: MemberID) {
            self.thread = thread
            self.title = title
            self.by = by
        }
    }

    public struct PostAdded: Codable, Sendable, Hashable {
        public var post: PostID
        public var thread: ThreadID
        public var by: MemberID
        public var body: String
        public var replyTo: PostID?

        public init(post: PostID, thread: ThreadID, by: MemberID, body: String, replyTo: PostID? = nil) {
            self.post = post
            self.thread = thread
            self.by = by
            self.body = body
            self.replyTo = replyTo
        }
    }

    public struct PostHidden: Codable, Sendable, Hashable {
        public var post: PostID

        public init(post: PostID) {
            self.post = post
        }
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

        public init(vote: VoteID, question: String, options: [String], secret: Bool, expected: Int, present: Int, threshold: Int? = nil) {
            self.vote = vote
            self.question = question
            self.options = options
            self.secret = secret
            self.expected = expected
            self.present = present
            self.threshold = threshold
        }
    }

    /// A ballot. In a secret vote `choice` is absent: the log records only
    /// that the member voted, never what.
    public struct VoteCast: Codable, Sendable, Hashable {
        public var vote: VoteID
        public var member: MemberID
        public var choice: String?

        public init(vote: VoteID, member: MemberID, choice: String? = nil) {
            self.vote = vote
            self.member = member
            self.choice = choice
        }
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

        public init(vote: VoteID, tally: [Tally], passed: Bool, expected: Int, present: Int, cast: Int, threshold: Int) {
            self.vote = vote
            self.tally = tally
            self.passed = passed
            self.expected = expected
            self.present = present
            self.cast = cast
            self.threshold = threshold
        }
    }

    /// A vote that can no longer be counted, with why; it may be held again as a new vote.
    public struct VoteVoided: Codable, Sendable, Hashable {
        /// Why, as a stable code clients translate: `server_restarted` (a secret
        /// vote's running count is never written to disk, so a restart loses it).
        public enum Reason: String, Codable, Sendable, Hashable {
            case serverRestarted = "server_restarted"
        }

        public var vote: VoteID
        public var reason: Reason

        public init(vote: VoteID, reason: Reason) {
            self.vote = vote
            self.reason = reason
        }
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

/// A planned session changed before it opens: its title, kind, start or
/// grace. Absent fields stay as they were. The command's and the event's
/// payload alike; on the wire the kind is `sessionKind` (an event's `kind`
/// is the event's own).
public struct Replan: Codable, Sendable, Hashable {
    public var title: String?
    public var kind: String?
    public var scheduledStart: Instant?
    public var graceSeconds: Int?

    private enum CodingKeys: String, CodingKey {
        case title, kind = "sessionKind", scheduledStart, graceSeconds
    }

    public init(title: String? = nil, kind: String? = nil, scheduledStart: Instant? = nil, graceSeconds: Int? = nil) {
        self.title = title
        self.kind = kind
        self.scheduledStart = scheduledStart
        self.graceSeconds = graceSeconds
    }
}
