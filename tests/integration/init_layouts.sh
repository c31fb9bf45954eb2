# ecp init for each layout: the files and their modes, autoconfig.sh run from the
# generated layout (dash and busybox sh) renders the conf with given values, a second
# init refuses naming every existing file, --force replaces them.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v dash >/dev/null 2>&1 || skip "dash is not installed"

mode() { ls -ln "$1" | cut -c1-10; }

for type in jar nginx tomcat; do
  echo "--- $type"
  W=$T/$type
  mkdir -p "$W"
  cd "$W"
  expect_exit 0 "$ECP" init --type "$type" demo
  D=$W/demo

  # Files, folders and modes.
  for f in ecp.yaml app/bin/entrypoint.sh app/bin/autoconfig.sh app/conf/autoconfig.properties; do
    [ -f "$D/$f" ] || die "$type: $f is missing"
    expect_grep "demo/$f" "$T/out"
  done
  case $type in
    jar) extra="app/conf/application.yaml.tmpl"; dirs="app/data app/lib" ;;
    nginx) extra="app/conf/nginx.conf.tmpl app/conf/conf.d/default.conf.tmpl app/conf/mime.types app/html/index.html"
           dirs="app/data app/html" ;;
    tomcat) extra="app/conf/server.xml.tmpl app/conf/context.xml.tmpl app/conf/web.xml app/webapps/ROOT/WEB-INF/web.xml"
            dirs="app/data app/webapps" ;;
  esac
  for f in $extra; do [ -f "$D/$f" ] || die "$type: $f is missing"; done
  for d in $dirs; do [ -d "$D/$d" ] || die "$type: folder $d is missing"; done
  for f in $(cd "$D" && find . -type f); do
    case $f in
      *.sh) [ "$(mode "$D/$f")" = "-rwxr-xr-x" ] || die "$type: $f is $(mode "$D/$f"), expected 0755" ;;
      *) [ "$(mode "$D/$f")" = "-rw-r--r--" ] || die "$type: $f is $(mode "$D/$f"), expected 0644" ;;
    esac
    expect_no_grep '\{\{NAME\}\}' "$D/$f"
  done
  expect_grep '^app: demo$' "$D/ecp.yaml"
  expect_grep "^type: $type\$" "$D/ecp.yaml"
  cmp "$D/app/bin/autoconfig.sh" "$ECP_SOURCE_DIR/templates/common/app/bin/autoconfig.sh" || die "$type: autoconfig.sh differs"

  # autoconfig.sh from the generated layout, finding its conf folder by itself.
  for sh_ in dash busybox; do
    if [ $sh_ = busybox ]; then
      command -v busybox >/dev/null 2>&1 || continue
      run="busybox sh"
    else
      run=dash
    fi
    # shellcheck disable=SC2086
    expect_exit 0 env LISTEN_PORT=18081 GREETING="Hi from $sh_" NGINX_RUN_DIR="$T/run" $run "$D/app/bin/autoconfig.sh"
    case $type in
      jar)
        expect_grep '^  port: 18081$' "$D/app/conf/application.yaml"
        expect_grep "^  greeting: \"Hi from $sh_\"\$" "$D/app/conf/application.yaml"
        expect_grep '^  address: "0.0.0.0"$' "$D/app/conf/application.yaml"
        expect_grep '^  name: demo$' "$D/app/conf/application.yaml" ;;
      nginx)
        expect_grep '^    listen 0\.0\.0\.0:18081;$' "$D/app/conf/conf.d/default.conf"
        expect_grep "^pid $T/run/nginx.pid;\$" "$D/app/conf/nginx.conf"
        expect_grep '^worker_processes 1;$' "$D/app/conf/nginx.conf"
        expect_grep 'try_files \$uri \$uri/ =404;' "$D/app/conf/conf.d/default.conf" ;;
      tomcat)
        expect_grep '<Connector port="18081" address="0\.0\.0\.0"' "$D/app/conf/server.xml"
        expect_grep '<Server port="-1"' "$D/app/conf/server.xml"
        expect_grep "<Parameter name=\"greeting\" value=\"Hi from $sh_\"" "$D/app/conf/context.xml"
        expect_grep '<WatchedResource>\$\{catalina\.base\}/conf/web\.xml</WatchedResource>' "$D/app/conf/context.xml"
        if command -v xmllint >/dev/null 2>&1; then
          xmllint --noout "$D/app/conf/server.xml" "$D/app/conf/context.xml" "$D/app/conf/web.xml" \
            "$D/app/webapps/ROOT/WEB-INF/web.xml" || die "tomcat: invalid XML"
        fi ;;
    esac
  done
  # With nothing in the environment every layout renders from its own defaults.
  expect_exit 0 dash "$D/app/bin/autoconfig.sh"

  # A second init refuses, names every existing file and changes nothing.
  echo "# edited" >> "$D/ecp.yaml"
  expect_exit 2 "$ECP" init --type "$type" demo
  for f in ecp.yaml app/bin/entrypoint.sh app/bin/autoconfig.sh app/conf/autoconfig.properties $extra; do
    expect_grep "demo/$f" "$T/err"
  done
  expect_grep '^# edited$' "$D/ecp.yaml"

  # --force puts them back and leaves the other files (rendered conf, the jar...) alone.
  echo "user file" > "$D/app/data/keep"
  expect_exit 0 "$ECP" init --type "$type" --force demo
  expect_no_grep '^# edited$' "$D/ecp.yaml"
  expect_grep 'demo/ecp.yaml.*replaced' "$T/out"
  [ "$(cat "$D/app/data/keep")" = "user file" ] || die "$type: --force touched a file outside the layout"

  # JSON: the result lists exactly the files on disk that init owns.
  expect_exit 0 "$ECP" -o json init --type "$type" fresh
  python3 - "$T/out" "$W/fresh" <<'PY' || die "$type: the JSON result does not match the files"
import json, os, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
res = lines[-1]
assert res["type"] == "result" and res["ok"] is True, res
assert res["app"] == "fresh" and res["replaced"] == [], res
on_disk = sorted(os.path.relpath(os.path.join(r, f), os.path.dirname(sys.argv[2]))
                 for r, _, fs in os.walk(sys.argv[2]) for f in fs)
assert sorted(res["files"]) == on_disk, (res["files"], on_disk)
assert "fresh/app/data/" in res["dirs"], res["dirs"]
PY
  cd "$T"
done

# No NAME: the current folder, named after it.
mkdir -p "$T/billing-api"
cd "$T/billing-api"
expect_exit 0 "$ECP" init --type jar
expect_grep '^app: billing-api$' "$T/billing-api/ecp.yaml"
# --name overrides the folder's name, which need not be a valid app name then.
mkdir -p "$T/My Service"
cd "$T/My Service"
expect_exit 2 "$ECP" init --type nginx
expect_grep "not a valid app name" "$T/err"
[ ! -e "$T/My Service/ecp.yaml" ] || die "a refused init wrote ecp.yaml"
expect_exit 0 "$ECP" init --type nginx --name my-service
expect_grep '^app: my-service$' "$T/My Service/ecp.yaml"
# Bad input: exit 2, nothing created.
cd "$T"
expect_exit 2 "$ECP" init --type war x1
expect_exit 2 "$ECP" init --type jar Bad_Name
expect_exit 2 "$ECP" init demo-without-type
[ ! -e "$T/x1" ] && [ ! -e "$T/Bad_Name" ] && [ ! -e "$T/demo-without-type" ] || die "a refused init created a folder"
echo OK
