import CXLSXWriter
import Foundation

/// The attendance sheet as an Excel workbook (.xlsx), written by Debian's
/// libxlsxwriter: the same rows as the CSV (`AttendanceExport.rows`), a bold
/// header that stays in view, minutes as numbers. Cells are written as text
/// or numbers, never as formulas, so nothing a member typed can run.
public enum AttendanceWorkbook {
    /// Column widths, in characters, for the sheet's ten columns.
    public static let widths: [Double] = [12, 12, 10, 10, 20, 20, 10, 10, 24, 12]
    /// The column holding minutes present, written as a number.
    public static let minutesColumn = 6

    public enum Failure: Error, CustomStringConvertible {
        case cannotWrite(String)
        public var description: String {
            switch self {
            case .cannotWrite(let reason): "cannot write the workbook: \(reason)"
            }
        }
    }

    /// The workbook's bytes. libxlsxwriter writes a file; it lives in the
    /// temporary folder only while this runs.
    /// - Parameters:
    ///   - widths: each column's width, in characters (the attendance sheet's by default).
    ///   - numbers: the columns whose cells are written as numbers when they read as one.
    public static func xlsx(
        _ rows: [[String]], sheet: String, widths: [Double] = widths, numbers: Set<Int> = [minutesColumn]
    ) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("muster-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let workbook = workbook_new(path) else { throw Failure.cannotWrite("libxlsxwriter could not start") }
        guard let worksheet = workbook_add_worksheet(workbook, sheet) else {
            workbook_close(workbook)
            throw Failure.cannotWrite("libxlsxwriter could not add a sheet")
        }
        let bold = workbook_add_format(workbook)
        format_set_bold(bold)
        for (column, width) in widths.enumerated() {
            worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), width, nil)
        }
        worksheet_freeze_panes(worksheet, 1, 0)
        var failure: lxw_error = LXW_NO_ERROR
        for (row, cells) in rows.enumerated() {
            for (column, cell) in cells.enumerated() where !cell.isEmpty {
                let (r, c) = (lxw_row_t(row), lxw_col_t(column))
                let written =
                    if row > 0, numbers.contains(column), let number = Double(cell) {
                        worksheet_write_number(worksheet, r, c, number, nil)
                    } else {
                        worksheet_write_string(worksheet, r, c, cell, row == 0 ? bold : nil)
                    }
                if written != LXW_NO_ERROR, failure == LXW_NO_ERROR { failure = written }
            }
        }
        let closed = workbook_close(workbook)
        for error in [failure, closed] where error != LXW_NO_ERROR {
            throw Failure.cannotWrite(String(cString: lxw_strerror(error)))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.cannotWrite("the file it wrote is gone")
        }
        return [UInt8](data)
    }
}
