import Foundation
import MusterCore

/// The language a document is written in: Chinese, as the office files it, or English.
public enum DocumentLanguage: String, CaseIterable, Sendable {
    case zh, en
}

/// The attendance record as a spreadsheet: what a secretary files.
///
/// UTF-8 with a byte-order mark, so Excel and WPS open Chinese names right;
/// one row per expected member, in the office's words (出席/迟到/早退/请假/
/// 缺席, 现场/远程, 正式党员/预备党员/列席) or in English. Times are written
/// in the branch's time zone, to the second.
public enum AttendanceExport {
    public static func header(_ language: DocumentLanguage) -> [String] {
        switch language {
        case .zh: ["姓名", "身份", "出席情况", "参会方式", "首次进入", "最后离开", "在场分钟", "点名应答", "请假事由", "所在城市"]
        case .en:
            [
                "Name", "Member status", "Attendance", "Mode", "First joined", "Last left", "Minutes present",
                "Roll calls answered", "Excuse", "City",
            ]
        }
    }

    /// The sheet's rows, header first: the CSV's and the .xlsx's cells alike.
    public static func rows(_ records: [AttendanceRecord], timeZone: TimeZone, language: DocumentLanguage) -> [[String]] {
        var rows = [header(language)]
        for record in records {
            rows.append([
                record.name,
                words(record.memberStatus, language),
                words(record.status, language),
                record.mode.map { words($0, language) } ?? "",
                record.firstJoin.map { local($0, timeZone) } ?? "",
                record.lastLeave.map { local($0, timeZone) } ?? "",
                String(record.secondsPresent / 60),
                "\(record.rollCallsAnswered)/\(record.rollCallsHeld)",
                record.excuse ?? "",
                record.city ?? "",
            ])
        }
        return rows
    }

    public static func csv(_ records: [AttendanceRecord], timeZone: TimeZone, language: DocumentLanguage) -> String {
        csv(rows: rows(records, timeZone: timeZone, language: language))
    }

    /// Any sheet's rows as CSV, as Excel and WPS open it: UTF-8 with a byte-order mark, CRLF.
    public static func csv(rows: [[String]]) -> String {
        "\u{FEFF}" + rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func words(_ status: MemberStatus, _ language: DocumentLanguage) -> String {
        switch (status, language) {
        case (.full, .zh): "正式党员"
        case (.probationary, .zh): "预备党员"
        case (.guest, .zh): "列席"
        case (.full, .en): "Full member"
        case (.probationary, .en): "Probationary member"
        case (.guest, .en): "Guest"
        }
    }

    static func words(_ status: AttendanceRecord.Status, _ language: DocumentLanguage) -> String {
        switch (status, language) {
        case (.present, .zh): "出席"
        case (.late, .zh): "迟到"
        case (.leftEarly, .zh): "早退"
        case (.excused, .zh): "请假"
        case (.absent, .zh): "缺席"
        case (.present, .en): "Present"
        case (.late, .en): "Late"
        case (.leftEarly, .en): "Left early"
        case (.excused, .en): "Excused"
        case (.absent, .en): "Absent"
        }
    }

    static func words(_ mode: AttendanceMode, _ language: DocumentLanguage) -> String {
        switch (mode, language) {
        case (.onsite, .zh): "现场"
        case (.remote, .zh): "远程"
        case (.onsite, .en): "On site"
        case (.remote, .en): "Remote"
        }
    }

    /// `2026-11-24 18:03:05` in the given zone, at the offset it had at that instant.
    static func local(_ instant: Instant, _ zone: TimeZone) -> String {
        let milliseconds = instant.millisecondsSince1970
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        let shifted = Instant(millisecondsSince1970: milliseconds + Int64(offset) * 1000).iso8601
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
