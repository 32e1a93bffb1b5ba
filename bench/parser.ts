/**
 * Parser throughput: source/engine/sse-parser.ts against eventsource-parser (fed through
 * StringDecoder, the way a client would use it) and a Buffer.indexOf(10) line count as the floor
 * of any parser. Run: `npx tsc -p tsconfig.json && node dist/bench/parser.js` (BENCH_MB sets the
 * megabytes parsed per run, default 32; BENCH_ONLY keeps the inputs whose name contains it). Exits 1 if any parser counts a different number of events.
 */
import {StringDecoder} from 'node:string_decoder';
import {createParser} from 'eventsource-parser';
import {createSseParser} from '../source/engine/sse-parser.js';

type Input = {name: string; chunking: string; passes: number; chunks: Buffer[]; bytes: number; events: number; lineFeeds: number};
type Runner = {name: string; run(input: Input): number};

const streamBytes = 4 * 1024 * 1024;
const bytesPerRun = Number(process.env['BENCH_MB'] ?? 32) * 1024 * 1024;
const runs = Number(process.env["BENCH_RUNS"] ?? 5);

// The seeds' dashboard update (PROTOCOLS.md section 4), about 300 bytes of JSON.
const dashboard = JSON.stringify({
	system_status: {status: 'online', uptime: '2 days, 14 hours', last_check: '15:04:05', message: 'System running normally'},
	metrics: {cpu: '45%', memory: '67%', disk: '23%', network: '125 Mbps', response_time: '87ms'},
	activities: [{time: '15:04:05', message: 'Dashboard updated', level: 'info', css_class: 'activity-info'}],
	timestamp: '15:04:05',
});

const shapes: Array<{name: string; event(n: number): string}> = [
	{name: '100 B data', event: (n) => `data: ${String(n).padStart(8, '0')}${'x'.repeat(84)}\n\n`},
	{name: `${dashboard.length} B JSON+id+event`, event: (n) => `id: ${n}\nevent: update\ndata: ${dashboard}\n\n`},
	{name: '10 KB data', event: (n) => `data: ${String(n).padStart(8, '0')}${'y'.repeat(10 * 1024 - 16)}\n\n`},
];

function buildInputs(): Input[] {
	const inputs: Input[] = [];
	for (const shape of shapes) {
		for (const crlf of [false, true]) {
			const events: Buffer[] = [];
			let bytes = 0;
			for (let n = 0; bytes < streamBytes; n++) {
				const text = shape.event(n);
				const event = Buffer.from(crlf ? text.replaceAll('\n', '\r\n') : text);
				events.push(event);
				bytes += event.length;
			}
			const stream = Buffer.concat(events);
			const lineFeeds = stream.reduce((count, byte) => (byte === 10 ? count + 1 : count), 0);
			const name = `${shape.name}, ${crlf ? 'CRLF' : 'LF'}`;
			const bigChunks: Buffer[] = [];
			for (let pos = 0; pos < stream.length; pos += 16 * 1024) bigChunks.push(stream.subarray(pos, pos + 16 * 1024));
			for (const [chunking, chunks] of [
				['16 KB chunks', bigChunks],
				['1 event/chunk', events],
			] as const) {
				const passes = Math.max(1, Math.round(bytesPerRun / stream.length));
				inputs.push({name, chunking, passes, chunks, bytes: stream.length * passes, events: events.length * passes, lineFeeds: lineFeeds * passes});
			}
		}
	}
	return inputs;
}

const runners: Runner[] = [
	{
		name: 'ours',
		run(input) {
			let count = 0;
			const parser = createSseParser({
				onEvent() {
					count++;
				},
			});
			for (let pass = 0; pass < input.passes; pass++) for (const chunk of input.chunks) parser.feed(chunk);
			parser.end();
			return count;
		},
	},
	{
		name: 'eventsource-parser',
		run(input) {
			let count = 0;
			const decoder = new StringDecoder('utf8');
			const parser = createParser({
				onEvent() {
					count++;
				},
			});
			for (let pass = 0; pass < input.passes; pass++) for (const chunk of input.chunks) parser.feed(decoder.write(chunk));
			return count;
		},
	},
	{
		// Counts LF bytes, not events: checked against the input's LF count instead.
		name: 'indexOf(10)',
		run(input) {
			let count = 0;
			for (let pass = 0; pass < input.passes; pass++) {
				for (const chunk of input.chunks) {
					let i = chunk.indexOf(10);
					while (i !== -1) {
						count++;
						i = chunk.indexOf(10, i + 1);
					}
				}
			}
			return count;
		},
	},
];

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

// CPU time of the process, not wall time: the box is shared (2 cores), and a preempted run would
// otherwise count the other process's time. It includes GC helper threads, which is fair.
function timeRun(runner: Runner, input: Input): {seconds: number; count: number} {
	const start = process.cpuUsage();
	const count = runner.run(input);
	const used = process.cpuUsage(start);
	return {seconds: (used.user + used.system) / 1e6, count};
}

const only = process.env['BENCH_ONLY'];
const inputs = buildInputs().filter((input) => only === undefined || `${input.name}, ${input.chunking}`.includes(only));
const rows: string[][] = [['input', 'chunking', 'ours MB/s', 'ours ev/s', 'esp MB/s', 'esp ev/s', 'ours/esp', 'indexOf MB/s']];
let mismatches = 0;

for (const input of inputs) {
	const seconds = new Map<string, number[]>(runners.map((runner) => [runner.name, []]));
	for (let round = -1; round < runs; round++) {
		// Alternate the order so neither parser always pays for the other's garbage.
		for (const runner of round % 2 === 0 ? runners : [...runners].reverse()) {
			const {seconds: elapsed, count} = timeRun(runner, input);
			const expected = runner.name === 'indexOf(10)' ? input.lineFeeds : input.events;
			if (count !== expected) {
				mismatches++;
				console.error(`${runner.name} on ${input.name}, ${input.chunking}: counted ${count}, expected ${expected}`);
			}
			if (round >= 0) seconds.get(runner.name)!.push(elapsed);
		}
	}
	const [ours, esp, baseline] = runners.map((runner) => median(seconds.get(runner.name)!));
	const mbps = (s: number) => (input.bytes / 1e6 / s).toFixed(0);
	const evps = (s: number) => `${(input.events / s / 1e6).toFixed(2)}M`;
	rows.push([input.name, input.chunking, mbps(ours!), evps(ours!), mbps(esp!), evps(esp!), (esp! / ours!).toFixed(2), mbps(baseline!)]);
}

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const [index, row] of rows.entries()) {
	console.log(row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
	if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
}
console.log(`\nmedian of ${runs} interleaved runs after one warm-up, ${(bytesPerRun / 1024 / 1024).toFixed(0)} MiB per run, per CPU second; MB = 10^6 bytes; node ${process.version}`);

if (mismatches > 0) {
	console.error(`${mismatches} event count mismatches`);
	process.exit(1);
}
