import Foundation
import GRDB
import MusterCore
import Testing

@testable import MusterStore

/// Whole-file backups, checks and restores (`muster backup`, `check`, `restore`).
@Suite struct BackupTests {
    /// A data file with one session of three events, in a fresh folder.
    func given() throws -> (folder: URL, path: String, session: SessionID) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muster-backup-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("muster.sqlite").path
        let database = try MusterDatabase.open(path: path, random: .seeded(3), now: FixedClock().now)
        let (setup, _) = try EventLogTests.given(database)
        let roster = try database.members(branch: "b").map(\.rosterEntry)
        try database.append(
            session: setup.id,
            [
                Occurrence(at: EventLogTests.start, event: .sessionOpened(.init(roster: roster))),
                Occurrence(at: EventLogTests.start.adding(seconds: 1), event: .sessionStarted),
            ])
        return (folder, path, setup.id)
    }

    @Test func aBackupIsASoundCopyAndNeverOverwritesAFile() throws {
        let (folder, path, session) = try given()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("copy.sqlite").path
        let report = try MusterDatabase.backup(from: path, to: copy)
        #expect(report.isSound && report.sessions == 1)
        let restored = try MusterDatabase.open(path: copy, now: FixedClock().now)
        #expect(try restored.lastSeq(session) == 2)
        #expect(throws: StoreError.invalid("\(copy) already exists; name a new file for the backup.")) {
            try MusterDatabase.backup(from: path, to: copy)
        }
        #expect(!FileManager.default.fileExists(atPath: copy + ".partial"))
    }

    @Test func checkNamesTheSessionThatCannotBeReplayed() throws {
        let (folder, path, session) = try given()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "UPDATE event SET body = 'garbage' WHERE seq = 2") }
        try queue.close()
        let report = try MusterDatabase.check(path: path)
        #expect(report.fileProblems.isEmpty)
        #expect(report.damaged.map(\.session) == [session])
        #expect(!report.isSound)
    }

    @Test func aFileThatIsNotADatabaseIsReportedNotCrashedOn() throws {
        let (folder, _, _) = try given()
        defer { try? FileManager.default.removeItem(at: folder) }
        let junk = folder.appendingPathComponent("junk.sqlite").path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: junk))
        let report = try MusterDatabase.check(path: junk)
        #expect(!report.fileProblems.isEmpty)
        let before = try Data(contentsOf: URL(fileURLWithPath: junk))
        let target = folder.appendingPathComponent("muster.sqlite").path
        let targetBefore = try Data(contentsOf: URL(fileURLWithPath: target))
        #expect(throws: (any Error).self) { try MusterDatabase.restore(from: junk, to: target) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: junk)) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == targetBefore, "a bad backup changed the data file")
    }
}
