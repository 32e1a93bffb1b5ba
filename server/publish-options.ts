import {UsageError} from '../source/errors.js';
import {isRunId} from '../source/payloads.js';
import {parseDuration, parseInteger} from '../source/units.js';
import {parsePad, parseRate, parseTriggerUrl} from '../source/publish/flags.js';
import {parseRedisUrl} from '../source/redis-url.js';

export const publishHelp = `
	Usage
	  $ sse-tui publish [options] [JSON]

	Publishes test updates (Rails' TestPubsubJob shape, with "seq" and "sent_at"), or the
	JSON you give, on a Redis channel, and prints how many subscribers Redis reported for
	each publish: with "sse-tui serve --redis", one per server instance. With --http it sends
	them through a server's trigger endpoint instead.

	Options
	  --redis URL        Redis to publish on (env REDIS_URL)             default redis://127.0.0.1:6379
	  --channel NAME     channel (Rails cable adapter: PREFIX:NAME)      default dashboard_updates
	  --count N          how many messages                                default 1
	  --rate R[/s]       messages per second (0 = as fast as possible)    default 0
	  --pad BYTES        add a "pad" of this many x's to each test update default 0
	  --run ID           add "run": ID to each test update (1-64 of A-Z a-z 0-9 _ -),
	                     so a load run can count its own; with --http, sent to the trigger
	  --http URL         POST to a trigger endpoint instead of Redis,
	                     e.g. http://127.0.0.1:3001/dashboard/trigger-test
	  --token T          with --http: "Authorization: Bearer T" for a server started with
	                     --token (env SSE_TUI_TOKEN); a 429 is retried after its Retry-After
	  --timeout D        connect (and HTTP response) timeout             default 5s
	  --help             show this help

	  JSON               publish this exact message instead of test updates (--count times);
	                     it must be valid JSON: quote it for the shell

	  Each line says how many subscribers received a publish; over 10 messages only the
	  summary is printed (total, min and max per publish). Exit codes: 0 published,
	  1 Redis or the endpoint could not be reached (or failed), 2 usage error.

	Examples
	  $ sse-tui publish
	  $ sse-tui publish --count 1000 --rate 200 --pad 1KiB
	  $ sse-tui publish --count 100 --run load-42
	  $ sse-tui publish '{"type":"announcement","message":"hello"}'
	  $ sse-tui publish --redis redis://:secret@cache:6379/0 --channel dashboard_production:dashboard_updates
	  $ sse-tui publish --http http://127.0.0.1:3001/dashboard/trigger-test --count 100
`;

export const publishFlagSpec = {
	redis: {type: 'string'},
	channel: {type: 'string'},
	count: {type: 'string'},
	rate: {type: 'string'},
	pad: {type: 'string'},
	run: {type: 'string'},
	http: {type: 'string'},
	token: {type: 'string'},
	timeout: {type: 'string'},
	help: {type: 'boolean', shortFlag: 'h'},
} as const;

export type PublishFlags = {[Key in keyof typeof publishFlagSpec]?: (typeof publishFlagSpec)[Key]['type'] extends 'boolean' ? boolean : string};

export type PublishOptions = {
	readonly target: {readonly kind: 'redis'; readonly url: string; readonly channel: string} | {readonly kind: 'http'; readonly url: string; readonly token?: string};
	readonly count: number;
	/** Messages per second; 0 = no pacing. */
	readonly rate: number;
	readonly padBytes: number;
	/** Tags test updates with `"run"` (and the trigger's updates, through `run=`); absent when not given. */
	readonly run?: string;
	/** The exact message (JSON text), or undefined for test updates. */
	readonly message: string | undefined;
	readonly timeoutMs: number;
};

export const maxPublishCount = 10_000_000;

/** Pure: parsed flags + the JSON argument + environment -> validated, frozen options. */
export function resolvePublishOptions(cliFlags: PublishFlags, input: readonly string[], env: NodeJS.ProcessEnv): PublishOptions {
	if (input.length > 1) {
		throw new UsageError(`"sse-tui publish" takes at most one JSON argument (got ${input.length}); quote the JSON for the shell`);
	}

	const message = input[0];
	if (message !== undefined) {
		try {
			JSON.parse(message);
		} catch {
			throw new UsageError(`the message must be valid JSON, e.g. '{"type":"hello"}' (got ${JSON.stringify(message.slice(0, 60))})`);
		}
	}

	const count = parseInteger(cliFlags.count ?? '1', '--count', 1, maxPublishCount);
	const rate = parseRate(cliFlags.rate ?? '0', '--rate');
	const padBytes = parsePad(cliFlags.pad, '--pad', cliFlags.http === undefined ? 'redis' : 'http');
	if (padBytes > 0 && message !== undefined) {
		throw new UsageError('--pad applies to test updates, not to a JSON message you give');
	}

	const run = cliFlags.run?.trim();
	if (run !== undefined && !isRunId(run)) {
		throw new UsageError(`--run must be 1-64 characters of A-Z, a-z, 0-9, _ and -, like load-42 (got "${cliFlags.run}")`);
	}

	if (run !== undefined && message !== undefined) {
		throw new UsageError('--run tags test updates, not a JSON message you give (put the run in your JSON)');
	}

	// Only present when given, so options without it read as before.
	const tag = run === undefined ? {} : {run};

	const timeoutMs = parseDuration(cliFlags.timeout ?? '5s', '--timeout');
	if (cliFlags.http !== undefined) {
		if (cliFlags.redis !== undefined || cliFlags.channel !== undefined) {
			throw new UsageError('--http publishes through the server; drop --redis and --channel (or drop --http)');
		}

		if (message !== undefined) {
			throw new UsageError('--http sends the trigger endpoint\'s own test updates; a JSON message needs Redis (drop --http)');
		}

		const url = parseTriggerUrl(cliFlags.http, '--http');
		const token = cliFlags.token ?? (env['SSE_TUI_TOKEN'] || undefined);
		if (token !== undefined && (token.trim() === '' || /[\s\0]/.test(token))) {
			throw new UsageError(`${cliFlags.token === undefined ? 'SSE_TUI_TOKEN' : '--token'} must be a non-empty token without spaces (the one given to sse-tui serve --token)`);
		}

		return Object.freeze({target: Object.freeze({kind: 'http' as const, url, ...(token === undefined ? {} : {token})}), count, rate, padBytes, ...tag, message, timeoutMs});
	}

	if (cliFlags.token !== undefined) {
		throw new UsageError('--token goes with --http (a trigger of sse-tui serve --token); Redis takes its password in the URL: redis://:password@host:6379');
	}

	const redisText = cliFlags.redis ?? (env['REDIS_URL'] || 'redis://127.0.0.1:6379');
	const url = parseRedisUrl(redisText, cliFlags.redis === undefined && env['REDIS_URL'] ? 'REDIS_URL' : '--redis');
	const channel = (cliFlags.channel ?? 'dashboard_updates').trim();
	if (channel === '' || /\s/.test(channel)) {
		throw new UsageError(`--channel must be a channel name without spaces, like dashboard_updates (got "${cliFlags.channel}")`);
	}

	return Object.freeze({target: Object.freeze({kind: 'redis' as const, url, channel}), count, rate, padBytes, ...tag, message, timeoutMs});
}
