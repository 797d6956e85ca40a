import Foundation
import GRDB
import MusterCore

/// What `muster check` found in a data file.
public struct CheckReport: Sendable {
    /// What SQLite's integrity check said was wrong; empty for a sound file.
    public var fileProblems: [String]
    /// How many sessions the file holds.
    public var sessions: Int
    /// Sessions whose log cannot be replayed, each with why.
    public var damaged: [(session: SessionID, problem: String)]

    public var isSound: Bool { fileProblems.isEmpty && damaged.isEmpty }
}

/// Backups, checks and restores of whole data files, through SQLite's own
/// online backup: a copy is the file as it stood at one moment, taken under
/// one read transaction, so it is safe while a server writes, and every
/// event acknowledged before it began is in it.
extension MusterDatabase {
    /// Copies the data file at `source` to a new file at `path`, in one go
    /// (a file being written is never left at `path`).
    @discardableResult
    public static func backup(from source: String, to path: String) throws -> CheckReport {
        guard FileManager.default.fileExists(atPath: source) else {
            throw StoreError.cannotOpen(path: source, reason: "there is no such file")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.invalid("\(path) already exists; name a new file for the backup.")
        }
        let partial = path + ".partial"
        defer { removeFile(partial) }
        try copy(from: source, to: partial)
        let report = try check(path: partial)
        try rename(partial, to: path)
        return report
    }

    /// Opens the file at `path`, runs SQLite's integrity check on it and
    /// replays every session's log, naming each one that cannot be replayed.
    public static func check(path: String) throws -> CheckReport {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "there is no such file")
        }
        let queue: DatabaseQueue
        let problems: [String]
        do {
            queue = try DatabaseQueue(path: path)
            problems = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
                .filter { $0 != "ok" }
        } catch let error as DatabaseError {
            return CheckReport(fileProblems: [error.message ?? "\(error)"], sessions: 0, damaged: [])
        }
        guard problems.isEmpty else { return CheckReport(fileProblems: problems, sessions: 0, damaged: []) }
        let database = try MusterDatabase(queue, now: { Instant(millisecondsSince1970: 0) })
        let sessions = try queue.read { db in try SessionID.fetchAll(db, sql: "SELECT id FROM session ORDER BY startsAt, id") }
        var damaged: [(session: SessionID, problem: String)] = []
        for session in sessions {
            do {
                _ = try database.loadSession(session)
            } catch {
                damaged.append((session, "\(error)"))
            }
        }
        return CheckReport(fileProblems: [], sessions: sessions.count, damaged: damaged)
    }

    /// Puts the backup at `backup` in place of the data file at `path`, once
    /// a copy of it has passed `check`; a backup that does not changes
    /// nothing. The file it replaces is kept beside it as
    /// `path.before-restore`. Stop the server first.
    @discardableResult
    public static func restore(from backup: String, to path: String) throws -> CheckReport {
        guard FileManager.default.fileExists(atPath: backup) else {
            throw StoreError.cannotOpen(path: backup, reason: "there is no such file")
        }
        let partial = path + ".restoring"
        defer { removeFile(partial) }
        removeFile(partial)
        try copy(from: backup, to: partial)
        let report = try check(path: partial)
        guard report.isSound else { return report }
        let kept = path + ".before-restore"
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
            removeFile(kept + suffix)
            try rename(path + suffix, to: kept + suffix)
        }
        removeFile(path + "-shm")
        try rename(partial, to: path)
        return report
    }

    /// SQLite's online backup of `source` into a new self-contained file (no WAL beside it), owner-only.
    private static func copy(from source: String, to path: String) throws {
        do {
            let from = try DatabaseQueue(path: source)
            let into = try DatabaseQueue(path: path)
            try from.backup(to: into)
            try into.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try into.close()
            try from.close()
            chmod(path, 0o600)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: source, reason: error.message ?? "\(error)")
        }
    }

    private static func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw StoreError.cannotOpen(path: to, reason: String(cString: strerror(errno)))
        }
    }

    private static func removeFile(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
