# olecancel: throwaway prefixes for the packaging checks (sourced by
# check-dist and check-deb; plain bash, no source tree needed, so that it
# also runs inside a chroot).
#
# Copyright 2026 the olecancel developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The caller sets $here (where find-wine is) and defines result();
# find_wine sets $wine and $wineserver.

find_wine() {  # the 64-bit loader, else the 32-bit one (a pure 32-bit Wine)
    local find=$here/find-wine
    wine=${WINE:-}
    [ -n "$wine" ] || wine=$("$find" wine64) || wine=$("$find" wine32) ||
        { echo "no Wine loader found ($find wine64 / wine32)" >&2; return 1; }
    wineserver=$(dirname "$wine")/wineserver
    [ -x "$wineserver" ] || wineserver=$("$find" wineserver) ||
        { echo "no wineserver found for $wine" >&2; return 1; }
}

new_prefix() {  # dir: a fresh headless prefix at dir (must not exist yet)
    WINEPREFIX=$1 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" timeout 300 "$wine" wineboot -i >/dev/null 2>&1
    WINEPREFIX=$1 timeout 120 "$wineserver" -w
    [ -f "$1/system.reg" ] || { echo "wineboot did not create a prefix in $1" >&2; return 1; }
    WINEPREFIX=$1 WINEDEBUG=-all timeout 120 "$wine" reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f >/dev/null 2>&1
    WINEPREFIX=$1 WINEDEBUG=-all timeout 120 "$wine" reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f >/dev/null 2>&1
    WINEPREFIX=$1 timeout 120 "$wineserver" -w
}

end_prefix() {  # dir: kill its wineserver, remove it
    [ -d "$1" ] || return 0
    WINEPREFIX=$1 "$wineserver" -k >/dev/null 2>&1
    rm -rf "$1"
}

prefix_snapshot() {  # dir: what an install must not leave behind after uninstall
    local d=$1/drive_c/windows
    ( cd "$d" && sha256sum system32/ole32.dll syswow64/ole32.dll 2>/dev/null )
    WINEPREFIX=$1 WINEDEBUG=-all timeout 120 "$wine" reg query 'HKCU\Software\Wine\DllOverrides' 2>/dev/null | tr -d '\r' | grep -i ole32
    WINEPREFIX=$1 WINEDEBUG=-all timeout 120 "$wine" reg query 'HKCU\Software\Wine\AppDefaults' /s 2>/dev/null | tr -d '\r' | grep -i ole32
    ls "$1" | grep olecancel
    WINEPREFIX=$1 timeout 120 "$wineserver" -w
}

run_cancel_test() {  # label dir test.exe: the test must pass there with olecancel
    local log=$2/cancel-test.log name
    name=$(basename "$3" .exe)
    WINEPREFIX=$2 WINEDEBUG=fixme-all WINEDLLOVERRIDES="mscoree,mshtml=" \
        timeout -k 10 600 "$wine" "$3" >"$log" 2>&1 </dev/null
    local st=$?
    WINEPREFIX=$2 timeout 120 "$wineserver" -w
    local summary
    summary=$(tr -d '\r' <"$log" | grep -aE "^$name: [0-9]+ tests executed" | tail -n 1)
    if [ $st -eq 0 ] && [ -n "$summary" ]; then result "$1" ok "$summary"
    else result "$1" fail "exit $st, ${summary:-no summary line}"; tr -d '\r' <"$log" | grep -aE 'Test failed|unimplemented' | head -n 5 | sed 's/^/    | /'; fi
}

install_cycle() {  # label setup-command dir test.exe: install, cancel test, uninstall restores
    local label=$1 setup=$2 dir=$3 exe=$4 before after
    before=$(prefix_snapshot "$dir")
    if "$setup" install --prefix "$dir" >"$dir/setup.log" 2>&1; then result "$label: install" ok "$(grep -c installed "$dir/setup.log") files"
    else result "$label: install" fail "$(tail -n 3 "$dir/setup.log")"; return; fi
    # the test program must not find the DLL any other way than through the prefix
    cp "$exe" "$dir/drive_c/"
    run_cancel_test "$label: $(basename "$exe") with olecancel" "$dir" "$dir/drive_c/$(basename "$exe")"
    rm -f "$dir/drive_c/$(basename "$exe")"
    "$setup" uninstall --prefix "$dir" >>"$dir/setup.log" 2>&1 || result "$label: uninstall" fail "$(tail -n 3 "$dir/setup.log")"
    after=$(prefix_snapshot "$dir")
    if [ "$before" = "$after" ]; then result "$label: uninstall restores the prefix" ok ""
    else result "$label: uninstall restores the prefix" fail "$(diff <(echo "$before") <(echo "$after") | head -n 10)"; fi
}
