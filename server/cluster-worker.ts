/**
 * One worker process of `sse-tui serve --workers N`, forked by server/cluster.ts. It serves
 * HTTP, SSE, cable and ws on the shared port like a lone server, except that every broadcast
 * comes from the primary with its id, and trigger and stats requests are answered there.
 */
import process from 'node:process';
import {isExpectedError} from '../source/errors.js';
import {workerSetupVariable, type Entry, type ToPrimary, type ToWorker, type WorkerRequest, type WorkerSetup} from './cluster-protocol.js';
import type {ClusterLink} from './context.js';
import type {RedisBridge} from './redis-bridge.js';
import {startServer, type RunningServer} from './server.js';
import type {ServerStats} from './stats.js';
import type {TriggerAnswer} from './trigger.js';

/** How long a worker waits for the primary to answer a request (stats wait less in the primary). */
const requestTimeoutMs = 10_000;

const send = (message: ToPrimary, sent?: () => void): void => {
	if (process.connected) {
		process.send!(message, undefined, {}, () => sent?.());
	} else {
		sent?.();
	}
};

const setup = JSON.parse(process.env[workerSetupVariable] ?? 'null') as WorkerSetup | null;
if (!setup || !process.send) {
	throw new Error('server/cluster-worker.js is started by "sse-tui serve --workers N", not by hand');
}

// Messages queue here until the server is up: the seed first, then broadcasts in order.
const queued: ToWorker[] = [];
let handle: ((message: ToWorker) => void) | undefined;
let seeded: ((entries: Entry[]) => void) | undefined;
const seed = new Promise<Entry[]>(resolve => {
	seeded = resolve;
});
process.on('message', (message: ToWorker) => {
	if (message.t === 'seed') {
		seeded?.(message.entries);
		return;
	}

	if (handle) {
		handle(message);
	} else {
		queued.push(message);
	}
});

send({t: 'hello'});

// The primary decides when everyone stops: a Ctrl-C in a terminal or systemd's SIGTERM reach
// the whole process group, and the primary then sends `shutdown`.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

let nextRequest = 1;
const waiting = new Map<number, {resolve(value: unknown): void; reject(error: Error): void}>();
async function ask(what: WorkerRequest): Promise<unknown> {
	const req = nextRequest++;
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			waiting.delete(req);
			reject(new Error(`the primary did not answer a ${what.kind} request within ${requestTimeoutMs} ms`));
		}, requestTimeoutMs);
		waiting.set(req, {
			resolve(value) {
				clearTimeout(timer);
				resolve(value);
			},
			reject(error) {
				clearTimeout(timer);
				reject(error);
			},
		});
		send({t: 'request', req, what});
	});
}

let redisAvailable = false;
const link: ClusterLink = {
	worker: setup.worker,
	trigger: async request => (await ask({kind: 'trigger', request})) as TriggerAnswer,
	stats: async () => (await ask({kind: 'stats'})) as ServerStats,
};
const redisReplay: Pick<RedisBridge, 'available' | 'streamSince' | 'streamLatest'> = {
	get available() {
		return redisAvailable;
	},
	streamSince: async id => (await ask({kind: 'since', id})) as Awaited<ReturnType<RedisBridge['streamSince']>>,
	streamLatest: async count => (await ask({kind: 'latest', count})) as Awaited<ReturnType<RedisBridge['streamLatest']>>,
};

let server: RunningServer;
try {
	server = await startServer(setup.options, {
		link,
		maxLocalConnections: setup.maxLocalConnections,
		seed: await seed,
		redisReplay: setup.options.redisUrl === undefined ? undefined : redisReplay,
	});
} catch (error) {
	// Exit only once the message is out, or the primary would learn nothing but the exit.
	send({t: 'fatal', message: error instanceof Error ? error.message : String(error), exitCode: isExpectedError(error) ? error.exitCode : 1}, () => process.exit(1));
	await new Promise(() => {});
}

let stopping: Promise<void> | undefined;
const stop = async (): Promise<void> => {
	stopping ??= (async () => {
		await server.close();
		await new Promise<void>(resolve => {
			send({t: 'final', stats: server.stats()}, resolve);
		});
		if (process.connected) {
			process.disconnect();
		}
	})();
	return stopping;
};

handle = message => {
	switch (message.t) {
		case 'publish': {
			let deliveries = 0;
			for (const {id, json} of message.entries) {
				deliveries += server.publish(json, id);
			}

			if (message.ack) {
				const {sse, cable, ws} = server.stats();
				send({t: 'ack', seq: message.seq, deliveries, subscribers: {sse: sse.current, cable: cable.current, ws: ws.current}});
			}

			return;
		}

		case 'stats': {
			send({t: 'stats', req: message.req, stats: server.stats()});
			return;
		}

		case 'reply': {
			const waiter = waiting.get(message.req);
			waiting.delete(message.req);
			if (message.ok) {
				waiter?.resolve(message.value);
			} else {
				waiter?.reject(new Error(message.error));
			}

			return;
		}

		case 'redis': {
			redisAvailable = message.available;
			return;
		}

		case 'shutdown': {
			void stop();
			return;
		}

		case 'force': {
			void stop();
			server.destroy();
			return;
		}

		default:
	}
};

for (const message of queued.splice(0)) {
	handle(message);
}

// The primary is gone (killed): nobody will send `shutdown`, so stop on our own.
process.on('disconnect', () => {
	void stop().finally(() => process.exit(0));
});
send({t: 'ready'});
