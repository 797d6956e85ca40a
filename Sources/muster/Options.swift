import ArgumentParser
import Foundation
import MusterCore
import MusterStore

/// Options every command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "The Muster data file. Created on first use.")
    var databasePath = "muster.sqlite"

    @Flag(help: "Print one JSON object or array, for scripts.")
    var json = false

    func open() throws -> MusterDatabase {
        try MusterDatabase.open(path: databasePath, now: Instant.now)
    }
}

/// Where member links point.
struct LinkOptions: ParsableArguments {
    @Option(help: "The address members open, as they will reach the server.")
    var baseURL = "http://127.0.0.1:8080"

    func link(_ token: String) -> String { LinkToken.link(baseURL: baseURL, token: token) }
    /// An office holder's link opens the map of the members below their organisation.
    func office(_ token: String) -> String { LinkToken.link(baseURL: baseURL + "/map", token: token) }
}

extension MemberStatus: ExpressibleByArgument {}
extension VotingRules: ExpressibleByArgument {}

/// Prints JSON the same way everywhere: sorted keys, one line, Chinese as is.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A member and their link, as printed.
struct MemberOutput: Encodable {
    var id: String
    var branch: String
    var name: String
    var status: String
    var city: String?
    var secretary: Bool
    var token: String?
    var link: String?

    init(_ member: Member, token: String? = nil, links: LinkOptions? = nil) {
        id = member.id.rawValue
        branch = member.branchId.rawValue
        name = member.name
        status = member.status.rawValue
        city = member.city
        secretary = member.secretary
        self.token = token
        link = token.flatMap { token in links?.link(token) }
    }

    var line: String {
        let role = secretary ? "secretary" : status
        return "\(id)  \(name)  (\(role)\(city.map { ", \($0)" } ?? ""))\(link.map { "\n    \($0)" } ?? "")"
    }
}

/// Something that went wrong while a command ran (not a bad argument: those
/// are `ValidationError`s, thrown from `validate()` before anything runs).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ParsableCommand {
    /// The one path for failures while running: the store's refusals, the
    /// server's, a file that cannot be written. Each becomes one plain line on
    /// standard error and exit code 1; argument errors keep ArgumentParser's usage help.
    func reportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("muster: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
