#!/bin/sh
# Builds a minimal Debian 12 (mmdebstrap's minbase, plus git and make, which
# it lacks) in a temporary directory from Debian's registry, clones this
# repository into it, and runs the README's two commands there as a new
# machine would: `make demo`, then `make check`; then `make install` into
# /usr/local and the README's example program built with pkg-config.  It checks that the
# project's own files install all it needs.  Not part of `make check`
# (it downloads a system); `make fresh-debian` runs it.  Needs root (chroot
# and mounts) and mmdebstrap (scripts/deps.sh does not install it: apt-get
# install mmdebstrap).
#   FRESH_KEEP=1   keep the image afterwards (its path is printed)
#   FRESH_MIRROR   the Debian mirror (default http://deb.debian.org)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "fresh-debian: run as root (chroot and mounts)" >&2; exit 1; }
command -v mmdebstrap > /dev/null 2>&1 ||
    { echo "fresh-debian: mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }
mirror=${FRESH_MIRROR:-http://deb.debian.org}
root=$(mktemp -d /var/tmp/sockrr-fresh.XXXXXX)
mounted=""
cleanup() {
    for m in $mounted; do
        case $m in /..) umount -l "$root" 2> /dev/null || true ;; *) umount -l "$root$m" 2> /dev/null || true ;; esac
    done
    if [ "${FRESH_KEEP:-0}" = 1 ]; then echo "fresh-debian: the image stays at $root" >&2
    else rm -rf "$root"; fi
}
trap cleanup EXIT

echo "fresh-debian: building a minimal Debian 12 in $root" >&2
mmdebstrap --quiet --variant=minbase --include=git,make,ca-certificates bookworm "$root" \
    "deb $mirror/debian bookworm main" \
    "deb $mirror/debian bookworm-updates main" \
    "deb $mirror/debian-security bookworm-security main"

# what a machine has and a chroot does not: a root that is a mount point
# (unshare -m, which tests use, changes its propagation), /proc, /sys, /dev,
# shared memory
mount --bind "$root" "$root"
mounted="/.. $mounted"
for m in /proc /sys /dev /dev/pts /dev/shm; do
    mkdir -p "$root$m"
    mount --bind "$m" "$root$m"
    mounted="$m $mounted"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"

# the repository as committed, cloned as a user would (no build, no ../shared)
git clone -q "$here" "$root/root/sockrr"

# the README's two commands, each from the clone's top; a failure stops here
for cmd in "make demo" "make check"; do
    echo "fresh-debian: $cmd" >&2
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
        sh -c "cd /root/sockrr && $cmd" ||
        { echo "fresh-debian: '$cmd' failed on a fresh Debian 12" >&2; exit 1; }
done
# then installed as a user would, into the system prefix (ldconfig runs),
# and the README's example built with pkg-config against it and run; the
# man pages are found where man looks
echo "fresh-debian: make install, the README's example, man sockrr" >&2
# (with /usr/local/bin on the PATH, as a login shell has it: man finds
# /usr/local/share/man through it)
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TERM=dumb sh -c '
    set -e
    cd /root/sockrr
    make -s install PREFIX=/usr/local
    sed -n "/^\/\* hello.c:/,/^\`\`\`\$/p" README.md | sed "\$d" > /tmp/hello.c
    cc /tmp/hello.c $(pkg-config --cflags --libs sockrr) -o /tmp/hello
    [ "$(/tmp/hello)" = "the server got hello" ]
    MANWIDTH=80 man sockrr-diff | grep -q "sockrr-diff"
    command -v sockrr
    make -s uninstall PREFIX=/usr/local' ||
    { echo "fresh-debian: make install and the README's example failed on a fresh Debian 12" >&2; exit 1; }
echo "fresh-debian: make demo, make check, make install and the README's example pass on a fresh Debian 12 (minbase + git, make)" >&2
