extension SessionMachine {
    /// Applies one event: the only way the state changes.
    ///
    /// Events are facts already checked by `handle` (or read back from the
    /// store), so nothing here refuses; an event that cannot apply means the
    /// log is corrupt or the machine has a bug.
    public mutating func apply(_ occurrence: Occurrence) {
        let at = occurrence.at
        switch occurrence.event {
        case .sessionOpened(let opened):
            state.phase = .open
            state.openedAt = at
            state.roster = opened.roster
            state.rosterIndex = Dictionary(uniqueKeysWithValues: opened.roster.enumerated().map { ($1.id, $0) })
            state.presence = Dictionary(uniqueKeysWithValues: opened.roster.map { ($0.id, Presence()) })
            state.voters = opened.roster.filter(\.status.votes).count
            state.votersPresent = 0

        case .sessionStarted:
            state.phase = .started
            state.startedAt = at

        case .sessionReplanned(let replan):
            if let title = replan.title { state.setup.title = title }
            if let kind = replan.kind { state.setup.kind = kind }
            if let start = replan.scheduledStart { state.setup.scheduledStart = start }
            if let grace = replan.graceSeconds { state.setup.graceSeconds = grace }
        case .sessionCancelled(let cancelled):
            state.phase = .cancelled
            state.cancelledAt = at
            state.cancelReason = cancelled.reason
        case .sessionEnded:
            state.phase = .ended
            state.endedAt = at
            for member in state.roster.map(\.id) {
                updatePresence(member) { presence in
                    guard presence.isPresent else { return }
                    presence.devices = []
                    presence.inRoom = false
                    presence.depart(at: at)
                    presence.presentAtEnd = true
                }
            }

        case .sessionLocked(let locked):
            state.locked = locked.locked

        case .memberJoined(let joined):
            updatePresence(joined.member) { presence in
                presence.devices.insert(joined.device)
                presence.mode = joined.mode
                presence.arrive(at: at)
            }

        case .memberLeft(let left):
            updatePresence(left.member) { presence in
                presence.devices.remove(left.device)
                presence.depart(at: at)
            }

        case .memberOnSite(let onSite):
            updatePresence(onSite.member) { presence in
                presence.inRoom = onSite.present
                if onSite.present {
                    presence.mode = .onsite
                    presence.arrive(at: at)
                } else {
                    presence.depart(at: at)
                }
            }

        case .memberExcused(let excused):
            updatePresence(excused.member) { $0.excuse = excused.reason }

        case .memberMoved(let moved):
            updatePresence(moved.member) { $0.city = moved.city }

        case .rollCallStarted(let started):
            state.rollCalls.append(RollCall(id: started.rollcall, startedAt: at, closesAt: started.closesAt))

        case .rollCallAnswered(let answered):
            state.rollCalls[rollCallIndex(answered.rollcall)].answered.append(answered.member)

        case .rollCallClosed(let closed):
            let index = rollCallIndex(closed.rollcall)
            state.rollCalls[index].closedAt = at
            state.rollCalls[index].missing = closed.missing

        case .textSet(let set):
            state.text = TextState(text: SharedText(title: set.title, lines: set.lines), current: 0, marks: [])

        case .textAdvanced(let advanced):
            guard state.text != nil else { preconditionFailure("text.advanced with no text") }
            state.text!.current = advanced.line
            state.text!.marks.append(.init(line: advanced.line, at: at))

        case .threadOpened(let opened):
            state.threads.append(DiscussionThread(id: opened.thread, title: opened.title, by: opened.by, openedAt: at))

        case .postAdded(let added):
            state.posts.append(
                Post(id: added.post, thread: added.thread, by: added.by, body: added.body, replyTo: added.replyTo, at: at))

        case .postHidden(let hidden):
            guard let index = hidden.post.index(prefix: "P") else { preconditionFailure("bad post id \(hidden.post)") }
            state.posts[index].hidden = true

        case .voteOpened(let opened):
            state.votes.append(
                Vote(
                    id: opened.vote, question: opened.question, options: opened.options, secret: opened.secret,
                    openedAt: at, expectedAtOpening: opened.expected, presentAtOpening: opened.present,
                    thresholdAtOpening: opened.threshold))

        case .voteCast(let cast):
            let index = voteIndex(cast.vote)
            state.votes[index].voters.append(cast.member)
            if let choice = cast.choice { state.votes[index].choices[cast.member] = choice }

        case .voteClosed(let closed):
            let index = voteIndex(closed.vote)
            state.votes[index].result = closed
            state.votes[index].closedAt = at
            state.votes[index].sealedCounts = [:]

        case .voteVoided(let voided):
            let index = voteIndex(voided.vote)
            state.votes[index].voided = voided.reason
            state.votes[index].closedAt = at
            state.votes[index].sealedCounts = [:]
        }
        state.lastEventAt = max(at, state.lastEventAt ?? at)
    }

    private mutating func updatePresence(_ member: MemberID, _ change: (inout Presence) -> Void) {
        guard let before = state.presence[member] else { preconditionFailure("event for \(member), not on the roster") }
        change(&state.presence[member]!)
        let now = state.presence[member]!.isPresent
        if now != before.isPresent, state.entry(member)?.status.votes == true { state.votersPresent += now ? 1 : -1 }
    }

    private func rollCallIndex(_ id: RollCallID) -> Int {
        guard let index = id.index(prefix: "R"), state.rollCalls.indices.contains(index) else {
            preconditionFailure("unknown roll call \(id)")
        }
        return index
    }

    private func voteIndex(_ id: VoteID) -> Int {
        guard let index = id.index(prefix: "V"), state.votes.indices.contains(index) else {
            preconditionFailure("unknown vote \(id)")
        }
        return index
    }
}

extension Presence {
    /// A source of presence arrived: begins an interval unless one is running.
    mutating func arrive(at time: Instant) {
        guard presentSince == nil else { return }
        presentSince = time
        if firstJoin == nil { firstJoin = time }
        presentAtEnd = false
    }

    /// A source left: ends the interval when it was the last one.
    mutating func depart(at time: Instant) {
        guard devices.isEmpty, !inRoom, let since = presentSince else { return }
        intervals.append(Interval(from: since, to: time))
        presentSince = nil
        lastLeave = time
    }
}
