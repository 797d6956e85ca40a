import Foundation
import MusterCore

/// A time as a secretary types it, in the branch's zone.
public enum BranchTime {
    /// `2026-11-28T19:30` in `zone`, at the offset the zone has on that day;
    /// a time with its own offset (`…+08:00`, `…Z`) is taken as written.
    public static func parse(_ text: String, in zone: TimeZone) -> Instant? {
        let text = text.trimmingWhitespace()
        guard let asIfUTC = Instant(iso8601: text, defaultOffsetSeconds: 0) else { return nil }
        let seconds = Double(asIfUTC.millisecondsSince1970) / 1000
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds - Double(zone.secondsFromGMT())))
        return Instant(iso8601: text, defaultOffsetSeconds: offset)
    }
}
