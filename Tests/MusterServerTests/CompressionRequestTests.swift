import Testing

@testable import MusterServer

/// Which upgrades ask for permessage-deflate (`/ws?compress`, docs/protocol.md).
struct CompressionRequestTests {
    @Test func theQueryArgumentCompressAsksWithOrWithoutAValue() {
        #expect(LWSServer.asksForCompression(["compress"]))
        #expect(LWSServer.asksForCompression(["compress=1"]))
        #expect(LWSServer.asksForCompression(["lang=en", "compress"]))
    }

    @Test func anythingElseDoesNotAsk() {
        #expect(!LWSServer.asksForCompression([]))
        #expect(!LWSServer.asksForCompression(["compression"]))
        #expect(!LWSServer.asksForCompression(["nocompress", "x=compress"]))
    }
}
