/**
 * The cost of one dashboard frame, without the event load of bench/tui.ts: 10,000 clients in a
 * MetricsStore, the TUI presenter drawing into a fake 120x40 TTY, and each frame published by
 * hand after ~25k events (100k/s at 4 redraws/s) changed the rows. Reports per-frame wall time
 * from the snapshot to the written frame (median, p90, max), the longest event-loop block and GC
 * time (both include the synthetic load between frames).
 * Run: `npx tsc -p tsconfig.json && node dist/bench/tui-frame.js` (BENCH_FRAMES, default 60).
 */
import '../source/ui/node-env.js';
import {NullStdin, NullTty} from './lib/null-terminal.js';
import {monitorEventLoopDelay, PerformanceObserver} from 'node:perf_hooks';
import {resolveConfig} from '../source/config.js';
import {MetricsStore} from '../source/metrics/store.js';
import type {ClientRow, Snapshot} from '../source/metrics/snapshot.js';
import {buildSummary} from '../source/reporters/summary.js';
import {createTuiPresenter} from '../source/ui/tui-presenter.js';

const frames = Number(process.env['BENCH_FRAMES'] ?? 60);
const clients = Number(process.env['BENCH_CLIENTS'] ?? 10_000);

const store = new MetricsStore();
const config = resolveConfig({clients: String(clients), logLevel: 'warn'});
for (let id = 1; id <= clients; id++) {
	store.emit({kind: 'connecting', client: id, attempt: 1});
	store.emit({kind: 'open', client: id, status: 200, connectMs: 1 + (id % 50), url: config.url});
}

// The presenter's view of the store, with the tick driven from here.
const listeners = new Set<() => void>();
let published: Snapshot = store.snapshot();
const manual = Object.assign(Object.create(store) as MetricsStore, {
	startTicking() {},
	stopTicking() {},
	subscribe(listener: () => void) {
		listeners.add(listener);
		return () => listeners.delete(listener);
	},
	getSnapshot: () => published,
	snapshot: () => store.snapshot(),
	clientRows: (reuse?: ClientRow[]) => store.clientRows(reuse),
	clientRow: (id: number) => store.clientRow(id),
	rowTable: () => store.rowTable(),
});

const stdout = new NullTty();
const presenter = createTuiPresenter({stdout: stdout as unknown as NodeJS.WriteStream, stdin: new NullStdin() as unknown as NodeJS.ReadStream, version: 'bench'});
presenter.start({config, store: manual, controls: {addClients() {}, async removeClients() {}, stop() {}, clients}});

let next = 1;
let eventId = 0;
const load = (count: number) => {
	for (let index = 0; index < count; index++) {
		const client = next;
		next = next === clients ? 1 : next + 1;
		if (index % 20 === 0) {
			store.emit({kind: 'heartbeat', client, source: 'comment'});
		} else {
			store.emit({kind: 'event', client, type: 'message', data: '{}', id: String(++eventId), bytes: 300, latencyMs: 1 + (index % 7)});
		}
	}
};

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const times: number[] = [];
const delay = monitorEventLoopDelay({resolution: 1});
let gcMs = 0;
let measuring = false;
const gc = new PerformanceObserver(list => {
	for (const entry of list.getEntries()) {
		gcMs += measuring ? entry.duration : 0;
	}
});
gc.observe({entryTypes: ['gc']});
const cpu = process.cpuUsage();
let cpuInFrames = 0;
for (let frame = -10; frame < frames; frame++) {
	load(25_000);
	// eslint-disable-next-line no-await-in-loop
	await sleep(110); // past Ink's 100 ms throttle, so each frame is drawn at once
	if (frame === 0) {
		delay.enable();
		measuring = true;
	}

	const before = stdout.writes;
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	published = store.snapshot();
	for (const listener of listeners) {
		listener();
	}

	while (stdout.writes === before) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setImmediate(resolve));
	}

	if (frame >= 0) {
		times.push(performance.now() - started);
		const used = process.cpuUsage(cpuBefore);
		cpuInFrames += (used.user + used.system) / 1000;
	}
}

delay.disable();
gc.disconnect();
const total = process.cpuUsage(cpu);
await presenter.finish(buildSummary(store.snapshot(), config, {startedAt: new Date(), stoppedBy: 'signal'}));
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
console.log(`${frames} frames: snapshot -> frame written median ${at(0.5)} ms p90 ${at(0.9)} ms max ${at(1)} ms; CPU per frame ${(cpuInFrames / frames).toFixed(1)} ms (whole loop incl. load ${((total.user + total.system) / 1000 / (frames + 10)).toFixed(1)} ms); longest loop block ${(delay.max / 1e6).toFixed(1)} ms; GC ${(gcMs / frames).toFixed(1)} ms per frame (incl. load)`);
