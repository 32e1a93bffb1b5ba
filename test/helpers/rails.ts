import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {waitFor} from './http-server.js';

// Runs from dist/test/helpers/; the rack app is not compiled, so point at the source tree.
const configRu = fileURLToPath(new URL('../../../test/helpers/rails/config.ru', import.meta.url));

/** Why Rails tests cannot run here, or undefined when ruby, ActionCable, puma (and, for `redis`, the redis gem) are installed. */
export function missingRails({redis = false}: {redis?: boolean} = {}): string | undefined {
	const gems = `require "action_cable"; require "puma"; require "websocket/driver"${redis ? '; require "redis"' : ''}`;
	const ruby = spawnSync('ruby', ['-e', gems], {encoding: 'utf8', timeout: 20_000});
	if (ruby.error || ruby.status !== 0) {
		return `needs ruby with ActionCable and puma${redis ? ' and the redis gem' : ''} (apt-get install ruby-actioncable puma ruby-websocket-driver${redis ? ' ruby-redis' : ''}): ${ruby.error?.message ?? ruby.stderr.trim().split('\n')[0]}`;
	}

	const puma = spawnSync('puma', ['--version'], {encoding: 'utf8', timeout: 20_000});
	return puma.error || puma.status !== 0 ? 'needs the puma command (apt-get install puma)' : undefined;
}

export type Puma = {process: ChildProcess; port: number; output: () => string};

/**
 * ActionCable (test/helpers/rails/config.ru) under puma on a free port. With `redis`, its cable
 * adapter is Redis at that URL, channels prefixed with `channelPrefix` when given, as a Rails
 * app's cable.yml would set them.
 */
export async function startPuma({redis, channelPrefix}: {redis?: string; channelPrefix?: string} = {}): Promise<Puma> {
	const env = {...process.env, ...(redis ? {CABLE_REDIS_URL: redis} : {}), ...(channelPrefix ? {CABLE_CHANNEL_PREFIX: channelPrefix} : {})};
	const child = spawn('puma', ['-e', 'production', '-b', 'tcp://127.0.0.1:0', configRu], {stdio: ['ignore', 'pipe', 'pipe'], env});
	let output = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		output += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		output += chunk;
	});
	try {
		await waitFor(() => /Listening on http:\/\/127\.0\.0\.1:\d+/.test(output) || child.exitCode !== null, 20_000, 'puma to listen');
	} catch (error) {
		child.kill('SIGKILL');
		throw error;
	}

	const port = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
	if (port === undefined) {
		throw new Error(`puma did not start:\n${output}`);
	}

	return {process: child, port: Number(port), output: () => output};
}

export async function stopProcess(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const exited = new Promise(resolve => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
	await exited;
	clearTimeout(timer);
}

