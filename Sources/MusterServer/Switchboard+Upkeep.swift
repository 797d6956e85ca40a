import Foundation
import MusterCore
import MusterStore

/// What the Switchboard does on each tick besides time passing in the hubs:
/// presence brought back in line after a failed commit, replaced links
/// closed, clock steps logged.
extension Switchboard {
    /// After a failed commit, at most once a second (the disk may still be
    /// full): the record's presence is made to match the sockets again.
    func reconcileIfDue(_ hub: SessionHub, at now: Instant) {
        guard hub.needsReconcile, !hub.hasPending else { return }
        if let last = hub.lastReconcile, last.milliseconds(to: now) < 1000 { return }
        var connected: [DeviceID: Caller] = [:]
        for connection in hub.audience.connections {
            guard let subscription = peers[connection]?.subscription, !subscription.watching else { continue }
            connected[subscription.device] = subscription.caller
        }
        // Only devices that may be present: on the roster, and the session open.
        connected = connected.filter { hub.live.state.entry($0.value.member) != nil }
        for batch in hub.reconcilePresence(connected: connected, at: now) { out.append(.submit(batch, generation: hub.generation)) }
        for connection in hub.audience.connections {
            guard let subscription = peers[connection]?.subscription else { continue }
            peers[connection]?.subscription?.joined = hub.isJoined(subscription.device, member: subscription.caller.member)
        }
    }

    /// Connections and live sessions, for `/metrics` (at start and every tick).
    func recordGauges() {
        ServerMetrics.connections.record(connectionCount)
        ServerMetrics.sessions.record(hubs.count)
    }

    /// Logs a step of the system clock once (NTP correcting a village PC):
    /// Muster's time keeps following the monotonic clock.
    func noticeClockStep() {
        let step = wallClockStep()
        guard abs(step - loggedStep) >= 2 else { return }
        loggedStep = step
        if step == 0 { return }
        logger.warning(
            "the system clock stepped \(step > 0 ? "forward" : "back") by \(abs(step)) s; Muster keeps time from its monotonic clock, so durations and roll-call windows are unaffected",
            metadata: ["step_seconds": "\(step)"])
    }

    /// Closes sockets that opened and said no valid hello in time (a scanner,
    /// or a page that never got going): they hold a descriptor for nothing.
    func closeSilentSockets(at now: Instant) {
        for (connection, opened) in awaitingHello where opened.milliseconds(to: now) >= helloTimeoutMilliseconds {
            awaitingHello[connection] = nil
            out.close(connection, code: .policyViolation, reason: "no hello")
        }
    }

    // MARK: Links

    /// Closes, within a second, every device still using a link that
    /// `muster member relink` (another process) has replaced.
    func closeReplacedLinks(at now: Instant) {
        if let last = revocationsCheckedAt, last.milliseconds(to: now) < 1000 { return }
        revocationsCheckedAt = now
        guard let replaced = try? store.linksReplaced(after: lastRevocation), !replaced.members.isEmpty else { return }
        lastRevocation = replaced.last
        for (connection, peer) in peers {
            guard let subscription = peer.subscription, let current = replaced.members[subscription.caller.member],
                current != subscription.tokenHash
            else { continue }
            peers[connection]?.revoked = true
            out.send(ServerMessage.error(id: nil, .unauthorized, "this link has been replaced; ask your secretary for the new one"), to: connection)
            out.close(connection, code: .policyViolation, reason: CommandError.Code.unauthorized.rawValue)
        }
    }

    /// The server is stopping: everyone present leaves now, on the record, in the
    /// writer's last commit (the minutes until the next start are nobody's, and that
    /// start has no one to recover); then every connection closes with 1001.
    func stop() {
        stopping = true
        logger.info("stopping: everyone present leaves on the record, then every connection closes with 1001")
        let now = clock()
        // Each device leaves its audience too: the departures' frames are for nobody (every
        // socket is closing). Acks of commands in the last commit still go out, before the closes.
        for connection in peers.keys.sorted() {
            guard let subscription = peers[connection]?.subscription, let hub = hubs[subscription.session] else { continue }
            hub.unsubscribe(connection, keepingAcks: true)
            guard subscription.joined else { continue }
            submit(try? hub.handle(.leave(device: subscription.device), by: subscription.caller, at: now, reply: nil), hub)
        }
        for connection in peers.keys.sorted() { out.close(connection, code: .goingAway, reason: "server restarting") }
    }
}
