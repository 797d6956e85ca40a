import Testing

@testable import MusterServer

/// The descriptor limit a server runs with: every member is a socket, and lws walks
/// a table as long as the limit at every close (see `LWSServer.openFileLimit`).
@Suite struct OpenFileLimitTests {
    @Test func asHighAsTheSystemAllowsUpToTheCap() {
        #expect(LWSServer.openFileLimit(hard: 20_000) == 20_000)
        #expect(LWSServer.openFileLimit(hard: 65_536) == 65_536)
    }

    @Test func aContainersMillionOrNoLimitAtAllComesDownToTheCap() {
        #expect(LWSServer.openFileLimit(hard: 1_048_576) == 65_536)
        #expect(LWSServer.openFileLimit(hard: .max) == 65_536, "RLIM_INFINITY")
    }
}
