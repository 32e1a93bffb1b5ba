import type {ToPrimary, ToWorker, WorkerRequest} from './cluster-protocol.js';
import type {RedisBridge} from './redis-bridge.js';
import type {ServerStats} from './stats.js';
import type {TriggerRequest} from './trigger.js';

/** What the primary of `serve --workers N` does for its workers' requests (server/cluster.ts). */
export type RequestHandlers = {
	/** the whole server's trigger (one rate limit, every worker's clients) */
	trigger(request: TriggerRequest): Promise<unknown>;
	/** every worker's stats, summed */
	stats(): Promise<ServerStats>;
	redis: RedisBridge | undefined;
};

/** The answer to one request of worker `from`; rejects with what to tell it. */
export async function serveRequest(from: number, what: WorkerRequest, handlers: RequestHandlers): Promise<unknown> {
	const {redis} = handlers;
	switch (what.kind) {
		case 'trigger': {
			return handlers.trigger(what.request);
		}

		case 'stats': {
			return handlers.stats();
		}

		case 'since': {
			if (!redis) {
				throw new Error('no Redis');
			}

			return redis.streamSince(what.id);
		}

		case 'latest': {
			if (!redis) {
				throw new Error('no Redis');
			}

			return redis.streamLatest(what.count);
		}

		default: {
			throw new Error(`unknown request from worker ${from}`);
		}
	}
}

/** Serves worker `from`'s request and sends it the reply: the value, or the error's message. */
export function answerRequest(from: number, message: Extract<ToPrimary, {t: 'request'}>, handlers: RequestHandlers, send: (reply: Extract<ToWorker, {t: 'reply'}>) => void): void {
	serveRequest(from, message.what, handlers).then(
		value => {
			send({t: 'reply', req: message.req, ok: true, value});
		},
		(error: unknown) => {
			send({t: 'reply', req: message.req, ok: false, error: error instanceof Error ? error.message : String(error)});
		},
	);
}
