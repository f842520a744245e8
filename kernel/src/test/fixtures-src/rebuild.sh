#!/bin/sh
# Rebuilds the .ko test fixtures under kernel/src/test/resources/modules/<release>/ from the
# sources in this directory, once per kernel release that has headers in /usr/src.
# Usage: rebuild.sh [RELEASE...]   (default: 6.1.0-56-amd64 6.12.117+deb12-amd64)
# Needs: gcc, make, binutils (strip), linux-headers-RELEASE. The committed .ko files are what the tests read;
# rerun this only when a source changes, then commit the new .ko files with it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../resources/modules"
[ $# -gt 0 ] || set -- 6.1.0-56-amd64 6.12.117+deb12-amd64
for release in "$@"; do
    headers="/usr/src/linux-headers-$release"
    [ -d "$headers" ] || { echo "rebuild.sh: no $headers (apt-get install linux-headers-$release)" >&2; exit 1; }
    build=$(mktemp -d)
    trap 'rm -rf "$build"' EXIT
    cp "$here"/*.c "$here"/Kbuild "$build"/
    make -s -C "$headers" M="$build" modules
    mkdir -p "$out/$release"
    for ko in "$build"/*.ko; do
        # Debug info is 90% of the size and nothing reads it; Debian strips installed modules the same way.
        strip --strip-debug -o "$out/$release/$(basename "$ko")" "$ko"
    done
    # Local symbols removed (as strip --strip-unneeded does): the klp arrays lose the symbols
    # whose sizes give their strides, so inspection must report them unknown.
    strip --strip-unneeded -o "$out/$release/klp_single_stripped.ko" "$build/klp_single.ko"
    rm -rf "$build"
    trap - EXIT
    echo "rebuilt $(ls "$out/$release" | tr '\n' ' ')for $release"
done
