# The tomcat layout from ecp init runs on a real Tomcat 10.1: entrypoint.sh (under
# dash) renders server.xml and context.xml, then runs catalina.sh with the app folder
# as CATALINA_BASE. A servlet compiled here reads the greeting from context.xml.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v dash >/dev/null 2>&1 || skip "dash is not installed"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v javac >/dev/null 2>&1 || skip "javac is not installed"
CATALINA_HOME=${CATALINA_HOME:-/usr/share/tomcat10}
[ -x "$CATALINA_HOME/bin/catalina.sh" ] || skip "Tomcat 10 is not installed (apt-get install tomcat10)"
api=$CATALINA_HOME/lib/servlet-api.jar
[ -f "$api" ] || skip "no servlet-api.jar in $CATALINA_HOME/lib"

cd "$T"
expect_exit 0 "$ECP" init --type tomcat shop
R=$T/shop/app/webapps/ROOT
mkdir -p "$T/src" "$R/WEB-INF/classes" "$T/work" "$T/tmp"
cat > "$T/src/Greeting.java" <<'JAVA'
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

@WebServlet("/greeting")
public class Greeting extends HttpServlet {
  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain; charset=UTF-8");
    resp.getWriter().print(getServletContext().getInitParameter("greeting"));
  }
}
JAVA
javac -nowarn --release 17 -cp "$api" -d "$R/WEB-INF/classes" "$T/src/Greeting.java" || die "javac failed"

port=$(free_port)
stop_tomcat() { [ -z "${pid:-}" ] || kill "$pid" 2>/dev/null || true; }
add_cleanup stop_tomcat
env CATALINA_HOME="$CATALINA_HOME" CATALINA_TMPDIR="$T/tmp" TOMCAT_WORK_DIR="$T/work" \
  LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT="$port" GREETING="Grüße from shop, 1 &lt; 2 &amp; more" \
  dash "$T/shop/app/bin/entrypoint.sh" >"$T/tomcat.out" 2>"$T/tomcat.err" &
pid=$!

tries=0
while :; do
  code=$(curl -s -o "$T/health" -w '%{http_code}' "http://127.0.0.1:$port/health" 2>/dev/null || true)
  [ "$code" = 000 ] || [ -z "$code" ] || break
  kill -0 "$pid" 2>/dev/null || { cat "$T/tomcat.err"; die "Tomcat exited before it served"; }
  tries=$((tries + 1))
  [ "$tries" -lt 900 ] || { tail -30 "$T/tomcat.err"; skip "Tomcat did not answer on 127.0.0.1:$port"; }
  sleep 0.1
done
[ "$code" = 200 ] || { tail -30 "$T/tomcat.err"; die "/health answered HTTP $code"; }
[ "$(cat "$T/health")" = ok ] || die "/health answered '$(cat "$T/health")'"
curl -sf "http://127.0.0.1:$port/" > "$T/index" || die "GET / failed"
expect_grep '<h1>shop</h1>' "$T/index"
curl -sf "http://127.0.0.1:$port/greeting" > "$T/greeting" || die "GET /greeting failed"
# The XML entities in the value are decoded by Tomcat; the UTF-8 comes through intact.
[ "$(cat "$T/greeting")" = "Grüße from shop, 1 < 2 & more" ] || die "/greeting answered '$(cat "$T/greeting")'"
expect_grep 'autoconfig: rendered server.xml' "$T/tomcat.err"
expect_no_grep 'SEVERE' "$T/tomcat.err"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
echo OK
