#!/bin/sh
# The same inputs give the same manifest digest from two folders, at two times,
# with different mtimes, owners and umask, into two stores; an unchanged
# rebuild is answered by the layer cache; a changed file changes the digest.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
TOOL="$ECP_BUILD_DIR/ecp-image-tool"
[ -x "$TOOL" ] || die "missing $TOOL"

# make_tree DIR UMASK STAMP: the same content, created differently each time.
make_tree() (
  umask "$2"
  mkdir -p "$1/bin" "$1/lib" "$1/conf" "$1/data"
  printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' > "$1/bin/entrypoint.sh"
  chmod u+x "$1/bin/entrypoint.sh"
  seq 1 50000 > "$1/lib/application.jar"
  printf 'dep\n' > "$1/lib/dep-1.0.jar"
  printf 'a=b\n' > "$1/conf/application.yaml"
  ln -s application.yaml "$1/conf/app.yaml"
  find "$1" -exec touch -h -d "$3" {} +
)
make_tree "$T/one/app" 022 '2020-01-01 00:00:00'
sleep 1
make_tree "$T/two/elsewhere/app" 077 '2024-06-30 12:34:56'
if [ "$(id -u)" = 0 ]; then chown -R -h 4321:1234 "$T/two"; fi

a=$("$TOOL" build "$T/store1" app:1 "$T/one/app" --layers 2 --epoch 1700000000 2> "$T/err1")
b=$("$TOOL" build "$T/store2" app:1 "$T/two/elsewhere/app" --layers 2 --epoch 1700000000 2> "$T/err2")
[ -n "$a" ] && [ "$a" = "$b" ] || { cat "$T/err1" "$T/err2"; die "digests differ: $a vs $b"; }
expect_grep 'cached false' "$T/err1"

# Unchanged: both layers come from the cache, same digest.
c=$("$TOOL" build "$T/store1" app:1 "$T/one/app" --layers 2 --epoch 1700000000 2> "$T/err3")
[ "$c" = "$a" ] || die "rebuild changed the digest"
[ "$(grep -c 'cached true' "$T/err3")" = 2 ] || { cat "$T/err3"; die "the rebuild did not use the cache"; }

# One changed file: one layer is rebuilt, the digest changes.
printf 'a=c\n' > "$T/one/app/conf/application.yaml"
d=$("$TOOL" build "$T/store1" app:1 "$T/one/app" --layers 2 --epoch 1700000000 2> "$T/err4")
[ "$d" != "$a" ] || die "a changed file kept the digest"
[ "$(grep -c 'cached true' "$T/err4")" = 1 ] || { cat "$T/err4"; die "the unchanged layer was rebuilt"; }

# Another epoch is another image.
e=$("$TOOL" build "$T/store2" app:2 "$T/two/elsewhere/app" --layers 2 --epoch 1 2>/dev/null)
[ "$e" != "$b" ] || die "the epoch does not reach the digest"
echo ok
