import Foundation
import MusterCore
import MusterStore
import Testing

/// Runs the real `muster` binary, as a secretary at a terminal would.
struct MusterProcess {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var databasePath: String { directory.appendingPathComponent("muster.sqlite").path }

    /// The binary SwiftPM built beside this test bundle.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["MUSTER_BIN"] { return URL(fileURLWithPath: path) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("muster")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        preconditionFailure("cannot find the muster binary near \(CommandLine.arguments[0])")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @discardableResult
    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    @discardableResult
    func json(_ arguments: String...) throws -> Any {
        let result = try run(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments) failed: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Everything in the database, to show a refused command changed nothing.
    func snapshot() throws -> [String] {
        let database = try MusterDatabase.open(path: databasePath, now: { Instant(millisecondsSince1970: 0) })
        return try database.branches().flatMap { branch in
            ["\(branch)"] + (try database.members(branch: branch.id.rawValue).map { "\($0)" })
                + (try database.sessions(branch: branch.id.rawValue).map { "\($0)" })
        }
    }
}

@Suite struct CommandLineTests {
    @Test func versionNamesMusterAndTheLinkedLibWebSockets() throws {
        let result = try MusterProcess().run("--version")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("muster 0.1.0 (libwebsockets 4."))
    }

    @Test func aSecretarySetsUpABranchWithMembersAndASession() throws {
        let muster = try MusterProcess()
        let branch = try muster.json("branch", "add", "东村党支部") as! [String: String]
        #expect(branch["name"] == "东村党支部")
        #expect(branch["rules"] == "branch-work")
        let member =
            try muster.json(
                "member", "add", "--branch", "东村党支部", "--name", "王建国", "--secretary", "--city", "杭州",
                "--base-url", "https://muster.example.cn") as! [String: Any]
        let token = try #require(member["token"] as? String)
        #expect(member["link"] as? String == "https://muster.example.cn/#t=\(token)")
        #expect(member["secretary"] as? Bool == true)
        #expect((member["id"] as? String)?.hasPrefix("M") == true)

        let csv = try muster.write("roster.csv", "\u{FEFF}姓名,身份,城市\n李秀英,预备,深圳\n张伟,,北京\n")
        let imported = try muster.json("roster", "import", "--branch", branch["id"]!, csv) as! [[String: Any]]
        #expect(imported.map { $0["name"] as? String } == ["李秀英", "张伟"])
        #expect(imported.map { $0["status"] as? String } == ["probationary", "full"])

        let oath = try muster.write("誓词.txt", "第一句\n\n第二句\n")
        let session =
            try muster.json(
                "session", "add", "--branch", "东村党支部", "--title", "十一月主题党日", "--starts",
                "2026-11-28T19:30+08:00", "--text-file", oath) as! [String: Any]
        #expect(session["starts"] as? String == "2026-11-28T11:30:00.000Z")
        #expect(session["textTitle"] as? String == "誓词")
        #expect(session["textLines"] as? Int == 2)
        #expect(session["graceSeconds"] as? Int == 300)

        let relinked = try muster.json("member", "relink", member["id"] as! String) as! [String: Any]
        #expect(relinked["token"] as? String != token)
        let database = try MusterDatabase.open(path: muster.databasePath, now: { Instant(millisecondsSince1970: 0) })
        #expect(try database.member(token: token) == nil)
        #expect(try database.members(branch: "东村党支部").count == 3)
    }

    /// The list commands show what was added, with a branch's voting rules carried into its sessions.
    @Test func listsShowBranchesMembersAndSessionsWithTheirRules() throws {
        let muster = try MusterProcess()
        let branch = try muster.json("branch", "add", "西村党支部", "--rules", "simple-majority") as! [String: String]
        #expect(branch["rules"] == "simple-majority")
        let refused = try muster.run("branch", "add", "北村党支部", "--rules", "robert")
        #expect(refused.status != 0 && refused.stderr.contains("simple-majority"))
        try muster.json("member", "add", "--branch", "西村党支部", "--name", "甲", "--city", "鹤岗")
        try muster.json("member", "add", "--branch", "西村党支部", "--name", "乙", "--secretary")
        try muster.json("session", "add", "--branch", "西村党支部", "--title", "支部党员大会", "--starts", "2026-11-28T19:30+08:00", "--oath")

        let branches = try muster.json("branch", "list") as! [[String: String]]
        #expect(branches.map { [$0["name"]!, $0["rules"]!] } == [["西村党支部", "simple-majority"]])
        let members = try muster.json("member", "list", "--branch", "西村党支部") as! [[String: Any]]
        // Secretaries first, then in the order they were added.
        #expect(members.map { $0["name"] as? String } == ["乙", "甲"])
        #expect(members.map { $0["secretary"] as? Bool } == [true, false])
        #expect(members.allSatisfy { $0["token"] == nil && $0["link"] == nil }, "a list never shows a link")
        let sessions = try muster.json("session", "list", "--branch", branch["id"]!) as! [[String: Any]]
        #expect(sessions.map { $0["title"] as? String } == ["支部党员大会"])
        #expect(sessions.first?["rules"] as? String == "simple-majority")
        let text = try muster.run("member", "list", "--branch", "西村党支部")
        #expect(text.status == 0 && text.stdout.contains("甲") && text.stdout.contains("乙"))
    }

