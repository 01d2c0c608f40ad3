// report_test.js WORK - drives Debian's Chromium (Playwright, no browser
// download) on the HTML reports that run.sh wrote into WORK. Each check
// prints "ok" or "FAIL"; the last line counts them. Screenshots go to WORK.
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const { chromium } = require('playwright-core');

const work = process.argv[2];
const spans = process.env.HG_SPANS || '1000000';
let passed = 0, failed = 0;
function check(cond, what) {
	if (cond) {
		passed++;
		console.log('ok   ' + what);
	} else {
		failed++;
		console.log('FAIL ' + what);
	}
}
const hex = v => '0x' + v.toString(16);

// What the event log says is live after event e: id -> [base, end).
function liveAt(log, e, page) {
	const live = new Map();
	for (const r of log) {
		if (r.i > e)
			break;
		if (r.op === 'alloc')
			live.set(r.id, [parseInt(r.addr, 16), parseInt(r.addr, 16) + r.npages * page]);
		else if (r.op === 'free')
			live.delete(r.id);
	}
	return live;
}

async function open(browser, file, errors) {
	const page = await browser.newPage();
	page.on('console', m => {
		if (m.type() === 'error')
			errors.push(file + ': ' + m.text());
	});
	page.on('pageerror', e => errors.push(file + ': ' + e.message));
	const t0 = Date.now();
	await page.goto('file://' + path.resolve(work, file));
	await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
	return { page, ms: Date.now() - t0 };
}

const canvas = page => page.evaluate(() => document.getElementById('map').toDataURL());
const tip = page => page.evaluate(() => Object.assign({ text: document.getElementById('tip').textContent },
	document.getElementById('tip').dataset));

async function hoverAt(page, a) {
	const p = await page.evaluate(a => window.hgReport.clientPoint(0, a), a);
	await page.mouse.move(p.x, p.y);
	return tip(page);
}

// decodeIds reads a report's id log as share/doc/report-format.md says.
function decodeIds(html, lane) {
	const zlib = require('zlib');
	const data = JSON.parse(html.match(/id="hg-data">([\s\S]*?)<\/script>/)[1]);
	const b64 = html.match(new RegExp('id="hg-ids-' + lane + '">([\\s\\S]*?)</script>'))[1];
	const u8 = zlib.inflateSync(Buffer.from(b64.replace(/\s+/g, ''), 'base64'));
	let p = 0;
	const uv = () => {
		let v = 0, m = 1, b;
		do {
			b = u8[p++];
			v += (b & 127) * m;
			m *= 128;
		} while (b & 128);
		return v;
	};
	const zz = () => {
		const v = uv();
		return v % 2 ? -(v + 1) / 2 : v / 2;
	};
	const out = [];
	let base = 0, born = 0, life = 0, pre = 0, num = 0;
	for (let i = 0; i < data.lanes[lane].nids; i++) {
		base += uv();
		const end = base + uv();
		const family = u8[p++];
		born += zz();
		life += zz();
		pre += zz();
		num += zz();
		out.push({ base, end, family, born, died: life ? born + life : Infinity,
			id: data.prefixes[pre] + (num ? String(num - 1) : '') });
	}
	check(p === u8.length, 'the id log is read to its end as report-format.md says');
	return out;
}

