/**
 * Start-up time: `sse-tui --help` and `--version` against `node -e 0` on the same machine, run
 * side by side (one of each per round, the order turned every round, so a busy moment hits all
 * three alike). Prints each command's median and quartiles and the ratio of medians; the target
 * is `--help` within 1.5× of `node -e 0`. Also `--print-config` (a resolved run, nothing started).
 * Run: `npx tsc -p tsconfig.json && node dist/bench/startup.js [--runs 30] [--also OTHER/dist/source/cli.js]`.
 */
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import process from 'node:process';
import {integerOption, median, option} from './lib/report.js';

const cli = fileURLToPath(new URL('../source/cli.js', import.meta.url));
const runs = integerOption('--runs', 30);

const commands: Array<{name: string; args: string[]}> = [
	{name: 'node -e 0', args: ['-e', '0']},
	{name: 'sse-tui --help', args: [cli, '--help']},
	{name: 'sse-tui --version', args: [cli, '--version']},
	{name: 'sse-tui --print-config', args: [cli, '--print-config', '--no-config']},
];
// --also PATH/TO/cli.js: another build's --help in the same rounds (say, before a change).
const also = option('--also', '');
if (also !== '') {
	commands.push({name: `${also.split('/').slice(-4).join('/')} --help`, args: [also, '--help']});
}


const env = {...process.env, SSE_URL: '', SSE_CLIENTS: '', LOG_LEVEL: ''};

function time(args: string[]): number {
	const started = process.hrtime.bigint();
	const result = spawnSync(process.execPath, args, {env, stdio: ['ignore', 'ignore', 'pipe']});
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	if (result.status !== 0) {
		console.error(`node ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`);
		process.exit(1);
	}

	return ms;
}

// One warm-up of each: the first start reads the files from disk.
for (const command of commands) {
	time(command.args);
}

const samples = commands.map(() => [] as number[]);
for (let round = 0; round < runs; round++) {
	const order = commands.map((_, index) => index);
	if (round % 2 === 1) {
		order.reverse();
	}

	for (const index of order) {
		samples[index]!.push(time(commands[index]!.args));
	}
}

const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;
const baseline = median(samples[0]!);
console.log(`start-up, ${runs} interleaved runs each (ms: median, quartiles; ratio of medians to node -e 0)`);
for (const [index, command] of commands.entries()) {
	const values = samples[index]!;
	const ratio = median(values) / baseline;
	console.log(`  ${command.name.padEnd(24)} ${median(values).toFixed(0).padStart(5)}  (${quantile(values, 0.25).toFixed(0)}–${quantile(values, 0.75).toFixed(0)})  ${index === 0 ? '' : `${ratio.toFixed(2)}×`}`);
}

const helpRatio = median(samples[1]!) / baseline;
console.log(`--help: ${helpRatio.toFixed(2)}× node -e 0 (target ≤ 1.5×: ${helpRatio <= 1.5 ? 'met' : 'not met'})`);
