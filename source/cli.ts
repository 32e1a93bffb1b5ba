#!/usr/bin/env node
import process from 'node:process';
import {checkArguments, closest, parseCommand} from './arguments.js';
import {exitQuietlyWhenOutputCloses} from './closed-output.js';
import type {RunFlags} from './config.js';
import {isExpectedError, UsageError} from './errors.js';
import {renderHelp} from './flags/help.js';
import {meowFlags} from './flags/meow-spec.js';
import {runCommand} from './flags/run.js';
import {packageInfo} from './package-info.js';

const runFlags = meowFlags(runCommand);

/** `--help` / `-h` / `--version` before any `--`: answered here, before meow or a resolver loads. */
function asks(argv: readonly string[], ...flags: string[]): boolean {
	const end = argv.indexOf('--');
	return (end === -1 ? argv : argv.slice(0, end)).some(argument => flags.includes(argument));
}

async function main(argv: string[]): Promise<number> {
	if (argv[0] === 'serve') {
		const {runServeCommand} = await import('../server/cli.js');
		return runServeCommand(argv.slice(1));
	}

	if (argv[0] === 'agent') {
		const {runAgentCommand} = await import('./agents/agent-command.js');
		return runAgentCommand(argv.slice(1));
	}

	if (argv[0] === 'publish') {
		const {runPublishCommand} = await import('../server/publish.js');
		return runPublishCommand(argv.slice(1));
	}

	const demo = argv[0] === 'demo';
	if (demo) {
		argv = argv.slice(1);
	}

	const name = demo ? 'sse-tui demo' : 'sse-tui';
	checkArguments(argv, Object.keys(runFlags), name);
	if (asks(argv, '--help', '-h')) {
		process.stdout.write(`\n  ${packageInfo().description}\n\n${renderHelp(runCommand)}\n`);
		return 0;
	}

	if (asks(argv, '--version')) {
		process.stdout.write(`${packageInfo().version}\n`);
		return 0;
	}

	const cli = await parseCommand(attachDashValues(argv), {name, help: '', flags: runFlags, importMeta: import.meta});
	if (cli.input.length > 0) {
		const suggestion = closest(cli.input[0]!, ['serve', 'publish', 'demo', 'agent']);
		throw new UsageError(`unknown command "${cli.input[0]}"${suggestion ? ` (did you mean "sse-tui ${suggestion}"?)` : ''}: the commands are "sse-tui [options]", "sse-tui demo", "sse-tui serve", "sse-tui publish" and "sse-tui agent"`);
	}

	// The config file (--config FILE, or ./sse-tui.config.json) under the command line.
	const settings = (await import('./config-file.js')).applyConfigFile(cli.flags as RunFlags, {cwd: process.cwd(), demo});
	let flags = settings.flags;
	// meow hands over [] for a repeatable flag not given; --trigger was a single one before --target.
	if (Array.isArray(flags.trigger) && flags.trigger.length === 0) {
		const {trigger: _none, ...given} = flags;
		flags = given;
	}

	if (settings.auto && !flags.printConfig) {
		process.stderr.write(`sse-tui: settings from ./sse-tui.config.json (--no-config ignores it)\n`);
	}

	if (demo && flags.printConfig) {
		throw new UsageError('--print-config shows the settings of a run against your server; demo picks its own: drop --print-config');
	}

	let server: {close(): Promise<void>} | undefined;
	if (demo) {
		const started = await (await import('./demo.js')).startDemo(flags, {isTTY: Boolean(process.stdout.isTTY)});
		flags = started.flags;
		server = started.server;
	} else if (argv.length === 0 && settings.file === undefined && process.stdout.isTTY && process.stdin.isTTY) {
		// No flags at all in a terminal: the wizard asks what the old test.sh asked.
		// ./ui/index.js sets NODE_ENV=production before react loads; keep this import dynamic.
		const ui = await import('./ui/index.js');
		const answers = await ui.runWizard({stdin: process.stdin, stdout: process.stdout});
		if (answers === undefined) {
			return 0;
		}

		flags = {...flags, ...answers.flags};
		if (answers.demo) {
			// The wizard's "demo" choice: exactly `sse-tui demo` with the protocol and log level it asked.
			const started = await (await import('./demo.js')).startDemo(flags, {isTTY: true});
			flags = started.flags;
			server = started.server;
		} else if (answers.startServer) {
			server = await ui.startBundledServer(answers.startServer.port);
		}
	}

	const {resolveConfig} = await import('./config.js');
	const config = resolveConfig(flags, process.env, {isTTY: Boolean(process.stdout.isTTY)});
	if (flags.printConfig) {
		process.stdout.write((await import('./print-config.js')).printConfig({...settings, flags}, config, process.env));
		return 0;
	}

	const version = packageInfo().version;
	const presenter = config.tui
		? (await import('./ui/index.js')).createTuiPresenter({stdout: process.stdout, stdin: process.stdin, version})
		: undefined;

	const controller = new AbortController();
	let signals = 0;
	const onSignal = (signal: NodeJS.Signals) => {
		signals++;
		if (signals === 1) {
			process.stderr.write(`\n${signal}: stopping, printing the summary (press Ctrl-C again to force exit)\n`);
			controller.abort();
		} else {
			process.exit(130);
		}
	};

	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	try {
		const [{run}, {exitCodeFor, verdictLine}] = await Promise.all([import('./run.js'), import('./verdict/exit-code.js')]);
		const summary = await run(config, {stdout: process.stdout, stderr: process.stderr, version, stop: controller.signal, presenter});
		const verdict = verdictLine(summary);
		if (verdict !== undefined) {
			process.stderr.write(`sse-tui: ${verdict}\n`);
		}

		return exitCodeFor(summary);
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		await server?.close();
	}
}

/** meow reads a lone `-` as a positional argument; `--events -` means stdout. */
function attachDashValues(argv: string[]): string[] {
	const out: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (argument === '--events' && argv[index + 1] === '-') {
			out.push('--events=-');
			index++;
		} else {
			out.push(argument);
		}
	}

	return out;
}

exitQuietlyWhenOutputCloses();
try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (isExpectedError(error)) {
		process.stderr.write(`sse-tui: ${error.message}\n`);
		if (error instanceof UsageError && !error.message.includes('--help')) {
			const command = ['serve', 'publish', 'agent'].includes(process.argv[2] ?? '') ? `sse-tui ${process.argv[2]}` : 'sse-tui';
			process.stderr.write(`Run "${command} --help" for usage.\n`);
		}

		process.exitCode = error.exitCode;
	} else {
		process.stderr.write(`sse-tui: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
		process.exitCode = 1;
	}
}

// Whatever still holds the event loop (a socket slow to close) must not keep a finished run alive.
setTimeout(() => process.exit(), 3000).unref();
