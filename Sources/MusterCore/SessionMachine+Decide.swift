extension SessionMachine {
    /// Decides what `command` produces, without changing anything.
    func decide(_ command: Command, by caller: Caller, at now: Instant) throws(CommandError) -> Outcome {
        let state = self.state
        if state.phase == .ended { throw CommandError(.sessionEnded, "the session has ended") }
        if state.phase == .cancelled { throw CommandError(.sessionEnded, "the session was cancelled") }
        let events: [Event]
        var sealedBallot: SecretBallot?
        switch command {
        case .open(let roster):
            try requireHost(caller)
            guard state.phase == .scheduled else { throw .conflict("the session is already open") }
            guard !roster.isEmpty else { throw .badRequest("the roster is empty") }
            guard Set(roster.map(\.id)).count == roster.count else {
                throw .badRequest("a member is on the roster twice")
            }
            events = [.sessionOpened(.init(roster: roster))]

        case .start:
            try requireHost(caller)
            switch state.phase {
            case .scheduled: throw .conflict("open the session before starting it")
            case .open: events = [.sessionStarted]
            case .started: throw .conflict("the session has already started")
            case .ended, .cancelled: preconditionFailure("checked above")
            }

        case .replan(let replan):
            try requireHost(caller)
            guard state.phase == .scheduled else { throw .conflict("only a session that has not opened can be changed") }
            var checked = Replan()
            if let title = replan.title {
                let title = try text(title, field: "title", limit: FieldLimits.title)
                if title != state.setup.title { checked.title = title }
            }
            if let kind = replan.kind, kind != state.setup.kind {
                guard SessionSetup.kinds.contains(kind) else { throw .badRequest("\(kind) is not a kind of session") }
                checked.kind = kind
            }
            if let start = replan.scheduledStart, start != state.setup.scheduledStart {
                guard start >= now else { throw .badRequest("the new time is in the past") }
                checked.scheduledStart = start
            }
            if let grace = replan.graceSeconds, grace != state.setup.graceSeconds {
                guard (0...3600).contains(grace) else { throw .badRequest("the grace period is 0 to 3600 seconds") }
                checked.graceSeconds = grace
            }
            guard checked != Replan() else { throw .conflict("nothing to change") }
            events = [.sessionReplanned(checked)]

        case .cancel(let reason):
            try requireHost(caller)
            guard state.phase == .scheduled else { throw .conflict("only a session that has not opened can be cancelled") }
            let reason = try text(reason, field: "reason", limit: FieldLimits.reason)
            events = [.sessionCancelled(.init(reason: reason))]

        case .end:
            try requireHost(caller)
            try requireOpen()
            var closing: [Event] = []
            if let rollCall = state.openRollCall { closing.append(.rollCallClosed(self.closing(rollCall))) }
            if let vote = state.openVote { closing.append(.voteClosed(self.closing(vote))) }
            events = closing + [.sessionEnded]

        case .lock(let locked):
            try requireHost(caller)
            try requireOpen()
            guard state.locked != locked else {
                throw .conflict(locked ? "the session is already locked" : "the session is not locked")
            }
            events = [.sessionLocked(.init(locked: locked))]

        case .join(let device, let mode):
            try requireOpen()
            let presence = try requireOnRoster(caller.member)
            guard !presence.devices.contains(device) else { throw .conflict("this device has already joined") }
            if state.locked && presence.firstJoin == nil {
                throw .forbidden("the session is locked: no new members may join")
            }
            events = [.memberJoined(.init(member: caller.member, device: device, mode: mode))]

        case .leave(let device):
            let presence = try requireOnRoster(caller.member)
            guard presence.devices.contains(device) else { throw .conflict("this device is not in the session") }
            events = [.memberLeft(.init(member: caller.member, device: device))]

        case .markOnSite(let member, let present):
            try requireHost(caller)
            try requireOpen()
            let presence = try requireMember(member)
            guard presence.inRoom != present else {
                throw .conflict(present ? "already ticked as in the room" : "not ticked as in the room")
            }
            events = [.memberOnSite(.init(member: member, present: present))]

        case .excuse(let member, let reason):
            try requireHost(caller)
            try requireOpen()
            _ = try requireMember(member)
            let reason = try text(reason, field: "reason", limit: FieldLimits.reason)
            events = [.memberExcused(.init(member: member, reason: reason))]

        case .startRollCall(let seconds):
            try requireHost(caller)
            try requireStarted()
            guard FieldLimits.rollCallSeconds.contains(seconds) else {
                throw .badRequest("a roll call lasts 10 to 600 seconds")
            }
            guard state.openRollCall == nil else { throw .conflict("a roll call is already open") }
            let id = RollCallID.numbered("R", state.rollCalls.count + 1)
            events = [.rollCallStarted(.init(rollcall: id, seconds: seconds, closesAt: now.adding(seconds: seconds)))]

        case .answerRollCall(let named):
            let presence = try requireOnRoster(caller.member)
            guard let rollCall = state.openRollCall, named == nil || named == rollCall.id else {
                throw .conflict(named.map { "roll call \($0) is over" } ?? "no roll call is open")
            }
            guard !rollCall.answered.contains(caller.member) else { throw .conflict("already answered") }
            guard presence.isPresent else { throw .conflict("join the session before answering") }
            events = [.rollCallAnswered(.init(rollcall: rollCall.id, member: caller.member))]

        case .closeRollCall:
            try requireHost(caller)
            guard let rollCall = state.openRollCall else { throw .conflict("no roll call is open") }
            events = [.rollCallClosed(closing(rollCall))]

        case .setText(let title, let lines):
            try requireHost(caller)
            try requireOpen()
            let text = try SharedText.checked(title: title, lines: lines)
            events = [.textSet(.init(title: text.title, lines: text.lines))]

        case .advanceText(let line):
            try requireHost(caller)
            try requireOpen()
            guard let text = state.text else { throw .conflict("no text has been set") }
            guard text.text.lines.indices.contains(line) else {
                throw .badRequest("line \(line) is outside the text (0 to \(text.text.lines.count - 1))")
            }
            events = [.textAdvanced(.init(line: line))]

        case .openThread(let title):
            try requireHost(caller)
            try requireOpen()
            let title = try text(title, field: "title", limit: FieldLimits.title)
            let id = ThreadID.numbered("T", state.threads.count + 1)
            events = [.threadOpened(.init(thread: id, title: title, by: caller.member))]

        case .addPost(let thread, let body, let replyTo):
            if caller.role != .host { _ = try requireOnRoster(caller.member) }
            try requireOpen()
            guard let threadIndex = thread.index(prefix: "T"), state.threads.indices.contains(threadIndex) else {
                throw .notFound("no thread \(thread)")
            }
            let body = try text(body, field: "post", limit: FieldLimits.body)
            if let replyTo {
                guard let post = post(replyTo) else { throw .notFound("no post \(replyTo)") }
                guard post.thread == thread else { throw .badRequest("post \(replyTo) is in another thread") }
            }
            let id = PostID.numbered("P", state.posts.count + 1)
            events = [.postAdded(.init(post: id, thread: thread, by: caller.member, body: body, replyTo: replyTo))]

        case .hidePost(let id):
            try requireHost(caller)
            try requireOpen()
            guard let post = post(id) else { throw .notFound("no post \(id)") }
            guard !post.hidden else { throw .conflict("post \(id) is already hidden") }
            events = [.postHidden(.init(post: id))]

        case .openVote(let question, let options, let secret):
            try requireHost(caller)
            guard state.setup.organisation == nil else {
                throw .conflict("a lesson for many branches holds no votes: each branch votes in its own meeting")
            }
            try requireStarted()
            guard state.openVote == nil else { throw .conflict("close the open vote first") }
            let question = try text(question, field: "question", limit: FieldLimits.reason)
            let options = try validOptions(options ?? ["赞成", "反对", "弃权"])
            let quorum = state.quorum
            guard quorum.met else {
                throw .conflict(
                    "no quorum: \(quorum.present) of \(quorum.expected) voting members present, \(quorum.required) needed")
            }
            let id = VoteID.numbered("V", state.votes.count + 1)
            events = [
                .voteOpened(
                    .init(
                        vote: id, question: question, options: options, secret: secret,
                        expected: quorum.expected, present: quorum.present,
                        threshold: state.setup.rules.thresholdAtOpening(expected: quorum.expected)))
            ]

        case .castVote(let id, let choice):
            let presence = try requireOnRoster(caller.member)
            guard let vote = vote(id) else { throw .notFound("no vote \(id)") }
            guard !vote.isOver else { throw .conflict("vote \(id) is closed") }
            guard state.entry(caller.member)?.status.votes == true else {
                throw .forbidden("only full members vote")
            }
            guard presence.isPresent else { throw .forbidden("only members present may vote") }
            guard !vote.voters.contains(caller.member) else { throw .conflict("you have already voted") }
            guard vote.options.contains(choice) else { throw .badRequest("\"\(choice)\" is not a choice in this vote") }
            if vote.secret {
                sealedBallot = SecretBallot(vote: id, choice: choice)
                events = [.voteCast(.init(vote: id, member: caller.member, choice: nil))]
            } else {
                events = [.voteCast(.init(vote: id, member: caller.member, choice: choice))]
            }

        case .closeVote(let id):
            try requireHost(caller)
            guard let vote = vote(id) else { throw .notFound("no vote \(id)") }
            guard !vote.isOver else { throw .conflict("vote \(id) is already closed") }
            events = [.voteClosed(closing(vote))]

        case .moveCity(let city):
            _ = try requireOnRoster(caller.member)
            try requireOpen()
            let city = try text(city, field: "city", limit: FieldLimits.city)
            events = [.memberMoved(.init(member: caller.member, city: city))]
        }
        return Outcome(occurrences: events.map { Occurrence(at: now, event: $0) }, sealedBallot: sealedBallot)
    }

    // MARK: Guards

    private func requireHost(_ caller: Caller) throws(CommandError) {
        guard caller.role == .host else { throw .forbidden("only the secretary can do this") }
    }

    /// The session accepts business: the lobby or the meeting itself.
    private func requireOpen() throws(CommandError) {
        switch state.phase {
        case .scheduled: throw .conflict("the session is not open yet")
        case .open, .started: return
        case .ended, .cancelled: throw CommandError(.sessionEnded, "the session has ended")
        }
    }

    private func requireStarted() throws(CommandError) {
        switch state.phase {
        case .scheduled, .open: throw .conflict("the session has not started")
        case .started: return
        case .ended, .cancelled: throw CommandError(.sessionEnded, "the session has ended")
        }
    }

    /// The caller's own presence, when they are on the roster.
    private func requireOnRoster(_ member: MemberID) throws(CommandError) -> Presence {
        if state.phase == .scheduled { throw .conflict("the session is not open yet") }
        guard let presence = state.presence[member] else { throw .forbidden("you are not on this session's roster") }
        return presence
    }

    /// Another member named in a command.
    private func requireMember(_ member: MemberID) throws(CommandError) -> Presence {
        guard let presence = state.presence[member] else { throw .notFound("no member \(member) on the roster") }
        return presence
    }

    private func text(_ raw: String, field: String, limit: Int) throws(CommandError) -> String {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .badRequest("the \(field) is empty") }
        guard trimmed.count <= limit else { throw .tooLarge("the \(field) is longer than \(limit) characters") }
        return trimmed
    }

    private func validOptions(_ raw: [String]) throws(CommandError) -> [String] {
        var options: [String] = []
        for option in raw { options.append(try text(option, field: "choice", limit: FieldLimits.option)) }
        guard FieldLimits.options.contains(options.count) else { throw .badRequest("a vote has 2 to 10 choices") }
        guard Set(options).count == options.count else { throw .badRequest("two choices are the same") }
        return options
    }

    // MARK: Lookups and closings

    private func post(_ id: PostID) -> Post? {
        guard let index = id.index(prefix: "P"), state.posts.indices.contains(index) else { return nil }
        return state.posts[index]
    }

    private func vote(_ id: VoteID) -> Vote? {
        guard let index = id.index(prefix: "V"), state.votes.indices.contains(index) else { return nil }
        return state.votes[index]
    }

    func closing(_ rollCall: RollCall) -> Event.RollCallClosed {
        let answered = Set(rollCall.answered)
        let missing = state.roster.map(\.id).filter {
            !answered.contains($0) && state.presence[$0]?.excuse == nil
        }
        return .init(rollcall: rollCall.id, answered: rollCall.answered, missing: missing)
    }

    func closing(_ vote: Vote) -> Event.VoteClosed {
        var counts: [String: Int] = vote.sealedCounts
        if !vote.secret { for choice in vote.choices.values { counts[choice, default: 0] += 1 } }
        let tally = vote.options.map { Event.Tally(choice: $0, count: counts[$0] ?? 0) }
        let cast = vote.voters.count
        let abstentions = tally.filter { vote.abstainOptions.contains($0.choice) }.reduce(0) { $0 + $1.count }
        let quorum = state.quorum
        let threshold = state.setup.rules.threshold(
            expected: vote.expectedAtOpening, cast: cast, abstentions: abstentions)
        return .init(
            vote: vote.id, tally: tally, passed: tally[0].count >= threshold,
            expected: vote.expectedAtOpening, present: quorum.present, cast: cast, threshold: threshold)
    }
}
