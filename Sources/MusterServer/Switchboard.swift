import Foundation
import Logging
import MusterCore
import MusterStore

/// The server's logic on the service thread: turns what connections say into
/// commands for session hubs, and what hubs produce into frames.
///
/// It knows nothing of sockets or threads. The lws shell feeds it text
/// frames, closings and mailbox messages; each entry point returns the
/// `ServerAction`s it decided on (frames to send, sockets to close, batches
/// for the store writer), which the shell carries out. It never waits on a
/// commit; reads (a token on `hello`, a roster on `session.open`) are short
/// WAL reads through `SwitchboardStore`.
final class Switchboard {
    let store: any SwitchboardStore
    let loader: SessionLoader
    let clock: () -> Instant
    /// Makes device ids unique across restarts.
    let bootID: String
    private let newBucket: () -> TokenBucket
    let maxDevicesPerMember: Int
    /// A socket that has not said a valid hello by then is closed.
    let helloTimeoutMilliseconds: Int64
    /// Sockets that have not said a valid hello yet, and when they opened. Kept
    /// here rather than as an lws timeout each: lws keeps those in a sorted
    /// list, and a storm of thousands of arrivals made every insert a long walk.
    var awaitingHello: [ConnectionID: Instant] = [:]
    /// The most events a resume sends at once: half a connection's queue, so
    /// the resume itself never closes it as too slow.
    let maxResume: Int
    var helloLimiter: HelloLimiter
    private var prunedAt: Instant?
    /// How far the system clock has stepped from Muster's (monotonic) time, in seconds.
    var wallClockStep: () -> Int64 = { 0 }
    var loggedStep: Int64 = 0
    /// Devices (not screens) each member has in each session right now.
    private var deviceCounts: [DeviceKey: Int] = [:]

    private struct DeviceKey: Hashable {
        var session: SessionID
        var member: MemberID
    }
    /// What has been decided and not yet returned to the shell.
    var out = ServerActions()
    var hubs: [SessionID: SessionHub] = [:]
    /// Sessions whose log cannot be replayed, with what is wrong.
    var damaged: [SessionID: String] { loader.damaged }
    let logger: Logger
    var peers: [ConnectionID: Peer] = [:]
    /// Members whose never-used link has been used since this server started: noted once each.
    var linksNoted: Set<MemberID> = []
    /// The branches each lesson for many branches takes members from, read once per lesson.
    var lessonBranches: [SessionID: Set<BranchID>] = [:]
    var stopping = false
    /// The last commit's failure, until a commit succeeds again (`/healthz`).
    var commitFailure: String?
    /// The last link revocation acted on, and when the store was last asked.
    var lastRevocation: Int
    var revocationsCheckedAt: Instant?

    struct Peer {
        /// The client's network address, for the hello budget.
        var address: String
        var subscription: Subscription?
        var bucket: TokenBucket
        /// Its link was replaced: it is being closed and may do nothing more.
        var revoked = false
    }

    struct Subscription {
        var session: SessionID
        var caller: Caller
        /// The hash of the token this device said hello with: once the member's
        /// link is replaced, it no longer matches and the device is closed.
        var tokenHash: Data
        var device: DeviceID
        var joined: Bool
        /// A big screen: follows the session, never recorded as present.
        var watching: Bool
        /// A screen's watch credential: may send no command.
        var readOnly: Bool
    }

    /// - Parameter limits: the per-connection, per-address and per-member limits, and the replay window.
    init(
        store: any SwitchboardStore, clock: @escaping () -> Instant, bootID: String,
        limits: ServerConfiguration = .standard, logger: Logger = Logger(label: "muster")
    ) throws {
        helloLimiter = HelloLimiter(perAddress: limits.hellosPerAddress)
        maxDevicesPerMember = limits.maxDevicesPerMember
        maxResume = max(1, limits.queueLimit / 2)
        helloTimeoutMilliseconds = Int64(limits.helloTimeoutSeconds) * 1000
        self.logger = logger
        loader = SessionLoader(store: store, replayWindow: limits.replayWindow, logger: logger)
        newBucket = { TokenBucket(capacity: limits.commandBurst, perSecond: limits.commandsPerSecond) }
        self.store = store
        self.clock = clock
        self.bootID = bootID
        lastRevocation = try store.lastLinkRevocation()
    }

    /// Loads the sessions under way, to close the devices the previous server
    /// left behind; returns the recovery for the writer. Planned sessions are
    /// loaded when someone first asks for them.
    func start() throws -> [ServerAction] {
        for id in try store.sessionsUnderWay() { _ = try? loadHub(id) }
        return out.take()
    }

    var connectionCount: Int { peers.count }

    // MARK: Connections

    func opened(_ connection: ConnectionID, address: String = "") {
        peers[connection] = Peer(address: address, bucket: newBucket())
        awaitingHello[connection] = clock()
    }

    /// A whole text message from a connection.
    func received(_ text: [UInt8], from connection: ConnectionID) -> [ServerAction] {
        guard peers[connection] != nil else { return [] }
        do {
            switch try ClientMessage.decode(text) {
            case .hello(let token, let session, let since, let watch, let canCompress):
                hello(connection, token: token, session: session, since: since, watch: watch, canCompress: canCompress)
            case .command(let command):
                self.command(command, from: connection)
            case .unsupported(let token, let browser):
                unsupported(connection, token: token, browser: browser)
            }
        } catch {
            out.send(ServerMessage.error(id: error.id, .badRequest, error.message), to: connection)
        }
        return out.take()
    }

