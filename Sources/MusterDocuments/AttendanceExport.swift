import MusterCore

/// The attendance record as a spreadsheet: what a secretary files.
///
/// UTF-8 with a byte-order mark, so Excel and WPS open Chinese names right;
/// one row per expected member. Times are written in the office's local
/// time (`utcOffsetSeconds`), to the second.
public enum AttendanceExport {
    public static let header = [
        "姓名 name", "身份 status", "出席 attendance", "方式 mode", "首次进入 first join", "最后离开 last leave",
        "在场分钟 minutes present", "点名 roll calls", "请假事由 excuse", "城市 city",
    ]

    public static func csv(_ records: [AttendanceRecord], utcOffsetSeconds: Int) -> String {
        var rows = [header]
        for record in records {
            rows.append([
                record.name,
                record.memberStatus.rawValue,
                record.status.rawValue,
                record.mode?.rawValue ?? "",
                record.firstJoin.map { local($0, utcOffsetSeconds) } ?? "",
                record.lastLeave.map { local($0, utcOffsetSeconds) } ?? "",
                String(record.secondsPresent / 60),
                "\(record.rollCallsAnswered)/\(record.rollCallsHeld)",
                record.excuse ?? "",
                record.city ?? "",
            ])
        }
        return "\u{FEFF}" + rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// `2026-11-24 18:03:05` in the given offset.
    static func local(_ instant: Instant, _ offset: Int) -> String {
        let shifted = Instant(millisecondsSince1970: instant.millisecondsSince1970 + Int64(offset) * 1000).iso8601
        return String(shifted.prefix(19).map { $0 == "T" ? " " : $0 })
    }

    /// Quotes a field when it holds a comma, quote or line break; also
    /// defuses values a spreadsheet would run as a formula.
    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.flatMap { $0 == "\"" ? "\"\"" : String($0) } + "\""
    }
}
