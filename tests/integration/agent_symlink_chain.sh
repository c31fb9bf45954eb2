#!/bin/sh
# Issue 13 §1: a layer that leaves a symlink chain resolving outside the release
# folder must not let a later layer write through it on the host. The agent is
# driven directly (as ecp drives it, argv and stdin), with hostile layers made
# here, so that its own guard is what is tested, not ecp's check before sending.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
agent=$ECP_SOURCE_DIR/plugins/host/agent.sh
command -v dash >/dev/null 2>&1 || skip "dash is not installed"
root=$T/root
run() { dash "$agent" "$@"; }
run hello "$root" >/dev/null || die "hello failed"

# make_layer NAME SPEC...: an uncompressed layer tar at $T/NAME.tar; SPEC is
# dir:PATH, file:PATH:TEXT or link:PATH:TARGET. Prints HEX of its sha256.
make_layer() {
  python3 - "$T/$1.tar" "$@" <<'EOF'
import hashlib, io, sys, tarfile
out, specs = sys.argv[1], sys.argv[3:]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    for spec in specs:
        kind, rest = spec.split(":", 1)
        info = tarfile.TarInfo(rest.split(":", 1)[0])
        if kind == "dir":
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            t.addfile(info)
        elif kind == "link":
            info.type, info.linkname = tarfile.SYMTYPE, rest.split(":", 1)[1]
            t.addfile(info)
        else:
            data = rest.split(":", 1)[1].encode()
            info.size, info.mode = len(data), 0o644
            t.addfile(info, io.BytesIO(data))
data = buf.getvalue()
open(out, "wb").write(data)
print(hashlib.sha256(data).hexdigest())
EOF
}
# put_layer NAME: stores $T/NAME.tar at the host; prints the install argument.
put_layer() {
  hex=$(sha256sum "$T/$1.tar" | cut -c1-64)
  run blob-put "$root" "$hex" "$(wc -c <"$T/$1.tar")" <"$T/$1.tar" || die "blob-put of $1 failed"
  printf '%s:none:\n' "$hex"
}
image=sha256:$(printf image | sha256sum | cut -c1-64)
cdig=sha256:$(printf 'A=1\n' | sha256sum | cut -c1-64)
E=$root/web/dev

# 1. A relative chain: a -> b, b -> ../.. (the env folder, outside releases/REV).
#    The next layer writes below a.
make_layer chain1 dir:app link:app/a:b link:app/b:../.. >/dev/null
make_layer chain2 dir:app dir:app/a file:app/a/victim.txt:pwned >/dev/null
l1=$(put_layer chain1) l2=$(put_layer chain2)
printf 'A=1\n' >"$T/config"
expect_exit 1 run install "$root" web dev 1 "$image" "$cdig" - 0 0 normal - "$l1" "$l2" <"$T/config"
expect_grep "symlink '(a|b)' that resolves outside the release folder" "$T/err"
[ ! -e "$E/victim.txt" ] && [ ! -e "$E/releases/victim.txt" ] || die "a later layer wrote through the symlink chain"
[ ! -e "$E/releases/1" ] || die "a refused release was installed"
find "$E/releases" -mindepth 1 -maxdepth 1 | grep -q . && die "the refused release left files: $(ls -A "$E/releases")"

# 2. An absolute link, then a file below it in a later layer.
mkdir "$T/outside"
make_layer abs1 dir:app "link:app/conf:$T/outside" >/dev/null
make_layer abs2 dir:app file:app/conf/pwned:yes >/dev/null
l1=$(put_layer abs1) l2=$(put_layer abs2)
expect_exit 1 run install "$root" web dev 2 "$image" "$cdig" - 0 0 normal - "$l1" "$l2" <"$T/config"
expect_grep "symlink 'conf' that resolves outside the release folder" "$T/err"
[ ! -e "$T/outside/pwned" ] || die "a later layer wrote through an absolute symlink"

# 3. Not a blanket refusal: a chain that stays inside is followed as tar would.
make_layer in1 dir:app dir:app/lib link:app/jars:lib link:app/libs:jars >/dev/null
make_layer in2 dir:app file:app/libs/x.jar:jar >/dev/null
l1=$(put_layer in1) l2=$(put_layer in2)
run install "$root" web dev 3 "$image" "$cdig" - 0 0 normal - "$l1" "$l2" <"$T/config" >"$T/out" || die "a release whose links stay inside was refused"
[ "$(cat "$E/releases/3/lib/x.jar")" = jar ] || die "the file written through an inside link is not where tar puts it"
echo "the agent refuses layers that leave a symlink out of the release folder, and follows links that stay in"