async function main() {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hg-chromium-'));
	// A fresh profile (--user-data-dir) each run.
	const browser = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.HG_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		viewport: { width: 1280, height: 1100 },
		args: ['--headless', '--no-sandbox', '--disable-gpu',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--no-first-run'],
	});
	const errors = [];
	try {
		// Every report opens without an error; a screenshot of each.
		for (const f of fs.readdirSync(work).filter(f => f.endsWith('.html') && f !== 'spans.html').sort()) {
			const { page } = await open(browser, f, errors);
			await page.screenshot({ path: path.join(work, f.replace(/\.html$/, '.png')), fullPage: true });
			check(await page.evaluate(() => window.hgReport.keys.length > 0), f + ': opens, has keyframes');
			await page.close();
		}

		// basic: the slider, hover, zoom to single pages.
		const log = fs.readFileSync(path.join(work, 'basic.jsonl'), 'utf8').trim().split('\n').map(JSON.parse);
		{
			// The data, read as share/doc/report-format.md says, is the event log's.
			const ids = decodeIds(fs.readFileSync(path.join(work, 'basic.html'), 'utf8'), 0);
			const pg0 = 8192;
			let same = 0, allocs = 0;
			for (const r of log) {
				if (r.op !== 'alloc')
					continue;
				allocs++;
				const free = log.find(f => f.op === 'free' && f.id === r.id);
				const d = ids.find(x => x.family === 1 && x.id === r.id);
				if (d && d.base === parseInt(r.addr, 16) && d.end === d.base + r.npages * pg0 &&
				    d.born === r.i && d.died === (free ? free.i : Infinity))
					same++;
			}
			check(allocs > 3 && same === allocs, `report-format.md: every span of the id log matches the event log (${same}/${allocs})`);
		}
		const { page } = await open(browser, 'basic.html', errors);
		const pg = await page.evaluate(() => JSON.parse(document.getElementById('hg-data').textContent).lanes[0].page);
		const keys = await page.evaluate(() => window.hgReport.keys);
		const endMap = await canvas(page);
		await page.locator('#slider').fill('0');
		check(await page.evaluate(() => document.getElementById('where').dataset.event) === String(keys[0]),
			'slider to the first keyframe: the label follows');
		check(await canvas(page) !== endMap, 'slider moves the map (the canvas changes)');
		await page.screenshot({ path: path.join(work, 'basic-first-event.png'), fullPage: true });
		{
			const box = await page.locator('#curves').boundingBox();
			await page.mouse.click(box.x + box.width * 0.55, box.y + box.height / 2);
			const ev = Number(await page.evaluate(() => document.getElementById('where').dataset.event));
			check(ev > keys[0] && ev < keys[keys.length - 1], `a click on the curves moves the slider (to event ${ev})`);
			const txt = await page.evaluate(() => document.getElementById('curvetip').textContent);
			check(/^events \d+\u2013\d+: HeapSys /.test(txt), `hovering the curves reads them: "${txt.slice(0, 60)}..."`);
		}

		// At every keyframe, hover the middle of each live span of the event log.
		let hovers = 0, good = 0;
		for (let k = 0; k < keys.length; k++) {
			await page.locator('#slider').fill(String(k));
			for (const [id, [b, e]] of liveAt(log, keys[k], pg)) {
				if (e - b < 64 * pg)
					continue; // below a pixel or two at this zoom
				const t = await hoverAt(page, b + Math.floor((e - b) / 2 / pg) * pg);
				hovers++;
				if (t.id === id && t.base === hex(b) && t.end === hex(e) && b % pg === 0 && e % pg === 0)
					good++;
				else
					console.log('  at event ' + keys[k] + ' span ' + id + ' ' + hex(b) + '-' + hex(e) + ': got ' + JSON.stringify(t));
			}
		}
		check(hovers > 3 && good === hovers, `hover shows the span's id and page-aligned bounds (${good}/${hovers})`);

		// Zoom with the wheel onto the smallest live span at the end until a page is 16 px.
		await page.locator('#slider').fill(String(keys.length - 1));
		const end = [...liveAt(log, keys[keys.length - 1], pg)].sort((x, y) => (x[1][1] - x[1][0]) - (y[1][1] - y[1][0]))[0];
		const [sid, [sb, se]] = end;
		let wheels = 0;
		for (; wheels < 200; wheels++) {
			const bpp = Number(await page.evaluate(() => document.getElementById('scale').dataset.bytesPerPx));
			if (bpp <= pg / 16)
				break;
			const p = await page.evaluate(a => window.hgReport.clientPoint(0, a), sb + pg / 2);
			await page.mouse.move(p.x, p.y);
			await page.mouse.wheel(0, -100);
		}
		const bpp = Number(await page.evaluate(() => document.getElementById('scale').dataset.bytesPerPx));
		check(bpp > 0 && bpp <= pg / 16, `wheel zoom reaches single pages: 1 px = ${bpp.toFixed(1)} B after ${wheels} steps (page ${pg} B)`);
		await page.waitForTimeout(50);
		let t = await hoverAt(page, sb + pg / 2);
		check(t.id === sid && t.base === hex(sb) && t.end === hex(se),
			`hover at page zoom: span ${sid} ${hex(sb)}-${hex(se)} (got ${t.id} ${t.base}-${t.end})`);
		t = await hoverAt(page, se + pg / 2);
		check(t.id !== sid, 'the next page is not that span');
		await page.screenshot({ path: path.join(work, 'basic-page-zoom.png'), fullPage: true });
		await page.close();

		// compare: two configurations, their differences marked.
		{
			const { page } = await open(browser, 'compare-001-strand-limit.html', errors);
			const n = await page.evaluate(() => Number(document.getElementById('diffs').dataset.ranges));
			check(n > 0, `compare-001-strand-limit: ${n} address ranges where go=1.9 differs from go=1.8 at the end`);
			const [lo, hi] = (await page.evaluate(() => document.getElementById('diffs').dataset.first)).split('-').map(x => parseInt(x, 16));
			await page.evaluate(([a, b]) => window.hgReport.zoomTo(a, b), [lo - (hi - lo), hi + (hi - lo)]);
			const pt = await page.evaluate(a => window.hgReport.clientPoint(1, a), Math.floor((lo + hi) / 2));
			await page.mouse.move(pt.x, pt.y);
			const t = await tip(page);
			check(/differs: go=1.8 has /.test(t.text), `compare: hovering a marked range says what the other holds ("${t.text.split('\n').pop()}")`);
			const rows = await page.evaluate(() => document.querySelectorAll('#figures tr')[0].children.length);
			check(rows === 4, 'compare-001-strand-limit: the figures table has both configurations and the difference');
			await page.close();
		}
		// --at: the report opens at the mark.
		{
			const { page } = await open(browser, 'basic-at.html', errors);
			const mark = log.find(r => r.op === 'mark' && r.text === 'GC 1');
			const ev = await page.evaluate(() => document.getElementById('where').dataset.event);
			check(mark && ev === String(mark.i), `--at "GC 1": the report opens at event ${ev}`);
			await page.close();
		}
		// --range: the report opens on those addresses.
		{
			const { page } = await open(browser, 'basic-range.html', errors);
			const txt = await page.evaluate(() => document.getElementById('scale').textContent);
			check(txt.startsWith('View 0xc000000000\u20130xc001000000'), `--range: the report opens on it (${txt.slice(0, 40)})`);
			await page.close();
		}
		// page-cache: opens zoomed to the few heap pages of a 64 MiB arena
		// (the PNG's rule), "whole axis" shows the arena, "heap" zooms back.
		{
			const { page } = await open(browser, 'page-cache.html', errors);
			const bpp = () => page.evaluate(() => Number(document.getElementById('scale').dataset.bytesPerPx));
			const first = await bpp();
			check(first > 0 && first <= 8192, `page-cache: opens on the heap, its spans a pixel a page or finer (1 px = ${first.toFixed(0)} B)`);
			await page.click('#zoomreset');
			const whole = await bpp();
			await page.click('#zoomheap');
			const after = await bpp();
			check(after > 0 && after * 2 < whole, `page-cache: "whole axis" then "heap" zooms in (1 px = ${whole.toFixed(0)} B, then ${after.toFixed(0)} B)`);
			await page.screenshot({ path: path.join(work, 'page-cache-heap.png'), fullPage: true });
			await page.close();
		}
		// basic: the metadata reservations folded into a band; the toggle
		// draws them to scale (a longer axis, another map) and back.
		{
			const { page } = await open(browser, 'basic.html', errors);
			const len0 = await page.evaluate(() => window.hgReport.axisLength());
			const map0 = await canvas(page);
			await page.click('#showmeta');
			const len1 = await page.evaluate(() => window.hgReport.axisLength());
			const shown = await page.evaluate(() => document.getElementById('showmeta').dataset.shown);
			check(shown === '1' && len1 !== len0 && await canvas(page) !== map0,
				`metadata toggle: to scale (axis ${len0} -> ${len1} units, the map redrawn)`);
			await page.screenshot({ path: path.join(work, 'basic-metadata.png'), fullPage: true });
			await page.click('#showmeta');
			check(await page.evaluate(() => window.hgReport.axisLength()) === len0 && await canvas(page) === map0,
				'metadata toggle: folded again, the same map');
			await page.close();
		}
		// commit-limit: the limit is drawn in the curves' legend and the table.
		{
			const { page } = await open(browser, 'commit-limit.html', errors);
			const txt = await page.evaluate(() => document.body.innerText);
			check(/commit limit/.test(txt) && /OUT OF MEMORY/.test(txt), 'commit-limit: limit and out of memory shown');
			await page.close();
		}

		// The big report (HG_SPANS live spans, a million by default) opens within 5 s.
		{
			const size = fs.statSync(path.join(work, 'spans.html')).size;
			check(size < 20e6, `${spans}-span report: ${(size / 1e6).toFixed(1)} MB (under 20 MB)`);
			const { page, ms } = await open(browser, 'spans.html', errors);
			const inPage = await page.evaluate(() => window.hgReport.loadMs);
			console.log(`${spans}-span report opened in ${ms} ms (page script: ${inPage.toFixed(0)} ms)`);
			check(ms < 5000, `${spans}-span report opens within 5 s (${ms} ms)`);
			const t0 = Date.now();
			await page.locator('#slider').fill('0');
			await page.locator('#slider').fill(String((await page.evaluate(() => window.hgReport.keys.length)) - 1));
			console.log(`two slider moves: ${Date.now() - t0} ms`);
			await page.screenshot({ path: path.join(work, 'spans.png'), fullPage: true });
			await page.close();
		}
	} finally {
		await browser.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
	for (const e of errors)
		console.log('console error: ' + e);
	check(errors.length === 0, 'no console errors');
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}
main().catch(e => {
	console.log('FAIL ' + (e && e.stack ? e.stack : e));
	process.exit(1);
});
