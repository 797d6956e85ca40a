import CLibWebSockets
import Foundation

/// HTTPS and WSS, through lws's own TLS (OpenSSL), and the headers every response carries.
extension LWSServer {
    /// Scripts only from this server, no framing, no sniffing, no referrer
    /// carrying a link's path; styles may be inline (the minutes are one
    /// file). On TLS, browsers are told to come back only over HTTPS. And
    /// caches are told an answer depends on whether the browser takes gzip.
    static func everyResponseHeaders(tls: Bool) -> [(String, String)] {
        var headers = [
            (
                "content-security-policy:",
                "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                    + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
            ),
            ("x-content-type-options:", "nosniff"),
            ("x-frame-options:", "DENY"),
            ("referrer-policy:", "no-referrer"),
            // The page's files and the answers come gzipped or not as the browser asks.
            ("vary:", "accept-encoding"),
        ]
        if tls { headers.append(("strict-transport-security:", "max-age=31536000")) }
        return headers
    }

    /// Asks the server to load its certificate and key again (a renewed
    /// certificate): connections already open keep theirs, new ones get the
    /// new one. Safe from any thread.
    public func reloadCertificatesSoon() {
        mailbox.post(.reloadCertificates)
    }

    /// Service thread: hands lws the files' new contents for the vhost that uses them.
    func reloadCertificates() {
        guard let tls = configuration.tls, let context else { return }
        guard let certificate = FileManager.default.contents(atPath: tls.certificate),
            let key = FileManager.default.contents(atPath: tls.key)
        else {
            switchboard.logger.error("cannot read the TLS certificate or key again; keeping the old ones")
            return
        }
        let result = certificate.withUnsafeBytes { cert in
            key.withUnsafeBytes { key in
                lws_tls_cert_updated(
                    context, tls.certificate, tls.key, cert.baseAddress?.assumingMemoryBound(to: CChar.self), cert.count,
                    key.baseAddress?.assumingMemoryBound(to: CChar.self), key.count)
            }
        }
        if result == 0 {
            switchboard.logger.info("TLS certificate loaded again")
        } else {
            switchboard.logger.error("the new TLS certificate or key was refused; keeping the old ones")
        }
    }
}

/// `/metrics` for Prometheus, on a listener of its own (loopback unless
/// `--metrics-listen` says otherwise), so a proxy in front of the page never
/// passes it on.
extension LWSServer {
    /// Service thread, at start: a vhost with `/metrics` alone. A port that
    /// cannot be had is logged, and the meetings are served without it.
    func listenForMetrics(
        _ context: OpaquePointer, _ page: lws_context_creation_info, _ mount: UnsafeMutablePointer<lws_http_mount>,
        _ keep: (String) -> UnsafeMutablePointer<CChar>
    ) {
        guard let listen = configuration.metricsListen, configuration.metricsText != nil else { return }
        mount.initialize(to: lws_http_mount())
        mount.pointee.mountpoint = UnsafePointer(keep("/metrics"))
        mount.pointee.mountpoint_len = UInt8("/metrics".utf8.count)
        mount.pointee.origin_protocol = UInt8(LWSMPRO_CALLBACK.rawValue)
        mount.pointee.protocol = UnsafePointer(keep("muster"))
        guard let vhost = Self.listener(context, "metrics", listen, mount, page, keep) else {
            switchboard.logger.warning(
                "cannot listen for metrics; serving without them", metadata: ["address": "\(listen.host):\(listen.port)"])
            return
        }
        metricsVhost = vhost
        let port = Int(lws_get_vhost_listen_port(vhost))
        switchboard.logger.info("metrics", metadata: ["address": "\(listen.host)", "port": "\(port)"])
    }

    /// Another listener beside the page's: its own address and one mount, the page's protocol, headers and retry policy.
    private static func listener(
        _ context: OpaquePointer, _ name: String, _ listen: (host: String, port: Int),
        _ mount: UnsafeMutablePointer<lws_http_mount>, _ page: lws_context_creation_info,
        _ keep: (String) -> UnsafeMutablePointer<CChar>
    ) -> OpaquePointer? {
        var info = lws_context_creation_info()
        info.vhost_name = UnsafePointer(keep(name))
        info.port = Int32(listen.port)
        info.iface = UnsafePointer(keep(listen.host))
        info.protocols = page.protocols
        info.mounts = UnsafePointer(mount)
        info.headers = page.headers
        info.retry_and_idle_policy = page.retry_and_idle_policy
        return lws_create_vhost(context, &info)
    }
}

extension LWSServer {
    /// Service thread, at start: with TLS and `redirectHTTP`, a plain HTTP
    /// listener answering every request with 301 to the base URL (the
    /// browser keeps a link's `#t=…`: fragments survive redirects).
    func redirectToHTTPS(
        _ context: OpaquePointer, _ page: lws_context_creation_info, _ mount: UnsafeMutablePointer<lws_http_mount>,
        _ keep: (String) -> UnsafeMutablePointer<CChar>
    ) throws {
        guard let listen = configuration.redirectHTTP, configuration.tls != nil, let baseURL = configuration.baseURL,
            let target = baseURL.range(of: "https://").map({ String(baseURL[$0.upperBound...]) })
        else { return }
        mount.initialize(to: lws_http_mount())
        mount.pointee.mountpoint = UnsafePointer(keep("/"))
        mount.pointee.mountpoint_len = 1
        mount.pointee.origin = UnsafePointer(keep(target.hasSuffix("/") ? target : target + "/"))
        mount.pointee.origin_protocol = UInt8(LWSMPRO_REDIR_HTTPS.rawValue)
        guard Self.listener(context, "redirect", listen, mount, page, keep) != nil else {
            throw ServerError.cannotListen(host: listen.host, port: listen.port)
        }
        switchboard.logger.info(
            "redirecting plain HTTP to HTTPS", metadata: ["address": "\(listen.host)", "port": "\(listen.port)"])
    }
}
