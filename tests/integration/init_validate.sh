# What ecp init writes is a valid project: `ecp init --type X demo && ecp -C demo
# validate` exits 0 for every layout. validate also looks at the layout as ecp
# build would: a jar layout without lib/application.jar (not built yet), a
# missing html/, webapps/ or bin/entrypoint.sh are warnings, not errors.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
for type in jar nginx tomcat; do
  mkdir -p "$T/$type"
  cd "$T/$type"
  expect_exit 0 "$ECP" init --type "$type" demo
  expect_exit 0 "$ECP" -C demo validate
  if [ "$type" = jar ]; then
    expect_grep "^app/lib: warning: the jar layout needs lib/application.jar \(build your jar first\)$" "$T/err"
  else
    expect_no_grep "warning" "$T/err"
  fi
  expect_exit 0 "$ECP" -C demo -o json validate
done
cd "$T/nginx"
rm -rf demo/app/html demo/app/bin/entrypoint.sh
expect_exit 0 "$ECP" -C demo validate
expect_grep "^app/html: warning: the nginx layout has no html/ folder" "$T/err"
expect_grep "^app/bin: warning: the layout has no bin/entrypoint.sh" "$T/err"
cd "$T/tomcat"
rm -rf demo/app/webapps
expect_exit 0 "$ECP" -C demo -o json validate
expect_grep '"severity":"warning"' "$T/out"
expect_grep "the tomcat layout has no webapps/ folder" "$T/out"
echo OK
