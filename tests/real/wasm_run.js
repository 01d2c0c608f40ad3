// Runs a GOOS=js GOARCH=wasm program under Node.js as Go's own
// wasm_exec_node.js does, and reports the instance's linear memory:
//   - globalThis.heapgrowLinearMemory() returns its byte length (the
//     recorded programs print it in their MEMSTATS lines);
//   - every memory.grow the runtime signals (runtime.resetMemoryDataView)
//     is printed to standard error as "GROW bytes=N pages=N";
//   - the environment handed to the program is printed to standard error
//     first, one "ENV NAME=VALUE" line each, in the order wasm_exec.js
//     writes it into linear memory (sorted by name): Go 1.19 copies it
//     before its allocfreetrace log starts (heapgrow replays the copy).
// Usage: node wasm_run.js WASM_EXEC_JS PROGRAM.wasm [ARGS...]
"use strict";

if (process.argv.length < 4) {
	console.error("usage: node wasm_run.js WASM_EXEC_JS PROGRAM.wasm [ARGS...]");
	process.exit(2);
}

globalThis.require = require;
globalThis.fs = require("fs");
globalThis.path = require("path");
globalThis.TextEncoder = require("util").TextEncoder;
globalThis.TextDecoder = require("util").TextDecoder;
globalThis.performance ??= require("performance");
globalThis.crypto ??= require("crypto");

require(require("path").resolve(process.argv[2]));

const go = new Go();
go.argv = process.argv.slice(3);
go.env = Object.assign({ TMPDIR: require("os").tmpdir() }, process.env);
go.exit = process.exit;
for (const key of Object.keys(go.env).sort())
	fs.writeSync(2, "ENV " + key + "=" + go.env[key] + "\n");

let memory = null;
globalThis.heapgrowLinearMemory = () => memory.buffer.byteLength;

const imports = go.importObject.gojs || go.importObject.go; // go1.21+ / older
const reset = imports["runtime.resetMemoryDataView"];
imports["runtime.resetMemoryDataView"] = (sp) => {
	const n = memory.buffer.byteLength;
	fs.writeSync(2, "GROW bytes=" + n + " pages=" + n / 65536 + "\n");
	return reset(sp);
};

WebAssembly.instantiate(fs.readFileSync(process.argv[3]), go.importObject).then((result) => {
	memory = result.instance.exports.mem;
	const n = memory.buffer.byteLength;
	fs.writeSync(2, "INITIAL bytes=" + n + " pages=" + n / 65536 + "\n");
	process.on("exit", (code) => {
		if (code === 0 && !go.exited) {
			go._pendingEvent = { id: 0 };
			go._resume();
		}
	});
	return go.run(result.instance);
}).catch((err) => {
	console.error(err);
	process.exit(1);
});
