/// The session state machine: commands in, events out, no I/O.
///
/// `handle` checks a command against the state and returns the events it
/// produced, already applied, or throws a `CommandError` and changes
/// nothing. `apply` replays a stored event. The time always comes in from
/// the caller; the machine never reads a clock, so every run is repeatable.
///
/// The only thing that happens by itself is a roll call's window closing.
/// It is produced by the next command (its events come first in the
/// outcome) or by `tick(at:)`, which the server calls on a timer.
public struct SessionMachine: Sendable {
    public internal(set) var state: SessionState

    public init(setup: SessionSetup) {
        state = SessionState(setup: setup)
    }

    /// What a command produced.
    public struct Outcome: Sendable, Hashable {
        /// The events, in order, each with its time.
        public var occurrences: [Occurrence]
        /// A secret vote's choice, to be counted apart from the log.
        public var sealedBallot: SecretBallot?

        public init(occurrences: [Occurrence], sealedBallot: SecretBallot? = nil) {
            self.occurrences = occurrences
            self.sealedBallot = sealedBallot
        }
    }

    /// Checks `command` from `caller` at `time` and applies what it produces.
    ///
    /// A time earlier than the last event is taken as the last event's time,
    /// so intervals never run backwards.
    public mutating func handle(
        _ command: Command, by caller: Caller, at time: Instant
    ) throws(CommandError) -> Outcome {
        let now = max(time, state.lastEventAt ?? time)
        let due = dueOccurrences(at: now)
        if due.isEmpty {
            let outcome = try decide(command, by: caller, at: now)
            apply(outcome)
            return outcome
        }
        // Time has closed a window: decide on a copy that has seen it, so a
        // refused command still leaves `self` untouched.
        var next = self
        for occurrence in due { next.apply(occurrence) }
        var outcome = try next.decide(command, by: caller, at: now)
        next.apply(outcome)
        self = next
        outcome.occurrences = due + outcome.occurrences
        return outcome
    }

    /// Lets time pass: closes a roll call whose window has run out.
    public mutating func tick(at time: Instant) -> [Occurrence] {
        let due = dueOccurrences(at: max(time, state.lastEventAt ?? time))
        for occurrence in due { apply(occurrence) }
        return due
    }

    /// The next moment at which `tick` would produce something, if any.
    public var nextDeadline: Instant? { state.openRollCall?.closesAt }

    /// Applies an outcome the machine produced.
    public mutating func apply(_ outcome: Outcome) {
        for occurrence in outcome.occurrences { apply(occurrence) }
        if let ballot = outcome.sealedBallot { count(ballot) }
    }

    /// After a restart: a secret vote that was open and had ballots cannot be
    /// counted (its running count was only ever in memory), so it is void,
    /// with its reason, and may be held again. A secret vote without ballots
    /// goes on, and so does an open vote (its choices are in the log).
    public mutating func voidUncountableVotes(at time: Instant) -> [Occurrence] {
        guard let vote = state.openVote, vote.secret, !vote.voters.isEmpty else { return [] }
        let occurrence = Occurrence(
            at: max(time, state.lastEventAt ?? time), event: .voteVoided(.init(vote: vote.id, reason: .serverRestarted)))
        apply(occurrence)
        return [occurrence]
    }

    func dueOccurrences(at now: Instant) -> [Occurrence] {
        guard let rollCall = state.openRollCall, rollCall.closesAt <= now else { return [] }
        return [Occurrence(at: rollCall.closesAt, event: .rollCallClosed(closing(rollCall)))]
    }

    mutating func count(_ ballot: SecretBallot) {
        guard let index = ballot.vote.index(prefix: "V") else {
            preconditionFailure("sealed ballot for unknown vote \(ballot.vote)")
        }
        state.votes[index].sealedCounts[ballot.choice, default: 0] += 1
    }
}
