// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Muster",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "muster", targets: ["muster"]),
        .library(name: "MusterCore", targets: ["MusterCore"]),
        .library(name: "MusterStore", targets: ["MusterStore"]),
        .library(name: "MusterDocuments", targets: ["MusterDocuments"]),
        .library(name: "MusterServer", targets: ["MusterServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]
        ),
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        // Gzip for the page's files and the server's answers (Debian's lws is built without compression).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "MusterCore"),
        .target(
            name: "MusterStore",
            dependencies: [
                "MusterCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // What a secretary takes away: the attendance sheet, the minutes, the record.
        .target(name: "MusterDocuments", dependencies: ["MusterCore", "MusterStore", "CXLSXWriter"]),
        .target(
            name: "MusterServer",
            dependencies: [
                "MusterCore", "MusterStore", "MusterDocuments", "CLibWebSockets", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            // The service thread's hot paths (a frame queued and written: ~4,500 instructions)
            // spent ~700 in dynamic exclusivity checks. Debug builds, the tests and the sanitizer
            // runs keep them; a release build relies on them having passed.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "muster",
            dependencies: [
                "MusterCore",
                "MusterStore",
                "MusterDocuments",
                "MusterServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "MusterCoreTests",
            dependencies: [
                "MusterCore", "MusterDocuments",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MusterStoreTests",
            dependencies: ["MusterStore", "MusterCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "MusterServerTests", dependencies: ["MusterServer", "MusterStore", "MusterCore", "MusterDocuments", "CZlib"]),
        .testTarget(name: "musterTests", dependencies: ["muster", "MusterStore"]),
    ],
    swiftLanguageModes: [.v6]
)
