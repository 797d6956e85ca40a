import MusterCore
import Synchronization
import Testing

@testable import MusterServer

/// NTP stepping a village PC's clock must not open a 10 s roll call for an
/// hour or credit an hour of presence (the trust issue, finding 7).
@Suite struct ServerClockTests {
    final class Sources: Sendable {
        let wall = Mutex(Instant(iso8601: "2026-11-24T10:00:00Z")!.millisecondsSince1970)
        let monotonic = Mutex<UInt64>(5_000_000_000)

        func pass(seconds: Int) {
            wall.withLock { $0 += Int64(seconds) * 1000 }
            monotonic.withLock { $0 += UInt64(seconds) * 1_000_000_000 }
        }

        func stepWall(seconds: Int) { wall.withLock { $0 += Int64(seconds) * 1000 } }

        func clock() -> ServerClock {
            ServerClock(
                wall: { Instant(millisecondsSince1970: self.wall.withLock { $0 }) },
                monotonicNanoseconds: { self.monotonic.withLock { $0 } })
        }
    }

    @Test func timeFollowsTheMonotonicClockWhenTheWallClockSteps() {
        let sources = Sources()
        let clock = sources.clock()
        let start = clock.now()
        #expect(start == Instant(iso8601: "2026-11-24T10:00:00Z")!)
        sources.pass(seconds: 10)
        #expect(start.milliseconds(to: clock.now()) == 10_000)
        #expect(clock.wallClockStep() == 0)

        // NTP moves the wall clock back an hour: Muster's time goes on.
        sources.stepWall(seconds: -3600)
        sources.pass(seconds: 5)
        #expect(start.milliseconds(to: clock.now()) == 15_000)
        #expect(clock.wallClockStep() == -3600)

        // And forward by an hour: a 10 s roll call still closes 10 s later.
        sources.stepWall(seconds: 7200)
        let opened = clock.now()
        sources.pass(seconds: 10)
        #expect(opened.milliseconds(to: clock.now()) == 10_000)
        #expect(clock.wallClockStep() == 3600)
    }
}
