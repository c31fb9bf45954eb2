#!/bin/sh
# Deploy benchmark: ecp against Capistrano (Debian's `capistrano`), same artifact,
# same four SSH hosts, same run. The artifact is ../shared/bench/mkapp.sh's jar
# layout with 120 MB of incompressible dependency jars, made runnable with the
# hello-jar example's application jar and scripts (so ecp's deploy also starts
# the app on every host and waits for its HTTP health check - Capistrano only
# unpacks and switches the `current` link). The hosts are network namespaces with
# their own address and /srv (REAL-COMPONENTS.md). Prints the times and ratios:
#   deploy               cold: every host lacks everything    target <= 0.5 x cap deploy
#   rollback             to the previous release              target <= 0.25 x cap deploy:rollback
#   unchanged redeploy   ecp release of the same tree         target <= 1 s
#   gateway rollback     blue-green, inside the keep window: ecp rollback only
#                        flips the nginx gateway (a fifth SSH host) back
# Usage: ECP=path/to/ecp tests/bench/deploy.sh   (as root; needs sshd, nginx, java and
# `apt-get install -y capistrano bc`, which scripts/setup.sh leaves out: CI runs no benchmark)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ECP_SOURCE_DIR=$(cd "$here/../.." && pwd)
. "$ECP_SOURCE_DIR/tests/bench/optimised_ecp.sh"
export ECP ECP_SOURCE_DIR
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"
mkapp=$ECP_SOURCE_DIR/../shared/bench/mkapp.sh
[ -f "$mkapp" ] || skip "$mkapp is missing"
for tool in cap java javac jar curl bash; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (capistrano, openjdk-17-jdk-headless, curl)"
done

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

# 1. Four hosts.
ssh_client_setup
hosts=""
for i in 1 2 3 4; do
  netns_host "b$i"
  hosts="$hosts $addr"
done
echo "hosts:$hosts"

