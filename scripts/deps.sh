#!/bin/sh
# Installs the Debian packages takt needs to build and test, skipping what is
# already there. Sourced by scripts/demo and scripts/test; needs root (or sudo)
# only when something is missing.
set -eu

takt_packages="gcc g++ make cmake pkg-config libevent-dev libsqlite3-dev libyaml-dev \
check libjansson-dev libssl-dev libncurses-dev libqrencode-dev python3 curl tzdata \
tmux chromium nodejs npm clang libclang-rt-14-dev"

# A package counts as there when dpkg has it or, for the tools a machine may
# carry outside dpkg (Node.js in /usr/local, say), when its command exists.
takt_have() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed" && return 0
	case "$1" in
	nodejs) command -v node >/dev/null 2>&1 ;;
	npm|cmake|make|gcc|python3|curl|tmux|chromium) command -v "$1" >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

takt_missing=""
for p in $takt_packages; do
	takt_have "$p" || takt_missing="$takt_missing $p"
done

if [ -n "$takt_missing" ]; then
	echo "takt: installing Debian packages:$takt_missing" >&2
	takt_sudo=""
	[ "$(id -u)" -eq 0 ] || takt_sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$takt_sudo apt-get update -q </dev/null
	# shellcheck disable=SC2086
	$takt_sudo apt-get install -y -q --no-install-recommends $takt_missing </dev/null
fi
