#!/bin/sh
# Installs what sockrr builds and tests with, from Debian's packages.
# Idempotent: it asks dpkg first and does nothing when everything is there.
# Called by the Makefile when pkg-config cannot find a library; safe to run by hand.
set -eu

libs="libpcap-dev libjansson-dev libcmocka-dev pkg-config"
# The real programs the integration tests run.
tools="curl python3 socat tshark tcpdump jq iproute2 util-linux"

missing=""
for p in $libs $tools; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
# python3 may come from elsewhere (pyenv); a working interpreter is enough.
case " $missing " in *" python3 "*) command -v python3 >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ python3//') ;; esac

[ -z "$missing" ] && exit 0

echo "sockrr deps: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it up front.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
