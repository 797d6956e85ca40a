/// The whole picture of a session as a client sees it: `welcome.state` on the wire.
///
/// Built from `SessionState`; nothing here is a rule of its own. The page
/// renders it as is. Posts a secretary hid keep their place but lose their
/// body, except for hosts. A secret vote's running count never appears.
public struct SessionSnapshot: Codable, Sendable, Hashable {
    public struct Info: Codable, Sendable, Hashable {
        public var id: SessionID
        public var branch: BranchID
        public var title: String
        public var kind: String
        public var phase: SessionState.Phase
        public var scheduledStart: Instant
        public var graceSeconds: Int
        public var rules: VotingRules
        public var locked: Bool
        public var openedAt: Instant?
        public var startedAt: Instant?
        public var endedAt: Instant?
        /// A first join after this is late; known once the session starts.
        public var lateAfter: Instant?
    }

    public struct Text: Codable, Sendable, Hashable {
        public var title: String
        public var lines: [String]
        public var current: Int
    }

    public struct RollCallView: Codable, Sendable, Hashable {
        public var rollcall: RollCallID
        public var startedAt: Instant
        public var closesAt: Instant
        public var closedAt: Instant?
        public var answered: [MemberID]
        public var missing: [MemberID]?
    }

    public struct ThreadView: Codable, Sendable, Hashable {
        public var thread: ThreadID
        public var title: String
        public var by: MemberID
        public var at: Instant
    }

    public struct PostView: Codable, Sendable, Hashable {
        public var post: PostID
        public var thread: ThreadID
        public var by: MemberID
        /// Absent when hidden, except for hosts.
        public var body: String?
        public var replyTo: PostID?
        public var at: Instant
        public var hidden: Bool
    }

    public struct VoteView: Codable, Sendable, Hashable {
        public var vote: VoteID
        public var question: String
        public var options: [String]
        public var secret: Bool
        public var openedAt: Instant
        public var expected: Int
        public var present: Int
        public var threshold: Int?
        public var voters: [MemberID]
        /// Each voter's choice, for open votes only.
        public var choices: [MemberID: String]?
        public var result: Event.VoteClosed?
        /// Why the vote is void (`server_restarted`); absent for a vote that counts.
        public var void: Event.VoteVoided.Reason?
    }

    public var session: Info
    public var roster: [AttendanceRecord]
    public var quorum: Quorum
    public var text: Text?
    /// The roll call whose window is open, if any.
    public var rollcall: RollCallView?
    public var rollcalls: [RollCallView]
    public var threads: [ThreadView]
    public var posts: [PostView]
    public var votes: [VoteView]
}

extension SessionState {
    /// The session itself: `welcome.state.session`, and what events that change it carry.
    public var info: SessionSnapshot.Info {
        .init(
            id: setup.id, branch: setup.branch, title: setup.title, kind: setup.kind, phase: phase,
            scheduledStart: setup.scheduledStart, graceSeconds: setup.graceSeconds, rules: setup.rules,
            locked: locked, openedAt: openedAt, startedAt: startedAt, endedAt: endedAt, lateAfter: lateAfter)
    }

    /// The session as a `role` may see it at `asOf`. A member (`viewer`) sees
    /// no excuse reason but their own: reasons are for hosts and the member concerned.
    public func snapshot(for role: Caller.Role, viewer: MemberID? = nil, asOf: Instant) -> SessionSnapshot {
        let rollCallViews = rollCalls.map {
            SessionSnapshot.RollCallView(
                rollcall: $0.id, startedAt: $0.startedAt, closesAt: $0.closesAt, closedAt: $0.closedAt,
                answered: $0.answered, missing: $0.missing)
        }
        return SessionSnapshot(
            session: info,
            roster: attendance(asOf: asOf).map { role == .host ? $0 : $0.shown(to: viewer) },
            quorum: quorum,
            text: text.map { .init(title: $0.text.title, lines: $0.text.lines, current: $0.current) },
            rollcall: openRollCall.flatMap { open in rollCallViews.last { $0.rollcall == open.id } },
            rollcalls: rollCallViews,
            threads: threads.map { .init(thread: $0.id, title: $0.title, by: $0.by, at: $0.openedAt) },
            posts: posts.map {
                .init(
                    post: $0.id, thread: $0.thread, by: $0.by, body: $0.hidden && role != .host ? nil : $0.body,
                    replyTo: $0.replyTo, at: $0.at, hidden: $0.hidden)
            },
            votes: votes.map {
                .init(
                    vote: $0.id, question: $0.question, options: $0.options, secret: $0.secret, openedAt: $0.openedAt,
                    expected: $0.expectedAtOpening, present: $0.presentAtOpening, threshold: $0.thresholdAtOpening,
                    voters: $0.voters, choices: $0.secret ? nil : $0.choices, result: $0.result,
                    void: $0.voided)
            })
    }
}

extension Quorum {
    private enum CodingKeys: String, CodingKey { case expected, present, required, met }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            expected: try container.decode(Int.self, forKey: .expected),
            present: try container.decode(Int.self, forKey: .present),
            required: try container.decode(Int.self, forKey: .required))
    }

    /// `met` is written out so that clients need not know the rule.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(expected, forKey: .expected)
        try container.encode(present, forKey: .present)
        try container.encode(required, forKey: .required)
        try container.encode(met, forKey: .met)
    }
}
