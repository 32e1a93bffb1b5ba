/**
 * Makes the README's pictures from real runs against `sse-tui serve` (nothing is drawn by hand):
 *
 * - docs/dashboard.svg: `sse-tui --port P --clients 40` in tmux at 120x36 with colours on; after
 *   a while the pane's cells (`tmux capture-pane -e -p`) become an SVG (./lib/ansi-svg.ts).
 * - docs/report.png: the same kind of run with `--no-tui --report`, the HTML report opened in
 *   headless Chromium and screenshot.
 *
 * The server sends an update every 250 ms and a heartbeat every second; a burst of test updates
 * (its trigger endpoint, as a user sends them) every 2 s makes the rate move.
 *
 * Usage: npm run build && node dist/scripts/capture-pictures.js [dashboard] [report]
 * Needs tmux (dashboard) and chromium (report).
 */
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ansiToSvg} from './lib/ansi-svg.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(root, 'dist/source/cli.js');
const docs = path.join(root, 'docs');
const size = {columns: 120, rows: 36};
const serveFlags = ['--interval', '250ms', '--heartbeat', '1s', '--log-level', 'error'];

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The server's default port 3001 when it is free (the picture then shows what a reader would type), else any. */
async function freePort(): Promise<number> {
	for (const wanted of [3001, 0]) {
		const server = createServer();
		// eslint-disable-next-line no-await-in-loop
		const bound = await new Promise<boolean>(resolve => {
			server.once('error', () => {
				resolve(false);
			});
			server.listen(wanted, '127.0.0.1', () => {
				resolve(true);
			});
		});
		if (bound) {
			const {port} = server.address() as AddressInfo;
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => server.close(resolve));
			return port;
		}
	}

	throw new Error('no free port');
}

/** `sse-tui serve` as its own process, with a burst of test updates every 2 s; resolves once /health answers. */
async function startServe(): Promise<{port: number; stop(): void}> {
	const port = await freePort();
	const child: ChildProcess = spawn(process.execPath, [cli, 'serve', '--port', String(port), ...serveFlags], {stdio: 'ignore'});
	const base = `http://127.0.0.1:${port}`;
	for (let attempt = 0; ; attempt++) {
		try {
			// eslint-disable-next-line no-await-in-loop
			if ((await fetch(`${base}/health`)).ok) {
				break;
			}
		} catch {
			if (attempt > 100) {
				child.kill();
				throw new Error(`sse-tui serve did not answer on ${base}/health`);
			}
		}

		// eslint-disable-next-line no-await-in-loop
		await sleep(100);
	}

	let burst = 0;
	const timer = setInterval(() => {
		burst++;
		fetch(`${base}/dashboard/trigger-test?count=${[20, 60, 10, 40][burst % 4]}`, {method: 'POST'}).then(async response => response.arrayBuffer(), () => undefined).catch(() => undefined);
	}, 2000);
	return {
		port,
		stop() {
			clearInterval(timer);
			child.kill();
		},
	};
}

async function captureDashboard(port: number): Promise<void> {
	const args = ['--port', String(port), '--clients', '40', '--duration', '2m'];
	const session = `sse-tui-capture-${process.pid}`;
	const command = `cd ${JSON.stringify(root)} && env -u NO_COLOR -u CI TERM=xterm-256color node dist/source/cli.js ${args.join(' ')}; sleep 30`;
	execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', String(size.columns), '-y', String(size.rows), command]);
	try {
		// Long enough for the rate chart (one bar a second) to fill with a few bursts.
		await sleep(30_000);
		const capture = execFileSync('tmux', ['capture-pane', '-e', '-p', '-t', session], {encoding: 'utf8'});
		const title = `sse-tui --port ${port} --clients 40   (against: sse-tui serve ${serveFlags.slice(0, 4).join(' ')})`;
		writeFileSync(path.join(docs, 'dashboard.svg'), ansiToSvg(capture, size.columns, size.rows, {title}));
		execFileSync('tmux', ['send-keys', '-t', session, 'q']);
		await sleep(1500);
	} finally {
		spawnSync('tmux', ['kill-session', '-t', session]);
	}
}

async function captureReport(port: number): Promise<void> {
	const work = mkdtempSync(path.join(tmpdir(), 'sse-tui-capture-'));
	try {
		const report = path.join(work, 'report.html');
		// Not spawnSync: the bursts are sent from this process's event loop while the run goes on.
		const run = spawn(process.execPath, [cli, '--port', String(port), '--clients', '40', '--duration', '20s', '--no-tui', '--threshold', 'delivery>=99%', '--threshold', 'p99<250ms', '--report', report], {cwd: root, stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		run.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
		});
		const code = await new Promise<number | null>(resolve => run.on('close', resolve));
		if (code !== 0) {
			throw new Error(`the run for the report failed (exit ${code}): ${stderr}`);
		}

		const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(name => spawnSync('which', [name]).status === 0);
		if (!chromium) {
			throw new Error('chromium is not installed (apt-get install chromium)');
		}

		const shot = spawnSync(chromium, [
			'--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', `--user-data-dir=${path.join(work, 'profile')}`,
			'--window-size=1200,1500', `--screenshot=${path.join(docs, 'report.png')}`, `file://${report}`,
		], {encoding: 'utf8', timeout: 60_000});
		if (shot.status !== 0) {
			throw new Error(`chromium failed (exit ${shot.status}): ${shot.stderr}`);
		}
	} finally {
		rmSync(work, {recursive: true, force: true});
	}
}

const wanted = process.argv.slice(2);
const want = (name: string) => wanted.length === 0 || wanted.includes(name);
mkdirSync(docs, {recursive: true});
const serve = await startServe();
try {
	if (want('dashboard')) {
		await captureDashboard(serve.port);
		console.log('wrote docs/dashboard.svg');
	}

	if (want('report')) {
		await captureReport(serve.port);
		console.log('wrote docs/report.png');
	}
} finally {
	serve.stop();
}
