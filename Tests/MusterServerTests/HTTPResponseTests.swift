import Testing

@testable import MusterServer

/// What the server makes for a request goes gzipped when it is text of a kilobyte or more.
@Suite struct HTTPResponseTests {
    static let minutes = Array(String(repeating: "<tr><td>张三</td><td>出席</td><td>远程</td></tr>\n", count: 200).utf8)

    @Test func textOfAKilobyteOrMoreIsGzippedToTheSameBytes() throws {
        let answer = HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: Self.minutes)
        #expect(answer.worthCompressing)
        let gzipped = answer.gzipped()
        #expect(gzipped.contentEncoding == "gzip")
        #expect(gzipped.body.count * 10 < Self.minutes.count, "a table of rows is a tenth of itself")
        #expect(GzippedFilesTests.gunzip(gzipped.body).map { $0 == Self.minutes } == true)
        #expect(gzipped.status == 200 && gzipped.contentType == answer.contentType)
        #expect(!gzipped.worthCompressing, "gzipped once, not twice")
        let json = HTTPResponse(status: 200, contentType: "application/json; charset=utf-8", body: Self.minutes)
        #expect(json.worthCompressing)
    }

    @Test func smallAnswersSpreadsheetsAndWhatGzipCannotShrinkGoAsTheyAre() {
        #expect(!HTTPResponse(status: 200, contentType: "text/csv", body: Array(Self.minutes.prefix(1023))).worthCompressing)
        let sheet = HTTPResponse(
            status: 200, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body: Self.minutes)
        #expect(!sheet.worthCompressing, "a spreadsheet is a zip already")
        let noise = HTTPResponse(status: 200, contentType: "text/plain", body: GzippedFilesTests.noise(4096))
        #expect(noise.worthCompressing)
        let kept = noise.gzipped()
        #expect(kept.contentEncoding == nil && kept.body == noise.body, "gzip would only make it bigger")
    }
}
