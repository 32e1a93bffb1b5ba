import process from 'node:process';
import type {Writable} from 'node:stream';
import {broadcastMessage, openPublisher, type PublishedVia} from '../source/publish/index.js';
import {redactRedisUrl} from '../source/redis-url.js';
import {parseSubcommand} from './subcommand.js';
import {publishFlagSpec, publishHelp, resolvePublishOptions, type PublishFlags, type PublishOptions} from './publish-options.js';
import {perLineLimit, summary} from './publish-output.js';

export type PublishIo = {env?: NodeJS.ProcessEnv; stdout?: Writable; stderr?: Writable; stop?: AbortSignal};

/**
 * `sse-tui publish`: returns the exit code; usage mistakes throw UsageError (exit 2), an
 * unreachable Redis or endpoint throws RunError (exit 1), for the caller to print.
 */
export async function runPublishCommand(argv: string[], io: PublishIo = {}): Promise<number> {
	const stdout = io.stdout ?? process.stdout;
	const cli = await parseSubcommand(argv, {name: 'sse-tui publish', help: publishHelp, flags: publishFlagSpec, importMeta: import.meta});
	const cliFlags = cli.flags as PublishFlags;
	if (cliFlags.help) {
		stdout.write(publishHelp.trimStart());
		return 0;
	}

	const options = resolvePublishOptions(cliFlags, cli.input, io.env ?? process.env);
	const controller = new AbortController();
	const stop = io.stop ?? controller.signal;
	const onSignal = (): void => {
		controller.abort();
	};

	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		await publish(options, stdout, stop);
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}

	return stop.aborted ? 130 : 0;
}

/** One line per message up to perLineLimit (over HTTP only when paced: unpaced is one request), then the summary. */
async function publish(options: PublishOptions, stdout: Writable, stop: AbortSignal): Promise<void> {
	const {target, count, rate, padBytes, run} = options;
	const publisher = await openPublisher(target, {timeoutMs: options.timeoutMs});
	const given = options.message;
	const perLine = count <= perLineLimit && (target.kind === 'redis' || rate > 0);
	const line = target.kind === 'redis'
		? (seq: number, receivers: number) => `#${seq} -> ${receivers} ${receivers === 1 ? 'subscriber' : 'subscribers'}\n`
		: (seq: number, _receivers: number, via: PublishedVia) => `#${seq} -> ${via}\n`;
	const started = performance.now();
	try {
		const result = await publisher.publishSequence({
			count,
			rate,
			stop,
			run,
			padBytes,
			message: given === undefined ? seq => broadcastMessage(seq, run, padBytes) : () => given,
			onPublished(seq, _sentAtMs, receivers, via) {
				if (perLine) {
					stdout.write(line(seq, receivers, via));
				}
			},
		});
		const elapsed = performance.now() - started;
		if (target.kind === 'redis') {
			stdout.write(summary(result, `${target.channel} (${redactRedisUrl(target.url)})`, elapsed) + '\n');
		} else {
			stdout.write(summary(result, target.url, elapsed, 'receivers (instances via Redis, else clients)') + '\n');
			for (const note of result.notes) {
				stdout.write(`note: ${note}\n`);
			}
		}
	} finally {
		await publisher.close();
	}
}
