import MusterCore

/// A budget: `capacity` at once, refilled at `perSecond` (commands per
/// connection, hellos per address and per member).
///
/// Generous for a person (a secretary stepping through a text with the
/// arrow keys sends a few a second), tight for a runaway script.
struct TokenBucket {
    var capacity: Double
    var perSecond: Double
    private var tokens: Double
    private var last: Instant?

    init(capacity: Double = 20, perSecond: Double = 10) {
        self.capacity = capacity
        self.perSecond = perSecond
        tokens = capacity
    }

    /// Whether the bucket would be full at `now` (nothing taken lately).
    func isFull(at now: Instant) -> Bool {
        guard let last else { return true }
        return tokens + Double(max(0, last.milliseconds(to: now))) / 1000 * perSecond >= capacity
    }

    /// Takes one token if there is one.
    mutating func take(at now: Instant) -> Bool {
        if let last {
            let elapsed = Double(max(0, last.milliseconds(to: now))) / 1000
            tokens = min(capacity, tokens + elapsed * perSecond)
        }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
