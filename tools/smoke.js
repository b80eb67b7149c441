// olecancel prefix smoke test: COM from a script host, in- and out-of-process.
// SPDX-License-Identifier: LGPL-2.1-or-later
// Usage: cscript //nologo smoke.js [path-of-olecancel-smoke-server.exe]
var shell = new ActiveXObject("WScript.Shell");
var dict = new ActiveXObject("Scripting.Dictionary");
dict.Add("a", 1);
if (dict.Count != 1) throw new Error("Scripting.Dictionary count " + dict.Count);
var fso = new ActiveXObject("Scripting.FileSystemObject");
if (!fso.FolderExists("C:\\windows")) throw new Error("FileSystemObject: no C:\\windows");
if (WScript.Arguments.length > 0) {
    // out of process: a local server registered for this run
    var server = WScript.Arguments(0);
    shell.RegWrite("HKCR\\olecancel.SmokeServer\\CLSID\\",
                   "{5c3a5d2e-7f4b-4a51-9a0e-0c1e5a0c2b11}");
    shell.RegWrite("HKCR\\CLSID\\{5c3a5d2e-7f4b-4a51-9a0e-0c1e5a0c2b11}\\LocalServer32\\",
                   "\"" + server + "\"");
    var obj = new ActiveXObject("olecancel.SmokeServer");
    var pid = obj.Pid;
    if (!(pid > 0)) throw new Error("SmokeServer returned pid " + pid);
    if (obj.Add(2, 40) != 42) throw new Error("SmokeServer.Add");
    obj = null;
    CollectGarbage();
    // (Wine's WshShell.RegDelete is a stub: the registration stays in the
    // throwaway prefix)
    WScript.Echo("out-of-process server pid " + pid + ": ok");
}
WScript.Echo("smoke ok");
