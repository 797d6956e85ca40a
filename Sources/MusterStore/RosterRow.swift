import CSV
import Foundation
import MusterCore

/// One member read from a roster file, with the line it came from.
public struct RosterRow: Sendable, Hashable {
    /// 1-based, the header being line 1.
    public var line: Int
    public var member: NewMember

    public init(line: Int, member: NewMember) {
        self.line = line
        self.member = member
    }
}

/// Reads a roster spreadsheet saved as CSV: `name,status,city,role`.
///
/// Written for what a secretary's spreadsheet really looks like: UTF-8 with
/// or without the BOM that Excel and WPS add, or GBK as they save "CSV
/// (逗号分隔)" on a Chinese Windows (`TextFile`), headers and values in English
/// or Chinese (姓名, 身份, 城市, 角色; 正式党员, 预备党员, 书记…), columns in
/// any order, blank lines ignored. Any bad line stops the whole file, with
/// its line number, so a half-imported roster never happens.
public enum RosterFile {
    public static func parse(_ data: Data) throws -> [RosterRow] {
        try parse(text: decode(data).text)
    }

    /// The file's text and how it was saved (UTF-8 or GBK); a clear error when it is neither.
    public static func decode(_ data: Data) throws -> (text: String, encoding: TextFile.Encoding) {
        guard let decoded = TextFile.decode(data) else {
            throw StoreError.invalid(
                "The roster file is neither UTF-8 nor GBK text. Save it from Excel or WPS as CSV and try again.")
        }
        return decoded
    }

    /// Rows from a roster file's text, already decoded.
    public static func parse(text: String) throws -> [RosterRow] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingWhitespace().isEmpty }) else {
            throw StoreError.invalid("The roster file is empty.")
        }
        let header = try fields(of: String(lines[headerIndex]), line: headerIndex + 1)
        let columns = try Columns(header: header, line: headerIndex + 1)
        var rows: [RosterRow] = []
        for index in lines.indices where index > headerIndex {
            let raw = String(lines[index])
            if raw.trimmingWhitespace().isEmpty { continue }
            let line = index + 1
            let values = try fields(of: raw, line: line)
            guard values.count <= header.count else {
                throw StoreError.rosterLine(line, "\(values.count) values, but the header has \(header.count) columns")
            }
            func value(_ column: Int?) -> String {
                guard let column, column < values.count else { return "" }
                return values[column].trimmingWhitespace()
            }
            let name = value(columns.name)
            guard !name.isEmpty else { throw StoreError.rosterLine(line, "the name is empty") }
            guard let status = memberStatus(value(columns.status)) else {
                throw StoreError.rosterLine(
                    line, "\"\(value(columns.status))\" is not a status; use full, probationary or guest (正式, 预备, 列席)")
            }
            guard let secretary = isSecretary(value(columns.role)) else {
                throw StoreError.rosterLine(line, "\"\(value(columns.role))\" is not a role; use member or secretary (党员, 书记)")
            }
            let city = value(columns.city)
            let phone = value(columns.phone)
            rows.append(
                RosterRow(
                    line: line,
                    member: NewMember(
                        name: name, status: status, city: city.isEmpty ? nil : city, secretary: secretary,
                        phone: phone.isEmpty ? nil : phone)))
        }
        return rows
    }

    /// A status as people write it; empty means a full member.
    public static func memberStatus(_ text: String) -> MemberStatus? {
        switch text.lowercased() {
        case "", "full", "正式", "正式党员", "党员": .full
        case "probationary", "预备", "预备党员": .probationary
        case "guest", "列席", "来宾", "群众", "积极分子", "入党积极分子": .guest
        default: nil
        }
    }

    static func isSecretary(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "", "member", "党员", "成员", "委员": false
        case "secretary", "书记", "支部书记", "副书记": true
        default: nil
        }
    }

    /// One physical line split by the CSV library (quotes and commas inside quotes handled).
    private static func fields(of line: String, line number: Int) throws -> [String] {
        // Quotes inside a quoted value are doubled, so a whole record always
        // has an even number of them; the library alone would accept `"B,full`.
        guard line.unicodeScalars.filter({ $0 == "\"" }).count % 2 == 0 else {
            throw StoreError.rosterLine(number, "a quote is not closed")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: line)
        } catch {
            throw StoreError.rosterLine(number, "cannot read this line (\(error))")
        }
        guard let fields = reader.next(), reader.error == nil else {
            throw StoreError.rosterLine(number, "cannot read this line; check its quotes")
        }
        return fields
    }

    private struct Columns {
        var name: Int
        var status: Int?
        var city: Int?
        var role: Int?
        var phone: Int?

        init(header: [String], line: Int) throws {
            let names = header.map { $0.trimmingWhitespace().lowercased() }
            func find(_ aliases: [String]) -> Int? { names.firstIndex { aliases.contains($0) } }
            guard let name = find(["name", "姓名", "名字"]) else {
                throw StoreError.rosterLine(line, "the header needs a name column (name,status,city,role)")
            }
            self.name = name
            status = find(["status", "身份", "类别", "党员类别"])
            city = find(["city", "城市", "所在城市", "现居城市"])
            role = find(["role", "角色", "职务"])
            phone = find(["phone", "电话", "手机", "手机号", "联系电话"])
        }
    }
}