    @Test func anUnknownBranchIsExplainedAndChangesNothing() throws {
        let muster = try MusterProcess()
        try muster.run("branch", "add", "东村党支部")
        let before = try muster.snapshot()
        let csv = try muster.write("roster.csv", "name\n李秀英\n")
        for arguments in [
            ["member", "add", "--branch", "西村", "--name", "王"],
            ["roster", "import", "--branch", "西村", csv],
            ["session", "add", "--branch", "西村", "--title", "会", "--starts", "2026-11-28T19:30"],
        ] {
            let result = try muster.run(arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains("There is no branch \"西村\""), "\(result.stderr)")
        }
        #expect(try muster.snapshot() == before)
    }

    @Test func aMalformedRosterNamesTheLineAndImportsNothing() throws {
        let muster = try MusterProcess()
        try muster.run("branch", "add", "b")
        let before = try muster.snapshot()
        let csv = try muster.write("bad.csv", "name,status,city\n李秀英,full,深圳\n张伟,chief,北京\n")
        let result = try muster.run("roster", "import", "--branch", "b", csv)
        #expect(result.status == 1)
        #expect(result.stderr.contains("Line 3: \"chief\" is not a status"))
        #expect(result.stderr.contains("Nothing was imported"))
        #expect(try muster.snapshot() == before)
    }

    @Test func aDuplicateMemberIsRefusedAndChangesNothing() throws {
        let muster = try MusterProcess()
        try muster.run("branch", "add", "b")
        try muster.run("member", "add", "--branch", "b", "--name", "张伟")
        let before = try muster.snapshot()
        let again = try muster.run("member", "add", "--branch", "b", "--name", "张伟")
        #expect(again.status == 1)
        #expect(again.stderr.contains("\"张伟\" is already on the roster of b"))
        let csv = try muster.write("dupe.csv", "name\n李秀英\n张伟\n")
        let imported = try muster.run("roster", "import", "--branch", "b", csv)
        #expect(imported.status == 1)
        #expect(imported.stderr.contains("Line 3"))
        #expect(try muster.snapshot() == before)
    }

    @Test func badValuesAreRefusedBeforeAnythingIsWritten() throws {
        let muster = try MusterProcess()
        try muster.run("branch", "add", "b")
        let before = try muster.snapshot()
        let badTime = try muster.run("session", "add", "--branch", "b", "--title", "会", "--starts", "明天晚上")
        #expect(badTime.status == 1)
        #expect(badTime.stderr.contains("is not a time"))
        let badStatus = try muster.run("member", "add", "--branch", "b", "--name", "王", "--status", "boss")
        #expect(badStatus.status != 0)
        #expect(badStatus.stderr.contains("boss"))
        let badGrace = try muster.run("session", "add", "--branch", "b", "--title", "会", "--starts", "2026-11-28T19:30", "--grace", "99999")
        #expect(badGrace.status == 1)
        #expect(badGrace.stderr.contains("grace period is 0 to 3600 seconds"))
        #expect(try muster.snapshot() == before)
    }

    /// Bad arguments are caught before anything runs, with the usage (exit 64);
    /// a failure while running is one plain line (exit 1).
    @Test func argumentErrorsShowTheUsageAndFailuresOneLine() throws {
        let muster = try MusterProcess()
        let format = try muster.run("export", "minutes", "S1", "--format", "csv")
        #expect(format.status == 64 && format.stderr.contains("minutes cannot be written as csv"))
        #expect(format.stderr.contains("Usage: muster export"))
        let listen = try muster.run("serve", "--listen", "nonsense")
        #expect(listen.status == 64 && listen.stderr.contains("--listen takes HOST:PORT"))
        let minutes = muster.directory.appendingPathComponent("纪要.html").path
        let missing = try muster.run("export", "minutes", "SNOPE", "-o", minutes)
        #expect(missing.status == 1)
        #expect(missing.stderr == "muster: There is no session \"SNOPE\".\n")
        #expect(!FileManager.default.fileExists(atPath: minutes), "a failed export leaves no file behind")
    }

    @Test func theDemoSetsUpTheVillageBranchAndPrintsEveryLink() throws {
        let muster = try MusterProcess()
        let demo = try muster.json("demo") as! [String: Any]
        let members = try #require(demo["members"] as? [[String: Any]])
        #expect(members.count == 13)
        #expect(members.filter { $0["secretary"] as? Bool == true }.count == 1)
        #expect(members.filter { $0["city"] as? String != "示范村" }.count == 5)
        #expect(members.allSatisfy { ($0["link"] as? String)?.contains("/#t=") == true })
        let session = try #require(demo["session"] as? [String: Any])
        #expect(session["textTitle"] as? String == "入党誓词")
        // Again: the same branch, fresh links, the old ones dead.
        let again = try muster.json("demo") as! [String: Any]
        let database = try MusterDatabase.open(path: muster.databasePath, now: { Instant(millisecondsSince1970: 0) })
        #expect(try database.branches().count == 1)
        #expect(try database.member(token: members[0]["token"] as! String) == nil)
        let fresh = (again["members"] as! [[String: Any]])[0]["token"] as! String
        #expect(try database.member(token: fresh) != nil)
    }
}

