import {RunError} from '../errors.js';
import {sleepUntil} from './pacing.js';
import {guardedPublisher, type Sequence} from './sequence.js';
import {addSpread, settle, tally} from './tally.js';
import type {PublishResult, PublishSequenceOptions, PublishedVia, Publisher} from './types.js';

/** What `sse-tui serve`'s /dashboard/trigger-test answers (the fields a publisher reads). */
type TriggerAnswer = {via?: PublishedVia; deliveries?: number; fallback?: string; redis?: {published: number; receivers: {total: number; min: number; max: number}}};

/** 429 from a rate-limited trigger: wait as told (Retry-After, at most this long) and send again. */
const maxRetryWaitMs = 5000;
const maxRetries = 20;

async function postTrigger(url: URL, timeoutMs: number, token: string | undefined): Promise<TriggerAnswer> {
	let response: Response;
	try {
		for (let attempt = 0; ; attempt++) {
			response = await fetch(url, {method: 'POST', signal: AbortSignal.timeout(timeoutMs), headers: token === undefined ? {} : {Authorization: `Bearer ${token}`}});
			if (response.status !== 429 || attempt >= maxRetries) {
				break;
			}

			await response.arrayBuffer();
			const seconds = Number(response.headers.get('retry-after'));
			await new Promise(resolve => {
				setTimeout(resolve, Number.isFinite(seconds) && seconds > 0 ? Math.min(maxRetryWaitMs, seconds * 1000) : 1000);
			});
		}
	} catch (error) {
		const cause = (error as {cause?: {code?: string; message?: string}}).cause;
		throw new RunError(`cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}; is "sse-tui serve" running there?`);
	}

	const text = await response.text();
	if (response.status === 401) {
		throw new RunError(`POST ${url.toString()} answered 401: the server needs its token; pass --token (sse-tui serve --token)`);
	}

	if (!response.ok) {
		throw new RunError(`POST ${url.toString()} answered ${response.status}: ${text.slice(0, 200).trim()}`);
	}

	try {
		return JSON.parse(text) as TriggerAnswer;
	} catch {
		throw new RunError(`POST ${url.toString()} answered ${response.status} but not with JSON; is that a trigger endpoint?`);
	}
}

/**
 * POSTs to a trigger endpoint, which builds and broadcasts the updates itself. Paced: one request
 * per update; unpaced: one request for the whole count (the server batches). Nothing is checked
 * until the first request.
 */
export function openHttpPublisher(target: {kind: 'http'; url: string; token?: string | undefined}, timeoutMs: number): Publisher {
	let base: URL;
	try {
		base = new URL(target.url);
	} catch {
		throw new RunError(`the trigger URL must be like http://127.0.0.1:3001/dashboard/trigger-test (got "${target.url}")`);
	}

	async function send({count, first, rate, run, padBytes}: Sequence, options: PublishSequenceOptions): Promise<PublishResult> {
		const {stop, onPublished} = options;
		const result = tally();
		const notes = new Set<string>();
		const started = performance.now();
		const requests = rate > 0 ? count : Math.min(count, 1);
		const perRequest = rate > 0 ? 1 : count;
		for (let index = 0; index < requests && !stop?.aborted; index++) {
			if (rate > 0) {
				await sleepUntil(started + (index / rate) * 1000, stop);
				if (stop?.aborted) {
					break;
				}
			}

			const seq = first + (index * perRequest);
			const url = new URL(base);
			url.searchParams.set('count', String(perRequest));
			url.searchParams.set('pad', String(padBytes));
			if (run !== undefined) {
				url.searchParams.set('run', run);
				url.searchParams.set('seq', String(seq));
			}

			const sentAt = Date.now();
			const answer = await postTrigger(url, timeoutMs, target.token);
			if (answer.fallback) {
				notes.add(answer.fallback);
			}

			// A server with Redis says what PUBLISH reported; one without counts its own deliveries.
			let reached = 0;
			const receivers = answer.redis?.receivers;
			const published = answer.redis?.published ?? 0;
			if (receivers && published > 0) {
				addSpread(result, published, receivers.total, receivers.min, receivers.max);
				reached += receivers.total;
			}

			const local = perRequest - published;
			if (local > 0) {
				const deliveries = answer.deliveries ?? 0;
				const each = Math.round(deliveries / local);
				addSpread(result, local, deliveries, each, each);
				reached += deliveries;
			}

			const mean = Math.round(reached / perRequest);
			for (let offset = 0; offset < perRequest; offset++) {
				onPublished?.(seq + offset, sentAt, mean, answer.via ?? 'local');
			}
		}

		return {...settle(result), notes: [...notes]};
	}

	return guardedPublisher(target, send);
}
