import ArgumentParser
import MusterCore
import MusterStore

struct BranchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch",
        abstract: "Add, change or list branches.",
        subcommands: [Add.self, Edit.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a branch.")

        @Argument(help: "The branch's name, e.g. 东村党支部.")
        var name: String

        @Option(
            help: """
                How votes are decided. branch-work: a vote needs more than half of the full members present, \
                and passes with "for" from more than half of all full members. simple-majority: same quorum, \
                passes with more "for" than "against".
                """)
        var rules: VotingRules = .branchWork

        @Option(help: "Where the branch keeps its time: times in its minutes and sheets, and --starts, are in it.")
        var timeZone = Branch.defaultTimeZone

        @Option(help: "The organisation it belongs to, by id or exact name (`muster org list`); none: the default one.")
        var org: String?

        @OptionGroup var store: StoreOptions

        func run() throws {
            let branch = try reportingErrors {
                try store.open().addBranch(name: name, rules: rules, timeZone: timeZone, organisation: org)
            }
            if store.json {
                try printJSON(branch.summary)
            } else {
                print("Added branch \(branch.name) (\(branch.id)). Next: add members with `muster member add --branch \(branch.id) --name …` or `muster roster import`.")
            }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a branch's time zone, or the organisation it belongs to.")

        @Argument(help: "The branch, by id or exact name.")
        var branch: String

        @Option(help: "An IANA time zone, e.g. Asia/Urumqi.")
        var timeZone: String?

        @Option(help: "The organisation it now belongs to, by id or exact name.")
        var org: String?

        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard timeZone != nil || org != nil else { throw ValidationError("Say what changes: --time-zone, --org or both.") }
        }

        func run() throws {
            let changed = try reportingErrors {
                let database = try store.open()
                var changed = try database.branch(branch)
                if let timeZone { changed = try database.setTimeZone(branch: branch, timeZone) }
                if let org { changed = try database.move(branch: branch, to: org) }
                return changed
            }
            if store.json {
                try printJSON(changed.summary)
            } else {
                print("\(changed.name) keeps its times in \(changed.timeZone), under \(changed.organisationId?.rawValue ?? "no organisation").")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the branches.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let branches = try reportingErrors { try store.open().branches() }
            if store.json {
                try printJSON(branches.map(\.summary))
            } else {
                for branch in branches {
                    print("\(branch.id)  \(branch.name)  (\(branch.rules.rawValue), \(branch.timeZone))")
                }
            }
        }
    }
}

extension Branch {
    /// What `--json` prints of a branch.
    var summary: [String: String] {
        ["id": id.rawValue, "name": name, "rules": rules.rawValue, "timeZone": timeZone]
    }
}
