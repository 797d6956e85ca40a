import Foundation
import MusterCore
import MusterDocuments
import MusterStore

/// `GET /api/dashboard`: 三会一课 for each branch in scope (a secretary's own,
/// or every branch below an office), read from the record: each held
/// session replayed once for its attendance.
struct DashboardReport: Encodable {
    var branches: [Line]

    struct Line: Encodable {
        var id: String
        var name: String
        var organisation: String?
        var dashboard: BranchDashboard
    }

    static func of(_ branches: [Branch], store: MusterDatabase, now: Instant) throws -> DashboardReport {
        DashboardReport(
            branches: try branches.map { branch in
                let sessions = try SessionLine.sessions(of: branch.id, in: store).map { setup, summary in
                    let held = summary?.ended == true && summary?.cancelReason == nil && summary?.openedAt != nil
                    var lines: [AttendanceRecord] = []
                    if held {
                        let state = try store.loadSession(setup.id).machine.state
                        let end = state.endedAt ?? now
                        // A lesson for many branches: this branch's members only.
                        lines = setup.organisation == nil ? state.attendance(asOf: end) : state.attendance(of: branch.id, asOf: end)
                    }
                    return BranchDashboard.Session(kind: setup.kind, startsAt: setup.scheduledStart, held: held, attendance: lines)
                }
                let members = try store.currentMembers(of: [branch.id]).map { (id: $0.id, name: $0.name) }
                return Line(
                    id: branch.id.rawValue, name: branch.name, organisation: branch.organisationId?.rawValue,
                    dashboard: BranchDashboard(
                        sessions: sessions, members: members, now: now, timeZone: try store.timeZone(ofBranch: branch.id)))
            })
    }

    /// The two sheets an office files: one row per branch, or per member.
    enum Sheet: String {
        case branches, members
    }

    func rows(_ sheet: Sheet, organisations: [OrganisationID: String], language: DocumentLanguage) -> [[String]] {
        let zh = language == .zh
        let rate = { (value: Double?) in value.map { String(format: "%.0f%%", $0 * 100) } ?? "" }
        switch sheet {
        case .branches:
            var rows = [
                zh
                    ? ["支部", "所属组织", "支部委员会（本月）", "党小组会（本月）", "支部党员大会（本季度）", "党课（本季度）", "出席率", "最近三次均缺席"]
                    : ["Branch", "Organisation", "Committee (this month)", "Party group (this month)", "Assembly (this quarter)",
                       "Party lesson (this quarter)", "Attendance", "Missed the last three"]
            ]
            for line in branches {
                let standings = line.dashboard.cadence.map { Self.words($0.standing, language) }
                rows.append(
                    [line.name, line.organisation.flatMap { organisations[OrganisationID($0)] } ?? ""] + standings
                        + [rate(line.dashboard.attendanceRate), String(line.dashboard.members.filter(\.missedLastThree).count)])
            }
            return rows
        case .members:
            var rows = [
                zh
                    ? ["支部", "姓名", "应到次数", "出席次数", "请假次数", "出席率", "最近三次均缺席"]
                    : ["Branch", "Name", "Expected", "Attended", "Excused", "Attendance", "Missed the last three"]
            ]
            for line in branches {
                for member in line.dashboard.members {
                    rows.append([
                        line.name, member.name, String(member.expected), String(member.attended), String(member.excused),
                        rate(member.expected > 0 ? Double(member.attended) / Double(member.expected) : nil),
                        member.missedLastThree ? (zh ? "是" : "yes") : "",
                    ])
                }
            }
            return rows
        }
    }

    static func words(_ standing: BranchDashboard.Standing, _ language: DocumentLanguage) -> String {
        switch (standing, language) {
        case (.done, .zh): "已开"
        case (.due, .zh): "待开"
        case (.overdue, .zh): "逾期未开"
        case (.done, .en): "held"
        case (.due, .en): "due"
        case (.overdue, .en): "overdue"
        }
    }
}

extension DashboardReport {
    /// `/api/dashboard` and its sheets (`/api/dashboard/branches.csv`, `members.xlsx` …), for `branches`.
    static func answer(
        _ path: [String], branches: [Branch], organisations: [Organisation], store: MusterDatabase, now: Instant,
        language: DocumentLanguage
    ) throws -> HTTPResponse {
        guard path.count == 2 else { return try .encoded(of(branches, store: store, now: now)) }
        // The address is checked before every held session is replayed for the report.
        let parts = path[1].split(separator: ".").map(String.init)
        guard parts.count == 2, let sheet = Sheet(rawValue: parts[0]), ["csv", "xlsx"].contains(parts[1]) else {
            throw OfficeError(status: 404, message: "there is no /api/\(path.joined(separator: "/")); the sheets are branches and members, .csv or .xlsx")
        }
        let report = try of(branches, store: store, now: now)
        let names = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id, $0.name) })
        let rows = report.rows(sheet, organisations: names, language: language)
        let title = language == .zh ? (sheet == .branches ? "三会一课" : "党员出席") : (sheet == .branches ? "Branches" : "Members")
        let filename = "\(sheet.rawValue).\(parts[1])"
        if parts[1] == "csv" {
            return HTTPResponse(
                status: 200, contentType: "text/csv; charset=utf-8", body: Array(AttendanceExport.csv(rows: rows).utf8),
                filename: filename)
        }
        let widths: [Double] = sheet == .branches ? [18, 14, 16, 16, 18, 14, 10, 14] : [18, 12, 10, 10, 10, 10, 14]
        return HTTPResponse(
            status: 200, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            body: try AttendanceWorkbook.xlsx(rows, sheet: title, widths: widths, numbers: sheet == .members ? [2, 3, 4] : [7]),
            filename: filename)
    }
}
