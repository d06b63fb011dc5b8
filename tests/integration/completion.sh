# bash completion (completion/sockrr.bash, installed by make install):
# verbs, a verb's options, an option's values (op lists after a comma),
# traces for the verbs that read one, commands after "--".
. tests/integration/lib.inc
need bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/d" && : > "$tmp/d/run.jsonl" && : > "$tmp/d/cap.pcap" && : > "$tmp/d/notes.txt"
script=$PWD/completion/sockrr.bash
# complete_words WORDS...: the completions of the last word, sorted, one a
# line, in a directory holding a trace, a capture and a text file
complete_words() {
    (cd "$tmp/d" && bash -c '
        shopt -s extglob
        . "$0"
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _sockrr
        printf "%s\n" "${COMPREPLY[@]}" | sort' "$script" "$@")
}
check() { # WANT WORDS...
    want=$1; shift
    got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
    [ "$got" = "$want" ] || fail "completing '$*': got '$got', expected '$want'"
}
check "record replay" sockrr re
check "show sim stats" sockrr s
check "--ignore-pids --ignore-ports" sockrr diff --ignore-p
check "drop wait" sockrr record --ring-full ""
check "fail passthrough" sockrr replay --on-miss ""
check "poll,sendmsg poll,sethostname poll,setsockopt poll,shutdown poll,sleep poll,socket poll,socketpair" sockrr show --op poll,s
check "cap.pcap run.jsonl" sockrr show ""
check "run.jsonl" sockrr sim -o ""
check "--json" sockrr stats --j
got=$(complete_words sockrr record -- pytho)
echo "$got" | grep -qx python3 || fail "no command after --: $got"
# the op names are show's
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
ops=$("$SOCKRR" show --op nosuch x 2>&1 | sed -n 's/.*the ops are: //p' | tr ',' '\n' | sort)
listed=$(complete_words sockrr show --op "")
[ -n "$ops" ] && [ "$ops" = "$listed" ] || fail "the completion's ops are not show's: $(echo "$ops" | tr '\n' ' ') / $(echo "$listed" | tr '\n' ' ')"
echo ok
