import DequeModule
import Logging
import MusterCore
import MusterStore

/// One live session on the service thread: the state machine, the log
/// clients resume from, and the commands waiting for their commit.
///
/// It keeps two machines. `live` has every event the hub has accepted and
/// decides new commands; `durable` has only what the store has committed
/// and is what clients are shown. An ack or a broadcast happens only when
/// an event moves from one to the other. If a commit fails, `live` goes
/// back to `durable`: nothing half-applied is ever shown, and no disk read
/// is needed.
final class SessionHub {
    let id: SessionID
    private(set) var live: SessionMachine
    private(set) var durable: SessionMachine
    private(set) var liveSeq: Int
    private(set) var durableSeq: Int
    /// The last durable events' frames, for resumes.
    private(set) var log: ResumeLog
    /// Where each post was added in `log`, so hiding it can redact the resume log.
    private var postSeqs: [PostID: Int] = [:]
    /// Accepted, not yet durable, in seq order (a deque: in a join storm
    /// thousands wait while each commit takes its share from the front).
    /// A secret ballot rides with the last event of its command.
    private var pending = Deque<(seq: Int, occurrence: Occurrence, ballot: SecretBallot?)>()
    /// Commands waiting for their ack: the ack goes out once `seq` is durable.
    private var waiters: [(seq: Int, connection: ConnectionID, id: String)] = []
    /// Client commands already accepted, with the seq of their last event.
    private var commandSeqs: [CommandKey: Int]
    /// Bumped on every rollback; batches carry it so stale failures are ignored.
    private(set) var generation = 0
    /// Set by a failed commit: presence may no longer match the sockets
    /// (a lost join or leave) until `reconcilePresence` runs.
    private(set) var needsReconcile = false
    /// Hosts have been told that saving failed, and not yet that it works again.
    private var saveFailing = false
    private(set) var lastReconcile: Instant?
    /// Connections following this session, and who is behind each.
    private(set) var audience = Audience()
    /// What the next `counts` frames owe: members, that they skipped events
    /// (others' arrivals, answers, ballots); hosts, the attendance lines that changed.
    var owed = (members: false, hosts: [MemberID: AttendanceRecord]())
    /// Members whose browser could not run the page, with the browser (in memory: hosts are told).
    var unsupportedBrowsers: [MemberID: ServerMessage.UnsupportedBrowser] = [:]
    /// Members' welcomes, and the seq of the last event that changed their shared part.
    private var memberWelcome = MemberWelcome()
    private var sharedChangedAt = 0
    /// When members were last sent counts (see `sendCounts`).
    var membersCountedAt: Instant?
    /// The devices the store showed present when the session was loaded: they
    /// died with the previous server, at its last recorded moment.
    private let inherited: (devices: Set<DeviceID>, lastAt: Instant?)

    /// Says when the session opens and ends (never what anyone wrote).
    var logger = Logger(label: "muster")

    /// - Parameters:
    ///   - log: the last stored events' frames, up to `loaded.seq`, each with the quorum and attendance of its moment.
    ///   - replayWindow: how many of the last events a resuming client can be sent.
    init(loaded: LoadedSession, log: [EventFrames], commandSeqs: [CommandKey: Int], replayWindow: Int = 512) {
        id = loaded.machine.state.setup.id
        self.commandSeqs = commandSeqs
        self.log = ResumeLog(capacity: replayWindow, after: loaded.seq - log.count)
        live = loaded.machine
        durable = loaded.machine
        liveSeq = loaded.seq
        durableSeq = loaded.seq
        let state = loaded.machine.state
        inherited = (Set(state.presence.values.flatMap(\.devices)), state.lastEventAt)
        for frames in log { record(frames) }
    }

    var state: SessionState { durable.state }

    // MARK: Commands

    /// What became of an accepted command.
    enum Accepted {
        /// New events, to be committed; the ack follows the commit.
        case batch(EventBatch)
        /// A resend of a command still being committed: its ack will follow.
        case duplicate
        /// A resend of a command already durable: ack it now with this seq.
        case alreadyAcked(Int)
    }

    /// Applies a command to `live`; its ack waits for the commit.
    func handle(
        _ command: Command, by caller: Caller, at now: Instant, reply: (connection: ConnectionID, id: String)?
    ) throws(CommandError) -> Accepted {
        let key = reply.map { CommandKey(member: caller.member, id: $0.id) }
        if let key, let reply, let seq = commandSeqs[key] {
            if seq <= durableSeq { return .alreadyAcked(seq) }
            waiters.append((seq, reply.connection, reply.id))
            return .duplicate
        }
        let outcome = try live.handle(command, by: caller, at: now)
        let batch = accept(outcome, command: key)
        if let key, let reply {
            commandSeqs[key] = liveSeq
            waiters.append((liveSeq, reply.connection, reply.id))
        }
        return .batch(batch)
    }

