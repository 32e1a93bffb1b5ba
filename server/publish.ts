import process from 'node:process';
import type {Writable} from 'node:stream';
import {parseSubcommand} from './subcommand.js';
import {publishViaHttp} from './publish-http.js';
import {publishFlagSpec, publishHelp, resolvePublishOptions, type PublishFlags, type PublishOptions} from './publish-options.js';
import {publishViaRedis} from './publish-redis.js';

export type PublishIo = {env?: NodeJS.ProcessEnv; stdout?: Writable; stderr?: Writable; stop?: AbortSignal};

/**
 * `sse-tui publish`: returns the exit code; usage mistakes throw UsageError (exit 2), an
 * unreachable Redis or endpoint throws RunError (exit 1), for the caller to print.
 */
export async function runPublishCommand(argv: string[], io: PublishIo = {}): Promise<number> {
	const stdout = io.stdout ?? process.stdout;
	const cli = parseSubcommand(argv, {name: 'sse-tui publish', help: publishHelp, flags: publishFlagSpec, importMeta: import.meta});
	const cliFlags = cli.flags as PublishFlags;
	if (cliFlags.help) {
		stdout.write(cli.help.trimStart() + '\n');
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
		if (options.target.kind === 'http') {
			await publishViaHttp(options as PublishOptions & {target: {kind: 'http'}}, stdout, stop);
		} else {
			await publishViaRedis(options as PublishOptions & {target: {kind: 'redis'}}, stdout, stop);
		}
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}

	return stop.aborted ? 130 : 0;
}
