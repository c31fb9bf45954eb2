# The jar layout from ecp init starts a real JVM: entrypoint.sh (under dash) renders
# conf/application.yaml, then execs java -jar lib/application.jar with JAVA_OPTS,
# the conf folder and APP_ARGS. Arguments replace the server; a failing autoconfig
# stops the start.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v dash >/dev/null 2>&1 || skip "dash is not installed"
command -v javac >/dev/null 2>&1 && command -v jar >/dev/null 2>&1 || skip "no JDK (javac, jar)"
unset JAVA_HOME

cd "$T"
expect_exit 0 "$ECP" init --type jar svc
A=$T/svc/app
mkdir -p "$T/src" "$T/classes"
# A stand-in for the application: prints what it was started with, then exits.
cat > "$T/src/Main.java" <<'JAVA'
import java.nio.file.Files;
import java.nio.file.Path;

public class Main {
  public static void main(String[] args) throws Exception {
    String conf = System.getProperty("ecp.conf.dir");
    System.out.println("started");
    System.out.println("conf=" + conf);
    System.out.println("spring=" + System.getProperty("spring.config.additional-location"));
    System.out.println("opts=" + System.getProperty("opt.one") + "," + System.getProperty("opt.two"));
    System.out.println("args=" + String.join("|", args));
    System.out.print(Files.readString(Path.of(conf, "application.yaml")));
  }
}
JAVA
javac -nowarn -d "$T/classes" "$T/src/Main.java" || die "javac failed"
jar --create --file "$A/lib/application.jar" --main-class Main -C "$T/classes" . || die "jar failed"

expect_exit 0 env GREETING='Hi & "you"' LISTEN_PORT=9123 JAVA_OPTS='-Dopt.one=1 -Dopt.two=*' APP_ARGS='x y' \
  dash "$A/bin/entrypoint.sh"
expect_grep '^started$' "$T/out"
expect_grep "^conf=$A/conf\$" "$T/out"
expect_grep "^spring=optional:file:$A/conf/\$" "$T/out"
expect_grep '^opts=1,\*$' "$T/out"   # split at blanks, never globbed
expect_grep '^args=x\|y$' "$T/out"
expect_grep '^  port: 9123$' "$T/out"
expect_grep '^  greeting: "Hi & "you""$' "$T/out"

# Arguments run instead of java, after autoconfig.
rm "$A/conf/application.yaml"
expect_exit 0 dash "$A/bin/entrypoint.sh" sh -c 'echo instead; cat "$0"' "$A/conf/application.yaml"
expect_grep '^instead$' "$T/out"
expect_grep '^  port: 8080$' "$T/out"
expect_no_grep 'started' "$T/out"

# An unresolved placeholder stops the start: exit 1, the key named, java never runs.
printf 'db: ${DB_URL}\n' > "$A/conf/db.yaml.tmpl"
expect_exit 1 env -u DB_URL dash "$A/bin/entrypoint.sh"
expect_grep 'db\.yaml\.tmpl: unresolved placeholder \$\{DB_URL\}' "$T/err"
expect_grep 'not starting svc' "$T/err"
expect_no_grep 'started' "$T/out"
echo OK
