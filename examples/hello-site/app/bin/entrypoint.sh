#!/bin/sh
# entrypoint.sh - serves hello-site with nginx (ecp nginx layout).
#   1. bin/autoconfig.sh renders conf/*.tmpl; if it fails nginx does not start.
#   2. With arguments, runs them instead of nginx (debugging, tests).
#   3. Otherwise execs nginx in the foreground with the app folder as its prefix, so
#      relative paths in the conf (root html, include conf.d/*.conf) resolve inside
#      it. It runs as any user: see conf/nginx.conf.tmpl.
# Environment: ECP_APP_DIR (default: the folder above bin/), ECP_CONF_DIR (default:
# $ECP_APP_DIR/conf), NGINX (the nginx binary, default: nginx from PATH, else
# /usr/sbin/nginx).
set -eu
bin_dir=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd)
app_dir=${ECP_APP_DIR:-$(dirname -- "$bin_dir")}
conf_dir=${ECP_CONF_DIR:-$app_dir/conf}

# The folder rendered: conf/, or a copy in $ECP_RUNTIME_DIR when conf/ cannot be
# written (a read-only image, an arbitrary UID; see autoconfig.sh).
if ! conf_dir=$("$bin_dir/autoconfig.sh" --print-dir); then
  echo "entrypoint: autoconfig.sh failed; not starting hello-site" >&2
  exit 1
fi
[ "$#" -eq 0 ] || exec "$@"

nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
exec "$nginx" -p "$app_dir/" -c "$conf_dir/nginx.conf" -e stderr -g 'daemon off;'
