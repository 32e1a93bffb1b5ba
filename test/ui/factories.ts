import type {AgentRow} from '../../source/agents/table.js';
import {emptyDelivery, type ClientRow, type Snapshot} from '../../source/metrics/snapshot.js';
import type {RunControls} from '../../source/reporters/presenter.js';
import type {DashboardSource} from '../../source/ui/dashboard/dashboard.js';
import type {DashboardInfo} from '../../source/ui/dashboard/panels.js';

type SnapshotOverrides = Omit<Partial<Snapshot>, 'states' | 'totals' | 'rates'> & {
	states?: Partial<Snapshot['states']>;
	totals?: Partial<Snapshot['totals']>;
	rates?: Partial<Snapshot['rates']>;
};

export function createSnapshot(overrides: SnapshotOverrides = {}): Snapshot {
	const {states, totals, rates, ...rest} = overrides;
	return {
		elapsedMs: 10_000,
		clients: 0,
		connectMs: undefined,
		latencyMs: undefined,
		reconnectMs: undefined,
		delivery: emptyDelivery(),
		timeline: [],
		history: [],
		errorsByKind: {},
		...rest,
		states: {idle: 0, connecting: 0, open: 0, reconnecting: 0, closed: 0, failed: 0, ...states},
		totals: {messages: 0, heartbeats: 0, errors: 0, reconnects: 0, connects: 0, failedAttempts: 0, clientsConnected: 0, bytes: 0, ...totals},
		rates: {messagesPerSec: 0, heartbeatsPerSec: 0, bytesPerSec: 0, ...rates},
	};
}

export function createRow(id: number, overrides: Partial<ClientRow> = {}): ClientRow {
	return {
		id,
		state: 'open',
		messages: 0,
		heartbeats: 0,
		errors: 0,
		reconnects: 0,
		connects: 1,
		bytes: 0,
		lastEventId: '',
		lastMessageAt: -1,
		lastHeartbeatAt: -1,
		connectMs: 2,
		latencyMs: -1,
		streams: 0,
		streamEvents: 0,
		streamStartAt: -1,
		ttfeMs: -1,
		gaps: 0,
		duplicates: 0,
		lastError: '',
		...overrides,
	};
}

/** `n` open clients, ids 1..n; `each` customises a row by id. */
export function createRows(n: number, overrides: Partial<ClientRow> | ((id: number) => Partial<ClientRow>) = {}): ClientRow[] {
	return Array.from({length: n}, (_, index) => createRow(index + 1, typeof overrides === 'function' ? overrides(index + 1) : overrides));
}

/** A store stand-in whose snapshot and rows a test sets, and publishes like a tick. */
export function createSource(snapshot: Snapshot, rows: ClientRow[]): DashboardSource & {publish(next: Snapshot, nextRows?: ClientRow[]): void} {
	const listeners = new Set<() => void>();
	let current = snapshot;
	let currentRows = rows;
	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => current,
		clientRows: () => currentRows,
		publish(next, nextRows = currentRows) {
			current = next;
			currentRows = nextRows;
			for (const listener of listeners) {
				listener();
			}
		},
	};
}

export function createControls(clients = 0): RunControls & {calls: string[]} {
	const calls: string[] = [];
	let size = clients;
	return {
		calls,
		addClients(count) {
			calls.push(`add ${count}`);
			size += count;
		},
		async removeClients(count) {
			calls.push(`remove ${count}`);
			size -= count;
		},
		stop() {
			calls.push('stop');
		},
		get clients() {
			return size;
		},
	};
}

export function createInfo(overrides: Partial<DashboardInfo> = {}): DashboardInfo {
	return {url: 'http://localhost:3000/dashboard/stream', protocol: 'sse', scenario: 'load', clients: 20, durationMs: 60_000, logLevel: 'info', ...overrides};
}

/**
 * ink-testing-library hands each write to Ink at once; Ink needs a turn between keys (Esc waits
 * a setImmediate), and useInput attaches its listener in an effect, so wait before the first key too.
 */
export async function press(stdin: {write(data: string): void}, ...keys: string[]): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, 30));
	for (const key of keys) {
		stdin.write(key);
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 30));
	}
}

export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	home: '\u001B[H',
	end: '\u001B[F',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

/** Lines of a frame with trailing spaces removed. */
export function lines(frame: string | undefined): string[] {
	return (frame ?? '').split('\n').map(line => line.trimEnd());
}

export function createAgentRow(overrides: Partial<AgentRow> = {}): AgentRow {
	return {name: 'a1', host: 'load-host-1', state: 'running', clients: 12_000, open: 11_998, msgsPerSec: 2400.5, errors: 3, cpu: 38, rssBytes: 190 * 1_048_576, lagMs: 4, ...overrides};
}

/** `n` agents a1..an on hosts load-host-1..n, a2 lost when there are 3 or more. */
export function createAgentRows(n: number, lost = n >= 3 ? 2 : 0): AgentRow[] {
	return Array.from({length: n}, (_, index) => createAgentRow({
		name: `a${index + 1}`,
		host: `load-host-${index + 1}`,
		open: index + 1 === lost ? 0 : 100 + index,
		clients: 100 + index,
		state: index + 1 === lost ? 'lost' : 'running',
		msgsPerSec: 10 * (index + 1),
		errors: index,
		cpu: index === 0 ? null : 20 + index,
		rssBytes: index === 0 ? null : (100 + index) * 1_048_576,
		lagMs: index === 0 ? null : 5 + index,
	}));
}
