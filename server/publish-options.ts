import {UsageError} from '../source/errors.js';
import {isRunId} from '../source/payloads.js';
import {parseDuration, parseInteger} from '../source/units.js';
import {parsePad, parseRate, parseTriggerUrl} from '../source/publish/flags.js';
import {parseRedisUrl} from '../source/redis-url.js';
import {meowFlags} from '../source/flags/meow-spec.js';
import {renderHelp} from '../source/flags/help.js';
import {publishCommand, type PublishFlags} from '../source/flags/publish.js';

export const publishHelp = renderHelp(publishCommand);

export const publishFlagSpec = meowFlags(publishCommand);

export type {PublishFlags} from '../source/flags/publish.js';

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