    /// Lets time pass: a roll call whose window ran out closes.
    func tick(at now: Instant) -> EventBatch? {
        guard let deadline = live.nextDeadline, deadline <= now else { return nil }
        let occurrences = live.tick(at: now)
        return occurrences.isEmpty ? nil : accept(.init(occurrences: occurrences), command: nil)
    }

    private func accept(_ outcome: SessionMachine.Outcome, command: CommandKey?) -> EventBatch {
        let first = liveSeq + 1
        for (index, occurrence) in outcome.occurrences.enumerated() {
            liveSeq += 1
            let last = index == outcome.occurrences.count - 1
            pending.append((liveSeq, occurrence, last ? outcome.sealedBallot : nil))
        }
        // A secret ballot's choice stays here, in `pending` and then `durable`'s
        // in-memory count: it never goes to the store.
        return EventBatch(session: id, firstSeq: first, occurrences: outcome.occurrences, command: command)
    }

    // MARK: Commits

    /// The store has committed everything up to `seq`: show it and ack it.
    func committed(upTo seq: Int) -> ServerActions {
        var out = ServerActions()
        while let next = pending.first, next.seq <= seq {
            pending.removeFirst()
            // Counts owed go before anything else that audience is sent, so it sees things in order.
            let event = next.occurrence.event
            if owed.members, !EventFrames.isCounted(event, for: .member) { out.append(contentsOf: sendCounts(to: .member, at: nil)) }
            if !owed.hosts.isEmpty, !EventFrames.isCounted(event, for: .host) { out.append(contentsOf: sendCounts(to: .host, at: nil)) }
            durable.apply(.init(occurrences: [next.occurrence], sealedBallot: next.ballot))
            durableSeq = next.seq
            if !EventFrames.isCounted(event, for: .member) { sharedChangedAt = next.seq }
            switch event {
            case .sessionOpened(let opened): logger.info("session opened", metadata: ["session": "\(id)", "roster": "\(opened.roster.count)"])
            case .sessionEnded: logger.info("session ended", metadata: ["session": "\(id)"])
            default: break
            }
            let frames = EventFrames(seq: next.seq, next.occurrence, after: durable.state)
            record(frames)
            send(frames, &out)
            if EventFrames.isCounted(event, for: .host) { for line in frames.attendance ?? [] { owed.hosts[line.member] = line } }
        }
        answerWaiters(&out)
        if saveFailing, pending.isEmpty, !needsReconcile {
            saveFailing = false
            notifyHosts(.saveRecovered, "saving works again; everything shown is saved", &out)
        }
        return out
    }

    /// Sends an event to whoever gets it as a frame. An event members get
    /// only as a count (others' arrivals, answers, ballots) goes to hosts and
    /// the member concerned alone, without a pass over everyone.
    private func send(_ frames: EventFrames, _ out: inout ServerActions) {
        guard EventFrames.isCounted(frames.event, for: .member), let concerning = frames.concerning else {
            let forHosts = frames.forHosts
            let forEveryMember = frames.forEveryMember
            if let frame = forHosts, frame === forEveryMember {
                // Everyone alike (an advance, say): no viewer looked at.
                out.send(frame, to: audience.connections)
                return
            }
            for (connection, viewer) in audience.viewers {
                let frame = viewer.role == .host ? forHosts : forEveryMember ?? frames.frame(for: viewer)
                guard let frame else { owed.members = owed.members || viewer.role != .host; continue }
                out.send(frame, to: connection)
            }
            return
        }
        var targets = audience.connections(of: concerning)
        if !EventFrames.isCounted(frames.event, for: .host) { targets.formUnion(audience.hosts) }
        for connection in targets { audience.viewers[connection].flatMap(frames.frame).map { out.send($0, to: connection) } }
        if audience.hasCrowd(besides: concerning) { owed.members = true }
    }

    private func notifyHosts(_ code: ServerMessage.NoticeCode, _ message: String, _ out: inout ServerActions) {
        let frame = ServerMessage.notice(code, message)
        for connection in audience.hosts { out.send(frame, to: connection) }
    }

    var hasPending: Bool { !pending.isEmpty }
    /// Events accepted and not yet committed, and when the oldest of them happened.
    var pendingEvents: (count: Int, oldest: Instant?) { (pending.count, pending.first?.occurrence.at) }

