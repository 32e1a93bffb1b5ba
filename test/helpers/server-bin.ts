/**
 * Runs `sse-tui serve` the way source/cli.ts does, for tests that spawn the command:
 * node dist/test/helpers/server-bin.js [serve flags]
 */
import process from 'node:process';
import {isExpectedError} from '../../source/errors.js';
import {runServeCommand} from '../../server/cli.js';

try {
	process.exitCode = await runServeCommand(process.argv.slice(2));
} catch (error) {
	if (isExpectedError(error)) {
		process.stderr.write(`${error.message}\n`);
		process.exitCode = error.exitCode;
	} else {
		throw error;
	}
}
