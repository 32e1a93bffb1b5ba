/**
 * The dashboard's per-snapshot work on 10,000 rows, without Ink: reading the rows from the
 * store, the stale tracker's pass, and filter + sort by each column. The brief's budget is
 * about 3 ms per tick for the sort. Run: `npx tsc -p tsconfig.json && node dist/bench/tui-table.js`.
 */
import {MetricsStore} from '../source/metrics/store.js';
import {columnIds, type RowContext} from '../source/ui/dashboard/columns.js';
import {StaleTracker} from '../source/ui/dashboard/stale.js';
import {selectRows} from '../source/ui/dashboard/table-model.js';

const clients = Number(process.env['BENCH_CLIENTS'] ?? 10_000);
const store = new MetricsStore();
for (let id = 1; id <= clients; id++) {
	store.emit({kind: 'open', client: id, status: 200, connectMs: id % 97, url: 'u'});
	for (let n = 0; n < (id * 7919) % 13; n++) {
		store.emit({kind: 'event', client: id, type: 'message', data: '', id: String((id * 31) % 1000), bytes: 1, latencyMs: (id * 13) % 101});
	}

	if (id % 3 === 0) {
		store.emit({kind: 'heartbeat', client: id, source: 'comment'});
	}

	if (id % 50 === 0) {
		store.emit({kind: 'error', client: id, error: 'stream', message: 'x'});
	}
}

function time(name: string, runs: number, work: () => void): void {
	for (let index = 0; index < 5; index++) {
		work();
	}

	const samples: number[] = [];
	for (let index = 0; index < runs; index++) {
		const started = performance.now();
		work();
		samples.push(performance.now() - started);
	}

	samples.sort((a, b) => a - b);
	console.log(`${name.padEnd(34)} median ${samples[Math.floor(runs / 2)]!.toFixed(2)} ms  max ${samples.at(-1)!.toFixed(2)} ms`);
}

const rows = store.clientRows();
const tracker = new StaleTracker();
let now = 1000;
const context: RowContext = {now, isStale: row => tracker.isStale(row, now)};
console.log(`${clients} rows`);
time('store.clientRows()', 30, () => store.clientRows());
time('StaleTracker.update', 30, () => {
	now += 200;
	tracker.update(rows, now);
});
for (const sort of columnIds) {
	time(`sort by ${sort}`, 30, () => selectRows(rows, sort, true, 'all', context));
}

time('filter problems + sort by messages', 30, () => selectRows(rows, 'messages', true, 'problems', context));
