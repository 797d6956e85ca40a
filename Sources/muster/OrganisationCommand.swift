import ArgumentParser
import MusterCore
import MusterStore

extension OrganisationLevel: ExpressibleByArgument {}

struct OrganisationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Add or list the organisations above branches: county (district), township (street), village (community).",
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an organisation.",
            discussion: """
                muster org add 河东区 --level county
                muster org add 北街道 --level township --parent 河东区
                muster branch add 柳村党支部 --org 北街道
                """)

        @Argument(help: "Its name, e.g. 北街道.")
        var name: String

        @Option(help: "county, township or village.")
        var level: OrganisationLevel

        @Option(help: "The organisation it is under, by id or exact name (none: a top one).")
        var parent: String?

        @OptionGroup var store: StoreOptions

        func run() throws {
            let added = try reportingErrors { try store.open().addOrganisation(name: name, level: level, parent: parent) }
            if store.json {
                try printJSON(added.summary)
            } else {
                print("Added \(added.name) (\(added.id), \(added.level.rawValue)). Next: `muster branch add … --org \(added.name)` or `muster office add --org \(added.name) --name …`.")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the organisations as a tree, with their branches.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let (organisations, branches) = try reportingErrors {
                let database = try store.open()
                return (try database.organisations(), try database.branches())
            }
            if store.json {
                try printJSON(organisations.map(\.summary))
                return
            }
            func show(_ organisation: Organisation, depth: Int) {
                let indent = String(repeating: "  ", count: depth)
                print("\(indent)\(organisation.name)  (\(organisation.id), \(organisation.level.rawValue))")
                for branch in branches where branch.organisationId == organisation.id {
                    print("\(indent)  · \(branch.name)  (\(branch.id))")
                }
                for child in organisations where child.parentId == organisation.id { show(child, depth: depth + 1) }
            }
            for top in organisations where top.parentId == nil { show(top, depth: 0) }
        }
    }
}

struct OfficeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "office",
        abstract: "Give someone at an organisation's service point a link: they see every branch below it, read-only.",
        subcommands: [Add.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an office holder and print their link.")

        @Option(help: "The organisation, by id or exact name.")
        var org: String

        @Option(help: "Their name, e.g. 李干事.")
        var name: String

        @OptionGroup var links: LinkOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let (holder, token) = try reportingErrors { try store.open().addOfficeHolder(name: name, organisation: org) }
            let link = links.office(token)
            if store.json {
                try printJSON(["id": holder.id.rawValue, "name": holder.name, "organisation": holder.organisationId.rawValue, "link": link])
            } else {
                print("\(holder.name) (\(holder.id)): \(link)")
                print("This link is shown once. Whoever opens it sees every branch below \(org).")
            }
        }
    }
}

extension Organisation {
    /// What `--json` prints of an organisation.
    var summary: [String: String] {
        var summary = ["id": id.rawValue, "name": name, "level": level.rawValue]
        summary["parent"] = parentId?.rawValue
        return summary
    }
}
