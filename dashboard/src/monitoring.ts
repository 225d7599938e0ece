/**
 * The Monitoring view: the template's own CloudWatch dashboard, as the local server draws it
 * from the synthesized DashboardBody with the local run's metrics (`monitoring.json`): each
 * widget where the body places it on CloudWatch's 24-column grid, graphs with uPlot (a
 * threshold line per annotated alarm), alarm status tiles, and text. The header shows the
 * alarms at a glance. Where the server has no such route (the page on AWS), the view stays
 * hidden.
 */

import uPlot from 'uplot';
import type {
  AlarmState,
  DashboardAlarm as Alarm,
  DashboardSeries as Series,
  DashboardWidget as Widget,
  MonitoringSnapshot as Snapshot,
} from '#core/monitoring-snapshot';

/** One grid row of CloudWatch's dashboard, in pixels. */
const ROW_PX = 34;
const REFRESH_MS = 10_000;
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** `OK` → `OK`, `INSUFFICIENT_DATA` → `Insufficient data`. */
const stateText = (state: AlarmState) =>
  state === 'INSUFFICIENT_DATA' ? 'Insufficient data' : state === 'ALARM' ? 'In alarm' : 'OK';

/** A short name for an alarm: `WildRydes-MonitoringTelemetryErrors1A2B3C4D` → `TelemetryErrors`. */
export function alarmLabel(name: string): string {
  return name.replace(/^.*?-(Monitoring)?/, '').replace(/[0-9A-F]{8}$/, '') || name;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The markdown CloudWatch text widgets use most: headings, lists, paragraphs, bold, code, links. */
export function markdownHtml(markdown: string): string {
  const inline = (text: string) =>
    escapeHtml(text)
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>');
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
    if (list.length > 0) out.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (const line of markdown.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      out.push(`<h${heading[1].length}>${inline(heading[2])}</h${heading[1].length}>`);
    } else if (item) {
      if (paragraph.length > 0) flush();
      list.push(item[1]);
    } else if (line.trim() === '') {
      flush();
    } else {
      if (list.length > 0) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return out.join('');
}

/** The series on one time axis (seconds), a gap where a series has no datapoint. */
export function alignSeries(series: readonly Series[]): (number | null)[][] {
  const times = [...new Set(series.flatMap((s) => s.timestamps))].sort((a, b) => a - b);
  const columns = series.map((s) => {
    const byTime = new Map(s.timestamps.map((t, i) => [t, s.values[i]]));
    return times.map((t) => byTime.get(t) ?? null);
  });
  return [times.map((t) => t / 1000), ...columns];
}

function alarmTile(doc: Document, alarm: Alarm): HTMLElement {
  const tile = doc.createElement('div');
  tile.className = 'alarm-tile';
  tile.dataset.state = alarm.state;
  tile.dataset.name = alarm.name;
  tile.title = `${alarm.description ? `${alarm.description}\n` : ''}${alarm.reason}`;
  const name = doc.createElement('span');
  name.className = 'alarm-name';
  name.textContent = alarmLabel(alarm.name);
  const state = doc.createElement('span');
  state.className = 'alarm-state';
  state.textContent = stateText(alarm.state);
  tile.append(name, state);
  return tile;
}

export class MonitoringView {
  private readonly charts: uPlot[] = [];
  private snapshot?: Snapshot;

  constructor(
    private readonly doc: Document,
    private readonly root: HTMLElement,
    private readonly summary: HTMLElement,
  ) {}

  get shown(): Snapshot | undefined {
    return this.snapshot;
  }

  /** The alarms at a glance, in the header: how many are in ALARM, and which. */
  private renderSummary(alarms: readonly Alarm[]) {
    const alarming = alarms.filter((a) => a.state === 'ALARM');
    this.summary.hidden = false;
    this.summary.dataset.state =
      alarming.length > 0 ? 'ALARM' : alarms.some((a) => a.state === 'OK') ? 'OK' : 'INSUFFICIENT_DATA';
    this.summary.dataset.alarming = String(alarming.length);
    this.summary.textContent =
      alarming.length > 0
        ? `${alarming.length} in alarm: ${alarming.map((a) => alarmLabel(a.name)).join(', ')}`
        : `Alarms OK (${alarms.length})`;
    this.summary.title = alarming.map((a) => `${a.name}: ${a.reason}`).join('\n');
  }

  render(snapshot: Snapshot) {
    this.snapshot = snapshot;
    this.renderSummary(snapshot.alarms);
    if (this.root.hidden) return;
    for (const chart of this.charts.splice(0)) chart.destroy();
    const { doc } = this;
    this.root.replaceChildren();
    for (const dashboard of snapshot.dashboards) {
      const heading = doc.createElement('h2');
      heading.textContent = `${dashboard.name} · last ${Math.round((snapshot.end - snapshot.start) / 60_000)} min`;
      const grid = doc.createElement('div');
      grid.className = 'widgets';
      this.root.append(heading, grid);
      const columnPx = grid.clientWidth / 24;
      for (const widget of dashboard.widgets) grid.append(this.widget(widget, snapshot, columnPx));
    }
  }

  private widget(widget: Widget, snapshot: Snapshot, columnPx: number): HTMLElement {
    const { doc } = this;
    const box = doc.createElement('section');
    box.className = 'widget';
    box.dataset.type = widget.type;
    box.style.gridColumn = `${widget.x + 1} / span ${widget.width}`;
    box.style.gridRow = `${widget.y + 1} / span ${widget.height}`;
    if (widget.title) {
      const title = doc.createElement('h3');
      title.textContent = widget.title;
      box.dataset.title = widget.title;
      box.append(title);
    }
    const body = doc.createElement('div');
    body.className = 'widget-body';
    box.append(body);
    switch (widget.type) {
      case 'text':
        body.innerHTML = markdownHtml(widget.markdown);
        break;
      case 'alarms':
        body.classList.add('alarm-tiles');
        body.append(...widget.alarms.map((a) => alarmTile(doc, a)));
        break;
      case 'graph':
        this.graph(box, body, widget, snapshot, columnPx);
        break;
      default:
        body.textContent = widget.error;
    }
    return box;
  }

  private graph(
    box: HTMLElement,
    body: HTMLElement,
    widget: Extract<Widget, { type: 'graph' }>,
    snapshot: Snapshot,
    columnPx: number,
  ) {
    const { doc } = this;
    const { series } = widget;
    const points = series.reduce((n, s) => n + s.values.length, 0);
    box.dataset.points = String(points);
    for (const alarm of widget.alarms) box.dataset.alarm = alarm.state;
    if (widget.error) {
      body.textContent = widget.error;
      return;
    }
    if (widget.view === 'singleValue') {
      body.classList.add('single-values');
      for (const s of series) {
        const cell = doc.createElement('div');
        const value = s.values.at(-1);
        cell.innerHTML = `<span class="value">${value === undefined ? '–' : escapeHtml(value.toLocaleString('en-US', { maximumFractionDigits: 2 }))}</span><span class="label">${escapeHtml(s.label)}</span>`;
        body.append(cell);
      }
      return;
    }
    if (points === 0) {
      const empty = doc.createElement('p');
      empty.className = 'no-data';
      empty.textContent = 'No data for this time range';
      body.append(empty);
    }
    const { thresholds } = widget;
    const aligned = alignSeries(series);
    const xs = aligned[0] as number[];
    // Thresholds as flat lines across the range shown.
    const range = [snapshot.start / 1000, snapshot.end / 1000];
    const frame = xs.length > 0 ? xs : range;
    const data = [
      frame,
      ...(xs.length > 0 ? aligned.slice(1) : series.map(() => frame.map(() => null))),
      ...thresholds.map((t) => frame.map(() => t.value)),
    ] as uPlot.AlignedData;
    const width = Math.max(200, Math.floor(widget.width * (columnPx || 40)) - 24);
    // The chart takes about two thirds of the widget; the legend, below it, scrolls.
    const height = Math.max(80, Math.round(widget.height * ROW_PX * 0.62));
    const chart = new uPlot(
      {
        width,
        height,
        scales: { x: { time: true, range: () => [range[0], range[1]] } },
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 1.5,
            points: { show: true, size: 4 },
            spanGaps: false,
          })),
          ...thresholds.map((t) => ({
            label: t.label,
            stroke: '#c53030',
            dash: [6, 4],
            width: 1,
            points: { show: false },
          })),
        ],
        legend: { show: true, live: false },
        axes: [{}, { size: 60 }],
      },
      data,
      body,
    );
    this.charts.push(chart);
  }
}

