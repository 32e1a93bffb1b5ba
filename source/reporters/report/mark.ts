import {escapeHtml} from './escape.js';

/**
 * A number as the page shows it, tagged with where it comes from in the summary
 * (`data-metric="latencyMs.p99"`) and its exact value, so a reader's script or a test can
 * check every shown number against the `--json` output.
 */
export function metric(path: string, value: number | null | undefined, text: string): string {
	return `<span class="num" data-metric="${escapeHtml(path)}" data-value="${value === null || value === undefined ? 'null' : value}">${escapeHtml(text)}</span>`;
}
