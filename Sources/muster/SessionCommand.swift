import ArgumentParser
import Foundation
import MusterCore
import MusterStore

struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Plan sessions and list them.",
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plan a session for a branch.")

        @Option(help: "The branch, by id or exact name.")
        var branch: String

        @Option(help: "What members will see, e.g. 十一月主题党日.")
        var title: String

        @Option(help: "When it starts: 2026-11-28T19:30 (in the branch's time zone) or with an offset, 2026-11-28T19:30+08:00.")
        var starts: String

        @Option(help: "Seconds after the start before someone joining counts as late.")
        var grace = SessionSetup.defaultGraceSeconds

        @Option(help: "branch-meeting, lesson, oath, theme-day, …")
        var kind = "branch-meeting"

        @Option(help: "A text file to read together, one line per line (blank lines skipped).")
        var textFile: String?

        @Flag(help: "Read the Party oath together (the built-in text).")
        var oath = false

        @Option(
            help: """
                A lesson for every branch under this organisation (a township's 空中课堂): --branch hosts it, \
                its roster is all their members, each branch files its own sheet, and it holds no votes.
                """)
        var org: String?

        @OptionGroup var store: StoreOptions

        func run() throws {
            let setup = try reportingErrors {
                let database = try store.open()
                let zone = try database.timeZone(ofBranch: database.branch(branch).id)
                guard let startsAt = BranchTime.parse(starts, in: zone) else {
                    throw StoreError.invalid("\"\(starts)\" is not a time. Write it like 2026-11-28T19:30.")
                }
                var text: SharedText? = oath ? .partyOath : nil
                if let textFile {
                    guard let data = FileManager.default.contents(atPath: textFile),
                        let pasted = TextFile.decode(data)?.text
                    else { throw StoreError.invalid("Cannot read \(textFile) as UTF-8 or GBK text.") }
                    let title = URL(fileURLWithPath: textFile).deletingPathExtension().lastPathComponent
                    text = SharedText(title: title, pasted: pasted)
                }
                return try database.addSession(
                    branch: branch, title: title, kind: kind, startsAt: startsAt, graceSeconds: grace, text: text,
                    organisation: org)
            }
            if store.json {
                try printJSON(SessionOutput(setup))
            } else {
                print("Planned \(setup.title) (\(setup.id)) for \(setup.scheduledStart.iso8601).")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a branch's sessions.")

        @Option(help: "The branch, by id or exact name.")
        var branch: String

        @OptionGroup var store: StoreOptions

        func run() throws {
            let sessions = try reportingErrors { try store.open().sessions(branch: branch) }
            if store.json {
                try printJSON(sessions.map(SessionOutput.init))
            } else {
                for setup in sessions { print("\(setup.id)  \(setup.scheduledStart.iso8601)  \(setup.title)") }
            }
        }
    }
}

/// A session as printed.
struct SessionOutput: Encodable {
    var id: String
    var branch: String
    /// A lesson's organisation, for every branch under it.
    var organisation: String?
    var title: String
    var kind: String
    var starts: String
    var graceSeconds: Int
    var rules: String
    var textTitle: String?
    var textLines: Int?

    init(_ setup: SessionSetup) {
        id = setup.id.rawValue
        branch = setup.branch.rawValue
        organisation = setup.organisation?.rawValue
        title = setup.title
        kind = setup.kind
        starts = setup.scheduledStart.iso8601
        graceSeconds = setup.graceSeconds
        rules = setup.rules.rawValue
        textTitle = setup.text?.title
        textLines = setup.text?.lines.count
    }
}
