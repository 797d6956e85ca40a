import Foundation
import MusterCore

/// The server's time: wall-clock readings that follow the monotonic clock.
///
/// It reads the wall clock once, at start, and from then on adds the time
/// the monotonic clock has measured. So durations and deadlines (a roll
/// call's 60 s, minutes present) follow real elapsed time even when NTP
/// steps the system clock of a village PC, and event times never run
/// backwards. A step of the wall clock is noticed (`wallClockStep`) and
/// logged by the caller; it does not move Muster's time.
final class ServerClock: @unchecked Sendable {
    // @unchecked: immutable after init; the sources are called, never stored into.
    private let wall: @Sendable () -> Instant
    private let monotonicNanoseconds: @Sendable () -> UInt64
    private let startWall: Instant
    private let startMonotonic: UInt64

    /// - Parameters:
    ///   - wall: the system's wall clock (`Instant.now` in the shell; a fixed value in tests).
    ///   - monotonicNanoseconds: a clock that never steps (`CLOCK_MONOTONIC`).
    init(
        wall: @escaping @Sendable () -> Instant,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64 = ServerClock.systemMonotonicNanoseconds
    ) {
        self.wall = wall
        self.monotonicNanoseconds = monotonicNanoseconds
        startWall = wall()
        startMonotonic = monotonicNanoseconds()
    }

    /// Now, as the start's wall-clock reading plus the monotonic time since.
    func now() -> Instant {
        let elapsed = (monotonicNanoseconds() &- startMonotonic) / 1_000_000
        return Instant(millisecondsSince1970: startWall.millisecondsSince1970 + Int64(elapsed))
    }

    /// How far the wall clock has stepped away from Muster's time, in whole
    /// seconds (positive: the wall clock is ahead); 0 within a second's drift.
    func wallClockStep() -> Int64 {
        let difference = now().milliseconds(to: wall())
        return abs(difference) < 1000 ? 0 : difference / 1000
    }

    static let systemMonotonicNanoseconds: @Sendable () -> UInt64 = {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
