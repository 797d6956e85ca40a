import ArgumentParser
import MusterCore
import MusterStore

struct BranchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch",
        abstract: "Add or list branches.",
        subcommands: [Add.self, List.self]
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

        @OptionGroup var store: StoreOptions

        func run() throws {
            let branch = try reportingErrors { try store.open().addBranch(name: name, rules: rules) }
            if store.json {
                try printJSON(["id": branch.id.rawValue, "name": branch.name, "rules": branch.rules.rawValue])
            } else {
                print("Added branch \(branch.name) (\(branch.id)). Next: add members with `muster member add --branch \(branch.id) --name …` or `muster roster import`.")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the branches.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let branches = try reportingErrors { try store.open().branches() }
            if store.json {
                try printJSON(branches.map { ["id": $0.id.rawValue, "name": $0.name, "rules": $0.rules.rawValue] })
            } else {
                for branch in branches { print("\(branch.id)  \(branch.name)  (\(branch.rules.rawValue))") }
            }
        }
    }
}
