// swift-tools-version: 6.1
// Fuzz targets for libFuzzer, apart from the main package: they have no
// `main` (libFuzzer brings it), so they build only with
// `-sanitize=fuzzer`. Run them with `bash scripts/fuzz` at the top.
import PackageDescription

let package = Package(
    name: "MusterFuzz",
    dependencies: [.package(name: "Muster", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzClientMessage",
            dependencies: [.product(name: "MusterServer", package: "Muster")]),
        .executableTarget(
            name: "FuzzRosterFile",
            dependencies: [.product(name: "MusterStore", package: "Muster")]),
    ],
    swiftLanguageModes: [.v6]
)
