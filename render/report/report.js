/*
 * report.js - heapgrow's HTML report (inlined into every report by the
 * HTML writer, render/report_html.c; README "Pictures").
 *
 * The page holds one JSON object (#hg-data) and, per configuration
 * ("lane"), two deflated streams of LEB128 numbers in base64: the region
 * log (#hg-regions-N: maximal runs of one class, alive at the keyframes
 * in [born, died)) and the id log (#hg-ids-N: spans, objects, stacks,
 * off-heap allocations and mappings, alive at the events in [born,
 * died)). Both are sorted by base address; a running maximum of the ends
 * finds every record over an address in a few steps.
 *
 * Nothing is fetched: the streams are inflated by the browser's own
 * DecompressionStream.
 */
(function () {
	'use strict';

	const t0 = performance.now();
	const D = JSON.parse(document.getElementById('hg-data').textContent);
	const C = D.classes.length;
	const RESERVED = D.classes.indexOf('reserved');
	const FAMILY = ['', 'span', 'off-heap allocation', 'mapping', 'object', 'stack'];
	const FIG = ['HeapSys', 'HeapIdle', 'HeapInuse', 'HeapReleased', 'committed',
		'mapped', 'address space', 'linear memory', 'arenas'];
	const FIG_BYTES = [1, 1, 1, 1, 1, 1, 1, 1, 0];
	const CURVES = [
		['HeapSys', '#000000'], ['HeapInuse', '#0072b2'],
		['HeapReleased', '#009e73'], ['committed', '#d55e00'],
		['mapped', '#cc79a7']];
	const DASH = [[], [7, 4], [2, 3], [10, 3, 2, 3], [4, 4]];

	/* ---------------------------------------------------------------- */
	/* Formatting                                                        */
	/* ---------------------------------------------------------------- */

	function hex(v) {
		return '0x' + v.toString(16);
	}
	function bytes(v) {
		const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
		let k = 0, s = 1;
		while (k + 1 < u.length && v / s >= 1024) {
			s *= 1024;
			k++;
		}
		if (k === 0 || v % s === 0)
			return Math.round(v / s) + ' ' + u[k];
		const x = v / s;
		return (x >= 100 ? x.toFixed(0) : x.toFixed(1)) + ' ' + u[k];
	}
	function value(v, isBytes) {
		return isBytes ? bytes(v) : String(v);
	}
	function delta(a, b, isBytes) {
		if (a === b)
			return '=';
		return (b > a ? '+' : '-') + value(Math.abs(b - a), isBytes);
	}
	function el(tag, attrs, text) {
		const e = document.createElement(tag);
		for (const k in attrs || {})
			e.setAttribute(k, attrs[k]);
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	/* ---------------------------------------------------------------- */
	/* Data                                                              */
	/* ---------------------------------------------------------------- */

	async function inflate(id) {
		const b64 = document.getElementById(id).textContent.replace(/\s+/g, '');
		const bin = atob(b64);
		const u8 = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++)
			u8[i] = bin.charCodeAt(i);
		const ds = new DecompressionStream('deflate');
		const out = new Response(new Blob([u8]).stream().pipeThrough(ds));
		return new Uint8Array(await out.arrayBuffer());
	}

	/* decode reads n records of the region log (withId: of the id log). */
	function decode(u8, n, withId) {
		const r = {
			n: n,
			base: new Float64Array(n), end: new Float64Array(n),
			kind: new Uint8Array(n), born: new Float64Array(n),
			died: new Float64Array(n), pm: new Float64Array(n),
		};
		if (withId) {
			r.prefix = new Uint32Array(n);
			r.num = new Float64Array(n);
		}
		let p = 0, prev = 0, maxEnd = 0, born = 0, life = 0, pre = 0, num = 0;
		function zz() {
			const v = rd();
			return v % 2 ? -(v + 1) / 2 : v / 2;
		}
		function rd() {
			let v = 0, m = 1, b;
			do {
				b = u8[p++];
				v += (b & 127) * m;
				m *= 128;
			} while (b & 128);
			return v;
		}
		for (let i = 0; i < n; i++) {
			const base = prev + rd();
			prev = base;
			r.base[i] = base;
			r.end[i] = base + rd();
			r.kind[i] = u8[p++];
			born += zz();
			life += zz();
			r.born[i] = born;
			r.died[i] = life ? born + life : Infinity;
			if (withId) {
				pre += zz();
				num += zz();
				r.prefix[i] = pre;
				r.num[i] = num;
			}
			if (r.end[i] > maxEnd)
				maxEnd = r.end[i];
			r.pm[i] = maxEnd;
		}
		return r;
	}

	/* first index i with a[i] > v (a non-decreasing) */
	function upper(a, n, v) {
		let lo = 0, hi = n;
		while (lo < hi) {
			const m = (lo + hi) >> 1;
			if (a[m] > v)
				hi = m;
			else
				lo = m + 1;
		}
		return lo;
	}

	/* each calls fn(i) for every record alive at t overlapping [lo, hi). */
	function each(r, lo, hi, t, fn) {
		for (let i = upper(r.pm, r.n, lo); i < r.n && r.base[i] < hi; i++)
			if (r.end[i] > lo && r.born[i] <= t && t < r.died[i])
				fn(i);
	}

	/* at lists the records alive at t that hold address a. */
	function at(r, a, t, max) {
		const out = [];
		let j = upper(r.base, r.n, a) - 1;
		for (let k = 0; j >= 0 && r.pm[j] > a && k < 200000; j--, k++)
			if (r.end[j] > a && r.born[j] <= t && t < r.died[j]) {
				out.push(j);
				if (out.length >= max)
					break;
			}
		return out;
	}

	function idOf(r, i) {
		const p = D.prefixes[r.prefix[i]];
		return r.num[i] ? p + String(r.num[i] - 1) : p;
	}

	/* ---------------------------------------------------------------- */
	/* Axis: the folded address axis of the PNG, in axis units u         */
	/* ---------------------------------------------------------------- */

	/* [lo, hi, p0, p1, fold, band]: the metadata folded into a band, or
	 * (the "metadata" toggle, D.axis_full) drawn to scale. */
	let SEG = D.axis.segs;
	let L = D.axis.length;
	let metaShown = false;

	function segAtU(u) {
		let lo = 0, hi = SEG.length - 1;
		while (lo < hi) {
			const m = (lo + hi + 1) >> 1;
			if (SEG[m][2] <= u)
				lo = m;
			else
				hi = m - 1;
		}
		return SEG[lo];
	}
	function segAtAddr(a) {
		let lo = 0, hi = SEG.length - 1;
		while (lo < hi) {
			const m = (lo + hi + 1) >> 1;
			if (SEG[m][0] <= a)
				lo = m;
			else
				hi = m - 1;
		}
		return SEG[lo];
	}
	/* addrAt is the address at u (a fold maps to its ends). */
	function addrAt(u) {
		const s = segAtU(u);
		if (u <= s[2])
			return s[0];
		if (u >= s[3])
			return s[1];
		if (s[4])
			return u < (s[2] + s[3]) / 2 ? s[0] : s[1];
		return s[0] + Math.floor((u - s[2]) / (s[3] - s[2]) * (s[1] - s[0]));
	}
	function uOf(a) {
		const s = segAtAddr(a);
		if (a <= s[0])
			return s[2];
		if (a >= s[1])
			return s[3];
		if (s[4])
			return (s[2] + s[3]) / 2;
		return s[2] + (a - s[0]) / (s[1] - s[0]) * (s[3] - s[2]);
	}
	function bytesPerU(u) {
		const s = segAtU(u);
		return s[4] ? 0 : (s[1] - s[0]) / (s[3] - s[2]);
	}
	/* setAxis switches between the banded and the full axis, keeping the
	 * addresses in view. */
	function setAxis(full) {
		const whole = u0 <= 0 && u1 >= L;
		const lo = addrAt(u0), hi = addrAt(u1);
		const ax = full && D.axis_full ? D.axis_full : D.axis;
		SEG = ax.segs;
		L = ax.length;
		metaShown = full && !!D.axis_full;
		if (whole || uOf(hi) <= uOf(lo)) {
			u0 = 0;
			u1 = L;
		} else {
			u0 = uOf(lo);
			u1 = uOf(hi);
		}
	}

	/* ---------------------------------------------------------------- */
	/* State                                                             */
	/* ---------------------------------------------------------------- */

	const lanes = D.lanes;
	const compare = lanes.length > 1;
	let KE = []; /* every lane's keyframe events, sorted */
	{
		const s = new Set();
		for (const l of lanes)
			for (const k of l.keys)
				s.add(k[0]);
		KE = Array.from(s).sort((a, b) => a - b);
	}
	const maxEvents = Math.max(1, ...lanes.map(l => l.events));
	let key = KE.length - 1;
	let u0 = 0, u1 = L;
	const W = Math.max(600, Math.min(1600, (window.innerWidth || 1200) - 40));
	const LABEL_H = 18, BAR_H = 56, DIFF_H = 7, AXIS_H = 40;

	/* laneKey is lane l's keyframe at or before event e (-1: none). */
	function laneKey(l, e) {
		let lo = 0, hi = l.keys.length;
		while (lo < hi) {
			const m = (lo + hi) >> 1;
			if (l.keys[m][0] <= e)
				lo = m + 1;
			else
				hi = m;
		}
		return lo - 1;
	}

	/* ---------------------------------------------------------------- */
	/* Page                                                              */
	/* ---------------------------------------------------------------- */

	const app = document.getElementById('app');
	app.textContent = '';
	app.appendChild(el('h1', {}, D.trace || '(unnamed trace)'));
	for (const l of lanes) {
		const p = el('p', { class: 'sub' },
			(l.label ? l.label + ': ' : '') + l.config);
		if (l.oom)
			p.appendChild(el('span', { class: 'oom' },
				' \u2014 OUT OF MEMORY at event ' + l.oom.event + ': ' +
				l.oom.message));
		app.appendChild(p);
	}
	app.appendChild(el('p', { class: 'note' }, 'Sampled: ' + D.sampled + '.'));

	const controls = el('div', { id: 'controls' });
	const prev = el('button', { id: 'prev', title: 'previous keyframe' }, '\u25c0');
	const slider = el('input', {
		id: 'slider', type: 'range', min: '0',
		max: String(Math.max(0, KE.length - 1)), value: String(key),
		'aria-label': 'event',
	});
	const next = el('button', { id: 'next', title: 'next keyframe' }, '\u25b6');
	const where = el('span', { id: 'where' });
	const zin = el('button', { id: 'zoomin', title: 'zoom in' }, '+');
	const zout = el('button', { id: 'zoomout', title: 'zoom out' }, '\u2212');
	const zheap = el('button', { id: 'zoomheap', title: 'zoom to the heap at this event' }, 'heap');
	const zreset = el('button', { id: 'zoomreset', title: 'whole axis' }, 'whole axis');
	controls.append(prev, slider, next, where, zin, zout, zheap, zreset);
	const zmeta = el('button', { id: 'showmeta',
		title: 'the runtime\'s metadata reservations: folded into a thin band, or to scale' },
		'metadata to scale');
	if (D.axis_full)
		controls.append(zmeta);
	app.appendChild(controls);

	const marks = el('div', { id: 'marks' });
	for (const [ev, label] of D.marks) {
		const b = el('button', { 'data-event': String(ev) },
			(label || '(mark)') + ' \u00b7 ' + ev);
		b.addEventListener('click', () => {
			const k = upper(KE, KE.length, ev) - 1;
			setKey(Math.max(0, k));
		});
		marks.appendChild(b);
	}
	if (D.marks.length)
		app.appendChild(marks);

	const panel = el('div', { class: 'panel' });
	const H = lanes.length * (LABEL_H + BAR_H + (compare ? DIFF_H : 0)) + AXIS_H;
	const map = el('canvas', { id: 'map', width: String(W), height: String(H) });
	map.style.width = W + 'px';
	map.style.height = H + 'px';
	const tip = el('div', { id: 'tip' });
	panel.append(map, tip);
	app.appendChild(panel);
	const scale = el('div', { id: 'scale' });
	app.appendChild(scale);
	const diffNote = el('div', { id: 'diffs', class: 'note' });
	if (compare)
		app.appendChild(diffNote);

	const legend = el('div', { id: 'legend' });
	for (let c = 1; c < C; c++) {
		const s = el('span');
		const sw = el('span', { class: 'sw' });
		sw.style.background = D.colors[c];
		s.append(sw, D.classes[c]);
		legend.appendChild(s);
	}
	{
		const s = el('span');
		const sw = el('span', { class: 'sw' });
		sw.style.cssText = 'width:1px;border:0;border-left:1px solid #000;height:14px';
		s.append(sw, 'arena boundary');
		legend.appendChild(s);
	}
	app.appendChild(legend);

	const cols = el('div', { class: 'cols' });
	const figBox = el('div');
	figBox.appendChild(el('h2', {}, 'Figures at this event'));
	const table = el('table', { class: 'fig', id: 'figures' });
	figBox.appendChild(table);
	const curveBox = el('div');
	curveBox.appendChild(el('h2', {}, 'Over the whole replay'));
	const CW = Math.min(W, 900), CH = 240;
	const curves = el('canvas', { id: 'curves', width: String(CW), height: String(CH) });
	curves.style.width = CW + 'px';
	curves.style.height = CH + 'px';
	curveBox.appendChild(curves);
	const cl = el('div', { id: 'curvelegend' });
	for (const [name, col] of CURVES) {
		const s = el('span');
		const i = el('i');
		i.style.borderColor = col;
		s.append(i, name);
		cl.appendChild(s);
	}
	if (lanes.some(l => l.commit_limit)) {
		const s = el('span');
		const i = el('i');
		i.style.borderTop = '2px dashed #a33a00';
		s.append(i, 'commit limit');
		cl.appendChild(s);
	}
	if (compare)
		lanes.forEach((l, j) => {
			cl.appendChild(el('span', {},
				(j ? ['dashed', 'dotted', 'dash-dot', 'short dashes'][(j - 1) % 4] : 'solid') +
				': ' + l.label));
		});
	curveBox.appendChild(cl);
	cols.append(figBox, curveBox);
	app.appendChild(cols);

	/* ---------------------------------------------------------------- */
	/* Map                                                               */
	/* ---------------------------------------------------------------- */

	const ctx = map.getContext('2d');
	const hatch = (() => {
		const p = document.createElement('canvas');
		p.width = p.height = 6;
		const g = p.getContext('2d');
		g.fillStyle = D.colors[RESERVED] || '#ececec';
		g.fillRect(0, 0, 6, 6);
		g.strokeStyle = '#9a9a9a';
		g.beginPath();
		g.moveTo(0, 6);
		g.lineTo(6, 0);
		g.stroke();
		return ctx.createPattern(p, 'repeat');
	})();

	function barTop(j) {
		return j * (LABEL_H + BAR_H + (compare ? DIFF_H : 0)) + LABEL_H +
			(compare ? DIFF_H : 0);
	}
	function xOfU(u) {
		return (u - u0) / (u1 - u0) * W;
	}
	function uOfX(x) {
		return u0 + x / W * (u1 - u0);
	}

	/* columns accumulates the bytes of each class in each pixel column. */
	function columns(l, edges, ek) {
		const acc = new Float64Array(W * C);
		const r = l.regions;
		each(r, edges[0], edges[W], ek, i => {
			const b = r.base[i], e = r.end[i], c = r.kind[i];
			let k = Math.max(0, upper(edges, W + 1, b) - 1);
			for (; k < W && edges[k] < e; k++) {
				const ov = Math.min(e, edges[k + 1]) - Math.max(b, edges[k]);
				if (ov > 0)
					acc[k * C + c] += ov;
			}
		});
		return acc;
	}

	function drawBar(acc, edges, y) {
		ctx.fillStyle = '#fafafa';
		ctx.fillRect(0, y, W, BAR_H);
		let runStart = 0, runSig = '';
		let runH = null;
		function flush(k) {
			if (!runH)
				return;
			let yy = y + BAR_H;
			for (let c = 1; c < C; c++) {
				if (!runH[c])
					continue;
				yy -= runH[c];
				ctx.fillStyle = c === RESERVED ? hatch : D.colors[c];
				ctx.fillRect(runStart, yy, k - runStart, runH[c]);
			}
		}
		for (let k = 0; k <= W; k++) {
			let h = null, sig = '';
			if (k < W) {
				const cap = edges[k + 1] - edges[k];
				let held = 0, present = 0;
				for (let c = 1; c < C; c++)
					if (acc[k * C + c] > 0) {
						held += acc[k * C + c];
						present++;
					}
				if (cap > 0 && held > 0) {
					h = new Array(C).fill(0);
					let total = Math.max(present * 2, Math.round(Math.min(1, held / cap) * BAR_H));
					total = Math.min(total, BAR_H);
					let sum = 0, big = 0;
					for (let c = 1; c < C; c++) {
						const v = acc[k * C + c];
						if (!v)
							continue;
						h[c] = Math.max(present > BAR_H / 2 ? 1 : 2, Math.floor(v / held * total));
						sum += h[c];
						if (!big || v > acc[k * C + big])
							big = c;
					}
					h[big] = Math.max(1, h[big] + total - sum);
					sig = h.join(',');
				}
			}
			if (sig !== runSig || k === W) {
				flush(k);
				runStart = k;
				runSig = sig;
				runH = h;
			}
		}
	}

	function drawFolds(top, bottom) {
		/* The metadata band: a grey bar over it, its size under it. */
		for (const s of SEG) {
			if (!s[5] || s[3] < u0 || s[2] > u1)
				continue;
			const x0 = xOfU(s[2]), x1 = xOfU(s[3]);
			ctx.fillStyle = '#b0b0b0';
			ctx.fillRect(x0, top - 1, x1 - x0, 3);
			ctx.fillStyle = '#333333';
			ctx.font = '10px sans-serif';
			ctx.textAlign = 'center';
			const t = 'metadata ' + bytes(s[1] - s[0]);
			const w = ctx.measureText(t).width;
			ctx.fillText(t, Math.max(w / 2, Math.min(W - w / 2, (x0 + x1) / 2)), bottom + 12);
		}
		for (const s of SEG) {
			if (!s[4] || s[3] < u0 || s[2] > u1)
				continue;
			const x0 = xOfU(s[2]), x1 = xOfU(s[3]);
			ctx.fillStyle = '#ffffff';
			for (let j = 0; j < lanes.length; j++)
				ctx.fillRect(x0, barTop(j) - 4, x1 - x0, BAR_H + 8);
			const cx = (x0 + x1) / 2;
			ctx.strokeStyle = '#333333';
			ctx.lineWidth = 1.5;
			for (let j = 0; j < lanes.length; j++) {
				const y = barTop(j);
				for (const d of [-5, 5]) {
					ctx.beginPath();
					ctx.moveTo(cx + d - 6, y + BAR_H + 2);
					ctx.lineTo(cx + d + 6, y - 2);
					ctx.stroke();
				}
			}
			ctx.fillStyle = '#333333';
			ctx.font = '10px sans-serif';
			ctx.textAlign = 'center';
			ctx.fillText(bytes(s[1] - s[0]), cx, bottom + 12);
		}
		ctx.lineWidth = 1;
	}

	function drawTicks(y) {
		ctx.fillStyle = '#333333';
		ctx.strokeStyle = '#333333';
		ctx.font = '10px monospace';
		let right = -1e9;
		function tick(x, a, align) {
			const t = hex(a);
			const w = ctx.measureText(t).width;
			const lx = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
			if (lx < right + 8 || lx < -1 || lx + w > W + 1)
				return;
			right = lx + w;
			ctx.textAlign = align;
			ctx.fillText(t, x, y + 26);
			ctx.beginPath();
			ctx.moveTo(Math.floor(x) + 0.5, y);
			ctx.lineTo(Math.floor(x) + 0.5, y + 5);
			ctx.stroke();
		}
		for (const s of SEG) {
			if (s[4] || s[5] || s[3] < u0 || s[2] > u1)
				continue;
			const ua = Math.max(u0, s[2]), ub = Math.min(u1, s[3]);
			const xa = xOfU(ua), xb = xOfU(ub);
			const aa = addrAt(ua), ab = addrAt(ub);
			tick(xa, aa, 'left');
			const nt = Math.floor((xb - xa) / 140);
			if (nt > 0) {
				let step = 1;
				while (step < (ab - aa) / nt)
					step *= 2;
				for (let v = Math.ceil(aa / step) * step; v < ab; v += step)
					if (v - aa >= step / 2 && ab - v >= step / 2)
						tick(xOfU(uOf(v)), v, 'center');
			}
			tick(xb, ab, 'right');
		}
	}

	/* runsAt lists lane l's runs [base, end, class] at event e in [lo, hi). */
	function runsAt(l, e, lo, hi) {
		const kl = laneKey(l, e), out = [];
		if (kl < 0)
			return out;
		const r = l.regions;
		each(r, lo, hi, l.keys[kl][0], i => out.push([r.base[i], r.end[i], r.kind[i]]));
		out.sort((x, y) => x[0] - y[0]);
		return out;
	}

	/* differences lists the address ranges in [lo, hi) where lanes a and b
	 * hold different classes at event e (merged when touching). */
	function differences(a, b, e, lo, hi) {
		const ra = runsAt(a, e, lo, hi), rb = runsAt(b, e, lo, hi);
		const cuts = new Set([lo, hi]);
		for (const r of ra.concat(rb)) {
			if (r[0] > lo && r[0] < hi)
				cuts.add(r[0]);
			if (r[1] > lo && r[1] < hi)
				cuts.add(r[1]);
		}
		const pts = Array.from(cuts).sort((x, y) => x - y);
		const out = [];
		let ia = 0, ib = 0;
		function cls(rs, i, p) {
			while (i.v < rs.length && rs[i.v][1] <= p)
				i.v++;
			return i.v < rs.length && rs[i.v][0] <= p ? rs[i.v][2] : 0;
		}
		const pa = { v: ia }, pb = { v: ib };
		for (let k = 0; k + 1 < pts.length; k++) {
			if (cls(ra, pa, pts[k]) === cls(rb, pb, pts[k]))
				continue;
			if (out.length && out[out.length - 1][1] === pts[k])
				out[out.length - 1][1] = pts[k + 1];
			else
				out.push([pts[k], pts[k + 1]]);
		}
		return out;
	}

	let lastCols = [];
	function drawMap() {
		const e = KE[key];
		const edges = new Float64Array(W + 1);
		for (let k = 0; k <= W; k++)
			edges[k] = addrAt(uOfX(k));
		ctx.clearRect(0, 0, W, H);
		lastCols = [];
		lanes.forEach((l, j) => {
			const kl = laneKey(l, e);
			const y = barTop(j);
			ctx.fillStyle = '#1a1a1a';
			ctx.font = 'bold 12px sans-serif';
			ctx.textAlign = 'left';
			let label = l.label || 'address space';
			if (kl >= 0 && l.keys[kl][0] < e)
				label += '  (stopped at event ' + l.keys[kl][0] + ')';
			ctx.fillText(label, 2, y - (compare ? DIFF_H : 0) - 5);
			/* Arena lines start under the label where they would cross it. */
			const labelEnd = compare ? -1 : 2 + ctx.measureText(label).width + 3;
			const acc = kl >= 0 ? columns(l, edges, l.keys[kl][0]) : new Float64Array(W * C);
			lastCols.push(acc);
			drawBar(acc, edges, y);
			/* Arena boundaries (of the arenas there at that moment), a few
			 * pixels apart at least. */
			if (kl >= 0) {
				ctx.fillStyle = '#000000';
				let last = -1e9;
				for (const [lo, hi] of l.arenas) {
					if (hi < edges[0] || lo > edges[W] || !at(l.regions, lo, l.keys[kl][0], 1).length)
						continue;
					for (const v of [lo, hi]) {
						const x = Math.floor(xOfU(uOf(v)));
						if (x - last < 4 || x < 0 || x > W)
							continue;
						last = x;
						const top = x <= labelEnd ? y : y - 5;
						ctx.fillRect(x, top, 1, BAR_H + y - top);
					}
				}
			}
			/* Span, object and mapping bounds once they are a few pixels apart. */
			const bpp = bytesPerPx();
			if (bpp > 0 && bpp <= l.page / 4) {
				ctx.fillStyle = 'rgba(255,255,255,0.85)';
				const ev = Math.min(e, l.events - 1);
				each(l.ids, edges[0], edges[W], ev, i => {
					const x = xOfU(uOf(l.ids.base[i]));
					if (x >= 0 && x <= W)
						ctx.fillRect(Math.floor(x), y, 1, BAR_H);
				});
			}
		});
		/* Where the configurations differ from the first, exactly. */
		const ranges = [];
		for (let j = 1; j < lanes.length; j++) {
			const y = barTop(j) - DIFF_H;
			ctx.fillStyle = '#d55e00';
			for (const [lo, hi] of differences(lanes[0], lanes[j], e, edges[0], edges[W])) {
				const x0 = xOfU(uOf(lo)), x1 = xOfU(uOf(hi));
				ctx.fillRect(Math.floor(x0), y + 1, Math.max(1, x1 - Math.floor(x0)), DIFF_H - 2);
				ranges.push([j, lo, hi]);
			}
		}
		if (compare) {
			const n = ranges.length;
			diffNote.textContent = n
				? 'Where the classes differ from ' + lanes[0].label + ' (marked above each bar): ' +
				  ranges.slice(0, 8).map(r => lanes[r[0]].label + ' ' + hex(r[1]) +
					'\u2013' + hex(r[2]) + ' (' + bytes(r[2] - r[1]) + ')').join(', ') +
				  (n > 8 ? ', \u2026 (' + n + ' ranges in this view)' : '')
				: 'No difference from ' + lanes[0].label + ' in this view.';
			diffNote.dataset.ranges = String(n);
			diffNote.dataset.first = n ? hex(ranges[0][1]) + '-' + hex(ranges[0][2]) : '';
		}
		drawFolds(barTop(0) - 4, barTop(lanes.length - 1) + BAR_H + 4);
		drawTicks(barTop(lanes.length - 1) + BAR_H);
		const bpp = bytesPerPx();
		scale.textContent = 'View ' + hex(edges[0]) + '\u2013' + hex(edges[W]) +
			(bpp ? ' \u00b7 1 px = ' + bytes(Math.max(1, Math.round(bpp))) +
				' (a runtime page is ' + bytes(lanes[0].page) + ')' : '') +
			' \u00b7 wheel or +/\u2212 to zoom, drag to pan';
		scale.dataset.bytesPerPx = String(bpp);
	}

	/* bytesPerPx at the middle of the view (the finest scale there). */
	function bytesPerPx() {
		let best = 0;
		for (const s of SEG) {
			if (s[4] || s[5] || s[3] < u0 || s[2] > u1)
				continue;
			const b = (s[1] - s[0]) / (s[3] - s[2]) * (u1 - u0) / W;
			if (!best || b < best)
				best = b;
		}
		return best;
	}

	/* ---------------------------------------------------------------- */
	/* Figures                                                           */
	/* ---------------------------------------------------------------- */

	function drawFigures() {
		const e = KE[key];
		const figs = lanes.map(l => {
			const k = laneKey(l, e);
			return k >= 0 ? l.keys[k][3] : null;
		});
		table.textContent = '';
		const head = el('tr');
		head.appendChild(el('th', {}, ''));
		if (compare) {
			lanes.forEach(l => head.appendChild(el('th', {}, l.label)));
			lanes.slice(1).forEach(l => head.appendChild(el('th', {}, '\u0394 ' + l.label)));
		} else {
			head.appendChild(el('th', {}, 'at event ' + e));
		}
		table.appendChild(head);
		const rows = [];
		FIG.forEach((name, i) => rows.push([name, FIG_BYTES[i], f => f[i]]));
		for (let c = 1; c < C; c++)
			rows.push([D.classes[c], 1, f => f[9 + c]]);
		rows.push(['heap grows', 0, f => f[9 + C]]);
		rows.push(['OS map calls', 0, f => f[10 + C]]);
		if (lanes.some(l => l.commit_limit)) {
			rows.push(['commit limit', 1, (f, l) => l.commit_limit]);
			rows.push(['headroom', 1, (f, l) => Math.max(0, l.commit_limit - f[4])]);
		}
		for (const [name, isBytes, get] of rows) {
			const vals = figs.map((f, j) => f ? get(f, lanes[j]) : null);
			if (name !== 'HeapSys' && name !== 'committed' && vals.every(v => !v))
				continue;
			/* The whole 47-bit space tells nothing; a 32-bit one does. */
			if (name === 'address space' && vals.every(v => v === null || v >= 2 ** 40) &&
			    vals.every(v => v === vals[0]))
				continue;
			const tr = el('tr');
			tr.appendChild(el('td', {}, name));
			vals.forEach(v => tr.appendChild(el('td', { class: 'num' },
				v === null ? '\u2014' : value(v, isBytes))));
			for (let j = 1; j < lanes.length; j++) {
				const a = vals[0], b = vals[j];
				const td = el('td', { class: 'num' },
					a === null || b === null ? '\u2014' : delta(a, b, isBytes));
				if (a !== null && b !== null && a !== b && name !== 'headroom')
					td.className += b > a ? ' worse' : ' better';
				tr.appendChild(td);
			}
			table.appendChild(tr);
		}
	}

	/* ---------------------------------------------------------------- */
	/* Curves                                                            */
	/* ---------------------------------------------------------------- */

	const cctx = curves.getContext('2d');
	const PADL = 70, PADR = 10, PADT = 10, PADB = 24;
	let ymax = 1;
	for (const l of lanes) {
		for (const b of l.curves)
			for (let c = 0; c < CURVES.length; c++)
				ymax = Math.max(ymax, b[2 + 3 * c]);
		ymax = Math.max(ymax, l.commit_limit * 1.05);
	}
	function cx(e) {
		return PADL + e / maxEvents * (CW - PADL - PADR);
	}
	function cy(v) {
		return CH - PADB - v / ymax * (CH - PADT - PADB);
	}
	function drawCurves() {
		cctx.clearRect(0, 0, CW, CH);
		cctx.strokeStyle = '#bbbbbb';
		cctx.fillStyle = '#333333';
		cctx.font = '10px sans-serif';
		cctx.textAlign = 'right';
		for (let i = 0; i <= 4; i++) {
			const v = ymax * i / 4, y = cy(v);
			cctx.beginPath();
			cctx.moveTo(PADL, Math.floor(y) + 0.5);
			cctx.lineTo(CW - PADR, Math.floor(y) + 0.5);
			cctx.stroke();
			cctx.fillText(bytes(Math.round(v)), PADL - 4, y + 3);
		}
		cctx.textAlign = 'center';
		cctx.fillText('event 0', PADL, CH - 8);
		cctx.fillText('event ' + (maxEvents - 1), CW - PADR - 30, CH - 8);
		lanes.forEach((l, j) => {
			cctx.setLineDash(DASH[j % DASH.length]);
			CURVES.forEach(([, col], c) => {
				/* min..max band of each bucket, then the last values */
				cctx.fillStyle = col + '22';
				for (const b of l.curves) {
					const x0 = cx(b[0] * l.bucket), x1 = cx(Math.min(l.events, (b[0] + 1) * l.bucket));
					const lo = cy(b[1 + 3 * c]), hi = cy(b[2 + 3 * c]);
					if (lo - hi >= 1)
						cctx.fillRect(x0, hi, Math.max(1, x1 - x0), lo - hi);
				}
				cctx.strokeStyle = col;
				cctx.lineWidth = 1.5;
				cctx.beginPath();
				l.curves.forEach((b, i) => {
					const x = cx(Math.min(l.events, (b[0] + 1) * l.bucket));
					const y = cy(b[3 + 3 * c]);
					if (i)
						cctx.lineTo(x, y);
					else
						cctx.moveTo(cx(b[0] * l.bucket), y);
				});
				cctx.stroke();
			});
			if (l.commit_limit && !lanes.slice(0, j).some(o => o.commit_limit === l.commit_limit)) {
				cctx.setLineDash([6, 4]);
				cctx.strokeStyle = '#a33a00';
				cctx.beginPath();
				cctx.moveTo(PADL, cy(l.commit_limit));
				cctx.lineTo(CW - PADR, cy(l.commit_limit));
				cctx.stroke();
				cctx.fillStyle = '#a33a00';
				cctx.textAlign = 'left';
				cctx.fillText('commit limit ' + bytes(l.commit_limit) +
					(compare && lanes.some(o => o.commit_limit !== l.commit_limit) ? ' (' + l.label + ')' : ''),
					PADL + 4, cy(l.commit_limit) - 3);
			}
		});
		cctx.setLineDash([]);
		cctx.lineWidth = 1;
		const x = cx(KE.length ? KE[key] + 1 : 0); /* the figures after the event */
		cctx.strokeStyle = '#e69f00';
		cctx.lineWidth = 2;
		cctx.beginPath();
		cctx.moveTo(x, PADT);
		cctx.lineTo(x, CH - PADB);
		cctx.stroke();
		cctx.lineWidth = 1;
	}

	/* ---------------------------------------------------------------- */
	/* Interaction                                                       */
	/* ---------------------------------------------------------------- */

	function markAt(e) {
		for (const [ev, label] of D.marks)
			if (ev === e)
				return label;
		return null;
	}

	function setKey(k) {
		key = Math.max(0, Math.min(KE.length - 1, k));
		slider.value = String(key);
		const e = KE[key];
		let op = '';
		for (const l of lanes) {
			const kl = laneKey(l, e);
			if (kl >= 0 && l.keys[kl][0] === e) {
				op = D.ops[l.keys[kl][1]] || '';
				break;
			}
		}
		const m = markAt(e);
		where.textContent = KE.length
			? 'event ' + e + ' of ' + maxEvents + (op ? ' (' + op + ')' : '') +
			  (m !== null ? ' \u00b7 mark \u201c' + m + '\u201d' : '')
			: 'no events';
		where.dataset.event = String(e);
		for (const b of marks.children)
			b.classList.toggle('on', Number(b.dataset.event) === e);
		redraw();
	}

	function redraw() {
		if (!KE.length)
			return;
		drawMap();
		drawFigures();
		drawCurves();
	}

	function zoom(f, ucenter) {
		const span = (u1 - u0) * f;
		/* No finer than a byte per pixel, no wider than the axis. */
		const bpu = bytesPerU(ucenter) || bytesPerU(u0);
		if (f < 1 && bpu && span * bpu / W < 1)
			return;
		if (span >= L) {
			u0 = 0;
			u1 = L;
		} else {
			const frac = (ucenter - u0) / (u1 - u0);
			u0 = ucenter - frac * span;
			u1 = u0 + span;
			if (u0 < 0) {
				u1 -= u0;
				u0 = 0;
			}
			if (u1 > L) {
				u0 -= u1 - L;
				u1 = L;
			}
		}
		drawMap();
	}

	/* zoomTo shows the addresses [lo, hi). */
	function zoomTo(lo, hi) {
		const a = uOf(lo), b = uOf(hi);
		if (b > a) {
			u0 = a;
			u1 = b;
			drawMap();
		}
	}

	slider.addEventListener('input', () => setKey(Number(slider.value)));
	prev.addEventListener('click', () => setKey(key - 1));
	next.addEventListener('click', () => setKey(key + 1));
	zin.addEventListener('click', () => zoom(0.5, (u0 + u1) / 2));
	zout.addEventListener('click', () => zoom(2, (u0 + u1) / 2));
	zheap.addEventListener('click', () => {
		/* The span of every heap class (in use, free, released) now. */
		const HEAP = ['heap_inuse', 'heap_free', 'released'].map(n => D.classes.indexOf(n));
		let lo = Infinity, hi = -Infinity;
		for (const l of lanes)
			for (const [b, e, c] of runsAt(l, KE[key], 0, Infinity))
				if (HEAP.includes(c)) {
					lo = Math.min(lo, b);
					hi = Math.max(hi, e);
				}
		if (hi > lo) {
			/* A little room on each side, within the segments. */
			let a = uOf(lo), b = uOf(hi);
			const pad = (b - a) / 40;
			a = Math.max(segAtAddr(lo)[2], a - pad);
			b = Math.min(segAtAddr(hi - 1)[3], b + pad);
			u0 = a;
			u1 = b;
			drawMap();
		}
	});
	zreset.addEventListener('click', () => {
		u0 = 0;
		u1 = L;
		drawMap();
	});
	zmeta.addEventListener('click', () => {
		setAxis(!metaShown);
		zmeta.textContent = metaShown ? 'metadata folded' : 'metadata to scale';
		zmeta.dataset.shown = metaShown ? '1' : '0';
		drawMap();
	});
	map.addEventListener('wheel', ev => {
		ev.preventDefault();
		const r = map.getBoundingClientRect();
		zoom(ev.deltaY < 0 ? 0.8 : 1.25, uOfX(ev.clientX - r.left));
	}, { passive: false });
	let drag = null;
	map.addEventListener('mousedown', ev => {
		drag = { x: ev.clientX, u0: u0, u1: u1 };
	});
	window.addEventListener('mouseup', () => {
		drag = null;
	});

	function hover(ev) {
		const r = map.getBoundingClientRect();
		const x = ev.clientX - r.left, y = ev.clientY - r.top;
		if (drag) {
			const du = (drag.x - ev.clientX) / W * (drag.u1 - drag.u0);
			let a = drag.u0 + du, b = drag.u1 + du;
			if (a < 0) {
				b -= a;
				a = 0;
			}
			if (b > L) {
				a -= b - L;
				b = L;
			}
			u0 = a;
			u1 = b;
			drawMap();
			tip.style.display = 'none';
			return;
		}
		let j = -1;
		for (let i = 0; i < lanes.length; i++)
			if (y >= barTop(i) - 2 && y < barTop(i) + BAR_H + 2)
				j = i;
		if (j < 0 || !KE.length) {
			tip.style.display = 'none';
			return;
		}
		const l = lanes[j];
		const u = uOfX(x);
		const s = segAtU(u);
		const lines = [];
		const data = {};
		if (s[4]) {
			lines.push('folded gap ' + hex(s[0]) + '\u2013' + hex(s[1]) + ' (' +
				bytes(s[1] - s[0]) + ' not held, not drawn)');
		} else {
			const a = addrAt(u);
			const e = KE[key];
			const kl = laneKey(l, e);
			lines.push((l.label ? l.label + ' \u00b7 ' : '') + 'address ' + hex(a));
			if (kl >= 0) {
				const ek = l.keys[kl][0];
				for (const i of at(l.regions, a, ek, 1)) {
					const rr = l.regions;
					lines.push(D.classes[rr.kind[i]] + ' ' + hex(rr.base[i]) + '\u2013' +
						hex(rr.end[i]) + ' (' + bytes(rr.end[i] - rr.base[i]) +
						'), first seen at keyframe event ' + rr.born[i]);
					data.class = D.classes[rr.kind[i]];
					data.runBase = hex(rr.base[i]);
					data.runEnd = hex(rr.end[i]);
				}
				const ev2 = Math.min(e, l.events - 1);
				const ids = at(l.ids, a, ev2, 8);
				ids.sort((p, q) => (l.ids.end[p] - l.ids.base[p]) - (l.ids.end[q] - l.ids.base[q]));
				for (const i of ids) {
					const d = l.ids;
					const size = d.end[i] - d.base[i];
					const pages = d.kind[i] === 1 ? ', ' + size / l.page + ' page' + (size / l.page === 1 ? '' : 's') : '';
					lines.push(FAMILY[d.kind[i]] + ' ' + idOf(d, i) + ': ' + hex(d.base[i]) +
						'\u2013' + hex(d.end[i]) + ' (' + bytes(size) + pages +
						'), made at event ' + d.born[i]);
				}
				if (ids.length) {
					const i = ids[ids.length - 1]; /* the outermost: span, mapping */
					data.id = idOf(l.ids, i);
					data.family = FAMILY[l.ids.kind[i]];
					data.base = hex(l.ids.base[i]);
					data.end = hex(l.ids.end[i]);
					data.event = String(l.ids.born[i]);
				}
				if (lines.length === 1)
					lines.push('not held');
				/* compare: what the other configurations hold there. */
				for (let o = 0; o < lanes.length && compare; o++) {
					if (o === j)
						continue;
					const lo = lanes[o], ko = laneKey(lo, e);
					const there = ko >= 0 ? at(lo.regions, a, lo.keys[ko][0], 1) : [];
					const c = there.length ? D.classes[lo.regions.kind[there[0]]] : 'not held';
					if (c !== (data.class || 'not held'))
						lines.push('differs: ' + lo.label + ' has ' + c + ' here');
				}
			}
		}
		tip.textContent = lines.join('\n');
		for (const k of Object.keys(tip.dataset))
			delete tip.dataset[k];
		Object.assign(tip.dataset, data);
		tip.style.display = 'block';
		tip.style.left = Math.min(x + 14, W - 340) + 'px';
		tip.style.top = (y + 16) + 'px';
	}
	/* A click on the curves moves the slider to the keyframe at or before
	 * that event. */
	curves.title = 'click to move the slider there';
	curves.style.cursor = 'pointer';
	curves.addEventListener('click', ev => {
		const r = curves.getBoundingClientRect();
		const e = (ev.clientX - r.left - PADL) / (CW - PADL - PADR) * maxEvents - 1;
		setKey(Math.max(0, upper(KE, KE.length, e) - 1));
	});
	/* Hovering the curves reads their values in that bucket. */
	const ctip = el('div', { id: 'curvetip', class: 'note' });
	curveBox.appendChild(ctip);
	curves.addEventListener('mousemove', ev => {
		const r = curves.getBoundingClientRect();
		const e = Math.floor((ev.clientX - r.left - PADL) / (CW - PADL - PADR) * maxEvents);
		if (e < 0 || e >= maxEvents) {
			ctip.textContent = '';
			return;
		}
		ctip.textContent = lanes.map(l => {
			const k = Math.floor(e / l.bucket);
			const b = l.curves.find(x => x[0] === k);
			if (!b)
				return (l.label ? l.label + ': ' : '') + 'no events there';
			return (l.label ? l.label + ': ' : '') + 'events ' + k * l.bucket + '\u2013' +
				(Math.min(l.events, (k + 1) * l.bucket) - 1) + ': ' +
				CURVES.map(([n], c) => n + ' ' + bytes(b[3 + 3 * c]) +
					(b[1 + 3 * c] !== b[2 + 3 * c] ? ' (' + bytes(b[1 + 3 * c]) + '\u2013' + bytes(b[2 + 3 * c]) + ')' : '')).join(', ');
		}).join('\n');
	});
	map.addEventListener('mousemove', hover);
	map.addEventListener('mouseleave', () => {
		tip.style.display = 'none';
	});

	/* ---------------------------------------------------------------- */
	/* Start                                                             */
	/* ---------------------------------------------------------------- */

	(async () => {
		for (let i = 0; i < lanes.length; i++) {
			const l = lanes[i];
			l.regions = decode(await inflate('hg-regions-' + i), l.nregions, false);
			l.ids = decode(await inflate('hg-ids-' + i), l.nids, true);
		}
		/* --show metadata: the metadata to scale from the start. */
		if (D.show_metadata && D.axis_full) {
			setAxis(true);
			zmeta.textContent = 'metadata folded';
			zmeta.dataset.shown = '1';
		}
		/* --range's addresses first, when given; else the heap when it
		 * is a small part of the rest (the PNG's rule). */
		if (D.view)
			zoomTo(D.view[0], D.view[1]);
		else if (D.zoom)
			zoomTo(D.zoom[0], D.zoom[1]);
		/* At --at's moment when there was one, else at the end. */
		const start = D.start === undefined ? -1 : KE.indexOf(D.start);
		setKey(start >= 0 ? start : KE.length - 1);
		if (!KE.length)
			where.textContent = 'the trace has no events';
		/* For tests and scripts: the report's state and a few moves. */
		window.hgReport = {
			keys: KE,
			loadMs: performance.now() - t0,
			setKey: setKey,
			key: () => key,
			zoomTo: zoomTo,
			bytesPerPx: bytesPerPx,
			axisLength: () => L,
			/* clientPoint: where on the page address a of lane j is drawn */
			clientPoint: (j, a) => {
				const r = map.getBoundingClientRect();
				return { x: r.left + xOfU(uOf(a)) + 0.5, y: r.top + barTop(j) + BAR_H / 2 };
			},
		};
		document.body.dataset.ready = '1';
	})().catch(e => {
		console.error('heapgrow report: ' + (e && e.stack ? e.stack : e));
		app.appendChild(el('p', { class: 'oom' }, 'This report could not be read: ' + e));
	});
})();
