#!/bin/sh
# entrypoint.sh - runs hello-tomcat on Tomcat (ecp tomcat layout).
#   1. bin/autoconfig.sh renders conf/*.tmpl; if it fails Tomcat does not start.
#   2. With arguments, runs them instead of Tomcat (debugging, tests).
#   3. Otherwise execs "catalina.sh run" (foreground, logs on the console) with
#      CATALINA_BASE set to the app folder: conf/ and webapps/ are this layout's.
# Environment: ECP_APP_DIR (default: the folder above bin/), CATALINA_HOME (default:
# the first of /tomcat, /usr/local/tomcat, /usr/share/tomcat10 that has
# bin/catalina.sh), JAVA_HOME (default: /jdk when it has bin/java), CATALINA_TMPDIR
# (default: $TMPDIR or /tmp), JAVA_OPTS and CATALINA_OPTS as catalina.sh reads them.
# Tomcat always reads $CATALINA_BASE/conf, so ECP_CONF_DIR must be left at its default.
set -eu
bin_dir=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd)
app_dir=${ECP_APP_DIR:-$(dirname -- "$bin_dir")}

# The folder rendered: conf/, or a copy in $ECP_RUNTIME_DIR when conf/ cannot be
# written (a read-only image, an arbitrary UID; see autoconfig.sh).
if ! conf_dir=$("$bin_dir/autoconfig.sh" --print-dir); then
  echo "entrypoint: autoconfig.sh failed; not starting hello-tomcat" >&2
  exit 1
fi
[ "$#" -eq 0 ] || exec "$@"

if [ -z "${CATALINA_HOME:-}" ]; then
  for home in /tomcat /usr/local/tomcat /usr/share/tomcat10; do
    if [ -x "$home/bin/catalina.sh" ]; then CATALINA_HOME=$home; break; fi
  done
fi
[ -n "${CATALINA_HOME:-}" ] || { echo "entrypoint: no Tomcat found; set CATALINA_HOME" >&2; exit 1; }
if [ -z "${JAVA_HOME:-}" ] && [ -x /jdk/bin/java ]; then JAVA_HOME=/jdk; export JAVA_HOME; fi
CATALINA_BASE=$app_dir
if [ "$conf_dir" != "$(CDPATH='' cd -P -- "$app_dir/conf" && pwd)" ]; then
  # Rendered in the runtime folder: Tomcat's base is that folder (conf/ rendered,
  # logs/ of its own), serving the image's webapps/.
  CATALINA_BASE=$(dirname -- "$conf_dir")
  ln -sfn -- "$app_dir/webapps" "$CATALINA_BASE/webapps"
  mkdir -p -- "$CATALINA_BASE/logs"
fi
CATALINA_TMPDIR=${CATALINA_TMPDIR:-${TMPDIR:-/tmp}}
export CATALINA_HOME CATALINA_BASE CATALINA_TMPDIR
exec "$CATALINA_HOME/bin/catalina.sh" run
