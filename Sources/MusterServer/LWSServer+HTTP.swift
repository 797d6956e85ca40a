import CLibWebSockets
import MusterDocuments
import Foundation
import MusterCore

/// The HTTP side of the shell: WebSocket upgrades, `/healthz` and the exports.
/// Everything here runs on the service thread.
extension LWSServer {
    /// Only `/ws`, and only from our own page: a cross-origin upgrade gets 403.
    func confirmUpgrade(_ wsi: OpaquePointer) -> Int32 {
        let path = header(wsi, WSI_TOKEN_GET_URI) ?? ""
        let origin = header(wsi, WSI_TOKEN_ORIGIN)?.lowercased()
        let host = header(wsi, WSI_TOKEN_HOST)?.lowercased() ?? ""
        let allowed = configuration.allowedOrigin.map { [$0] } ?? ["http://\(host)", "https://\(host)"]
        // Meetings only on the page's listener, never the metrics'.
        let pathOK = (path == "/ws" || path.hasPrefix("/ws?")) && (metricsVhost == nil || lws_get_vhost(wsi) != metricsVhost)
        if pathOK, origin == nil || allowed.contains(origin!) { return 0 }
        let status: UInt32 = pathOK ? 403 : 404
        return lws_return_http_status(wsi, status, nil) != 0 ? -1 : 1
    }

    /// A socket was accepted: drop it when its address holds too many already.
    func acceptConnection(_ user: UnsafeMutableRawPointer?) -> Bool {
        guard let arguments = user?.assumingMemoryBound(to: lws_filter_network_conn_args.self) else { return true }
        return caps.accept(from: Self.numericAddress(&arguments.pointee.cli_addr))
    }

    /// Every request, before it is answered: GET and HEAD with no body, or a
    /// POST to `/api/` with a declared length of at most `maxBody` (a body
    /// sent slowly is cut off by `bodyTimeoutSeconds`).
    func filterRequest(_ wsi: OpaquePointer) -> Int32 {
        let isGet = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0
        let isHead = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0
        let postPath = header(wsi, WSI_TOKEN_POST_URI)
        let length = contentLength(wsi)
        let chunked = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0
        if let postPath, postPath.hasPrefix("/api/") {
            // A body without a declared length (chunked, or none said) is refused before any of it is read.
            let declared = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0
            if chunked || !declared { return refuse(wsi, 411, header: nil) }
            return length > Self.maxBody ? refuse(wsi, 413, header: nil) : 0
        }
        if !isGet && !isHead {
            let allow = Array("GET, HEAD".utf8)
            return refuse(wsi, 405, header: ("allow:", allow))
        }
        if length > 0 || chunked {
            return refuse(wsi, 413, header: nil)
        }
        return 0
    }

    /// The largest body `/api/` takes: a roster file of a county's thousands.
    static let maxBody = 2 << 20
    static let bodyTimeoutSeconds: Int32 = 30

    /// Answers with a bare status and closes.
    private func refuse(_ wsi: OpaquePointer, _ status: UInt32, header extra: (String, [UInt8])?) -> Int32 {
        var buffer = [UInt8](repeating: 0, count: muster_lws_pre + 512)
        _ = buffer.withUnsafeMutableBufferPointer { buffer -> Int32 in
            let start = buffer.baseAddress! + muster_lws_pre
            var cursor: UnsafeMutablePointer<UInt8>? = start
            let end = buffer.baseAddress! + buffer.count - 1
            guard lws_add_http_common_headers(wsi, status, "text/plain", 0, &cursor, end) == 0 else { return -1 }
            if let (name, value) = extra {
                guard lws_add_http_header_by_name(wsi, name, value, Int32(value.count), &cursor, end) == 0 else { return -1 }
            }
            return lws_finalize_write_http_header(wsi, start, &cursor, end)
        }
        return -1
    }

