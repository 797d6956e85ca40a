import ArgumentParser
import Foundation
import MusterStore

/// `muster backup`, `muster restore` and `muster check`: the data file's safety.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the data file to a new file, safely while the server runs.",
        discussion: """
            muster backup /var/backups/muster/$(date +%F).sqlite --db /var/lib/muster/muster.sqlite
            The copy is the file as it stood at one moment: every event acknowledged before it began is in it.
            """)

    @Argument(help: "The new file to write (it must not exist yet).")
    var file: String

    @OptionGroup var store: StoreOptions

    func run() throws {
        try reportingErrors {
            let report = try MusterDatabase.backup(from: store.databasePath, to: file)
            print("Backed up \(store.databasePath) to \(file) (\(sessions(report.sessions))).")
            if !report.isSound { describe(report, file: store.databasePath) }
        }
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back in place of the data file (stop the server first).",
        discussion: """
            muster restore /var/backups/muster/2026-11-25.sqlite --db /var/lib/muster/muster.sqlite
            The backup is checked first; a damaged one changes nothing. The file it replaces is kept as FILE.before-restore.
            """)

    @Argument(help: "The backup to put back.")
    var backup: String

    @OptionGroup var store: StoreOptions

    func run() throws {
        try reportingErrors {
            let report = try MusterDatabase.restore(from: backup, to: store.databasePath)
            guard report.isSound else {
                describe(report, file: backup)
                throw CommandFailure("\(backup) is damaged; \(store.databasePath) was not changed")
            }
            print("Restored \(store.databasePath) from \(backup) (\(sessions(report.sessions)), each replayed).")
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the data file: SQLite's integrity check, then every session replayed.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try reportingErrors {
            let report = try MusterDatabase.check(path: store.databasePath)
            guard report.isSound else {
                describe(report, file: store.databasePath)
                throw CommandFailure("\(store.databasePath) has problems (above)")
            }
            print("\(store.databasePath) is sound: \(sessions(report.sessions)), each replayed.")
        }
    }
}

private func sessions(_ count: Int) -> String { count == 1 ? "1 session" : "\(count) sessions" }

/// Prints what is wrong, one line each, on standard error.
private func describe(_ report: CheckReport, file: String) {
    var lines = report.fileProblems.map { "\(file): \($0)" }
    lines += report.damaged.map { "session \($0.session.rawValue): \($0.problem)" }
    FileHandle.standardError.write(Data(lines.map { "muster: \($0)\n" }.joined().utf8))
}
