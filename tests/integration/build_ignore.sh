#!/bin/sh
# cost: 5
# .ecpignore beside ecp.yaml keeps files out of the image (gitignore syntax,
# paths from the project folder): local databases under app/data, a folder of
# scratch files, but not what a `!` line takes back; editor litter (*.swp, *~,
# .DS_Store) is left out even without the file. The image's layers (read from
# the OCI layout ecp exports) hold exactly the rest. Outside git the image is
# dated by the newest modification time of the project's files, not 1970.
# --image-refs writes the reference by digest.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

p=$T/proj
mkdir -p "$p/app/bin" "$p/app/lib" "$p/app/conf" "$p/app/data" "$p/app/html/scratch"
printf 'schema: 1\napp: ignored\ntype: jar\nversion: "1"\nbuild: {base: scratch}\n' >"$p/ecp.yaml"
printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' >"$p/app/bin/entrypoint.sh"
chmod +x "$p/app/bin/entrypoint.sh"
head -c 1000 /dev/urandom >"$p/app/lib/application.jar"
printf 'k=v\n' >"$p/app/conf/app.properties"
printf 'swap\n' >"$p/app/conf/.app.properties.swp"
printf 'backup\n' >"$p/app/conf/app.properties~"
printf 'mac\n' >"$p/app/.DS_Store"
printf 'rows\n' >"$p/app/data/local.db"
printf '{}\n' >"$p/app/data/seed.json"
printf 'x\n' >"$p/app/html/scratch/a.tmp"
printf '<p>hi</p>\n' >"$p/app/html/index.html"
cat >"$p/.ecpignore" <<'EOF2'
# local state and scratch space
app/data/*
!app/data/seed.json
scratch/
EOF2

# Outside git, the image's creation time is the newest mtime of the project's files.
find "$p" -exec touch -h -d @1700000000 {} +
touch -d @1700000500 "$p/app/html/index.html"
(cd "$p" && "$ECP" build -o json --oci-layout "$T/layout:1") >"$T/out" 2>"$T/err" || { cat "$T/err"; die "build failed"; }
expect_grep '"created":"2023-11-14T22:21:40Z"' "$T/out"
# --image-refs: the reference by digest, for the next step of a script.
(cd "$p" && "$ECP" build --image-refs "$T/refs") >"$T/out2" 2>"$T/err" || { cat "$T/err"; die "build --image-refs failed"; }
digest=$(python3 -c 'import json, sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["digest"])' "$T/out")
[ "$(cat "$T/refs")" = "ignored:1@$digest" ] || die "--image-refs wrote '$(cat "$T/refs")', not ignored:1@$digest"
python3 - "$T/layout" >"$T/files" <<'PY'
import gzip, io, json, os, sys, tarfile
root = sys.argv[1]
blob = lambda d: open(os.path.join(root, "blobs", *d.split(":")), "rb").read()
index = json.load(open(os.path.join(root, "index.json")))
manifest = json.loads(blob(index["manifests"][0]["digest"]))
for layer in manifest["layers"]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob(layer["digest"])))) as t:
        for m in t.getmembers():
            if m.isfile():
                print(m.name.lstrip("./").lstrip("/"))
PY
sort -o "$T/files" "$T/files"
printf '%s\n' app/bin/entrypoint.sh app/conf/app.properties app/data/seed.json app/html/index.html \
  app/lib/application.jar | sort >"$T/want"
diff -u "$T/want" "$T/files" || die "the image does not hold exactly the files .ecpignore leaves in"
echo "PASS: .ecpignore and the default ignores keep files out of the image"
