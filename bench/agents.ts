/**
 * Claims (issue 13): a run over load agents. 3 agents x 12,000 SSE clients = 36,000 against the
 * reference server on 3 processes sharing a port, each agent on its own source address
 * (127.0.0.2-4), a private redis-server, the controller as the CLI (--agents 3 --json). Measured:
 * the controller's CPU idle and while the server delivers to every client each second; the lag
 * of its merged view (how old the oldest message no one has read yet is, sampled every 100 ms
 * from the stream's consumer group, against one tick = 250 ms); Redis bytes in per second per
 * agent; RSS per connection on the agents; the final summary against the server's deliveries.
 * Run: npx tsc -p tsconfig.json && node dist/bench/agents.js [--per-agent 12000] [--period 1000]
 */
import {spawn, type ChildProcess} from 'node:child_process';
import net from 'node:net';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {Redis} from 'ioredis';
import {Child, runBenchmark} from './lib/children.js';
import {cpuSeconds, rssBytes} from './lib/proc.js';

const {values: options} = parseArgs({options: {
	'per-agent': {type: 'string', default: '12000'},
	period: {type: 'string', default: '1000'},
}});
const cli = fileURLToPath(new URL('../source/cli.js', import.meta.url));
const agentsCount = 3;
const perAgent = Number(options['per-agent']);
const clients = agentsCount * perAgent;
const tickMs = 250;

const sleep = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
	});
}

function start(args: string[], name: string): {child: ChildProcess; output: Promise<string>} {
	const child = spawn(process.execPath, [cli, ...args], {env: {...process.env, NODE_ENV: 'production'}, stdio: ['ignore', 'pipe', 'pipe']});
	let out = '';
	let err = '';
	child.stdout!.setEncoding('utf8').on('data', (text: string) => {
		out += text;
	});
	child.stderr!.setEncoding('utf8').on('data', (text: string) => {
		err += text;
	});
	const output = new Promise<string>(resolve => {
		child.on('exit', code => {
			if (code !== 0 && code !== 130) {
				console.error(`${name} exited ${code}: ${err.slice(-2000)}`);
			}

			resolve(out);
		});
	});
	return {child, output};
}

/** Age of the oldest message in the metrics stream that the controller's group has not read (0 when none). */
async function unreadAgeMs(redis: Redis, key: string): Promise<number> {
	const [[, newest] = []] = await redis.xrevrange(key, '+', '-', 'COUNT', 1) as Array<[string, string[]]>;
	if (newest === undefined) {
		return 0;
	}

	const groups = await redis.xinfo('GROUPS', key) as unknown[][];
	const fields = groups[0] ?? [];
	const delivered = String(fields[fields.indexOf('last-delivered-id') + 1] ?? '0-0');
	const [oldestUnread] = await redis.xrange(key, `(${delivered}`, '+', 'COUNT', 1);
	return oldestUnread ? Math.max(0, Date.now() - Number(oldestUnread[0].split('-')[0])) : 0;
}

async function netInput(redis: Redis): Promise<number> {
	const info = await redis.info('stats');
	return Number(/total_net_input_bytes:(\d+)/.exec(info)?.[1] ?? 0);
}

runBenchmark(async () => {
	const redisPort = await freePort();
	const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: 'ignore'});
	await sleep(500);
	const redisUrl = `redis://127.0.0.1:${redisPort}`;
	const redis = new Redis(redisUrl);
	const port = await freePort();
	const server = new Child('cluster-server', new URL('lib/cluster-server.js', import.meta.url), {args: ['3', String(port)]});
	await server.next('ready');
	try {
		const agents = Array.from({length: agentsCount}, (_, index) => start(['agent', '--redis', redisUrl, '--name', `a${index + 1}`, '--run', 'bench', '--local-address', `127.0.0.${index + 2}`, '--json'], `agent a${index + 1}`));
		const controller = start(['--url', `http://127.0.0.1:${port}/dashboard/stream`, '--clients', String(clients), '--agents', String(agentsCount), '--redis', redisUrl, '--run', 'bench', '--ramp', '20s', '--timeout', '120s', '--no-tui', '--json', '--log-level', 'warn'], 'controller');
		const started = performance.now();
		for (;;) {
			const stats = await server.request<{cmd: string; current: number}>({cmd: 'stats'}, 'stats');
			if (stats.current >= clients) {
				break;
			}

			if (performance.now() - started > 300_000) {
				throw new Error(`only ${stats.current} of ${clients} connected after 300 s`);
			}

			await sleep(500);
		}

		console.log(`${agentsCount} agents x ${perAgent} = ${clients} SSE clients connected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
		await sleep(3000);
		const key = 'sse-tui:bench:metrics';
		const measure = async (label: string, ms: number) => {
			const cpuBefore = cpuSeconds(controller.child.pid!);
			const bytesBefore = await netInput(redis);
			const lags: number[] = [];
			const end = performance.now() + ms;
			while (performance.now() < end) {
				lags.push(await unreadAgeMs(redis, key).catch(() => 0));
				await sleep(100);
			}

			const cpu = (cpuSeconds(controller.child.pid!) - cpuBefore) / (ms / 1000) * 100;
			const bytes = (await netInput(redis) - bytesBefore) / (ms / 1000) / agentsCount;
			lags.sort((a, b) => a - b);
			const p = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!;
			console.log(`  ${label}: controller CPU ${cpu.toFixed(1)} % of a core; merged-view lag p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms (one tick = ${tickMs} ms; ${lags.length} samples); Redis in ${(bytes / 1024).toFixed(1)} KiB/s per agent`);
		};

		await measure('idle (heartbeats only)', 8000);
		const periodMs = Number(options.period);
		await server.request({cmd: 'rate', periodMs}, 'rate');
		await measure(`busy (a broadcast to all every ${periodMs} ms: ${Math.round(clients * 1000 / periodMs)} events/s)`, 10_000);
		await server.request({cmd: 'rate', periodMs: 0}, 'rate');
		const rss = agents.map(agent => rssBytes(agent.child.pid!));
		console.log(`  agents RSS ${rss.map(bytes => `${(bytes / 1024 / 1024).toFixed(0)} MB`).join(', ')}: ${(rss.reduce((sum, bytes) => sum + bytes, 0) / clients / 1024).toFixed(1)} KiB per connection; controller RSS ${(rssBytes(controller.child.pid!) / 1024 / 1024).toFixed(0)} MB`);
		await sleep(2000);
		const final = await server.request<{cmd: string; messages: number}>({cmd: 'stats'}, 'stats');
		controller.child.kill('SIGINT');
		const summary = JSON.parse(await controller.output) as {messages: {total: number}; clients: {connected: number}; agents: {list: Array<{name: string; lagMs: number}>}};
		await Promise.all(agents.map(async agent => agent.output));
		console.log(`  summary: ${summary.clients.connected} connected, ${summary.messages.total} messages vs the server's ${final.messages} deliveries (${summary.messages.total === final.messages ? 'equal' : 'DIFFERENT'}); last-message lag ${summary.agents.list.map(row => `${row.name} ${row.lagMs} ms`).join(', ')}`);
	} finally {
		redis.disconnect();
		redisServer.kill('SIGKILL');
		await server.stop();
	}
});
