import Foundation
import MusterCore
import MusterStore

extension Switchboard {
    /// A device says hello: a member's or a secretary's link, or a big
    /// screen's watch credential. Checked in order of cost: the address's
    /// budget, the token (one indexed read), the session's branch (another),
    /// and only then is the session loaded.
    func hello(
        _ connection: ConnectionID, token: String, session: SessionID?, since: Int?, watch: Bool, sink: any ConnectionSink
    ) {
        guard !stopping else { return }
        guard let peer = peers[connection], peer.subscription == nil else {
            sink.send(ServerMessage.error(id: nil, .conflict, "this connection has already said hello"), to: connection)
            return
        }
        let now = clock()
        guard helloLimiter.allow(address: peer.address, at: now) else {
            refuse(connection, .rateLimited, "too many connections from this network; wait a moment", sink)
            return
        }
        if MusterDatabase.isWatchCredential(token) {
            screenHello(connection, credential: token, session: session, since: since, sink: sink)
            return
        }
        guard let member = try? store.member(token: token) else {
            refuse(connection, .unauthorized, "this link is not valid (it may have been replaced); ask your secretary for a new one", sink)
            return
        }
        let chosen: SessionID?
        do {
            chosen = try session ?? currentSession(of: member.branchId)
        } catch {
            refuse(connection, .internal, "the server cannot read its data file", sink)
            return
        }
        guard let id = chosen else {
            refuse(connection, .notFound, "there is no session for your branch right now", sink)
            return
        }
        guard let hub = openHub(id, branch: member.branchId, connection: connection, sink: sink) else { return }
        guard helloLimiter.allow(member: member.id, at: now) else {
            refuse(connection, .rateLimited, "this link is connecting too often; wait a moment", sink)
            return
        }
        let caller = Caller(member: member.id, role: member.secretary ? .host : .member)
        let watching = watch && caller.role == .host
        if !watching, deviceCount(session: hub.id, member: member.id) >= maxDevicesPerMember {
            refuse(
                connection, .conflict,
                "this link is open on \(maxDevicesPerMember) devices already; close it on one of them first", sink)
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
                refuse(connection, error.code, error.message, sink)
                return
            }
        }
        accept(connection, subscription, hub: hub, sink: sink)
        let you = ServerMessage.You(
            member: member.id, role: caller.role == .host ? .host : .member, name: member.name, device: device)
        let screen = caller.role == .host ? try? store.watchCredential(for: hub.id) : nil
        for frame in hub.subscribe(connection, you: you, since: since, at: clock(), screen: screen) {
            sink.send(frame, to: connection)
        }
    }

    /// A big screen: follows one session, is never counted, may send nothing.
    private func screenHello(
        _ connection: ConnectionID, credential: String, session: SessionID?, since: Int?, sink: any ConnectionSink
    ) {
        guard let id = try? store.session(watchCredential: credential) else {
            refuse(connection, .unauthorized, "this screen's link is not valid; open the screen again from the console", sink)
            return
        }
        if let session, session != id {
            refuse(connection, .forbidden, "this screen follows another session", sink)
            return
        }
        guard let branch = try? store.sessionBranch(id),
            let hub = openHub(id, branch: branch, connection: connection, sink: sink)
        else {
            return
        }
        let device = DeviceID("W\(bootID)-\(connection)")
        let subscription = Subscription(
            session: id, caller: Caller(member: "screen", role: .member), tokenHash: Data(), device: device, joined: false,
            watching: true, readOnly: true)
        accept(connection, subscription, hub: hub, sink: sink)
        let you = ServerMessage.You(member: "screen", role: .screen, name: "", device: device)
        for frame in hub.subscribe(connection, you: you, since: since, at: clock()) {
            sink.send(frame, to: connection)
        }
    }

    /// The hub of session `id`, once it is known to belong to `branch`; refuses the hello otherwise.
    private func openHub(
        _ id: SessionID, branch: BranchID, connection: ConnectionID, sink: any ConnectionSink
    ) -> SessionHub? {
        do {
            // Authorize with one indexed read before loading (replaying) anything.
            guard let owner = try store.sessionBranch(id) else {
                refuse(connection, .notFound, "there is no session \(id)", sink)
                return nil
            }
            guard owner == branch else {
                refuse(connection, .forbidden, "this session belongs to another branch", sink)
                return nil
            }
            guard let hub = try hubs[id] ?? loadHub(id) else {
                refuse(connection, .notFound, "there is no session \(id)", sink)
                return nil
            }
            return hub
        } catch {
            if damaged[id] != nil {
                refuse(connection, .internal, "this session's record is damaged and set aside; the secretary can see why on /healthz", sink)
            } else {
                refuse(connection, .notFound, "there is no session \(id)", sink)
            }
            return nil
        }
    }

    func refuse(_ connection: ConnectionID, _ code: CommandError.Code, _ message: String, _ sink: any ConnectionSink) {
        sink.send(ServerMessage.error(id: nil, code, message), to: connection)
        sink.close(connection, code: .policyViolation, reason: code.rawValue)
    }
}
