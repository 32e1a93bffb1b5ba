// First: React must see NODE_ENV=production before ink/react are evaluated.
import '../node-env.js';
import {parentPort, workerData} from 'node:worker_threads';
import {render} from 'ink';
import type {AgentRow} from '../../agents/table.js';
import {readRows, type RowTable} from '../../metrics/row-table.js';
import type {ClientRow, Snapshot} from '../../metrics/snapshot.js';
import type {RunControls} from '../../reporters/presenter.js';
import type {Comparison, ThresholdResult} from '../../reporters/summary.js';
import {Dashboard} from '../dashboard/dashboard.js';
import type {DashboardSource} from '../dashboard/table-feed.js';
import {LogBuffer} from '../log-buffer.js';
import type {DashboardThreadData, FrameMessage, FromDashboard, ToDashboard} from './protocol.js';
import {WorkerStdin, WorkerStdout} from './worker-terminal.js';

/**
 * The dashboard thread: React and Ink draw here from the frames the run posts each tick, and
 * keys and commands go back as messages (./protocol.ts). Nothing here touches a client.
 */
const port = parentPort!;
const data = workerData as DashboardThreadData;
const post = (message: FromDashboard) => {
	port.postMessage(message);
};

const stdout = new WorkerStdout(data.columns, data.rows, output => {
	post({type: 'output', data: output});
});
const stdin = new WorkerStdin(data.keys);

let snapshot: Snapshot | undefined;
let table: RowTable = {count: 0, state: new Uint8Array(1), columns: {} as RowTable['columns'], lastEventId: [], lastError: []};
let clients = data.info.clients;
let suppressed = 0;
let thresholds: readonly ThresholdResult[] = [];
let compare: Comparison | undefined;
let agents: AgentRow[] | undefined;
const log = new LogBuffer();
const listeners = new Set<() => void>();

const source: DashboardSource = {
	subscribe(listener) {
		listeners.add(listener);
		return () => listeners.delete(listener);
	},
	getSnapshot: () => snapshot!,
	clientRows: (reuse?: ClientRow[]) => readRows(table, reuse),
	thresholds: () => thresholds,
	compare: () => compare,
	agents: () => agents,
};

const controls: RunControls = {
	addClients(count) {
		post({type: 'add-clients', count});
	},
	async removeClients(count) {
		post({type: 'remove-clients', count});
	},
	stop() {
		post({type: 'stop'});
	},
	get clients() {
		return clients;
	},
};

function take(next: FrameMessage): void {
	snapshot = next.snapshot;
	table = next.table;
	clients = next.clients;
	suppressed = next.suppressed;
	thresholds = next.thresholds;
	compare = next.compare;
	agents = next.agents;
	for (const line of next.log) {
		log.push(line.level, line.text, line.at);
	}

	for (const listener of listeners) {
		listener();
	}
}

const logView = {
	latest: (count: number) => log.latest(count),
	get suppressed() {
		return suppressed;
	},
};

async function finish(): Promise<void> {
	// React commits a store update on its scheduler (a macrotask), not synchronously.
	await new Promise(resolve => setTimeout(resolve, 20));
	ink?.unmount();
	await ink?.waitUntilExit().catch(() => undefined);
	// Ink's last writes leave in a microtask; `exited` must follow them.
	setImmediate(() => {
		post({type: 'exited'});
	});
}

let ink: ReturnType<typeof render> | undefined;
port.on('message', (message: ToDashboard) => {
	switch (message.type) {
		case 'frame': {
			take(message);
			if (ink === undefined) {
				ink = render(
					<Dashboard
						source={source}
						info={data.info}
						controls={controls}
						version={data.version}
						log={logView}
						color={data.color}
						onForceQuit={() => {
							post({type: 'force-quit'});
						}}
					/>,
					{stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, exitOnCtrlC: false, maxFps: 10, patchConsole: false},
				);
			}

			post({type: 'taken'});
			if (message.final) {
				void finish();
			}

			break;
		}

		case 'keys': {
			stdin.push(message.data);
			break;
		}

		case 'resize': {
			stdout.resize(message.columns, message.rows);
			break;
		}
	}
});
