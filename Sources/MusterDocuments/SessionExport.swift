import Foundation
import MusterCore
import MusterStore

/// The documents a secretary takes away from a session, rendered the same
/// way for the HTTP exports and for `muster export`.
public enum SessionExport: String, CaseIterable, Sendable {
    /// The roll as a spreadsheet (UTF-8 with BOM).
    case attendanceCSV = "attendance.csv"
    /// The same roll as an Excel workbook.
    case attendanceXLSX = "attendance.xlsx"
    /// The roll, the quorum and the whole event log.
    case attendanceJSON = "attendance.json"
    /// The printable minutes.
    case minutesHTML = "minutes.html"
    /// The event log alone.
    case logJSON = "log.json"

    public var contentType: String {
        switch self {
        case .attendanceCSV: "text/csv; charset=utf-8"
        case .attendanceXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .attendanceJSON, .logJSON: "application/json; charset=utf-8"
        case .minutesHTML: "text/html; charset=utf-8"
        }
    }

    /// Whether `render` reads the event log.
    public var needsLog: Bool { self == .attendanceJSON || self == .logJSON }

    /// Renders the document. `log` is the session's stored events (only the JSON documents use it);
    /// times are written in `timeZone` (the branch's), the sheet in `language`; `reader` is a
    /// member reading the minutes (see `MinutesDocument`), nil for the secretary. `branch`: in a
    /// lesson for many branches, the sheet of that branch's members only (each secretary files their own).
    public func render(
        _ state: SessionState, log: [StoredEvent], asOf: Instant, timeZone: TimeZone, language: DocumentLanguage = .zh,
        reader: MemberID? = nil, branch: BranchID? = nil
    ) throws -> [UInt8] {
        let sheet = { branch.map { state.attendance(of: $0, asOf: asOf) } ?? state.attendance(asOf: asOf) }
        switch self {
        case .attendanceCSV:
            return Array(AttendanceExport.csv(sheet(), timeZone: timeZone, language: language).utf8)
        case .attendanceXLSX:
            let rows = AttendanceExport.rows(sheet(), timeZone: timeZone, language: language)
            return try AttendanceWorkbook.xlsx(rows, sheet: language == .zh ? "考勤" : "Attendance")
        case .minutesHTML:
            return Array(MinutesDocument.html(state, asOf: asOf, timeZone: timeZone, reader: reader).utf8)
        case .attendanceJSON:
            return try Self.json(
                AttendanceDocument(
                    session: state.snapshot(for: .host, asOf: asOf).session, quorum: state.quorum,
                    attendance: state.attendance(asOf: asOf), log: log.map(LoggedEvent.init)))
        case .logJSON:
            return try Self.json(log.map(LoggedEvent.init))
        }
    }

    private static func json(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    private struct LoggedEvent: Encodable {
        var seq: Int
        var at: Instant
        var event: Event

        init(_ stored: StoredEvent) {
            seq = stored.seq
            at = stored.occurrence.at
            event = stored.occurrence.event
        }
    }

    private struct AttendanceDocument: Encodable {
        var session: SessionSnapshot.Info
        var quorum: Quorum
        var attendance: [AttendanceRecord]
        var log: [LoggedEvent]
    }
}
