import {metricSpecs} from '../../compare/comparison.js';
import {cell, finalMetrics} from '../../compare/text.js';
import type {Summary} from '../summary.js';
import {escapeHtml, redactUrl} from './escape.js';

/**
 * --target: the targets side by side, one column each, the better value marked (as the text
 * summary and the dashboard have it); each target's own summary is in script#summary, `targets`.
 */
export function comparisonSection(summary: Summary): string {
	const comparison = summary.comparison;
	if (!comparison) {
		return '';
	}

	const names = comparison.targets;
	const head = `<tr><th>metric</th>${names.map(name => `<th class="n">${escapeHtml(name)}</th>`).join('')}</tr>`;
	const body = finalMetrics.map(name => {
		const metric = comparison.metrics[name];
		return `<tr data-metric="${name}"><th scope="row">${escapeHtml(metricSpecs[name].label)}</th>${names.map(target => `<td class="n"${metric.best === target ? ' data-best="true"' : ''}>${metric.best === target ? '<strong>' : ''}${escapeHtml(cell(metric, target, comparison.baseline))}${metric.best === target ? '</strong>' : ''}</td>`).join('')}</tr>`;
	}).join('');
	const urls = names.map(name => `<li><strong>${escapeHtml(name)}</strong> ${escapeHtml(redactUrl(summary.targets?.[name]?.target.url ?? ''))}</li>`).join('');
	return `<section class="card" id="comparison"><h2>Targets compared</h2><ul>${urls}</ul>
<table class="grid-table"><thead>${head}</thead><tbody>${body}</tbody></table>
<p class="table-note">* and bold: the better value; (Nx): times ${escapeHtml(comparison.baseline)}'s value. Every number of a target is its own run's: the totals above are the whole run. Client ids interleave the targets (${names.map((name, index) => `${escapeHtml(name)} ${index + 1}, ${index + 1 + names.length}, …`).join('; ')}).</p></section>`;
}
