#!/usr/bin/env bash
# test_cli.sh - the phonograph executable end to end: subcommands, --help, --version, deck
# errors (file:line + suggestion, non-zero exit on every rank, no hang), docs/deck.md up to
# date. Runs from the repo root with $PG_BIN; ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgcli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -40; }
# run NAME NP ARGS... : runs phonograph under mpirun with a timeout; output in $TMP/NAME.out
run() {
    local name=$1 np=$2; shift 2
    timeout 120 $MPIRUN -np "$np" "$PG_BIN" "$@" > "$TMP/$name.out" 2>&1
    echo $? > "$TMP/$name.rc"
}
rc() { cat "$TMP/$1.rc"; }
has() { grep -qF -- "$2" "$TMP/$1.out"; }

# --version, --help
for np in 1 2; do
    run version$np $np --version
    if [ "$(rc version$np)" = 0 ] && has version$np "phonograph " && has version$np "git"; then
        ok "--version np$np"; else bad "--version np$np" "$TMP/version$np.out"; fi
    [ "$(grep -c '^phonograph ' "$TMP/version$np.out")" = 1 ] && ok "--version printed once np$np" \
        || bad "--version printed once np$np" "$TMP/version$np.out"
done
run help 1 --help
if [ "$(rc help)" = 0 ] && has help "deck"; then ok "--help lists commands"; else bad "--help" "$TMP/help.out"; fi
for cmd in $(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$TMP/help.out" | grep -v -- '^--'); do
    run "help_$cmd" 1 "$cmd" --help
    if [ "$(rc "help_$cmd")" = 0 ] && has "help_$cmd" "usage: phonograph $cmd"; then
        ok "$cmd --help"; else bad "$cmd --help" "$TMP/help_$cmd.out"; fi
done
run nocmd 1 frobnicate
[ "$(rc nocmd)" != 0 ] && has nocmd "unknown command" && ok "unknown command fails" \
    || bad "unknown command fails" "$TMP/nocmd.out"

# deck reference; docs/deck.md is generated from it
run ref 1 deck
[ "$(rc ref)" = 0 ] && has ref "[structure]" && has ref "supercell" && ok "deck reference" \
    || bad "deck reference" "$TMP/ref.out"
run refmd 1 deck --markdown
if [ "$(rc refmd)" = 0 ] && cmp -s "$TMP/refmd.out" docs/deck.md; then ok "docs/deck.md is up to date"
else bad "docs/deck.md is up to date (run: make docs)" "$TMP/refmd.out"; diff docs/deck.md "$TMP/refmd.out" | head; fi

# deck --check: the default deck resolves; a typo'd deck fails on every rank with file:line
for np in 1 2; do
    run check$np $np deck --check inputs/Ag3SBr/Ag3SBr.deck
    [ "$(rc check$np)" = 0 ] && has check$np "supercell = 2 2 2" && has check$np "# fingerprint" \
        && ok "deck --check default deck np$np" || bad "deck --check default deck np$np" "$TMP/check$np.out"
    run typo$np $np deck --check test/decks/bad/typo_key.deck
    r=$(rc typo$np)
    if [ "$r" = 1 ] && has typo$np "test/decks/bad/typo_key.deck:6:1: error: unknown key supercel in [structure] (did you mean supercell?)" \
        && [ "$(grep -c 'did you mean' "$TMP/typo$np.out")" = 1 ]; then
        ok "typo'd deck: exit 1, file:line + suggestion, reported once np$np"
    else bad "typo'd deck np$np (rc=$r)" "$TMP/typo$np.out"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