# 2. The artifact: 120 MB of jars + hello-jar's runnable application.
bash "$mkapp" "$T/app" 120 >/dev/null
cp -R "$ECP_SOURCE_DIR/examples/hello-jar" "$T/hello"
rm -rf "$T/hello/build" "$T/hello/app/lib"/*.jar
sh "$T/hello/build.sh" >/dev/null
cp "$T/hello/app/lib/application.jar" "$T/hello/app/lib/hello-text.jar" "$T/app/app/lib/"
rm -rf "$T/app/app/bin" "$T/app/app/conf"
cp -R "$T/hello/app/bin" "$T/hello/app/conf" "$T/app/app/"
rm -f "$T/app/app/conf/application.yaml"
du -sh "$T/app/app/lib" | sed 's/^/artifact lib: /'
cat >"$T/app/ecp.yaml" <<'YAML'
schema: 1
app: bench
type: jar
version: 1.0.0
run:
  ports: {http: 8080}
  health: {path: /health, port: http, interval: 2s, timeout: 1s, retries: 10}
config:
  GREETING: {default: "bench one"}
environments:
  prod: {target: lab, replicas: 1, strategy: recreate}
YAML
{ printf 'schema: 1\ntargets:\n  lab:\n    plugin: host\n    root: /srv/ecp\n    hosts: ['
  sep=''
  for a in $hosts; do printf '%s"ssh://root@%s"' "$sep" "$a"; sep=', '; done
  printf ']\n'; } >"$T/app/ecp-targets.yaml"

# 3. Capistrano: an SCM-less strategy uploading the same tree as a tarball.
mkdir -p "$T/cap/config/deploy" "$T/cap/lib/capistrano/tasks"
tar -czf "$T/release.tgz" -C "$T/app" app
sha=$(sha256sum "$T/release.tgz" | cut -c1-64)
cat >"$T/cap/Capfile" <<'RUBY'
require "capistrano/setup"
require "capistrano/deploy"
require "capistrano/scm/plugin"
class TarballStrategy < Capistrano::SCM::Plugin
  def set_defaults; end
  def register_hooks
    after "deploy:new_release_path", "tarball:create_release"
    before "deploy:set_current_revision", "tarball:set_current_revision"
  end
  def define_tasks
    namespace :tarball do
      task :create_release do
        on release_roles(:all) do
          execute :mkdir, "-p", release_path
          upload! fetch(:tarball), "#{release_path}.tgz"
          execute :tar, "-xzf", "#{release_path}.tgz", "-C", release_path, "--strip-components=1"
          execute :rm, "-f", "#{release_path}.tgz"
        end
      end
      task :set_current_revision do
        set :current_revision, fetch(:tarball_sha)
      end
    end
  end
end
install_plugin TarballStrategy
RUBY
cat >"$T/cap/config/deploy.rb" <<RUBY
set :application, "bench"
set :repo_url, "unused"
set :deploy_to, "/srv/app"
set :keep_releases, 5
set :tarball, "$T/release.tgz"
set :tarball_sha, "$sha"
set :ssh_options, {user: "root", keys: ["$T/client_key"], keys_only: true, verify_host_key: :never, config: false}
RUBY
for a in $hosts; do printf 'server "%s", user: "root", roles: %%w[app]\n' "$a"; done >"$T/cap/config/deploy/production.rb"
cap_run() { (cd "$T/cap" && HOME="$T" cap production "$@") >"$T/cap.log" 2>&1 || { cat "$T/cap.log"; die "cap $* failed"; }; }

# 4. ecp: build first (not timed: it is the same for any deploy tool), then deploy cold.
cd "$T/app"
"$ECP" -q build >/dev/null
t0=$(now); "$ECP" deploy --env prod >"$T/ecp.log" 2>&1 || { cat "$T/ecp.log"; die "ecp deploy failed"; }; t1=$(now)
ecp_deploy=$(elapsed "$t0" "$t1")
echo "ecp deploy: $ecp_deploy s"
for a in $hosts; do curl -sf "http://$a:8080/health" >/dev/null || die "the app does not answer on $a"; done

t0=$(now); cap_run deploy; t1=$(now)
cap_deploy=$(elapsed "$t0" "$t1")
echo "cap deploy: $cap_deploy s"

# 5. A second release for both (so there is something to roll back from).
sed -i 's/bench one/bench two/' ecp.yaml
"$ECP" deploy --env prod >"$T/ecp.log" 2>&1 || { cat "$T/ecp.log"; die "ecp deploy 2 failed"; }
cap_run deploy

# 6. Rollback.
t0=$(now); "$ECP" rollback --env prod >"$T/ecp.log" 2>&1 || { cat "$T/ecp.log"; die "ecp rollback failed"; }; t1=$(now)
ecp_rollback=$(elapsed "$t0" "$t1")
echo "ecp rollback: $ecp_rollback s"
for a in $hosts; do curl -sf "http://$a:8080/" | grep -q "bench one" || die "the rollback does not answer on $a"; done
t0=$(now); cap_run deploy:rollback; t1=$(now)
cap_rollback=$(elapsed "$t0" "$t1")

# 7. An unchanged redeploy: `ecp release` of the tree that serves now (the rollback's
#    image and configuration): the build comes from the layer cache, the deploy finds
#    nothing to do.
sed -i 's/bench two/bench one/' ecp.yaml
t0=$(now); "$ECP" release --env prod >"$T/ecp.log" 2>&1 || { cat "$T/ecp.log"; die "ecp release failed"; }; t1=$(now)
ecp_unchanged=$(elapsed "$t0" "$t1")
grep -q "unchanged" "$T/ecp.log" || { cat "$T/ecp.log"; die "the unchanged release was not a no-op"; }
t0=$(now); "$ECP" deploy --env prod --force >"$T/ecp.log" 2>&1 || { cat "$T/ecp.log"; die "ecp deploy --force failed"; }; t1=$(now)
ecp_forced=$(elapsed "$t0" "$t1")

# 8. Blue-green through a gateway: the next release starts in slot b beside slot a,
#    and a rollback inside the keep window only flips the gateway back.
gateway_host gw
gwport=$(free_port)
printf '    gateway: {host: "%s", port: %s}\n' "$gw_url" "$gwport" >>"$T/app/ecp-targets.yaml"
sed -i 's/strategy: recreate}/strategy: {type: blue-green, keep: 10m}}/; s/bench one/bench three/' ecp.yaml
"$ECP" deploy --env prod >"$T/ecp.log" 2>&1 || { cat "$T/ecp.log"; die "ecp blue-green deploy failed"; }
curl -sf "http://127.0.0.1:$gwport/" | grep -q "bench three" || die "the gateway does not serve bench three"
t0=$(now); "$ECP" rollback --env prod >"$T/ecp.log" 2>&1 || { cat "$T/ecp.log"; die "ecp rollback (gateway) failed"; }; t1=$(now)
ecp_flip=$(elapsed "$t0" "$t1")
grep -q "keeping 4 instance" "$T/ecp.log" || { cat "$T/ecp.log"; die "the rollback did not keep slot a"; }
curl -sf "http://127.0.0.1:$gwport/" | grep -q "bench one" || die "the gateway does not serve bench one after the rollback"

printf '\n%-34s %10s %10s %8s %8s\n' measure ecp capistrano ratio target
printf '%-34s %9.2fs %9.2fs %8s %8s\n' "deploy (cold, 4 hosts, 123 MB)" "$ecp_deploy" "$cap_deploy" \
  "$(ratio "$ecp_deploy" "$cap_deploy")" "<= 0.50"
printf '%-34s %9.2fs %9.2fs %8s %8s\n' "rollback" "$ecp_rollback" "$cap_rollback" \
  "$(ratio "$ecp_rollback" "$cap_rollback")" "<= 0.25"
printf '%-34s %9.2fs %9.2fs %8s %8s\n' "rollback, blue-green (gateway flip)" "$ecp_flip" "$cap_rollback" \
  "$(ratio "$ecp_flip" "$cap_rollback")" "<= 0.25"
printf '%-34s %9.2fs %10s %8s %8s\n' "redeploy of an unchanged image" "$ecp_unchanged" "-" "-" "<= 1 s"
printf '%-34s %9.2fs %10s %8s %8s\n' "  (forced: restart everywhere)" "$ecp_forced" "-" "-" "-"
echo "ecp's deploy and rollback include stopping and starting the JVM on every host and its health check;"
echo "Capistrano's do neither."
