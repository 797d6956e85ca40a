/// The rules for quorum and for passing a motion, set per branch.
public enum VotingRules: String, Codable, Sendable, CaseIterable {
    /// The branch-work regulation: a vote may be held only while more than
    /// half of the expected voting members are present, and a motion passes
    /// only when its "for" votes exceed half of the expected voting members
    /// (not half of those present).
    case branchWork = "branch-work"
    /// Simple majority, as in Robert's Rules: the same quorum (a majority of
    /// the membership), and a motion passes when "for" exceeds half of the
    /// votes cast, abstentions not counted.
    case simpleMajority = "simple-majority"

    /// Voting members who must be present to hold a vote: more than half.
    public func quorumRequired(expected: Int) -> Int { expected / 2 + 1 }

    /// The "for" votes a motion needs, when that is known before the vote.
    public func thresholdAtOpening(expected: Int) -> Int? {
        switch self {
        case .branchWork: return expected / 2 + 1
        case .simpleMajority: return nil
        }
    }

    /// The "for" votes the motion needed, given how the vote went.
    public func threshold(expected: Int, cast: Int, abstentions: Int) -> Int {
        switch self {
        case .branchWork: return expected / 2 + 1
        case .simpleMajority: return (cast - abstentions) / 2 + 1
        }
    }
}

/// The live quorum of a session: what the console shows before a vote.
public struct Quorum: Codable, Sendable, Hashable {
    /// Voting (full) members on the roster.
    public var expected: Int
    /// Voting members present right now.
    public var present: Int
    /// Voting members who must be present to hold a vote.
    public var required: Int

    public var met: Bool { present >= required }

    public init(expected: Int, present: Int, required: Int) {
        self.expected = expected
        self.present = present
        self.required = required
    }
}