    private static func numericAddress(_ storage: inout sockaddr_storage) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var ip = address.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
                }
            }
        case AF_INET6:
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var ip = address.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
                }
            }
        default: return "?"
        }
        return string(text)
    }

    /// A request: `/healthz`, an export or `/api/…`, answered now or done off
    /// this thread (`ExportService`, `BranchDesk`) and answered when the
    /// mailbox brings it. A POST waits for its body first (`httpBody`).
    func http(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) -> Int32 {
        let request = nextRequest
        nextRequest += 1
        user?.storeBytes(of: request, as: Int.self)
        httpWaiting[request] = wsi
        if header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING)?.contains("gzip") == true { httpTakesGzip.insert(request) }
        if let path = header(wsi, WSI_TOKEN_POST_URI) {
            let length = contentLength(wsi)
            var pending = Switchboard.HTTPRequest(
                number: request, method: "POST", path: path,
                authorization: header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION))
            pending.preview = urlArgument(wsi, "preview") == "1"
            pending.body.reserveCapacity(length)
            // lws calls the body callbacks even for an explicit empty body.
            httpBodies[request] = pending
            lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, Self.bodyTimeoutSeconds)
            return 0
        }
        let path = header(wsi, WSI_TOKEN_GET_URI) ?? "/"
        if let metricsVhost, lws_get_vhost(wsi) == metricsVhost, let metricsText = configuration.metricsText {
            let body = path == "/metrics" ? metricsText() : Array("not found\n".utf8)
            httpReady(
                request,
                HTTPResponse(status: path == "/metrics" ? 200 : 404, contentType: "text/plain; version=0.0.4", body: body))
            return 0
        }
        decide(
            Switchboard.HTTPRequest(
                number: request, path: path, authorization: header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION),
                language: urlArgument(wsi, "lang").flatMap(DocumentLanguage.init) ?? .zh))
        return 0
    }

    /// A piece of a POST's body; more than it declared ends the connection.
    func httpBody(_ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        guard let request = user?.load(as: Int.self), httpBodies[request] != nil else { return -1 }
        guard let input, length > 0 else { return 0 }
        guard httpBodies[request]!.body.count + length <= Self.maxBody else { return -1 }
        httpBodies[request]!.body.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        return 0
    }

    /// The whole body is in: decide.
    func httpBodyComplete(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) -> Int32 {
        guard let request = user?.load(as: Int.self), let pending = httpBodies.removeValue(forKey: request) else {
            return -1
        }
        lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0)
        decide(pending)
        return 0
    }

    private func decide(_ request: Switchboard.HTTPRequest) {
        switch switchboard.respond(request) {
        case .respond(let response): httpReady(request.number, response)
        case .render(let job): exports.render(job)
        case .office(let job): desk.handle(job)
        }
    }

    /// An answer is ready: write it when the connection can take it (if it is still open).
    func httpReady(_ request: Int, _ response: HTTPResponse) {
        guard let wsi = httpWaiting[request] else { return }
        // Gzipped off this thread (a county's minutes take milliseconds), then back here to be written.
        if httpTakesGzip.remove(request) != nil, response.worthCompressing {
            let mailbox = mailbox
            httpCompressor.async { mailbox.post(.httpReady(request, response.gzipped())) }
            return
        }
        httpResponses[request] = response
        lws_callback_on_writable(wsi)
    }

    /// Writes the headers, then (at the next writeable callback) the body.
    func httpWriteable(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) -> Int32 {
        guard let request = user?.load(as: Int.self), let response = httpResponses[request] else { return 0 }
        if !httpHeadersSent.contains(request) {
            guard writeHeaders(wsi, response) else { return -1 }
            httpHeadersSent.insert(request)
            lws_callback_on_writable(wsi)
            return 0
        }
        httpDone(user)
        var body = [UInt8](repeating: 0, count: muster_lws_pre + response.body.count)
        body.replaceSubrange(muster_lws_pre..., with: response.body)
        let written = body.withUnsafeMutableBufferPointer {
            lws_write(wsi, $0.baseAddress! + muster_lws_pre, response.body.count, LWS_WRITE_HTTP_FINAL)
        }
        guard written >= response.body.count else { return -1 }
        return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
    }

    private func writeHeaders(_ wsi: OpaquePointer, _ response: HTTPResponse) -> Bool {
        var headers = [UInt8](repeating: 0, count: muster_lws_pre + 1024)
        return headers.withUnsafeMutableBufferPointer { buffer -> Bool in
            let start = buffer.baseAddress! + muster_lws_pre
            var cursor: UnsafeMutablePointer<UInt8>? = start
            let end = buffer.baseAddress! + buffer.count - 1
            guard
                lws_add_http_common_headers(
                    wsi, UInt32(response.status), response.contentType, lws_filepos_t(response.body.count), &cursor, end) == 0
            else { return false }
            if let encoding = response.contentEncoding {
                let value = Array(encoding.utf8)
                guard lws_add_http_header_by_name(wsi, "content-encoding:", value, Int32(value.count), &cursor, end) == 0
                else { return false }
            }
            if let filename = response.filename {
                let value = Array("attachment; filename=\"\(filename)\"".utf8)
                guard lws_add_http_header_by_name(wsi, "content-disposition:", value, Int32(value.count), &cursor, end) == 0
                else { return false }
            }
            let noStore = Array("no-store".utf8)
            guard lws_add_http_header_by_name(wsi, "cache-control:", noStore, Int32(noStore.count), &cursor, end) == 0,
                lws_finalize_write_http_header(wsi, start, &cursor, end) == 0
            else { return false }
            return true
        }
    }

    func httpDone(_ user: UnsafeMutableRawPointer?) {
        guard let request = user?.load(as: Int.self) else { return }
        httpResponses.removeValue(forKey: request)
        httpWaiting.removeValue(forKey: request)
        httpBodies.removeValue(forKey: request)
        httpHeadersSent.remove(request)
        httpTakesGzip.remove(request)
    }

    /// The body length a request declares; 0 when it declares none.
    private func contentLength(_ wsi: OpaquePointer) -> Int {
        header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH).flatMap { Int($0.trimmingWhitespace()) } ?? 0
    }

    /// The value of `?name=value` in the request's address, if it has one.
    func urlArgument(_ wsi: OpaquePointer, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        guard let value = lws_get_urlarg_by_name(wsi, name + "=", &buffer, Int32(buffer.count)) else { return nil }
        return String(cString: value)
    }

    func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = lws_hdr_total_length(wsi, token)
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
        return Self.string(buffer)
    }

    /// The text lws copied into `buffer`, up to its terminating zero.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
