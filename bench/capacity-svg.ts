// The capacity chart (pure): one self-contained SVG, no dependency. Two panels over the same load steps (x):
//   1. ring→pop p99 on CRM cache hits (log scale), baseline / bridge / cluster, the p99 limit and each knee;
//   2. CPU per 1,000 messages of the serving process(es): bridge (one node) beside the baseline, and the cluster
//      (both nodes summed) beside the one node.
// Filled points were counted; hollow points had a saturated generator (not counted). Every series is a
// <g class="series" data-panel="…" data-series="…"> with one <circle> per measured step.
import type { LoadStep, RunName } from './args.js';
import { type CapacityResult, type CapacityStep, isMeasured, isToyRun, label } from './capacity-results.js';

const W = 900;
const PANEL_H = 230;
const M = { left: 78, right: 120, top: 134, gap: 70, bottom: 56 };
const H = M.top + PANEL_H * 2 + M.gap + M.bottom;
const PLOT_W = W - M.left - M.right;

export const SERIES: readonly { name: RunName; label: string; color: string }[] = [
  { name: 'baseline', label: 'baseline (bare Socket.IO)', color: '#6b7280' },
  { name: 'bridge', label: 'bridge (1 node)', color: '#2563eb' },
  { name: 'cluster', label: 'cluster (2 nodes + Redis)', color: '#ea580c' },
];

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const f = (v: number) => (Math.round(v * 10) / 10).toString();

interface Panel {
  id: 'p99' | 'cpu';
  title: string;
  top: number;
  value: (s: CapacityStep) => number | null;
  y: (v: number) => number;
  ticks: { v: number; text: string }[];
}

