import MusterCore

extension Switchboard {
    /// A phone whose browser cannot run the page says so with the member's
    /// token (`unsupported`, instead of `hello`): the session's hosts are
    /// told who and which browser, so the secretary can help. The member is
    /// not recorded as present; the socket is closed once it is said.
    func unsupported(_ connection: ConnectionID, token: String, browser: String) {
        guard !stopping, let peer = peers[connection], peer.subscription == nil else { return }
        guard helloLimiter.allow(address: peer.address, at: clock()) else {
            refuse(connection, .rateLimited, Self.busyNetwork)
            return
        }
        guard let member = try? store.member(token: token) else {
            refuse(connection, .unauthorized, Self.invalidLink)
            return
        }
        awaitingHello[connection] = nil
        if let id = try? currentSession(of: member.branchId), let hub = openHub(id, branch: member.branchId, connection: connection) {
            let report = ServerMessage.UnsupportedBrowser(member: member.id, name: member.name, browser: browser)
            hub.unsupportedBrowsers[member.id] = report
            let frame = ServerMessage.unsupported(report)
            for host in hub.audience.hosts { out.send(frame, to: host) }
            logger.notice("a browser too old for the page", metadata: ["session": "\(id)"])
        }
        out.close(connection, code: .normal, reason: "reported")
    }
}
