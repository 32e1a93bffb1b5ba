import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads';
import {controllerBeatMs, controllerLeaseMs} from './protocol.js';
import {connect} from './redis.js';

type BeatData = {url: string; key: string; value: string};
type BeatMessage = {value: string};

/**
 * The controller's lease, renewed from a worker thread: its own event loop and Redis connection,
 * so a main thread busy merging (or stalled by a connect burst on a starved host) does not let
 * the short lease lapse, and the agents can judge a killed controller within seconds.
 */
export function startControllerBeat(data: BeatData, log: (text: string) => void): {update(value: string): void; stop(): Promise<void>} {
	const worker = new Worker(new URL(import.meta.url), {workerData: {controllerBeat: data}});
	worker.on('error', (error: Error) => {
		// The main thread's own refresh (once a second) still renews the lease.
		log(`the controller's heartbeat thread failed (${error.message}); renewing the lease from the main thread`);
	});
	return {
		update(value) {
			worker.postMessage({value} satisfies BeatMessage);
		},
		async stop() {
			await worker.terminate();
		},
	};
}

function runBeat({url, key, value}: BeatData): void {
	let current = value;
	const connection = connect(url, () => undefined, {onReady: beat});
	function beat(): void {
		// While Redis is away nothing queues up: the reconnect renews at once.
		if (connection.up) {
			connection.redis.set(key, current, 'PX', controllerLeaseMs).catch(() => undefined);
		}
	}

	setInterval(beat, controllerBeatMs);
	parentPort!.on('message', (message: BeatMessage) => {
		current = message.value;
		beat();
	});
}

const data = isMainThread ? undefined : (workerData as {controllerBeat?: BeatData} | undefined)?.controllerBeat;
if (data) {
	runBeat(data);
}