/**
 * Starts the Monitoring view if the server offers it: a link in the header, the alarm summary
 * kept fresh, and the view shown at `#monitoring`.
 */
export async function startMonitoring(
  doc: Document,
  fetchJson = (url: string) => fetch(url, { cache: 'no-store' }),
) {
  const root = doc.getElementById('monitoring');
  const map = doc.querySelector('main');
  const link = doc.getElementById('monitoring-link') as HTMLAnchorElement | null;
  const summary = doc.getElementById('alarm-summary');
  if (!root || !map || !link || !summary) return undefined;
  const load = async (): Promise<Snapshot | undefined> => {
    try {
      const response = await fetchJson('monitoring.json?minutes=60');
      return response.ok ? ((await response.json()) as Snapshot) : undefined;
    } catch {
      return undefined;
    }
  };
  const first = await load();
  if (!first) return undefined;
  const view = new MonitoringView(doc, root, summary);
  link.hidden = false;
  const follow = () => {
    const monitoring = location.hash === '#monitoring';
    root.hidden = !monitoring;
    map.hidden = monitoring;
    link.textContent = monitoring ? 'Map' : 'Monitoring';
    link.href = monitoring ? '#' : '#monitoring';
    if (view.shown) view.render(view.shown);
    // The map redraws for the size it has again.
    if (!monitoring) window.dispatchEvent(new Event('resize'));
  };
  window.addEventListener('hashchange', follow);
  view.render(first);
  follow();
  setInterval(() => {
    void load().then((snapshot) => snapshot && view.render(snapshot));
  }, REFRESH_MS);
  return view;
}
