/**
 * The page's DOM: a Leaflet map with one marker and one trail per active unicorn, the list of
 * active unicorns, the details of the selected one and the connection indicator. It draws what
 * the fleet reports as changed, so a frame costs in proportion to the records since the last one.
 */

import * as L from 'leaflet';
import { DEFAULT_FLIGHT } from '#core/movement';
import { addBaseLayers } from './basemap';
import { TrailLayer } from './trail-layer';
import type { ActiveUnicorn, Fleet, FleetChanges } from './fleet';
import {
  colourFor,
  compareNames,
  describeState,
  formatAge,
  formatDistance,
  formatPosition,
  formatSpeed,
  formatSpeedShort,
} from './format';
import type { ConnectionState } from './stream-reader';

export interface ViewOptions {
  readonly tileUrl: string;
  readonly tileAttribution: string;
  /** Draw the simplified offline map under the tiles. */
  readonly offlineMap: boolean;
  readonly streamName: string;
  readonly expirySeconds: number;
}

const MARKER_SIZE = 14;
/** Trails lie over the map and under the markers (Leaflet's marker pane has z-index 600). */
const TRAILS_PANE = 'trails';

function element<T extends HTMLElement>(parent: ParentNode, selector: string): T {
  const found = parent.querySelector<T>(selector);
  if (!found) throw new Error(`The page has no ${selector}`);
  return found;
}

export class DashboardView {
  private readonly map: L.Map;
  private readonly markers = new Map<string, L.Marker>();
  private readonly trails: TrailLayer;
  private readonly items = new Map<string, HTMLLIElement>();
  /** Names in list order. */
  private readonly order: string[] = [];
  private selected: string | undefined;
  private fitted = false;
  private readonly list: HTMLUListElement;
  private readonly details: HTMLElement;
  private readonly fields: Record<string, HTMLElement>;

  constructor(
    private readonly doc: Document,
    options: ViewOptions,
    private readonly fleet: Fleet,
    /** Now on the stream's clock, for "last record … ago". */
    private readonly streamNow: () => number,
  ) {
    const { centre } = DEFAULT_FLIGHT;
    this.map = L.map(element(doc, '#map'), { zoomControl: true }).setView([centre.lat, centre.lon], 13);
    addBaseLayers(this.map, options);
    this.map.createPane(TRAILS_PANE).style.zIndex = '450';
    this.trails = new TrailLayer((name) => fleet.trail(name), { pane: TRAILS_PANE }).addTo(this.map);

    element(doc, '#stream').textContent = options.streamName;
    element(doc, '#expiry').textContent = String(options.expirySeconds);
    this.list = element(doc, '#unicorns');
    this.details = element(doc, '#details');
    this.fields = Object.fromEntries(
      [...this.details.querySelectorAll<HTMLElement>('[data-field]')].map((el) => [el.dataset.field!, el]),
    );
    this.list.addEventListener('click', (event) => {
      const item = (event.target as HTMLElement).closest<HTMLLIElement>('li[data-name]');
      if (item) this.select(item.dataset.name!, { pan: true });
    });
    element(doc, '#details .close').addEventListener('click', () => this.select(undefined));
    element(doc, '#fit').addEventListener('click', () => this.fitFleet());
  }

  setConnection(state: ConnectionState): void {
    const indicator = element(this.doc, '#connection');
    const { label, detail } = describeState(state);
    indicator.dataset.state = state.kind;
    element(indicator, '.label').textContent = label;
    element(indicator, '.detail').textContent = detail;
  }

  setStats(text: string): void {
    element(this.doc, '#stats').textContent = text;
  }

  /** Draws what changed; call once per animation frame at most. */
  render(changes: FleetChanges): void {
    for (const name of changes.removed) this.remove(name);
    for (const unicorn of changes.changed) this.upsert(unicorn);
    if (changes.removed.length > 0 || changes.changed.length > 0) this.trails.draw();
    element(this.doc, '#count').textContent = String(this.fleet.size);
    element(this.doc, '#empty').hidden = this.fleet.size > 0;
    if (!this.fitted && this.fleet.size > 0) {
      this.fitted = true;
      this.fitFleet();
    }
    this.showDetails();
  }

  /** Refreshes what changes with time alone (the age of the selected unicorn's last record). */
  tick(): void {
    const unicorn = this.selected === undefined ? undefined : this.fleet.get(this.selected);
    if (unicorn) this.fields.age.textContent = formatAge(this.streamNow() - unicorn.lastSeen);
  }

