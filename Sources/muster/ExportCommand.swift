import ArgumentParser
import Foundation
import MusterCore
import MusterDocuments
import MusterStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a session's attendance sheet, minutes or event log.",
        discussion: """
            muster export attendance S…              the roll as a spreadsheet (CSV, opens in Excel and WPS)
            muster export attendance S… --format xlsx -o 考勤.xlsx   the same as an Excel workbook
            muster export attendance S… --format json  the roll and the whole record
            muster export minutes S… -o 纪要.html     printable minutes
            muster export log S…                     every event, in order
            Times are written in the branch's time zone (`muster branch edit --time-zone`).
            """)

    enum Document: String, ExpressibleByArgument, CaseIterable {
        case attendance, minutes, log
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, xlsx, json, html
    }

    @Argument(help: "attendance, minutes or log.")
    var document: Document

    @Argument(help: "The session's id (S…); `muster session list --branch …` shows them.")
    var session: String

    @Option(help: "csv, xlsx or json for attendance; html for minutes; json for the log.")
    var format: Format?

    @Option(help: "The attendance sheet's language: zh (出席, 远程, 正式党员…) or en.")
    var lang: DocumentLanguage = .zh

    @Option(name: .shortAndLong, help: "Write to this file instead of the screen.")
    var output: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        _ = try choose()
    }

    func run() throws {
        let export = try choose()
        try reportingErrors {
            let bytes = try render(export)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                    throw CommandFailure("cannot write \(output)")
                }
                print("Wrote \(output).")
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
        }
    }

    private func render(_ export: SessionExport) throws -> [UInt8] {
        let database = try store.open()
        let id = SessionID(session)
        var log: [StoredEvent] = []
        let state = try database.loadSession(id) { event, _ in log.append(event) }.machine.state
        return try export.render(
            state, log: log, asOf: state.endedAt ?? Instant.now(),
            timeZone: database.timeZone(ofBranch: state.setup.branch), language: lang)
    }

    private func choose() throws -> SessionExport {
        switch (document, format) {
        case (.attendance, nil), (.attendance, .csv): return .attendanceCSV
        case (.attendance, .xlsx): return .attendanceXLSX
        case (.attendance, .json): return .attendanceJSON
        case (.minutes, nil), (.minutes, .html): return .minutesHTML
        case (.log, nil), (.log, .json): return .logJSON
        default: throw ValidationError("\(document.rawValue) cannot be written as \(format!.rawValue)")
        }
    }
}

extension DocumentLanguage: ExpressibleByArgument {}
