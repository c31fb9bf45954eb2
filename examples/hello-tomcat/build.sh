#!/bin/sh
# Builds hello-tomcat from source, offline: compiles src/ against the Jakarta
# Servlet API (Tomcat 10) into the exploded webapp app/webapps/ROOT/WEB-INF/classes
# (class files are gitignored). The API jar is only needed to compile; Tomcat
# provides it at run time. Found via $SERVLET_API_JAR, $CATALINA_HOME/lib, or
# the Debian packages tomcat10 / libtomcat10-java.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
classes="$here/app/webapps/ROOT/WEB-INF/classes"

api=${SERVLET_API_JAR:-}
if [ -z "$api" ]; then
  for candidate in ${CATALINA_HOME:+"$CATALINA_HOME/lib/servlet-api.jar"} \
      /usr/share/java/tomcat10-servlet-api.jar /usr/share/tomcat10/lib/servlet-api.jar; do
    if [ -f "$candidate" ]; then api=$candidate; break; fi
  done
fi
if [ -z "$api" ] || [ ! -f "$api" ]; then
  echo "build.sh: Jakarta Servlet API jar not found; set SERVLET_API_JAR or install libtomcat10-java" >&2
  exit 1
fi
command -v javac >/dev/null 2>&1 || { echo "build.sh: javac not found (install a JDK 17)" >&2; exit 1; }

rm -rf "$classes"
mkdir -p "$classes"
# shellcheck disable=SC2046 # file names under src/ have no spaces
javac --release 17 -encoding UTF-8 -cp "$api" -d "$classes" $(find "$here/src" -name '*.java' | sort)
echo "built $classes (servlet API: $api)"
