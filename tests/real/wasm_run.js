// Runs a GOOS=js GOARCH=wasm program under Node.js as Go's own
// wasm_exec_node.js does, and reports the instance's linear memory:
//   - globalThis.heapgrowLinearMemory() returns its byte length (the
//     recorded programs print it in their MEMSTATS lines);
//   - every memory.grow the runtime signals (runtime.resetMemoryDataView)
//     is printed to standard error as "GROW bytes=N pages=N";
//   - the environment handed to the program is printed to standard error
//     first, one "ENV NAME=VALUE" line each, in the order wasm_exec.js
//     writes it into linear memory (sorted by name): Go 1.19 copies it
//     before its allocfreetrace log starts (heapgrow replays the copy);
//   - then "MODULE end=N": the end of the program's static data and bss
//     (runtime.end, the module's firstmoduledata.end), where the runtime's
//     break starts (Go: mem_sbrk.go initBloc, mem_js.go sysReserveOS,
//     both memRound(end)), read from the module's data segments (below).
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

// moduleEnd returns firstmoduledata.end of a Go wasm module, or null: the
// data segments are laid out as the linker placed them in linear memory;
// the pclntab starts with its pcHeader (magic 0xfffffff0 in go1.18-1.19,
// 0xfffffff1 from go1.20; two zero pad bytes, minLC, ptrSize 8), and
// firstmoduledata starts with a pointer to it. Its 8-byte words 24 to 31
// are noptrdata, enoptrdata, data, edata, bss, ebss, noptrbss, enoptrbss
// (Go: runtime/symtab.go moduledata); end is word 32 before go1.20 and
// word 34 after covctrs and ecovctrs from go1.20.
function moduleEnd(buf) {
	const uleb = (o) => {
		let r = 0, s = 0, x;
		do { x = buf[o.i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
		return r;
	};
	const sleb = (o) => {
		let r = 0, s = 0, x;
		do { x = buf[o.i++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80);
		return s < 32 && (x & 0x40) ? r | (-1 << s) : r;
	};
	const segs = [];
	const o = { i: 8 };
	while (o.i < buf.length) {
		const id = buf[o.i++];
		const end = uleb(o) + o.i;
		if (id === 11) { // the data section
			for (let n = uleb(o); n > 0; n--) {
				const kind = uleb(o);
				if (kind === 2) uleb(o);
				if (kind === 1 || buf[o.i] !== 0x41) return null; // passive, or not i32.const
				o.i++;
				const off = sleb(o) >>> 0;
				if (buf[o.i++] !== 0x0b) return null;
				const len = uleb(o);
				segs.push([off, o.i, len]);
				o.i += len;
			}
		}
		o.i = end;
	}
	let top = 0;
	for (const [off, , len] of segs) top = Math.max(top, off + len);
	if (top === 0 || top > 1 << 30) return null;
	const mem = Buffer.alloc(top);
	for (const [off, at, len] of segs) buf.copy(mem, off, at, at + len);
	const word = (a) => Number(mem.readBigUInt64LE(a));
	for (let h = 0; h + 8 <= top; h += 4) {
		const magic = mem.readUInt32LE(h);
		if ((magic !== 0xfffffff0 && magic !== 0xfffffff1) || mem[h + 4] || mem[h + 5] || mem[h + 7] !== 8)
			continue;
		for (let md = 0; md + 35 * 8 <= top; md += 8) {
			if (word(md) !== h) continue;
			const w = [];
			for (let k = 24; k <= 34; k++) w.push(word(md + 8 * k));
			const end = magic === 0xfffffff0 ? w[8] : w[10];
			const ordered = w.slice(0, 8).every((v, k) => k === 0 || w[k - 1] <= v) && w[7] <= end;
			if (ordered && w[0] > 0) return end;
		}
	}
	return null;
}

let memory = null;
globalThis.heapgrowLinearMemory = () => memory.buffer.byteLength;

const imports = go.importObject.gojs || go.importObject.go; // go1.21+ / older
const reset = imports["runtime.resetMemoryDataView"];
imports["runtime.resetMemoryDataView"] = (sp) => {
	const n = memory.buffer.byteLength;
	fs.writeSync(2, "GROW bytes=" + n + " pages=" + n / 65536 + "\n");
	return reset(sp);
};

const code = fs.readFileSync(process.argv[3]);
const end = moduleEnd(code);
if (end !== null)
	fs.writeSync(2, "MODULE end=" + end + "\n");

WebAssembly.instantiate(code, go.importObject).then((result) => {
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
