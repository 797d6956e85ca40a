/// Why a stored event cannot be replayed: the log is damaged (edited by hand,
/// a disk fault, a bug in an older version). The session is set aside, named,
/// and never crashes whoever reads it.
public struct ReplayError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problem: String

    public init(_ problem: String) { self.problem = problem }

    public var description: String { problem }
}

extension SessionMachine {
    /// Applies a stored event after checking that it fits the state: the
    /// members, roll calls, posts and votes it names exist, and the line it
    /// moves to is in the text. `apply` trusts events the machine made;
    /// this is for events read back from disk.
    public mutating func replay(_ occurrence: Occurrence) throws(ReplayError) {
        if let problem = problem(with: occurrence.event) { throw ReplayError("\(occurrence.event.kind): \(problem)") }
        apply(occurrence)
    }

    private func problem(with event: Event) -> String? {
        let state = self.state
        func onRoster(_ member: MemberID) -> String? {
            state.presence[member] == nil ? "\(member) is not on the roster" : nil
        }
        func numbered<T>(_ id: Identifier<T>, _ prefix: Character, in count: Int) -> String? {
            guard let index = id.index(prefix: prefix), (0..<count).contains(index) else { return "no \(id) in this session" }
            return nil
        }
        switch event {
        case .sessionOpened(let opened):
            if state.phase != .scheduled { return "the session was already open" }
            if Set(opened.roster.map(\.id)).count != opened.roster.count { return "a member is on the roster twice" }
            return nil
        case .sessionStarted, .sessionEnded, .sessionLocked:
            return state.phase == .scheduled ? "the session was not open" : nil
        case .sessionCancelled:
            return state.phase == .scheduled ? nil : "only a session that had not opened could be cancelled"
        case .sessionReplanned:
            return state.phase == .scheduled ? nil : "only a session that had not opened could be changed"
        case .memberJoined(let e): return onRoster(e.member)
        case .memberLeft(let e): return onRoster(e.member)
        case .memberOnSite(let e): return onRoster(e.member)
        case .memberExcused(let e): return onRoster(e.member)
        case .memberMoved(let e): return onRoster(e.member)
        case .rollCallStarted: return nil
        case .rollCallAnswered(let e): return numbered(e.rollcall, "R", in: state.rollCalls.count) ?? onRoster(e.member)
        case .rollCallClosed(let e): return numbered(e.rollcall, "R", in: state.rollCalls.count)
        case .textSet(let e): return e.lines.isEmpty ? "a text with no lines" : nil
        case .textAdvanced(let e):
            guard let text = state.text else { return "no text has been set" }
            return text.text.lines.indices.contains(e.line) ? nil : "line \(e.line) is outside the text"
        case .threadOpened: return nil
        case .postAdded: return nil
        case .postHidden(let e): return numbered(e.post, "P", in: state.posts.count)
        case .voteOpened(let e): return e.options.isEmpty ? "a vote with no options" : nil
        case .voteCast(let e): return numbered(e.vote, "V", in: state.votes.count) ?? onRoster(e.member)
        case .voteClosed(let e): return numbered(e.vote, "V", in: state.votes.count)
        case .voteVoided(let e): return numbered(e.vote, "V", in: state.votes.count)
        }
    }
}
