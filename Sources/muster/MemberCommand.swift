import ArgumentParser
import MusterCore
import MusterStore

struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Add members, list them, or give someone a new link.",
        subcommands: [Add.self, Relink.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add one member and print their personal link.",
            discussion: "Send each member their own link; whoever opens it takes part as that member.")

        @Option(help: "The branch, by id or exact name.")
        var branch: String

        @Option(help: "The member's name as it should appear on the roll.")
        var name: String

        @Option(help: "full (votes), probationary (no vote) or guest.")
        var status: MemberStatus = .full

        @Option(help: "Where the member lives or works now.")
        var city: String?

        @Option(help: "A phone number, for the secretary only (never shown in a meeting).")
        var phone: String?

        @Flag(help: "This member runs the branch's sessions (their link opens the secretary's console).")
        var secretary = false

        @OptionGroup var links: LinkOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let issued = try reportingErrors {
                try store.open().addMember(
                    branch: branch, NewMember(name: name, status: status, city: city, secretary: secretary, phone: phone))
            }
            let output = MemberOutput(issued.member, token: issued.token, links: links)
            if store.json { try printJSON(output) } else { print("Added \(output.line)") }
        }
    }

    struct Relink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a member a new link; their old link stops working at once.",
            discussion: "Use this when a phone is lost or a link was sent to the wrong person.")

        @Argument(help: "The member's id (M…).")
        var member: String

        @OptionGroup var links: LinkOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let issued = try reportingErrors { try store.open().relink(member: MemberID(member)) }
            let output = MemberOutput(issued.member, token: issued.token, links: links)
            if store.json { try printJSON(output) } else { print("New link for \(output.line)") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a branch's members (links are not shown: use relink).")

        @Option(help: "The branch, by id or exact name.")
        var branch: String

        @OptionGroup var store: StoreOptions

        func run() throws {
            let members = try reportingErrors { try store.open().members(branch: branch) }
            if store.json {
                try printJSON(members.map { MemberOutput($0) })
            } else {
                for member in members { print(MemberOutput(member).line) }
            }
        }
    }
}
