import type {Writable} from 'node:stream';
import type {Config} from '../config.js';
import {RunError} from '../errors.js';
import type {MetricsStore} from '../metrics/store.js';
import {redactHeaders} from '../redact.js';
import type {Presenter} from './presenter.js';
import {writeReport} from './report/write-report.js';
import type {Summary} from './summary.js';

/**
 * The end of every run (one process, workers, agents, compared targets): the presenter's last
 * word, `--json` on stdout, the `--report` file from the store that holds every client, then
 * the run's own failure, if any (an unwritable event log, a broadcast that could not publish).
 */
export async function deliverSummary(summary: Summary, {config, presenter, stdout, textOut, version, store, eventLogFailure, failure}: {
	config: Config;
	presenter: Presenter;
	stdout: Writable;
	/** where text goes: stdout, or stderr when stdout carries JSON or the event log */
	textOut: Writable;
	version: string;
	store: MetricsStore;
	eventLogFailure: string | undefined;
	failure: unknown;
}): Promise<Summary> {
	await presenter.finish(summary);
	if (config.json) {
		stdout.write(JSON.stringify(summary) + '\n');
	}

	if (config.report !== undefined) {
		await writeReport(config.report, {summary, rows: store.clientRows(), latencyBuckets: store.latencyHistogram.buckets(), headers: redactHeaders(config.headers), version, generatedAt: new Date()});
		textOut.write(`report written to ${config.report}\n`);
	}

	if (eventLogFailure !== undefined) {
		throw new RunError(`${eventLogFailure}; the run was stopped (summary above); pass --events a writable file path`);
	}

	if (failure !== undefined) {
		throw failure;
	}

	return summary;
}
