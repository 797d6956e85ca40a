/// A point in time, in whole milliseconds since 1970-01-01T00:00:00Z.
///
/// The core never reads a clock: every `Instant` comes in from outside.
/// Milliseconds (not `Date`'s floating-point seconds) make the stored and the
/// wire form round-trip exactly. Encodes as ISO-8601 in UTC with
/// milliseconds, `2026-11-24T10:00:00.123Z`.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(secondsSince1970: Int64) {
        self.millisecondsSince1970 = secondsSince1970 * 1000
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// This instant moved by a number of seconds.
    public func adding(seconds: Int) -> Instant {
        Instant(millisecondsSince1970: millisecondsSince1970 + Int64(seconds) * 1000)
    }

    /// Milliseconds from `self` to `later` (negative when `later` is earlier).
    public func milliseconds(to later: Instant) -> Int64 {
        later.millisecondsSince1970 - millisecondsSince1970
    }

    public var description: String { iso8601 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let instant = Instant(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an ISO-8601 time: \(text)")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

extension Instant {
    /// `2026-11-24T10:00:00.123Z`.
    public var iso8601: String {
        let (days, msOfDay) = millisecondsSince1970.floorDivided(by: 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        let hour = msOfDay / 3_600_000
        let minute = msOfDay / 60_000 % 60
        let second = msOfDay / 1000 % 60
        let ms = msOfDay % 1000
        if (0...9999).contains(year) {
            // Digits into a fixed buffer: the interpolation below was a visible part of a join storm.
            return String(unsafeUninitializedCapacity: 24) { buffer in
                var at = 0
                func put(_ value: Int64, _ width: Int, then separator: UInt8?) {
                    var divisor: Int64 = 1
                    for _ in 1..<width { divisor *= 10 }
                    for _ in 0..<width {
                        buffer[at] = UInt8(ascii: "0") + UInt8(value / divisor % 10)
                        at += 1
                        divisor /= 10
                    }
                    if let separator {
                        buffer[at] = separator
                        at += 1
                    }
                }
                put(Int64(year), 4, then: UInt8(ascii: "-"))
                put(Int64(month), 2, then: UInt8(ascii: "-"))
                put(Int64(day), 2, then: UInt8(ascii: "T"))
                put(hour, 2, then: UInt8(ascii: ":"))
                put(minute, 2, then: UInt8(ascii: ":"))
                put(second, 2, then: UInt8(ascii: "."))
                put(ms, 3, then: UInt8(ascii: "Z"))
                return at
            }
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(ms, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or `±HH:MM`.
    /// Without a zone the text is read with `defaultOffsetSeconds` (UTC unless
    /// told), so a caller can read a secretary's local time.
    public init?(iso8601 text: String, defaultOffsetSeconds: Int? = 0) {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.skip("-"),
            let month = scanner.digits(2), scanner.skip("-"),
            let day = scanner.digits(2), scanner.skip("T") || scanner.skip(" "),
            let hour = scanner.digits(2), scanner.skip(":"),
            let minute = scanner.digits(2)
        else { return nil }
        var second = 0
        var millis = 0
        if scanner.skip(":") {
            guard let s = scanner.digits(2) else { return nil }
            second = s
            if scanner.skip(".") || scanner.skip(",") {
                guard let fraction = scanner.fraction() else { return nil }
                millis = fraction
            }
        }
        var offset: Int
        if scanner.skip("Z") || scanner.skip("z") {
            offset = 0
        } else if scanner.peek == UInt8(ascii: "+") || scanner.peek == UInt8(ascii: "-") {
            let sign = scanner.skip("-") ? -1 : 1
            _ = scanner.skip("+")
            guard let oh = scanner.digits(2) else { return nil }
            _ = scanner.skip(":")
            guard let om = scanner.digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else if let defaultOffsetSeconds {
            offset = defaultOffsetSeconds
        } else {
            return nil
        }
        guard scanner.atEnd, (1...12).contains(month), hour < 24, minute < 60, second < 60,
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        self.init(millisecondsSince1970: seconds * 1000 + Int64(millis))
    }

    // Howard Hinnant's civil-calendar algorithms: exact for every proleptic
    // Gregorian date, with no locale or time-zone database involved.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

private func pad<I: BinaryInteger>(_ value: I, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> (Int64, Int64) {
        var quotient = self / divisor
        var remainder = self % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}

/// Reads ASCII digits and separators off a byte array, for `Instant(iso8601:)`.
private struct DigitScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }
    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard peek == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    mutating func digits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[position..<position + count] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        position += count
        return value
    }

    /// A decimal fraction of a second, as whole milliseconds (extra digits dropped).
    mutating func fraction() -> Int? {
        var digits: [Int] = []
        while let byte = peek, (48...57).contains(byte) {
            digits.append(Int(byte - 48))
            position += 1
        }
        guard !digits.isEmpty else { return nil }
        let padded = (digits + [0, 0, 0]).prefix(3)
        return padded.reduce(0) { $0 * 10 + $1 }
    }
}
