import type {HistogramBucket} from '../../metrics/histogram.js';
import type {ClientRow} from '../../metrics/snapshot.js';
import type {Summary} from '../summary.js';

/** Everything the report is made from: the final summary (the `--json` output) and what it leaves out. */
export type ReportInput = {
	summary: Summary;
	/** every client's final row (store.clientRows()) */
	rows: readonly ClientRow[];
	/** the latency histogram's recorded sub-buckets (DurationHistogram.buckets()) */
	latencyBuckets: readonly HistogramBucket[];
	/** request headers as the banner prints them: credential values already redacted */
	headers: Readonly<Record<string, string>>;
	version: string;
	generatedAt: Date;
	/** the per-client table keeps the worst this many; defaultRowCap when omitted */
	rowCap?: number;
};
