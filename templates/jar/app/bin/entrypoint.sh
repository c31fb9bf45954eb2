#!/bin/sh
# entrypoint.sh - starts {{NAME}} (ecp jar layout).
#   1. bin/autoconfig.sh renders conf/*.tmpl; if it fails the service does not start.
#   2. With arguments, runs them instead of the service (debugging, tests).
#   3. Otherwise execs java on lib/application.jar. The conf folder is passed as the
#      system property ecp.conf.dir and as Spring Boot's additional config location,
#      so a Spring Boot application reads conf/application.yaml.
# Environment: ECP_APP_DIR (default: the folder above bin/), ECP_CONF_DIR (default:
# $ECP_APP_DIR/conf), JAVA_HOME (default: /jdk when it has bin/java, else java from
# PATH), JAVA_OPTS and APP_ARGS (split at blanks, like other Java launchers).
set -eu
bin_dir=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd)
app_dir=${ECP_APP_DIR:-$(dirname -- "$bin_dir")}
conf_dir=${ECP_CONF_DIR:-$app_dir/conf}

# The folder rendered: conf/, or a copy in $ECP_RUNTIME_DIR when conf/ cannot be
# written (a read-only image, an arbitrary UID; see autoconfig.sh).
if ! conf_dir=$("$bin_dir/autoconfig.sh" --print-dir); then
  echo "entrypoint: autoconfig.sh failed; not starting {{NAME}}" >&2
  exit 1
fi
[ "$#" -eq 0 ] || exec "$@"

if [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
elif [ -x /jdk/bin/java ]; then
  java=/jdk/bin/java
else
  java=java
fi
set -f  # JAVA_OPTS and APP_ARGS are split at blanks but never globbed
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:-} -Decp.conf.dir="$conf_dir" \
  -Dspring.config.additional-location="optional:file:$conf_dir/" \
  -jar "$app_dir/lib/application.jar" ${APP_ARGS:-}
