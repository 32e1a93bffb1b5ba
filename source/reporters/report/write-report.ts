import {stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {RunError, UsageError} from '../../errors.js';
import {renderReport, type ReportInput} from './html.js';

/**
 * Before the run: a report path that is a directory, or in a folder that does not exist, is a
 * usage error now rather than a lost report at the end of a long run.
 */
export async function checkReportPath(file: string): Promise<void> {
	const target = await stat(file).catch(() => undefined);
	if (target?.isDirectory()) {
		throw new UsageError(`--report ${file} is a directory: name a file in it, e.g. --report ${path.join(file, 'report.html')}`);
	}

	const folder = path.dirname(path.resolve(file));
	const parent = await stat(folder).catch(() => undefined);
	if (!parent?.isDirectory()) {
		throw new UsageError(`--report ${file}: the folder ${folder} does not exist; create it first or pick another path`);
	}
}

/** Renders the report and writes it; a failure is a RunError naming the file. */
export async function writeReport(file: string, input: ReportInput): Promise<void> {
	try {
		await writeFile(file, renderReport(input));
	} catch (error) {
		throw new RunError(`cannot write the report to ${file}: ${(error as Error).message}`);
	}
}