  select(name: string | undefined, { pan = false } = {}): void {
    if (this.selected !== undefined) {
      const marker = this.markers.get(this.selected);
      marker?.getElement()?.classList.remove('selected');
      marker?.unbindTooltip().setZIndexOffset(0);
      this.items.get(this.selected)?.classList.remove('selected');
    }
    this.selected = name;
    this.trails.select(name);
    this.trails.draw();
    if (name !== undefined) this.highlight(name, pan);
    this.showDetails();
  }

  private highlight(name: string, pan: boolean) {
    const marker = this.markers.get(name);
    if (marker) {
      marker.getElement()?.classList.add('selected');
      marker
        .bindTooltip(name, {
          permanent: true,
          direction: 'top',
          offset: [0, -MARKER_SIZE / 2],
          className: 'unicorn-label',
        })
        .setZIndexOffset(1000);
      if (pan && !this.map.getBounds().contains(marker.getLatLng())) this.map.panTo(marker.getLatLng());
    }
    const item = this.items.get(name);
    item?.classList.add('selected');
    if (pan) item?.scrollIntoView({ block: 'nearest' });
  }

  private fitFleet() {
    const points = [...this.fleet.values()].map((u) => L.latLng(u.status.Latitude, u.status.Longitude));
    if (points.length === 0) return;
    this.map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 15 });
  }

  private upsert(unicorn: ActiveUnicorn) {
    const { name, status } = unicorn;
    const at = L.latLng(status.Latitude, status.Longitude);
    let marker = this.markers.get(name);
    if (marker) {
      marker.setLatLng(at);
    } else {
      marker = L.marker(at, {
        icon: L.divIcon({ className: 'unicorn-marker', iconSize: [MARKER_SIZE, MARKER_SIZE] }),
        title: name,
        alt: name,
        keyboard: true,
        riseOnHover: true,
      })
        .on('click', () => this.select(name))
        .addTo(this.map);
      const icon = marker.getElement()!;
      icon.style.backgroundColor = colourFor(name);
      icon.dataset.name = name;
      this.markers.set(name, marker);
      this.trails.show(name, colourFor(name));
      this.addItem(name);
      if (this.selected === name) this.highlight(name, false);
    }
    const speed = this.items.get(name)!.querySelector('.speed')!;
    speed.textContent = formatSpeedShort(unicorn.speedMps);
  }

  private addItem(name: string) {
    const item = this.doc.createElement('li');
    item.dataset.name = name;
    const button = this.doc.createElement('button');
    button.type = 'button';
    const swatch = this.doc.createElement('span');
    swatch.className = 'swatch';
    swatch.style.backgroundColor = colourFor(name);
    const label = this.doc.createElement('span');
    label.className = 'name';
    label.textContent = name;
    const speed = this.doc.createElement('span');
    speed.className = 'speed';
    button.append(swatch, label, speed);
    item.append(button);

    // Binary search for the place in natural name order.
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNames(this.order[mid], name) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.list.insertBefore(item, lo < this.order.length ? this.items.get(this.order[lo])! : null);
    this.order.splice(lo, 0, name);
    this.items.set(name, item);
  }

  private remove(name: string) {
    this.markers.get(name)?.remove();
    this.markers.delete(name);
    this.trails.hide(name);
    this.items.get(name)?.remove();
    this.items.delete(name);
    const index = this.order.indexOf(name);
    if (index >= 0) this.order.splice(index, 1);
  }

  private showDetails() {
    if (this.selected === undefined) {
      this.details.hidden = true;
      return;
    }
    this.details.hidden = false;
    const unicorn = this.fleet.get(this.selected);
    this.fields.name.textContent = this.selected;
    this.details.dataset.state = unicorn ? 'active' : 'gone';
    element(this.details, '.gone').hidden = unicorn !== undefined;
    if (!unicorn) return;
    const { status } = unicorn;
    this.fields.time.textContent = status.StatusTime;
    this.fields.position.textContent = formatPosition(status.Latitude, status.Longitude);
    this.fields.speed.textContent = formatSpeed(unicorn.speedMps);
    this.fields.distance.textContent = formatDistance(status.Distance);
    this.fields.magic.textContent = String(status.MagicPoints);
    this.fields.health.textContent = String(status.HealthPoints);
    this.fields.age.textContent = formatAge(this.streamNow() - unicorn.lastSeen);
  }
}
