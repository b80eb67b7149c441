# olecancel — COM call cancellation and asynchronous COM calls for Wine
#
# Copyright 2026 the olecancel developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   make                 build build/x64/ole32.dll, build/x32/ole32.dll and the tests
#   make demo            build, make a throwaway prefix, install, run the demo
#   make check           build, throwaway prefix, install, conformance + smoke tests
#   make check-builtin   the same conformance tests against stock Wine (no override)
#   make bench           benchmark with the DLL against stock Wine, same run
#   make check-matrix    make check in Debian chroots: Wine 8.0 and 10.0, 64- and 32-bit;
#                        the tarball and the .deb installed and used in each
#   make check-wine      Wine's own ole32/combase/oleaut32/rpcrt4 tests, stock vs olecancel
#   make check-stress    500 COM starts, wineboot -u and explorer, stock vs olecancel
#   make update-exports  record dlls/ole32/exports/wine-VERSION.exports from the installed Wine
#   make deps            check (and as root on Debian, install) the toolchain
#   make dist            the release tarball build/olecancel-VERSION.tar.gz (reproducible)
#   make check-dist      build it twice from clean exports, compare, install from the unpacked tarball
#   make deb             the Debian package build/olecancel_VERSION_all.deb
#   make check-deb       lintian, then apt-get install it, install into a fresh prefix, purge
#
# Wine's programs are found by tools/find-wine when a recipe first needs them,
# which is after `deps` has installed them: nothing is decided when this file
# is read.

SHELL := /bin/bash
VERSION := 0.1.0

CC64 := x86_64-w64-mingw32-gcc
CC32 := i686-w64-mingw32-gcc
WINDRES64 := x86_64-w64-mingw32-windres
WINDRES32 := i686-w64-mingw32-windres
DLLTOOL64 := x86_64-w64-mingw32-dlltool
DLLTOOL32 := i686-w64-mingw32-dlltool
PYTHON := python3

# found on first use (in a recipe, after deps), then kept: $(call wine_tool,ROLE)
wine_tool = $(or $(wine_tool_$(1)),$(eval wine_tool_$(1) := $$(shell tools/find-wine $(1)))$(wine_tool_$(1)))
WIDL = $(call wine_tool,widl)
WINE = $(call wine_tool,wine64)
WINE32 = $(call wine_tool,wine32)

CFLAGS := -O2 -g -gdwarf-4 -Wall -Wno-unknown-pragmas -fno-strict-aliasing \
          -D_WIN32_WINNT=0x0601 -DWINVER=0x0601 -DCOBJMACROS -DCONST_VTABLE -Iinclude
# reproducible builds: no build directory in the debug info
CFLAGS += -ffile-prefix-map=$(CURDIR)=.
DLL_LDFLAGS := -shared -static-libgcc -Wl,--file-alignment=4096 -Wl,--enable-stdcall-fixup \
               -Wl,--no-insert-timestamp
DLL_LIBS := -lrpcrt4 -loleaut32 -luuid -ladvapi32 -luser32 -lkernel32

