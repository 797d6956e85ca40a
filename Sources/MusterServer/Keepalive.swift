/// Which WebSockets have gone quiet, counted in the service loop's ticks: a
/// socket silent for `pingAfter` ticks is pinged once (a browser answers
/// with a pong by itself); one silent for `hangUpAfter` ticks is dropped, so
/// a phone that lost its network is recorded as gone.
///
/// The shell keeps this rather than lws's retry policy: lws files each
/// socket's validity timer into one sorted list whenever anything arrives
/// on it, a walk of that list per message, which was 7% of the server's
/// time in a 10,000-member join storm.
struct Keepalive {
    enum Verdict: Equatable {
        case fine, ping, hangUp
    }

    /// Ticks of silence before a ping, and before giving up.
    let pingAfter: Int
    let hangUpAfter: Int
    /// Ticks since the server started.
    private(set) var now = 0

    init(pingAfterSeconds: Int, hangUpAfterSeconds: Int, tickMicroseconds: Int) {
        let ticksPerSecond = max(1, 1_000_000 / tickMicroseconds)
        pingAfter = max(1, pingAfterSeconds * ticksPerSecond)
        hangUpAfter = max(pingAfter + 1, hangUpAfterSeconds * ticksPerSecond)
    }

    mutating func advance() { now += 1 }

    /// What to do with a socket last heard from at tick `lastHeard`, pinged since or not.
    func verdict(lastHeard: Int, pinged: Bool) -> Verdict {
        let silent = now - lastHeard
        if silent >= hangUpAfter { return .hangUp }
        if silent >= pingAfter, !pinged { return .ping }
        return .fine
    }
}
