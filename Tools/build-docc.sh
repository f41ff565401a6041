#!/usr/bin/env bash
# Builds the DocC reference of the SDK's public API — BosunKit and BosunRuntime, their catalogs in
# Plugins/BosunKit/Sources/*/*.docc and every public symbol's doc comment — with swift-docc-plugin,
# into .build/docc/<Module>.doccarchive, ready for static hosting (any web server serves it).
# To browse one while writing: swift package --package-path Plugins/BosunKit preview-documentation --target BosunKit
# Usage: Tools/build-docc.sh [more generate-documentation options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/.build/docc
mkdir -p "$out"
swift package --package-path Plugins/BosunKit --allow-writing-to-directory "$out" \
    generate-documentation --target BosunKit --target BosunRuntime --output-path "$out" \
    --transform-for-static-hosting "$@"
echo "build-docc: $out/BosunKit.doccarchive, $out/BosunRuntime.doccarchive"