DLL_SRCS := $(wildcard dlls/ole32/*.c)
DLL_HDRS := $(wildcard dlls/ole32/*.h) $(wildcard include/*.h)
# one recorded list per supported Wine version, oldest first
EXPORTS := $(shell ls dlls/ole32/exports/wine-*.exports | sort -V)
LOCAL := dlls/ole32/ole32.local
GEN := $(PYTHON) tools/gen-exports.py

IDLS := $(wildcard idl/*.idl)
IDL_NAMES := $(basename $(notdir $(IDLS)))
WINE_IDL_DIR := /usr/include/wine/wine/windows

TEST_SRCS := $(wildcard tests/*.c)
TEST_NAMES := $(basename $(notdir $(TEST_SRCS)))
TEST_HDRS := $(wildcard tests/*.h)
TEST_LIBS := -lole32 -loleaut32 -lrpcrt4 -luuid -ladvapi32 -luser32 -lversion -lpsapi

.SECONDARY:
.DELETE_ON_ERROR:
.PHONY: all deps dlls tests check check-matrix check-builtin check-wine check-stress demo bench update-exports \
        clean distclean dist check-dist deb check-deb

all: deps dlls tests build/fuzz/fuzz_cancel_ext

deps:
	@tools/check-deps

dlls: build/x64/ole32.dll build/x32/ole32.dll build/x64/olecancel-probe.exe build/x64/olecancel-smoke-server.exe \
      build/x64/olecancel-demo.exe build/x64/olecancel-bench.exe $(DLL_SRCS:dlls/ole32/%.c=build/x64/obj/%.o)

tests: $(TEST_NAMES:%=build/tests/x64/%.exe) build/tests/x64/olecancel_ps.dll build/tests/x64/midl_ps.dll \
       $(TEST_NAMES:%=build/tests/x32/%.exe) build/tests/x32/olecancel_ps.dll build/tests/x32/midl_ps.dll \
       build/x32/olecancel-probe.exe build/x32/olecancel-smoke-server.exe

# ---- generated export table, per architecture -------------------------------

build/gen/%/ole32.def: $(EXPORTS) $(LOCAL) tools/gen-exports.py
	@mkdir -p $(@D)
	$(GEN) def --arch $* --exports $(EXPORTS) --local $(LOCAL) > $@

build/gen/%/forward.S: $(EXPORTS) $(LOCAL) tools/gen-exports.py
	@mkdir -p $(@D)
	$(GEN) stubs --arch $* --exports $(EXPORTS) --local $(LOCAL) > $@

build/gen/%/fwdnames.c: $(EXPORTS) $(LOCAL) tools/gen-exports.py
	@mkdir -p $(@D)
	$(GEN) table --arch $* --exports $(EXPORTS) --local $(LOCAL) > $@

build/gen/%/combase.def: $(EXPORTS) $(LOCAL) tools/gen-exports.py
	@mkdir -p $(@D)
	$(GEN) combase --arch $* --exports $(EXPORTS) --local $(LOCAL) > $@

build/gen/x64/libcombase.a: build/gen/x64/combase.def
	$(DLLTOOL64) --input-def $< --dllname combase.dll --output-lib $@
build/gen/x32/libcombase.a: build/gen/x32/combase.def
	$(DLLTOOL32) -k --input-def $< --dllname combase.dll --output-lib $@

# ---- the drop-in DLL ----------------------------------------------------------

build/gen/%/version.o: dlls/ole32/version.rc dlls/ole32/version.h
	@mkdir -p $(@D)
	$(if $(filter x64,$*),$(WINDRES64),$(WINDRES32)) -Idlls/ole32 -i $< -o $@

# one object per source: tools/layer-check (make check) reads their symbols
define dll_rule
build/$(1)/obj/%.o: dlls/ole32/%.c $(DLL_HDRS)
	@mkdir -p $$(@D)
	$(2) $(CFLAGS) -D_OLE32_ -Idlls/ole32 -c -o $$@ $$<

build/$(1)/ole32.dll: $(DLL_SRCS:dlls/ole32/%.c=build/$(1)/obj/%.o) build/gen/$(1)/ole32.def build/gen/$(1)/forward.S \
                      build/gen/$(1)/fwdnames.c build/gen/$(1)/libcombase.a build/gen/$(1)/version.o
	@mkdir -p $$(@D)
	$(2) $(CFLAGS) -D_OLE32_ -Idlls/ole32 -o $$@ $(DLL_SRCS:dlls/ole32/%.c=build/$(1)/obj/%.o) \
	    build/gen/$(1)/forward.S build/gen/$(1)/fwdnames.c \
	    build/gen/$(1)/version.o build/gen/$(1)/ole32.def $(DLL_LDFLAGS) \
	    build/gen/$(1)/libcombase.a $(DLL_LIBS)
	@tools/check-dll $$@ $(EXPORTS)
endef
$(eval $(call dll_rule,x64,$(CC64)))
$(eval $(call dll_rule,x32,$(CC32)))

build/x64/olecancel-demo.exe: tools/demo.c build/idl/olecancel_demo.h build/x64/olecancel_ps.dll
	@mkdir -p $(@D)
	$(CC64) $(CFLAGS) -Ibuild/idl -o $@ $< build/idl/olecancel_demo_i.c -static-libgcc -lole32 -loleaut32 -luuid

build/x64/olecancel_ps.dll: build/tests/x64/olecancel_ps.dll
	cp $< $@

build/x64/olecancel-bench.exe: tools/bench.c
	@mkdir -p $(@D)
	$(CC64) $(CFLAGS) -o $@ $< -static-libgcc -lole32 -loleaut32 -luuid -lpsapi

# ---- tests ----------------------------------------------------------------------

build/gen/exports_list.h: $(EXPORTS) $(LOCAL) tools/gen-exports.py
	@mkdir -p $(@D)
	$(GEN) testlist --exports $(EXPORTS) --local $(LOCAL) > $@

# test interfaces: widl -Oif (stubless) headers, proxies and IIDs, per
# architecture (build/idl for x64, build/idl32 for i686: the proxies' format
# strings depend on it).  Wine's NdrDllGetClassObject fills NULL stub-vtable
# slots in place, so the stub vtables widl emits const are made writable, as
# MIDL emits them.
define idl_rule
build/$(1)/%.h build/$(1)/%_p.c build/$(1)/%_i.c: idl/%.idl | deps
	@mkdir -p build/$(1)
	cd build/$(1) && $$(WIDL) $(2) -Oif -I$(WINE_IDL_DIR) -h -H $$*.h -p -P $$*_p.c -u -U $$*_i.c ../../$$<
	sed -i 's/^static const CInterfaceStubVtbl _/static CInterfaceStubVtbl _/' build/$(1)/$$*_p.c

build/$(1)/dlldata.c: $(IDLS) | deps
	@mkdir -p build/$(1)
	cd build/$(1) && $$(WIDL) --dlldata-only -o dlldata.c $(IDL_NAMES)
endef
$(eval $(call idl_rule,idl,-m64))
$(eval $(call idl_rule,idl32,-m32))

# the cancel API imported from the API set (tests/combase_api.c, tests/apiset_only.c)
build/gen/x64/libapiset_com.a: tests/apiset_com.def
	@mkdir -p $(@D)
	sed 's/@[0-9]*//' $< > $(@D)/apiset_com.def
	$(DLLTOOL64) --input-def $(@D)/apiset_com.def --dllname api-ms-win-core-com-l1-1-0.dll --output-lib $@
build/gen/x32/libapiset_com.a: tests/apiset_com.def
	@mkdir -p $(@D)
	$(DLLTOOL32) -k --input-def $< --dllname api-ms-win-core-com-l1-1-0.dll --output-lib $@
APISET_TESTS := combase_api apiset_only
$(APISET_TESTS:%=build/tests/x64/%.exe): build/gen/x64/libapiset_com.a tests/apiset_com.h
$(APISET_TESTS:%=build/tests/x32/%.exe): build/gen/x32/libapiset_com.a tests/apiset_com.h

MIDL_PS_SRCS := tests/midl/midl_work_p.c tests/midl/midl_work_p32.c tests/midl/midl_work_i.c \
                tests/midl/midl_work_dlldata.c

# the test interfaces' proxy/stub DLL, registered by the tests with
# DllRegisterServer as a Windows program's installer would; and the test
# programs, for both architectures (x32 runs under 32-bit Wine, in a WoW64
# prefix and in a pure 32-bit one)
define test_rules
build/tests/$(1)/olecancel_ps.dll: $(IDL_NAMES:%=build/$(3)/%_p.c) $(IDL_NAMES:%=build/$(3)/%_i.c) \
                                  build/$(3)/dlldata.c idl/olecancel_ps.def include/ps_compat.h
	@mkdir -p $$(@D)
	$(2) -O2 -g -gdwarf-4 -shared -o $$@ -Ibuild/$(3) -Iinclude -include ps_compat.h -DREGISTER_PROXY_DLL \
	    '-DPROXY_CLSID_IS={0x6f1c0a10,0x5b1e,0x4c61,{0x9a,0x57,0x0c,0x7e,0x0a,0x5f,0x00,0x11}}' \
	    $$(filter %.c,$$^) idl/olecancel_ps.def -static-libgcc -Wl,--enable-stdcall-fixup -lrpcrt4 -loleaut32 -lole32 -luuid

# tests/midl_proxy.c's proxy/stub DLL, written by hand as MIDL /Oicf emits
# it (tests/midl/*.c; one proxy file per architecture, each empty on the
# other), built and registered as a Windows project's would be
build/tests/$(1)/midl_ps.dll: $(MIDL_PS_SRCS) tests/midl/midl_work.h tests/midl/midl_ps.def include/ps_compat.h
	@mkdir -p $$(@D)
	$(2) -O2 -g -gdwarf-4 -shared -o $$@ -Itests/midl -Iinclude -include ps_compat.h -DREGISTER_PROXY_DLL \
	    '-DPROXY_CLSID_IS={0x6f1c0a10,0x5b1e,0x4c61,{0x9a,0x57,0x0c,0x7e,0x0a,0x5f,0x00,0x42}}' \
	    $(MIDL_PS_SRCS) tests/midl/midl_ps.def -static-libgcc -Wl,--enable-stdcall-fixup -lrpcrt4 -loleaut32 -lole32 -luuid
build/tests/$(1)/midl_proxy.exe: tests/midl/midl_work.h tests/midl/midl_work_i.c

build/tests/$(1)/%.exe: tests/%.c $(TEST_HDRS) dlls/ole32/version.h build/gen/exports_list.h \
                       $(IDL_NAMES:%=build/$(3)/%.h) $(IDL_NAMES:%=build/$(3)/%_i.c)
	@mkdir -p $$(@D)
	$(2) $(CFLAGS) -Itests -Idlls/ole32 -Ibuild/gen -Ibuild/$(3) -o $$@ $$< \
	    $(IDL_NAMES:%=build/$(3)/%_i.c) -static-libgcc $$(filter %.a,$$^) $(TEST_LIBS)

build/$(1)/olecancel-probe.exe: tools/probe.c
	@mkdir -p $$(@D)
	$(2) $(CFLAGS) -municode -o $$@ $$< -static-libgcc -Wl,--no-insert-timestamp -lole32 -luuid -lversion

build/$(1)/olecancel-smoke-server.exe: tools/smoke_server.c
	@mkdir -p $$(@D)
	$(2) $(CFLAGS) -municode -o $$@ $$< -static-libgcc -lole32 -loleaut32 -luuid
endef
$(eval $(call test_rules,x64,$(CC64),idl))
$(eval $(call test_rules,x32,$(CC32),idl32))

# ---- the extension parser, fuzzed natively under AddressSanitizer and UBSan ----

build/fuzz/fuzz_cancel_ext: tests/fuzz/fuzz_cancel_ext.c dlls/ole32/cancel_ext.c dlls/ole32/cancel_ext.h
	@mkdir -p $(@D)
	gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -Idlls/ole32 -o $@ \
	    tests/fuzz/fuzz_cancel_ext.c dlls/ole32/cancel_ext.c

# ---- running ----------------------------------------------------------------------

# every bitness the installed Wine runs: x64, x32 in a WoW64 prefix, x32 in
# a pure 32-bit prefix (tools/run-checks)
check: all
	tools/run-checks build build/fuzz/fuzz_cancel_ext $(TEST_NAMES)

# make check in Debian chroots (root; cached in /var/cache/olecancel/chroots)
# the chroots also install and use the release files built here
check-matrix: dist deb
	tools/chroot-matrix check --tarball build/olecancel-$(VERSION).tar.gz --deb build/olecancel_$(VERSION)_all.deb

check-builtin: all
	tools/run-tests --builtin --wine "$(WINE)" --tests build/tests/x64 $(TEST_NAMES)

demo: all
	tools/run-tests --demo --wine "$(WINE)" --dll build/x64/ole32.dll --tests build/tests/x64

# pinned to one CPU (client, servers and wineserver alike): on 2 cores Wine's
# cross-process round trips are bimodal otherwise (250 or 600 us)
bench: all
	$(if $(shell command -v taskset),taskset -c 0) tools/run-tests --bench --wine "$(WINE)" --dll build/x64/ole32.dll --tests build/tests/x64

# Wine's own conformance tests; docs/check-wine.md
check-wine: all
	tools/check-wine/check-wine --wine "$(WINE)" --dll-dir build

check-stress: all
	tools/stress --wine "$(WINE)" --dll-dir build

# the installed Wine's list; Wine 10.0's is recorded in the trixie chroot
# of check-matrix: tools/chroot-matrix update-exports
update-exports: deps
	set -e; v=$$(tools/find-wine version); out=dlls/ole32/exports/wine-$$v.exports; \
	$(GEN) record --wine-version $$v --builtin $$(tools/find-wine windows64)/ole32.dll \
	    --mingw /usr/x86_64-w64-mingw32/lib/libole32.a \
	    --mingw32 /usr/i686-w64-mingw32/lib/libole32.a > $$out.new; \
	mv $$out.new $$out; echo "recorded $$out"

# ---- release tarball and Debian package -----------------------------------------

# the same commit gives the same bytes (CFLAGS' -ffile-prefix-map, the PE
# timestamps off): every timestamp in the tarball and the .deb is the commit's
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH
DIST_INPUTS := build/x64/ole32.dll build/x32/ole32.dll build/x64/olecancel-probe.exe build/x32/olecancel-probe.exe \
               tools/olecancel-setup tools/find-wine docs/olecancel-setup.1 README.md LICENSE CHANGELOG

dist: build/olecancel-$(VERSION).tar.gz
build/olecancel-$(VERSION).tar.gz: $(DIST_INPUTS) tools/make-dist
	tools/make-dist --version $(VERSION) --build build --out $@

# check-dist and check-deb take /tmp/olecancel-wine.lock themselves while Wine runs
check-dist: tests
	tools/check-dist --version $(VERSION) --tests build/tests/x64

deb: build/olecancel_$(VERSION)_all.deb
build/olecancel_$(VERSION)_all.deb: $(DIST_INPUTS) tools/make-deb packaging/debian/control.in packaging/debian/copyright
	tools/make-deb --version $(VERSION) --build build --out $@

check-deb: deb tests
	tools/check-deb --deb build/olecancel_$(VERSION)_all.deb --tests build/tests/x64

clean:
	rm -rf build

distclean: clean
