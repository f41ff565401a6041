#!/usr/bin/env bash
# Builds the DocC reference of the SDK's public API (BosunKit and BosunRuntime, their catalogs in
# Plugins/BosunKit/Sources/*/*.docc) with the toolchain's own `docc`, from the modules a
# `swift build` already compiled: no package plugin needed. Output: .build/docc/<Module>/, a
# static site (`docc preview` or any web server serves it). Usage: Tools/build-docc.sh
set -euo pipefail
cd "$(dirname "$0")/.."
modules=$(swift build --show-bin-path)/Modules
[[ -d $modules ]] || { echo "build-docc: run swift build first" >&2; exit 1; }
mkdir -p .build/docc
for module in BosunKit BosunRuntime; do
    graphs=$(mktemp -d)
    swift-symbolgraph-extract -module-name "$module" -I "$modules" -target "$(uname -m)-unknown-linux-gnu" \
        -minimum-access-level public -output-dir "$graphs"
    docc convert "Plugins/BosunKit/Sources/$module/$module.docc" --additional-symbol-graph-dir "$graphs" \
        --fallback-display-name "$module" --fallback-bundle-identifier "dev.bosun.$module" \
        --output-path ".build/docc/$module"
    rm -rf "$graphs"
    echo "build-docc: .build/docc/$module"
done
