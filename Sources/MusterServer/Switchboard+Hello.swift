import Foundation
import MusterCore
import MusterStore

extension Switchboard {
    /// A device says hello: a member's or a secretary's link, or a big
    /// screen's watch credential. Checked in order of cost: the address's
    /// budget, the token (one indexed read), the session's branch (another),
    /// and only then is the session loaded.
    func hello(
        _ connection: ConnectionID, token: String, session: SessionID?, since: Int?, watch: Bool, canCompress: Bool = false
    ) {
        guard !stopping else { return }
        guard let peer = peers[connection], peer.subscription == nil else {
            out.send(ServerMessage.error(id: nil, .conflict, "this connection has already said hello"), to: connection)
            return
        }
        let now = clock()
        guard helloLimiter.allow(address: peer.address, at: now) else {
            refuse(connection, .rateLimited, Self.busyNetwork)
            return
        }
        if MusterDatabase.isWatchCredential(token) {
            screenHello(connection, credential: token, session: session, since: since)
            return
        }
        let found: Member?
        let chosen: SessionID?
        do {
            found = try store.member(token: token)
            chosen = try found.flatMap { try session ?? currentSession(of: $0.branchId) }
        } catch {
            refuse(connection, .internal, Self.cannotRead)
            return
        }
        guard let member = found else {
            refuse(connection, .unauthorized, Self.invalidLink)
            return
        }
        guard let id = chosen else {
            refuse(connection, .notFound, "there is no session for your branch right now")
            return
        }
        guard let hub = openHub(id, branch: member.branchId, connection: connection) else { return }
        guard helloLimiter.allow(member: member.id, at: now) else {
            refuse(connection, .rateLimited, "this link is connecting too often; wait a moment")
            return
        }
        // A lesson for many branches is run by its host branch's secretary; the others attend it.
        let caller = Caller(member: member.id, role: member.secretary && hub.state.setup.branch == member.branchId ? .host : .member)
        if caller.role == .host, canCompress, since == nil, ((try? rosterSize(of: hub)) ?? 0) >= Self.compressedRosterFrom {
            // This socket would carry the roster to a secretary, 2 MB at 10,000 members (in the welcome, or
            // in `session.opened`). Nothing is done for this hello; the console says it again compressed.
            out.send(ServerMessage.compress, to: connection)
            out.close(connection, code: .normal, reason: "compress")
            return
        }
        let watching = watch && caller.role == .host
        if !watching, deviceCount(session: hub.id, member: member.id) >= maxDevicesPerMember {
            refuse(
                connection, .conflict,
                "this link is open on \(maxDevicesPerMember) devices already; close it on one of them first")
            return
        }
        let device = DeviceID("D\(bootID)-\(connection)")
        var subscription = Subscription(
            session: hub.id, caller: caller, tokenHash: member.tokenHash, device: device, joined: false,
            watching: watching, readOnly: false)
        do {
            if !subscription.watching { subscription.joined = try join(subscription, hub) }
        } catch {
            if caller.role == .member {
                refuse(connection, error.code, error.message)
                return
            }
        }
        accept(connection, subscription)
        if member.linkOpenedAt == nil, linksNoted.insert(member.id).inserted { out.append(.linkOpened(member.id)) }
        let you = ServerMessage.You(
            member: member.id, role: caller.role == .host ? .host : .member, name: member.name, device: device)
        let screen = caller.role == .host ? try? store.watchCredential(for: hub.id) : nil
        for frame in hub.subscribe(connection, you: you, since: since, at: clock(), screen: screen, maxResume: maxResume) {
            out.send(frame, to: connection)
        }
    }

    /// A big screen: follows one session, is never counted, may send nothing.
    private func screenHello(
        _ connection: ConnectionID, credential: String, session: SessionID?, since: Int?
    ) {
        let found: SessionID?
        do {
            found = try store.session(watchCredential: credential)
        } catch {
            refuse(connection, .internal, Self.cannotRead)
            return
        }
        guard let id = found else {
            refuse(connection, .unauthorized, "this screen's link is not valid; open the screen again from the console")
            return
        }
        if let session, session != id {
            refuse(connection, .forbidden, "this screen follows another session")
            return
        }
        // The credential was made for this session: any branch check would be the same one.
        guard let hub = openHub(id, branch: nil, connection: connection) else { return }
        let device = DeviceID("W\(bootID)-\(connection)")
        let subscription = Subscription(
            session: id, caller: Caller(member: "screen", role: .member), tokenHash: Data(), device: device, joined: false,
            watching: true, readOnly: true)
        accept(connection, subscription)
        let you = ServerMessage.You(member: "screen", role: .screen, name: "", device: device)
        for frame in hub.subscribe(connection, you: you, since: since, at: clock(), maxResume: maxResume) {
            out.send(frame, to: connection)
        }
    }

    /// The hub of session `id`, once it is known to belong to `branch` (when
    /// one is given); refuses the hello otherwise.
    func openHub(_ id: SessionID, branch: BranchID?, connection: ConnectionID) -> SessionHub? {
        do {
            // Authorize before loading (replaying) anything: a loaded session knows its branch;
            // otherwise one indexed read.
            guard let owner = try hubs[id]?.state.setup.branch ?? store.sessionBranch(id) else {
                refuse(connection, .notFound, "there is no session \(id)")
                return nil
            }
            let admitted = try branch.map { branch in
                try owner == branch || admits(id, hubs[id]?.state.setup ?? store.sessionSetup(id), branch: branch)
            }
            guard admitted != false else {
                refuse(connection, .forbidden, "this session belongs to another branch")
                return nil
            }
            return try hubs[id] ?? loadHub(id)
        } catch {
            if damaged[id] != nil {
                refuse(connection, .internal, "this session's record is damaged and set aside; the secretary can see why on /healthz")
            } else {
                refuse(connection, .internal, Self.cannotRead)
            }
            return nil
        }
    }

    /// From this many members on, a host whose socket could compress is asked to connect
    /// again compressed (docs/protocol.md, "Connecting"): the roster is 100 KB or more.
    static let compressedRosterFrom = 500

    static let cannotRead = "the server cannot read its data file; try again in a moment"
    static let invalidLink = "this link is not valid (it may have been replaced); ask your secretary for a new one"
    static let busyNetwork = "too many connections from this network; wait a moment"

    func refuse(_ connection: ConnectionID, _ code: CommandError.Code, _ message: String) {
        ServerMetrics.helloRefused(code.rawValue)
        logger.notice(
            "hello refused", metadata: ["reason": "\(code.rawValue)", "address": "\(peers[connection]?.address ?? "?")"])
        out.send(ServerMessage.error(id: nil, code, message), to: connection)
        out.close(connection, code: .policyViolation, reason: code.rawValue)
    }
}
