import ArgumentParser
import Foundation
import MusterStore

struct RosterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Bring a whole roster in from a spreadsheet.",
        subcommands: [Import.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import members from a CSV file and print each one's link.",
            discussion: """
                Save the spreadsheet as CSV (UTF-8). The first line names the columns:
                  name,status,city,role
                  王建国,full,杭州,secretary
                  李秀英,probationary,深圳,
                Chinese headers and values work too (姓名,身份,城市,角色; 正式, 预备, 列席; 书记).
                Only the name is required. If any line is wrong, nothing is imported and the line is named.
                """)

        @Option(help: "The branch, by id or exact name.")
        var branch: String

        @Argument(help: "The CSV file.")
        var file: String

        @OptionGroup var links: LinkOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let issued = try reportingErrors {
                let database = try store.open()
                _ = try database.branch(branch)
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw StoreError.invalid("Cannot read \(file).")
                }
                let rows = try RosterFile.parse(data)
                guard !rows.isEmpty else { throw StoreError.invalid("\(file) has a header but no members.") }
                return try database.importRoster(branch: branch, rows)
            }
            let output = issued.map { MemberOutput($0.member, token: $0.token, links: links) }
            if store.json {
                try printJSON(output)
            } else {
                print("Imported \(output.count) members. Send each their own link:")
                for member in output { print(member.line) }
            }
        }
    }
}