    func closed(_ connection: ConnectionID) -> [ServerAction] {
        awaitingHello[connection] = nil
        guard let peer = peers.removeValue(forKey: connection), let subscription = peer.subscription else { return [] }
        // Stopping: its departure was recorded when the stop began.
        guard !stopping else { return [] }
        if !subscription.watching { countDevice(subscription, -1) }
        guard let hub = hubs[subscription.session] else { return [] }
        hub.unsubscribe(connection)
        if subscription.joined {
            // A refusal here means the session ended or a commit was rolled back: nothing to record.
            submit(try? hub.handle(.leave(device: subscription.device), by: subscription.caller, at: clock(), reply: nil), hub)
        }
        return out.take()
    }

    /// Records the device's arrival when the session is open and the member on its roster.
    func join(_ subscription: Subscription, _ hub: SessionHub) throws(CommandError) -> Bool {
        let state = hub.live.state
        guard state.phase == .open || state.phase == .started, state.entry(subscription.caller.member) != nil else {
            return false
        }
        submit(
            try hub.handle(.join(device: subscription.device, mode: .remote), by: subscription.caller, at: clock(), reply: nil),
            hub)
        return true
    }

    func deviceCount(session: SessionID, member: MemberID) -> Int {
        deviceCounts[DeviceKey(session: session, member: member), default: 0]
    }

    /// The hello is accepted: the connection follows the session from now on.
    func accept(_ connection: ConnectionID, _ subscription: Subscription) {
        peers[connection]?.subscription = subscription
        awaitingHello[connection] = nil
        if !subscription.watching { countDevice(subscription, 1) }
    }

    private func countDevice(_ subscription: Subscription, _ change: Int) {
        let key = DeviceKey(session: subscription.session, member: subscription.caller.member)
        let count = deviceCounts[key, default: 0] + change
        deviceCounts[key] = count > 0 ? count : nil
    }

    // MARK: Commands

    private func command(_ clientCommand: ClientCommand, from connection: ConnectionID) {
        let id = clientCommand.id
        guard let peer = peers[connection], !peer.revoked, let subscription = peer.subscription,
            let hub = hubs[subscription.session]
        else {
            out.send(ServerMessage.error(id: id, .unauthorized, "say hello with a valid link's token first"), to: connection)
            return
        }
        guard !subscription.readOnly else {
            out.send(ServerMessage.error(id: id, .forbidden, "a screen only follows the session"), to: connection)
            return
        }
        guard !stopping else {
            out.send(ServerMessage.error(id: id, .internal, "the server is restarting; this will be sent again"), to: connection)
            return
        }
        if let made = clientCommand.session, made != subscription.session {
            out.send(
                ServerMessage.error(
                    id: id, .conflict, "this was made for another session (\(made)); it was not applied to this one"),
                to: connection)
            return
        }
        let now = clock()
        guard peers[connection]!.bucket.take(at: now) else {
            ServerMetrics.rateLimited.increment()
            out.send(ServerMessage.error(id: id, .rateLimited, "too many commands; wait a moment"), to: connection)
            return
        }
        let command: Command
        switch clientCommand.action {
        case .openSession:
            // The roster is frozen from the branch as it is now (a lesson's: from each of its branches).
            guard let roster = try? roster(of: hub.state.setup) else {
                out.send(ServerMessage.error(id: id, .internal, "the server cannot read the roster; try again"), to: connection)
                return
            }
            command = .open(roster: roster)
        case .command(let core):
            command = core
        }
        do {
            let accepted = try hub.handle(command, by: subscription.caller, at: now, reply: (connection, id))
            if case .alreadyAcked(let seq) = accepted {
                out.send(ServerMessage.ack(id: id, seq: seq), to: connection)
                return
            }
            submit(accepted, hub)
        } catch {
            out.send(ServerMessage.error(id: id, error), to: connection)
            return
        }
        if case .open = command { joinEveryone(hub) }
    }

    /// When a session opens, the devices already waiting in it join.
    private func joinEveryone(_ hub: SessionHub) {
        for connection in hub.audience.connections.sorted() {
            guard var subscription = peers[connection]?.subscription, !subscription.joined, !subscription.watching else {
                continue
            }
            subscription.joined = (try? join(subscription, hub)) ?? false
            peers[connection]?.subscription = subscription
        }
    }

    func submit(_ accepted: SessionHub.Accepted?, _ hub: SessionHub) {
        guard case .batch(let batch) = accepted else { return }
        out.append(.submit(batch, generation: hub.generation))
    }

    // MARK: Mailbox

    /// The writer's outcomes, and the shell's tick and stop.
    func handle(_ message: MailboxMessage) -> [ServerAction] {
        switch message {
        case .committed(let seqs):
            commitFailure = nil
            for (session, seq) in seqs { hubs[session].map { out.append(contentsOf: $0.committed(upTo: seq)) } }
        case .commitFailed(let generations, let reason):
            commitFailure = reason
            logger.error("commit failed; the commands are answered internal and presence is put right", metadata: ["reason": "\(reason)"])
            for (session, generation) in generations {
                hubs[session].map { out.append(contentsOf: $0.commitFailed(generation: generation)) }
            }
        case .tick:
            let now = clock()
            recordGauges()
            for hub in hubs.values {
                submit(hub.tick(at: now).map { .batch($0) }, hub)
                reconcileIfDue(hub, at: now)
                out.append(contentsOf: hub.sendCounts(at: now))
            }
            closeReplacedLinks(at: now)
            closeSilentSockets(at: now)
            evictEndedSessions()
            noticeClockStep()
            if prunedAt.map({ $0.milliseconds(to: now) > 10_000 }) ?? true {
                helloLimiter.prune(at: now)
                prunedAt = now
            }
        case .httpReady, .reloadCertificates:
            preconditionFailure("the shell handles \(message) itself")
        case .stop:
            stop()
        }
        return out.take()
    }
}
