import ArgumentParser
import MusterServer

@main
struct Muster: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "muster",
        abstract: "Run branch meetings with members near and far: attendance, the oath, discussion, votes.",
        discussion: """
            Start with `muster demo` to see a whole branch set up, or:
              muster branch add 东村党支部
              muster roster import --branch 东村党支部 members.csv
              muster session add --branch 东村党支部 --title "十一月主题党日" --starts 2026-11-28T19:30
            Every command keeps its data in one file, muster.sqlite here unless --db says otherwise.
            """,
        version: "muster \(version) (libwebsockets \(LWSServer.libraryVersion))",
        subcommands: [
            ServeCommand.self, OrganisationCommand.self, OfficeCommand.self, BranchCommand.self, MemberCommand.self, RosterCommand.self, SessionCommand.self,
            ExportCommand.self, BackupCommand.self, RestoreCommand.self, CheckCommand.self, DemoCommand.self,
            BenchCommand.self,
        ]
    )
}
