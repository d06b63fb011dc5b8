#!/bin/sh
# Installs what sockrr builds and tests with, from Debian's packages.
#   deps.sh libs    the compiler and libraries, and netbase (a minimal image
#                   has no /etc/hosts: its postinst writes the localhost lines
#                   every test and the demo resolve, and /etc/services): fails
#                   when they cannot be had
#   deps.sh tools   the real programs the integration tests run (the corpus:
#                   redis, node, curl, wget, socat, nc, ...): fails when they
#                   cannot be had, since a test whose program is missing fails
#   deps.sh         both
# Idempotent: it asks dpkg first and does nothing when everything is there.
set -eu

libs="netbase build-essential clang libclang-rt-dev afl++ pkg-config libpcap-dev libcmocka-dev libjemalloc-dev libgoogle-perftools-dev libmimalloc-dev scdoc"
tools="procps curl wget python3 socat netcat-openbsd redis-server redis-tools nodejs tshark tcpdump jq iproute2 util-linux strace libsocket-wrapper time bind9-dnsutils chromium man-db"

missing() {
    out=""
    for p in "$@"; do
        # python3 may come from elsewhere (pyenv): a working interpreter is enough
        [ "$p" = python3 ] && command -v python3 >/dev/null 2>&1 && continue
        # so may node (nodesource, nvm): any node on the PATH will do
        [ "$p" = nodejs ] && command -v node >/dev/null 2>&1 && continue
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || out="$out $p"
    done
    echo "$out"
}

install() {
    pkgs=$1
    if [ "$(id -u)" = 0 ]; then
        run=""
    elif command -v sudo >/dev/null 2>&1; then
        run="sudo"
    else
        echo "sockrr deps: not root and no sudo: install these as root:$pkgs" >&2
        return 1
    fi
    echo "sockrr deps: installing:$pkgs" >&2
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; answer it up front
    echo "wireshark-common wireshark-common/install-setuid boolean false" |
        $run debconf-set-selections 2>/dev/null || true
    $run apt-get update -qq && $run apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
}

what=${1:-all}
case $what in
libs | all)
    m=$(missing $libs)
    [ -z "$m" ] || install "$m" || { echo "sockrr deps: could not install:$m" >&2; exit 1; }
    ;;
esac
case $what in
tools | all)
    m=$(missing $tools)
    [ -z "$m" ] || install "$m" || { echo "sockrr deps: could not install:$m (the tests that run them would fail)" >&2; exit 1; }
    ;;
esac
case $what in libs | tools | all) ;; *) echo "usage: deps.sh [libs|tools]" >&2; exit 2 ;; esac
exit 0
