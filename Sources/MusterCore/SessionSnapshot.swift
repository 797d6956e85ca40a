/// The whole picture of a session as a client sees it: `welcome.state` on the wire.
///
/// Built from `SessionState`; nothing here is a rule of its own. The page
/// renders it as is. Posts a secretary hid keep their place but lose their
/// body, except for hosts. A secret vote's running count never appears.
///
/// Hosts see everyone. A member sees what a member's page shows, so its size
/// does not grow with the branch: their own attendance line, the counts, and
/// of roll calls and votes only the counts and their own part; `names` holds
/// the names of those who opened a thread or posted.
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
        /// Why it was called off (phase `cancelled`).
        public var cancelReason: String?
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
        /// Who answered, in order; for a member, at most themselves.
        public var answered: [MemberID]
        /// Who did not, once closed; for a member, at most themselves.
        public var missing: [MemberID]?
        public var answeredCount: Int
        public var missingCount: Int?
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
        /// Who voted; for a member, at most themselves.
        public var voters: [MemberID]
        /// How many have voted.
        public var cast: Int
        /// Each voter's choice, for open votes only; for a member, at most their own.
        public var choices: [MemberID: String]?
        public var result: Event.VoteClosed?
        /// Why the vote is void (`server_restarted`); absent for a vote that counts.
        public var void: Event.VoteVoided.Reason?
    }

    public var session: Info
    /// Everyone's attendance line for hosts; a member's own line only (none for a screen).
    public var roster: [AttendanceRecord]
    /// Names of the members threads and posts are by (members have no roster to look them up in).
    public var names: [MemberID: String]
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
            locked: locked, openedAt: openedAt, startedAt: startedAt, endedAt: endedAt, cancelReason: cancelReason, lateAfter: lateAfter)
    }

    /// The session as a `role` may see it at `asOf`. A member (`viewer`; nil
    /// for a big screen) sees their own attendance line and their own part of
    /// roll calls and votes, with counts for the rest.
    public func snapshot(for role: Caller.Role, viewer: MemberID? = nil, asOf: Instant) -> SessionSnapshot {
        let everyone = role == .host
        let visible = { (members: [MemberID]) in everyone ? members : members.filter { $0 == viewer } }
        let rollCallViews = rollCalls.map {
            SessionSnapshot.RollCallView(
                rollcall: $0.id, startedAt: $0.startedAt, closesAt: $0.closesAt, closedAt: $0.closedAt,
                answered: visible($0.answered), missing: $0.missing.map(visible), answeredCount: $0.answered.count,
                missingCount: $0.missing?.count)
        }
        let roster: [AttendanceRecord]
        if everyone {
            roster = attendance(asOf: asOf)
        } else {
            roster = viewer.flatMap(entry).map { [attendance(of: $0, asOf: asOf)] } ?? []
        }
        var names: [MemberID: String] = [:]
        for author in threads.map(\.by) + posts.map(\.by) { names[author] = entry(author)?.name }
        return SessionSnapshot(
            session: info,
            roster: roster,
            names: names,
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
                    voters: visible($0.voters), cast: $0.voters.count,
                    choices: $0.secret ? nil : $0.choices.filter { everyone || $0.key == viewer }, result: $0.result,
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
