import type {Writable} from 'node:stream';
import {RunError} from '../source/errors.js';
import type {PublishOptions} from './publish-options.js';
import {perLineLimit, summary, tally, type Tally} from './publish-output.js';
import {sleepUntil} from './publish-pacing.js';

type TriggerAnswer = {via?: string; deliveries?: number; fallback?: string; redis?: {published: number; receivers: {total: number; min: number; max: number}}};

async function postTrigger(url: URL, timeoutMs: number): Promise<TriggerAnswer> {
	let response: Response;
	try {
		response = await fetch(url, {method: 'POST', signal: AbortSignal.timeout(timeoutMs)});
	} catch (error) {
		const cause = (error as {cause?: {code?: string; message?: string}}).cause;
		throw new RunError(`cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}; is "sse-tui serve" running there?`);
	}

	const text = await response.text();
	if (!response.ok) {
		throw new RunError(`POST ${url.toString()} answered ${response.status}: ${text.slice(0, 200).trim()}`);
	}

	try {
		return JSON.parse(text) as TriggerAnswer;
	} catch {
		throw new RunError(`POST ${url.toString()} answered ${response.status} but not with JSON; is that a trigger endpoint?`);
	}
}

/** Without --rate, one request for all N (the server batches); with it, one request per update. */
export async function publishViaHttp(options: PublishOptions & {target: {kind: 'http'}}, stdout: Writable, stop: AbortSignal): Promise<Tally> {
	const result = tally();
	const started = performance.now();
	const requests = options.rate > 0 ? options.count : 1;
	const perRequest = options.rate > 0 ? 1 : options.count;
	const notes = new Set<string>();
	for (let index = 0; index < requests && !stop.aborted; index++) {
		if (options.rate > 0) {
			await sleepUntil(started + (index / options.rate) * 1000, stop);
			if (stop.aborted) {
				break;
			}
		}

		const url = new URL(options.target.url);
		url.searchParams.set('count', String(perRequest));
		url.searchParams.set('pad', String(options.padBytes));
		const answer = await postTrigger(url, options.timeoutMs);
		if (answer.fallback) {
			notes.add(answer.fallback);
		}

		// A server with Redis says what PUBLISH reported; one without counts its own deliveries.
		const receivers = answer.redis?.receivers;
		const published = answer.redis?.published ?? 0;
		if (receivers && published > 0) {
			result.sent += published;
			result.total += receivers.total;
			result.min = Math.min(result.min, receivers.min);
			result.max = Math.max(result.max, receivers.max);
		}

		const local = perRequest - published;
		if (local > 0) {
			const each = Math.round((answer.deliveries ?? 0) / local);
			result.sent += local;
			result.total += answer.deliveries ?? 0;
			result.min = Math.min(result.min, each);
			result.max = Math.max(result.max, each);
		}

		if (options.count <= perLineLimit && options.rate > 0) {
			stdout.write(`#${index + 1} -> ${answer.via ?? 'local'}\n`);
		}
	}

	const via = options.target.url;
	stdout.write(summary(result, via, performance.now() - started, 'receivers (instances via Redis, else clients)') + '\n');
	for (const note of notes) {
		stdout.write(`note: ${note}\n`);
	}

	return result;
}
