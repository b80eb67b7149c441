# wine-prefix.sh: sourced by tools/check-wine/check-wine and tools/stress.
#
# Copyright 2026 the olecancel developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make_prefix DIR: a new headless prefix in DIR, with $wine and $wineserver
# set by the caller: Wine's null display driver, crashes print a backtrace
# and open no dialog (as tools/run-tests sets up its prefix).
make_prefix() {
    mkdir -p "$1"
    WINEPREFIX=$1 WINEDEBUG=-all timeout 300 "$wine" wineboot -i >/dev/null 2>&1
    WINEPREFIX=$1 timeout 120 "$wineserver" -w
    [ -f "$1/system.reg" ] || { echo "$(basename "$0"): wineboot did not create $1" >&2; exit 1; }
    WINEPREFIX=$1 WINEDEBUG=-all timeout 120 "$wine" reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f >/dev/null 2>&1
    WINEPREFIX=$1 WINEDEBUG=-all timeout 120 "$wine" reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f >/dev/null 2>&1
    WINEPREFIX=$1 timeout 120 "$wineserver" -w
}