    /// After loading and after a failed commit: makes the record's presence
    /// match the sockets, joining connected devices it lost and leaving
    /// closed ones it kept, and voids a secret vote whose running count died
    /// with the previous server (it is never on disk). Returns the batches to
    /// commit (empty when the record already matches).
    func reconcilePresence(connected: [DeviceID: Caller], at now: Instant) -> [EventBatch] {
        needsReconcile = false
        lastReconcile = now
        let state = live.state
        guard state.phase == .open || state.phase == .started else { return [] }
        var batches: [EventBatch] = []
        for entry in state.roster {
            for device in (state.presence[entry.id]?.devices ?? []).sorted() where connected[device] == nil {
                // A device of the previous server is credited no time after its last recorded moment.
                let at = inherited.devices.contains(device) ? inherited.lastAt ?? now : now
                if case .batch(let batch) = try? handle(.leave(device: device), by: .member(entry.id), at: at, reply: nil) {
                    batches.append(batch)
                }
            }
        }
        for (device, caller) in connected.sorted(by: { $0.key < $1.key })
        where live.state.presence[caller.member]?.devices.contains(device) == false {
            if case .batch(let batch) = try? handle(.join(device: device, mode: .remote), by: caller, at: now, reply: nil) {
                batches.append(batch)
            }
        }
        let voided = live.voidUncountableVotes(at: now)
        if !voided.isEmpty { batches.append(accept(.init(occurrences: voided), command: nil)) }
        return batches
    }

    /// Whether `device` is present in the record as it will be once committed.
    func isJoined(_ device: DeviceID, member: MemberID) -> Bool {
        live.state.presence[member]?.devices.contains(device) == true
    }

    /// The commit failed: forget everything not durable and answer `internal`.
    func commitFailed(generation failed: Int) -> ServerActions {
        var out = ServerActions()
        guard failed == generation else { return out }
        generation += 1
        needsReconcile = true
        if !saveFailing {
            saveFailing = true
            notifyHosts(.saveFailed, "the server could not save (the disk may be full); the last changes are undone", &out)
        }
        live = durable
        liveSeq = durableSeq
        pending.removeAll()
        commandSeqs = commandSeqs.filter { $0.value <= durableSeq }
        for waiter in waiters where waiter.seq > durableSeq {
            out.send(ServerMessage.error(id: waiter.id, .internal, "the server could not save this; try again"), to: waiter.connection)
        }
        waiters.removeAll { $0.seq > durableSeq }
        answerWaiters(&out)
        return out
    }

    /// Appends to the resume log; a hidden post's `post.added` loses its body for members.
    private func record(_ frames: EventFrames) {
        log.append(frames)
        if let post = frames.addedPost { postSeqs[post] = log.lastSeq }
        if case .postHidden(let hidden) = frames.event, let seq = postSeqs[hidden.post] {
            log.update(seq: seq) { $0.hidingBody() }
        }
    }

    private func answerWaiters(_ out: inout ServerActions) {
        guard waiters.contains(where: { $0.seq <= durableSeq }) else { return }
        for waiter in waiters where waiter.seq <= durableSeq {
            out.send(ServerMessage.ack(id: waiter.id, seq: waiter.seq), to: waiter.connection)
        }
        waiters.removeAll { $0.seq <= durableSeq }
    }

    // MARK: Subscribers

    /// Subscribes a connection, and returns what it is sent first: a welcome
    /// and, when resuming, exactly the events after `since`. A client further
    /// behind than the resume log keeps, or than `maxResume` events (what its
    /// queue can take at once), gets the whole state instead.
    func subscribe(
        _ connection: ConnectionID, you: ServerMessage.You, since: Int?, at now: Instant, screen: String? = nil,
        maxResume: Int = .max
    ) -> [Frame] {
        let viewer = Viewer(member: you.member, role: you.role == .host ? .host : .member)
        audience.add(connection, viewer)
        if let since, since <= durableSeq, durableSeq - since <= maxResume,
            let missed = log.frames(after: since, for: viewer)
        {
            // What was counted comes as one `counts`: for a host, with the lines of the members concerned.
            let lines = viewer.role == .host
                ? missed.counted.sorted().compactMap { durable.state.entry($0) }.map { durable.state.attendance(of: $0, asOf: now) }
                : nil
            let counts = missed.counted.isEmpty ? [] : [ServerMessage.counts(seq: durableSeq, state: durable.state, attendance: lines)]
            return [ServerMessage.welcome(you: you, session: id, seq: since, state: nil, screen: screen)] + missed.frames
                + counts
        }
        let state = durable.state.snapshot(for: viewer.role, viewer: you.member, asOf: now)
        guard viewer.role == .member, screen == nil else {
            let unsupported = viewer.role == .host ? unsupportedBrowsers.values.sorted { $0.member < $1.member } : []
            return [
                ServerMessage.welcome(
                    you: you, session: id, seq: durableSeq, state: state, screen: screen, unsupported: unsupported)
            ]
        }
        return [memberWelcome.frame(you: you, session: id, seq: durableSeq, state: state, changedAt: sharedChangedAt)]
    }

    /// `keepingAcks`: its commands being committed are still answered (a stop, before the closes).
    func unsubscribe(_ connection: ConnectionID, keepingAcks: Bool = false) {
        audience.remove(connection)
        if !keepingAcks { waiters.removeAll { $0.connection == connection } }
    }
}