extension MusterProcess {
    @discardableResult
    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        let takesNoDatabase = arguments.contains("--version") || arguments.first == "bench"
        process.arguments = arguments + (takesNoDatabase ? [] : ["--db", databasePath])
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite struct ExportCommandTests {
    @Test func aSecretaryExportsTheRollTheMinutesAndTheLog() throws {
        let muster = try MusterProcess()
        try muster.run("branch", "add", "b")
        let host = try muster.json("member", "add", "--branch", "b", "--name", "王书记", "--secretary") as! [String: Any]
        try muster.run("member", "add", "--branch", "b", "--name", "李秀英")
        let session = try muster.json("session", "add", "--branch", "b", "--title", "支部大会", "--starts", "2026-11-28T19:30Z", "--oath") as! [String: Any]
        let id = SessionID(session["id"] as! String)
        // Given a session that ran: its events, as the server would have stored them.
        let database = try MusterDatabase.open(path: muster.databasePath, now: { Instant(millisecondsSince1970: 0) })
        var machine = try database.loadSession(id).machine
        let secretary = Caller.host(MemberID(host["id"] as! String))
        let start = Instant(iso8601: "2026-11-28T19:30Z")!
        for (offset, command) in [Command.open(roster: try database.members(branch: "b").map(\.rosterEntry)), .start,
                                  .join(device: "D1", mode: .remote), .advanceText(line: 1), .end].enumerated() {
            try database.append(session: id, machine.handle(command, by: secretary, at: start.adding(seconds: offset * 60)).occurrences)
        }

        // In the office's words, at the branch's hour (Asia/Shanghai: 19:32 UTC is 03:32 the next day).
        let csv = try muster.run("export", "attendance", id.rawValue)
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("\u{FEFF}姓名,身份,出席情况"))
        #expect(csv.stdout.contains("王书记,正式党员,出席,远程,2026-11-29 03:32:00,2026-11-29 03:34:00,2,0/0"))
        #expect(csv.stdout.contains("李秀英,正式党员,缺席"))
        let english = try muster.run("export", "attendance", id.rawValue, "--lang", "en")
        #expect(english.stdout.contains("王书记,Full member,Present,Remote,2026-11-29 03:32:00"))
        let workbook = muster.directory.appendingPathComponent("考勤.xlsx").path
        #expect(try muster.run("export", "attendance", id.rawValue, "--format", "xlsx", "-o", workbook).status == 0)
        let zip = try #require(FileManager.default.contents(atPath: workbook))
        #expect(zip.starts(with: [0x50, 0x4B, 0x03, 0x04]), "an .xlsx is a zip archive")
        #expect(String(decoding: zip, as: UTF8.self).contains("xl/worksheets/sheet1.xml"))
        try muster.run("branch", "edit", "b", "--time-zone", "Asia/Urumqi")
        #expect(try muster.run("export", "attendance", id.rawValue).stdout.contains("出席,远程,2026-11-29 01:32:00"))
        let badZone = try muster.run("branch", "edit", "b", "--time-zone", "Mars/Olympus")
        #expect(badZone.status == 1 && badZone.stderr.contains("\"Mars/Olympus\" is not a time zone"))
        // A planned time without an offset is the branch's: 20:00 in Urumqi (UTC+6) is 14:00 UTC.
        let planned = try muster.json("session", "add", "--branch", "b", "--title", "党课", "--starts", "2026-12-01T20:00")
        #expect((planned as? [String: Any])?["starts"] as? String == "2026-12-01T14:00:00.000Z")

        let file = muster.directory.appendingPathComponent("纪要.html").path
        let minutes = try muster.run("export", "minutes", id.rawValue, "-o", file)
        #expect(minutes.status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("<h1>支部大会</h1>"))

        let log = try muster.json("export", "log", id.rawValue) as? [[String: Any]]
        #expect(log?.count == 5)
        #expect((log?.first?["event"] as? [String: Any])?["kind"] as? String == "session.opened")

        let wrong = try muster.run("export", "minutes", id.rawValue, "--format", "csv")
        #expect(wrong.status != 0)
        let unknown = try muster.run("export", "log", "SNOPE")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("There is no session \"SNOPE\""))
    }
}

@Suite struct BenchCommandTests {
    @Test func theBenchPrintsFiguresAndChecksThatReplayMatches() throws {
        let result = try MusterProcess().run(["bench", "--commands", "1000", "--members", "20"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.hasSuffix("/s") })
        #expect(lines[1].hasPrefix("replay: 1003 events"))
    }
}
