#!/bin/sh
# cost: 3
# ecp opens libcurl, libgit2, libarchive, libcrypto, libzstd and ISA-L on first use
# (core/util/lazy_library.hpp): linked directly they brought 53 shared objects into every run, and `ecp --version`
# spent most of its 46 ms mapping and relocating them. This test counts what the
# dynamic loader loads (LD_DEBUG=files, glibc's own report, which sees dlopen too):
# --version, --help and validate load none of them and at most 7 objects besides
# the sanitizer runtimes; a build loads libarchive, libgit2, libcrypto and ISA-L when it gets
# there, and a pull loads libcurl, so the loaders are really what those commands use.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

# loaded LOG: the shared objects the loader mapped, one per line.
loaded() { sed -n 's/.*file=\([^ ]*\) \[0\];  generating link map.*/\1/p' "$1" | sort -u; }
heavy='libcurl|libgit2|libarchive|libcrypto|libzstd|libisal|libgnutls|libkrb5|libldap|libicu|libxml2|libssh2|libmbed'
sanitizers='lib(asan|ubsan|tsan|lsan)\.'

check_light() {
  name=$1; shift
  LD_DEBUG=files "$@" >"$T/$name.out" 2>"$T/$name.log" || { cat "$T/$name.out"; die "$name failed"; }
  loaded "$T/$name.log" >"$T/$name.libs"
  [ -s "$T/$name.libs" ] || die "$name: LD_DEBUG=files reported no objects (is this glibc?)"
  expect_no_grep "^($heavy)" "$T/$name.libs"
  n=$(grep -Evc "^$sanitizers" "$T/$name.libs" || true)
  [ "$n" -le 7 ] || { cat "$T/$name.libs"; die "$name loads $n shared objects (at most 7)"; }
  echo "$name: $n shared objects"
}

check_light version "$ECP" --version
check_light help "$ECP" --help
check_light validate "$ECP" -C "$ECP_SOURCE_DIR/examples/hello-site" validate

# A build needs libarchive (layers), libgit2 (the source's revision), libcrypto
# (digests) and ISA-L (gzip).
p=$T/proj
mkdir -p "$p/app/html" "$p/app/bin"
printf 'schema: 1\napp: lazy\ntype: nginx\nversion: "1"\nbuild: {base: scratch}\n' >"$p/ecp.yaml"
printf '<p>hi</p>\n' >"$p/app/html/index.html"
(cd "$p" && git init -q && git add -A && git -c user.name=t -c user.email=t@e commit -qm one)
export ECP_HOME="$T/home"
LD_DEBUG=files "$ECP" -C "$p" build >"$T/build.out" 2>"$T/build.log" || { cat "$T/build.out"; die "build failed"; }
loaded "$T/build.log" >"$T/build.libs"
expect_grep '^libarchive\.so' "$T/build.libs"
expect_grep '^libgit2\.so' "$T/build.libs"
expect_grep '^libcrypto\.so' "$T/build.libs"
expect_grep '^libisal\.so' "$T/build.libs"

# A pull needs libcurl; nothing listens on the port, so it fails as a registry error (4).
port=$(free_port)
LD_DEBUG=files "$ECP" pull --retries 1 "127.0.0.1:$port/lazy:1" >"$T/pull.out" 2>"$T/pull.log" && die "pull from a closed port succeeded"
loaded "$T/pull.log" >"$T/pull.libs"
expect_grep '^libcurl\.so' "$T/pull.libs"
expect_grep 'ecp: error' "$T/pull.log"
echo "ok"
