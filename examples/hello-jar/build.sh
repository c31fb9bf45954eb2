#!/bin/sh
# Builds hello-jar from source, offline, with the JDK's javac and jar:
#   app/lib/hello-text.jar   a tiny dependency (src/lib), its own image layer
#   app/lib/application.jar  the service (src/app); its manifest's Class-Path
#                            names hello-text.jar, so `java -jar` finds it.
# Class files go to build/ (gitignored); the jars are gitignored too.
# SOURCE_DATE_EPOCH (default: a fixed date) pins jar entry times so two builds
# of the same sources give the same bytes and ecp can reuse image layers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build"
lib="$here/app/lib"
: "${SOURCE_DATE_EPOCH:=1577836800}"
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo 2020-01-01T00:00:00Z)

command -v javac >/dev/null 2>&1 || { echo "build.sh: javac not found (install a JDK 17)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/lib-classes" "$out/app-classes" "$lib"

# shellcheck disable=SC2046 # file names under src/ have no spaces
javac --release 17 -encoding UTF-8 -d "$out/lib-classes" $(find "$here/src/lib" -name '*.java' | sort)
jar --create --date="$date" --file "$lib/hello-text.jar" -C "$out/lib-classes" .

# shellcheck disable=SC2046
javac --release 17 -encoding UTF-8 -cp "$lib/hello-text.jar" -d "$out/app-classes" \
  $(find "$here/src/app" -name '*.java' | sort)
printf 'Class-Path: hello-text.jar\n' >"$out/manifest.txt"
jar --create --date="$date" --file "$lib/application.jar" --manifest "$out/manifest.txt" \
  --main-class com.example.hello.HelloServer -C "$out/app-classes" .

echo "built $lib/application.jar and $lib/hello-text.jar"
