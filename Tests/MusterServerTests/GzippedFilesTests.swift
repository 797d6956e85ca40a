import CZlib
import Foundation
import Testing

@testable import MusterServer

/// The page's files gzipped once, again only when they change on disk, and
/// only where gzip is worth it and there is room.
@Suite struct GzippedFilesTests {
    /// A folder of its own for each test, gone after it.
    final class Folder {
        let path = NSTemporaryDirectory() + "muster-gzip-" + UUID().uuidString
        init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        @discardableResult
        func write(_ name: String, _ bytes: [UInt8]) -> String {
            let file = path + "/" + name
            _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
            return file
        }
    }

    static func script(_ lines: Int) -> [UInt8] {
        Array((0..<lines).map { "const line\($0) = document.querySelector('#line-\($0)');\n" }.joined().utf8)
    }

    static func noise(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    static func gunzip(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard muster_inflate_init_gzip(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var input = bytes
        var status = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output += out[..<(out.count - Int(stream.avail_out))]
                }
            }
        }
        return status == Z_STREAM_END ? output : nil
    }

    static func modified(_ path: String) -> UInt32 {
        var status = stat()
        stat(path, &status)
        return UInt32(truncatingIfNeeded: status.st_mtim.tv_sec)
    }

    @Test func aScriptIsServedAsAGzipOfItsBytesAndCompressedOnce() throws {
        let folder = Folder()
        let file = folder.write("app.js", Self.script(200))
        let files = GzippedFiles()
        let gzip = try #require(files.gzipped(path: file))
        #expect(Self.gunzip(gzip.bytes).map { $0 == Self.script(200) } == true)
        #expect(gzip.bytes.count * 3 < Self.script(200).count, "a script is a third of itself or less")
        #expect(gzip.modified == Self.modified(file), "lws's ETag takes the file's time")
        #expect(files.gzipped(path: file) === gzip)
        #expect(files.compressions == 1)
        #expect(files.storedBytes == gzip.bytes.count)
    }

    @Test func aFileChangedOnDiskIsCompressedAgain() throws {
        let folder = Folder()
        let file = folder.write("app.js", Self.script(200))
        let files = GzippedFiles()
        let before = try #require(files.gzipped(path: file))
        folder.write("app.js", Self.script(300))
        let after = try #require(files.gzipped(path: file))
        #expect(Self.gunzip(after.bytes).map { $0 == Self.script(300) } == true)
        #expect(files.storedBytes == after.bytes.count, "the old gzip is no longer counted")
        #expect(before.bytes != after.bytes)
    }

    @Test func aFileReplacedByOneOfTheSameSizeAndTimeIsCompressedAgain() throws {
        // A deploy that renames a new file into place: only the inode tells them apart.
        let folder = Folder()
        let file = folder.write("app.js", Self.script(200))
        let files = GzippedFiles()
        _ = try #require(files.gzipped(path: file))
        var changed = Self.script(200)
        changed[0] = UInt8(ascii: "C")
        let next = folder.write("next.js", changed)
        var status = stat()
        stat(file, &status)
        var times = [status.st_atim, status.st_mtim]
        utimensat(AT_FDCWD, next, &times, 0)
        rename(next, file)
        let after = try #require(files.gzipped(path: file))
        #expect(Self.gunzip(after.bytes).map { $0 == changed } == true)
    }

    @Test func whatGzipDoesNotShrinkIsServedAsItIs() {
        let folder = Folder()
        let files = GzippedFiles()
        let noise = folder.write("noise.js", Self.noise(20_000))
        #expect(files.gzipped(path: noise) == nil, "gzip saves nothing on noise")
        #expect(files.gzipped(path: noise) == nil)
        #expect(files.compressions == 1, "and it is not tried again while the file is unchanged")
        #expect(files.gzipped(path: folder.write("photo.png", Self.script(200))) == nil, "not a text type")
        #expect(files.gzipped(path: folder.write("README", Self.script(200))) == nil, "no type at all")
        #expect(files.gzipped(path: folder.path + "/missing.js") == nil)
        try? FileManager.default.createDirectory(atPath: folder.path + "/folder.js", withIntermediateDirectories: true)
        #expect(files.gzipped(path: folder.path + "/folder.js") == nil, "a folder is not a file")
        let small = GzippedFiles(maxFileBytes: 1000)
        #expect(small.gzipped(path: folder.write("big.js", Self.script(200))) == nil, "over the size a file may be")
        #expect(files.compressions == 1 && small.compressions == 0)
    }

    @Test func pastItsRoomFilesAreServedAsTheyAreAndNotCompressedEachTime() throws {
        let folder = Folder()
        let files = GzippedFiles(maxEntries: 2, maxBytes: 600)
        let first = try #require(files.gzipped(path: folder.write("a.js", Self.script(40))))
        #expect(first.bytes.count <= 600)
        let big = folder.write("b.js", Self.noise(100) + Self.script(400))
        #expect(files.gzipped(path: big) == nil, "its gzip would pass the bytes kept")
        #expect(files.gzipped(path: big) == nil)
        #expect(files.gzipped(path: folder.write("c.js", Self.script(40))) == nil, "a third file: no room")
        #expect(files.compressions == 2)
        #expect(files.storedBytes == first.bytes.count)
        #expect(files.gzipped(path: folder.path + "/a.js") === first, "what is kept is still served")
    }

    @Test func aPageMountsOriginNamesItsFilesAndBack() {
        #expect(PageFileOperations.origin("/srv/web") == "/srv/web/@muster")
        #expect(PageFileOperations.origin("/srv/web/") == "/srv/web/@muster")
        let path = "/srv/web/@muster/js/app.js"
        path.withCString { start in
            let virtualPart = start + "/srv/web/@muster/".utf8.count
            #expect(PageFileOperations.realPath(start, virtualPart: virtualPart) == "/srv/web/js/app.js")
            #expect(PageFileOperations.realPath(start, virtualPart: start + 3) == nil, "no room for the signature")
        }
    }
}