function logPanel(top: number, max: number): Pick<Panel, 'y' | 'ticks'> {
  const hi = 10 ** Math.max(2, Math.ceil(Math.log10(Math.max(max, 1))));
  const lo = 1;
  const y = (v: number) =>
    top +
    PANEL_H -
    ((Math.log10(Math.min(hi, Math.max(lo, v))) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * PANEL_H;
  const ticks: Panel['ticks'] = [];
  for (let v = lo; v <= hi; v *= 10) ticks.push({ v, text: v >= 1000 ? `${v / 1000} s` : `${v} ms` });
  return { y, ticks };
}

function linearPanel(top: number, max: number): Pick<Panel, 'y' | 'ticks'> {
  const raw = max > 0 ? max * 1.1 : 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => raw / s <= 5) ?? 10 * mag;
  const hi = Math.ceil(raw / step) * step;
  const y = (v: number) => top + PANEL_H - (Math.min(hi, Math.max(0, v)) / hi) * PANEL_H;
  const ticks: Panel['ticks'] = [];
  for (let v = 0; v <= hi + step / 1000; v += step) ticks.push({ v, text: `${Math.round(v * 1000) / 1000}` });
  return { y, ticks };
}

export function renderCapacitySvg(res: Pick<CapacityResult, 'params' | 'runs' | 'machine'>): string {
  const steps: LoadStep[] = res.params.steps;
  const n = Math.max(1, steps.length);
  const x = (i: number) => M.left + ((i + 0.5) * PLOT_W) / n;
  const indexOf = (s: LoadStep) => steps.findIndex((t) => t.clients === s.clients && t.rate === s.rate);
  const measured = (name: RunName): { i: number; s: CapacityStep }[] =>
    (res.runs[name]?.steps ?? [])
      .filter(isMeasured)
      .map((s) => ({ i: indexOf(s), s }))
      .filter((p) => p.i >= 0);
  const all = SERIES.flatMap((se) => measured(se.name).map((p) => p.s));
  const p99Of = (s: CapacityStep) => s.p99Ms;
  const cpuOf = (s: CapacityStep) => (s.cpu.perThousandMessages === null ? null : s.cpu.perThousandMessages * 1000);
  const maxOf = (g: (s: CapacityStep) => number | null) =>
    Math.max(0, ...all.map(g).filter((v): v is number => v !== null));
  const p1Top = M.top;
  const p2Top = M.top + PANEL_H + M.gap;
  const panels: Panel[] = [
    {
      id: 'p99',
      title: 'ring→pop p99, CRM cache hits (log scale)',
      top: p1Top,
      value: p99Of,
      ...logPanel(p1Top, Math.max(maxOf(p99Of), res.params.kneeP99Ms * 2)),
    },
    {
      id: 'cpu',
      title: 'CPU ms per 1,000 messages delivered: the serving process (cluster: both nodes, Redis apart)',
      top: p2Top,
      value: cpuOf,
      ...linearPanel(p2Top, maxOf(cpuOf)),
    },
  ];
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
  );
  out.push(
    `<title>${escapeXml(`antring-bridge capacity: ring→pop p99 and CPU per message against load (${res.machine.cpus} cores shared by every process)`)}</title>`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  const toy = isToyRun(res) ? ' (mechanics check only, not a measurement)' : '';
  out.push(
    `<text x="${M.left}" y="24" font-size="15" font-weight="600">${escapeXml(`Capacity: load steps (clients × call events/s)${toy}`)}</text>`,
  );
  out.push(
    `<text x="${M.left}" y="42" fill="#4b5563">${escapeXml(`${res.machine.cpus} × ${res.machine.cpuModel}: the target, the simulator and the load processes share these cores.`)}</text>`,
  );
  out.push(
    `<text x="${M.left}" y="58" fill="#4b5563">${escapeXml('Filled point: counted. Hollow point: the generator was saturated, not counted.')}</text>`,
  );
  // Legend: one row under the subtitle.
  SERIES.forEach((se, k) => {
    const lx = M.left + k * 250;
    const ly = 84;
    const run = res.runs[se.name];
    const knee = run?.knee.step
      ? `knee ${label(run.knee.step)}${run.knee.past ? '' : ' or more'}`
      : run
        ? 'no knee'
        : 'not run';
    out.push(
      `<g class="legend" data-series="${se.name}"><line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${se.color}" stroke-width="2"/>` +
        `<text x="${lx + 24}" y="${ly}" dominant-baseline="middle">${escapeXml(se.label)}</text>` +
        `<text x="${lx + 24}" y="${ly + 14}" dominant-baseline="middle" fill="#4b5563" font-size="11">${escapeXml(knee)}</text></g>`,
    );
  });
  for (const p of panels) {
    out.push(`<g class="panel" data-panel="${p.id}">`);
    out.push(`<text x="${M.left}" y="${f(p.top - 10)}" font-weight="600">${escapeXml(p.title)}</text>`);
    out.push(`<rect x="${M.left}" y="${p.top}" width="${PLOT_W}" height="${PANEL_H}" fill="none" stroke="#d1d5db"/>`);
    for (const t of p.ticks) {
      const ty = f(p.y(t.v));
      out.push(`<line x1="${M.left}" y1="${ty}" x2="${M.left + PLOT_W}" y2="${ty}" stroke="#f3f4f6"/>`);
      out.push(
        `<text x="${M.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="#4b5563">${escapeXml(t.text)}</text>`,
      );
    }
    steps.forEach((s, i) => {
      out.push(
        `<text x="${f(x(i))}" y="${p.top + PANEL_H + 16}" text-anchor="middle" fill="#4b5563">${escapeXml(label(s))}</text>`,
      );
    });
    if (p.id === 'p99') {
      const ly = f(p.y(res.params.kneeP99Ms));
      out.push(
        `<line class="limit" x1="${M.left}" y1="${ly}" x2="${M.left + PLOT_W}" y2="${ly}" stroke="#dc2626" stroke-dasharray="6 4"/>`,
      );
      out.push(
        `<text x="${M.left + PLOT_W + 6}" y="${ly}" dominant-baseline="middle" fill="#dc2626">${escapeXml(`p99 limit ${res.params.kneeP99Ms} ms`)}</text>`,
      );
    }
    for (const se of SERIES) {
      const pts = measured(se.name)
        .map(({ i, s }) => ({ i, s, v: p.value(s) }))
        .filter((q): q is { i: number; s: CapacityStep; v: number } => q.v !== null);
      if (!pts.length) continue;
      out.push(`<g class="series" data-panel="${p.id}" data-series="${se.name}">`);
      if (pts.length > 1)
        out.push(
          `<polyline fill="none" stroke="${se.color}" stroke-width="2" points="${pts.map((q) => `${f(x(q.i))},${f(p.y(q.v))}`).join(' ')}"/>`,
        );
      for (const q of pts) {
        const state = !q.s.counted
          ? 'not counted (generator saturated)'
          : q.s.met
            ? 'met'
            : `missed: ${q.s.missed.join('; ')}`;
        const value = p.id === 'p99' ? `${q.v} ms` : `${Math.round(q.v * 100) / 100} CPU ms / 1,000 messages`;
        out.push(
          `<circle cx="${f(x(q.i))}" cy="${f(p.y(q.v))}" r="4.5" fill="${q.s.counted ? se.color : '#ffffff'}" stroke="${se.color}" stroke-width="2" data-counted="${q.s.counted}">` +
            `<title>${escapeXml(`${se.label}, ${label(q.s)}: ${value}, ${state}`)}</title></circle>`,
        );
      }
      out.push('</g>');
      const knee = res.runs[se.name]?.knee;
      if (p.id === 'p99' && knee?.step) {
        // Offset per series, so that knees at the same step stay visible side by side.
        const kx = f(x(indexOf(knee.step)) + (SERIES.indexOf(se) - 1) * 3);
        out.push(
          `<line class="knee" data-series="${se.name}" x1="${kx}" y1="${p.top}" x2="${kx}" y2="${p.top + PANEL_H}" stroke="${se.color}" stroke-dasharray="2 3"/>`,
        );
      }
    }
    out.push('</g>');
  }
  out.push(
    `<text x="${M.left}" y="${H - 20}" fill="#4b5563">${escapeXml("Dotted vertical line: a run's knee, the last step with p99 within the limit and no pop lost.")}</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
