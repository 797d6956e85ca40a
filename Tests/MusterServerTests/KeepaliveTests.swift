import Testing

@testable import MusterServer

struct KeepaliveTests {
    /// Four ticks a second, ping after 15 s, give up after 30 s (the defaults).
    static func standard() -> Keepalive {
        Keepalive(pingAfterSeconds: 15, hangUpAfterSeconds: 30, tickMicroseconds: 250_000)
    }

    static func after(_ ticks: Int, _ keepalive: Keepalive) -> Keepalive {
        var keepalive = keepalive
        for _ in 0..<ticks { keepalive.advance() }
        return keepalive
    }

    @Test func aSocketHeardFromLatelyIsLeftAlone() {
        let keepalive = Self.after(59, Self.standard())
        #expect(keepalive.verdict(lastHeard: 0, pinged: false) == .fine)
        #expect(keepalive.verdict(lastHeard: 50, pinged: false) == .fine)
    }

    @Test func aQuietSocketIsPingedOnce() {
        let keepalive = Self.after(60, Self.standard())
        #expect(keepalive.verdict(lastHeard: 0, pinged: false) == .ping)
        #expect(keepalive.verdict(lastHeard: 0, pinged: true) == .fine)
    }

    @Test func aSocketSilentPastTheLimitIsDroppedPingedOrNot() {
        let keepalive = Self.after(120, Self.standard())
        #expect(keepalive.verdict(lastHeard: 0, pinged: true) == .hangUp)
        #expect(keepalive.verdict(lastHeard: 0, pinged: false) == .hangUp)
        #expect(keepalive.verdict(lastHeard: 1, pinged: true) == .fine)
    }

    @Test func aOneSecondKeepaliveStillPingsBeforeItGivesUp() {
        let keepalive = Keepalive(pingAfterSeconds: 1, hangUpAfterSeconds: 1, tickMicroseconds: 250_000)
        #expect(keepalive.pingAfter == 4)
        #expect(keepalive.hangUpAfter == 5)
    }
}
