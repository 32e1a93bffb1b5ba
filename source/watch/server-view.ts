import type {RedisWatch} from './redis-watch.js';
import type {StatsWatch} from './stats-watch.js';
import type {Disagreement, RedisSample, ServerSummary, ServerViewNow, StatsSample} from './types.js';

export type {Disagreement, ServerSummary, ServerViewNow} from './types.js';




/** Samples kept for the summary and the report: an hour at one a second. */
const maxSamples = 3600;
/** A difference counts once two samples in a row show it: connects and drops in flight are not disagreements. */
const persistence = 2;

type Check = {what: string; clients: number; server: number} | undefined;

/**
 * The server's side of the run, beside the clients': polls a Redis and/or a JSON stats endpoint
 * once a second (each on its own, one request in flight, bounded), keeps the samples, and marks
 * where the server side and the clients disagree for more than a moment: connections the server
 * counts that no client holds (half-open), or Redis subscribers that do not match the clients
 * waiting on them.
 */
export class ServerView {
	readonly #redis: RedisWatch | undefined;
	readonly #stats: StatsWatch | undefined;
	readonly #perStream: boolean;
	readonly #clientsOpen: () => number;
	readonly #redisSamples: RedisSample[] = [];
	readonly #statsSamples: StatsSample[] = [];
	readonly #seen = new Map<string, Disagreement>();
	readonly #streak = new Map<string, number>();
	#timer: NodeJS.Timeout | undefined;

	constructor({redis, stats, perStream, clientsOpen}: {redis?: RedisWatch | undefined; stats?: StatsWatch | undefined; perStream: boolean; clientsOpen: () => number}) {
		this.#redis = redis;
		this.#stats = stats;
		this.#perStream = perStream;
		this.#clientsOpen = clientsOpen;
	}

	start(elapsed: () => number, everyMs = 1000): void {
		const tick = () => {
			void this.#redis?.poll(elapsed()).then(sample => {
				if (sample) {
					this.#add(this.#redisSamples, sample);
					this.#judge('redis', this.#redisCheck(sample), sample.t);
				}
			});
			void this.#stats?.poll(elapsed()).then(sample => {
				if (sample) {
					this.#add(this.#statsSamples, sample);
					this.#judge('stats', this.#statsCheck(sample), sample.t);
				}
			});
		};

		tick();
		this.#timer = setInterval(tick, everyMs);
		this.#timer.unref();
	}

	async stop(): Promise<void> {
		clearInterval(this.#timer);
		await this.#redis?.close();
	}

	#add<T>(samples: T[], sample: T): void {
		if (samples.length < maxSamples) {
			samples.push(sample);
		}
	}

	#redisCheck(sample: RedisSample): Check {
		const channel = this.#redis?.channels[0];
		if (!sample.reachable || channel === undefined) {
			return undefined;
		}

		const clients = this.#clientsOpen();
		const server = sample.subscribers[channel] ?? 0;
		if (this.#perStream) {
			return server === clients ? undefined : {what: `Redis subscribers of ${channel} vs clients open (one subscriber per stream)`, clients, server};
		}

		return clients > 0 && server === 0 ? {what: `nobody subscribes to ${channel} on Redis while clients are open`, clients, server} : undefined;
	}

	#statsCheck(sample: StatsSample): Check {
		const server = sample.values['connections'];
		if (!sample.reachable || server === null || server === undefined) {
			return undefined;
		}

		const clients = this.#clientsOpen();
		return server === clients ? undefined : {what: server > clients ? 'connections the server counts that no client holds (half-open?)' : 'clients open that the server does not count', clients, server};
	}

	#judge(source: string, check: Check, t: number): void {
		if (check === undefined) {
			this.#streak.set(source, 0);
			return;
		}

		const streak = (this.#streak.get(source) ?? 0) + 1;
		this.#streak.set(source, streak);
		if (streak < persistence) {
			return;
		}

		const known = this.#seen.get(check.what);
		const diff = Math.abs(check.server - check.clients);
		if (known) {
			Object.assign(known, {clients: check.clients, server: check.server, lastAt: t, samples: known.samples + 1, worst: Math.max(known.worst, diff)});
		} else {
			this.#seen.set(check.what, {what: check.what, clients: check.clients, server: check.server, firstAt: t, lastAt: t, samples: 1, worst: diff});
		}
	}

	now(elapsedMs: number): ServerViewNow {
		const recent = [...this.#seen.values()].filter(item => elapsedMs - item.lastAt <= 2500);
		return {
			redis: this.#redis ? {url: this.#redis.label, channels: [...this.#redis.channels], last: this.#redisSamples.at(-1) ?? null} : null,
			stats: this.#stats ? {url: this.#stats.label, fields: this.#stats.fields.map(field => field.name), last: this.#statsSamples.at(-1) ?? null} : null,
			disagreements: recent.map(item => `${item.what}: server ${item.server}, clients ${item.clients}`),
		};
	}

	summary(): ServerSummary {
		return {
			redis: this.#redis ? {url: this.#redis.label, channels: [...this.#redis.channels], last: this.#redisSamples.at(-1) ?? null, samples: [...this.#redisSamples]} : null,
			stats: this.#stats ? {url: this.#stats.label, fields: this.#stats.fields.map(field => field.name), last: this.#statsSamples.at(-1) ?? null, samples: [...this.#statsSamples]} : null,
			disagreements: [...this.#seen.values()],
		};
	}
}
