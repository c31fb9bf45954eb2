# What ecp init writes is a valid project: `ecp init --type X demo && ecp -C demo
# validate` exits 0 for every layout.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
for type in jar nginx tomcat; do
  mkdir -p "$T/$type"
  cd "$T/$type"
  expect_exit 0 "$ECP" init --type "$type" demo
  expect_exit 0 "$ECP" -C demo validate
  expect_exit 0 "$ECP" -C demo -o json validate
done
echo OK
