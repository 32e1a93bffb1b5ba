import {spawn, type ChildProcess} from 'node:child_process';
import net from 'node:net';
import {Redis} from 'ioredis';

/**
 * A private redis-server on a free port, owned by one test: no persistence, killed (and
 * restartable on the same port) by the test, never the system one on 6379.
 */
export type TestRedis = {
	readonly port: number;
	readonly url: string;
	/** SIGKILL: the abrupt loss a server must survive. Resolves once the process is gone. */
	kill(): Promise<void>;
	/** Starts again on the same port (empty: nothing is saved). */
	restart(): Promise<void>;
	/** A plain client for the test's own commands (PUBLISH, CLIENT LIST...); closed by stop(). */
	client(): Redis;
	stop(): Promise<void>;
};

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

async function canConnect(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect({port, host: '127.0.0.1'});
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

async function launch(port: number): Promise<ChildProcess> {
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], {
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	let stderr = '';
	child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	const deadline = Date.now() + 5000;
	while (!(await canConnect(port))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`redis-server on port ${port} did not start: ${stderr || `exit ${String(child.exitCode)}`}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 20);
		});
	}

	return child;
}

async function killProcess(child: ChildProcess | undefined): Promise<void> {
	if (!child || child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const gone = new Promise(resolve => {
		child.once('exit', resolve);
	});
	child.kill('SIGKILL');
	await gone;
}

export async function startTestRedis(): Promise<TestRedis> {
	const port = await freePort();
	let child: ChildProcess | undefined = await launch(port);
	const clients: Redis[] = [];
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		async kill() {
			await killProcess(child);
			child = undefined;
		},
		async restart() {
			await killProcess(child);
			child = await launch(port);
		},
		client() {
			const client = new Redis({port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: times => Math.min(times * 50, 500)});
			client.on('error', () => {});
			clients.push(client);
			return client;
		},
		async stop() {
			for (const client of clients) {
				client.disconnect();
			}

			await killProcess(child);
			child = undefined;
		},
	};
}
