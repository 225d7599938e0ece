/**
 * The map's base layers: the configured tiles, and under them the simplified offline map
 * (`basemap-data.ts`). The offline map is always drawn, in panes below the tiles: where a tile
 * loads it covers the offline map, and where none can (no network, a blocked tile server) the
 * offline map shows through. No timer has to guess when tiles have failed, a half-loaded view
 * has no holes, and the fleet is never drawn on a blank square. While tiles fail, a notice
 * says the map shown is the simplified one.
 */

import * as L from 'leaflet';
import { offlineBaseMap, type BaseMapProperties } from './basemap-data';

/** Leaflet's tile pane has z-index 200; these lie below it, the labels over the shapes. */
const SHAPES_PANE = 'offline-map';
const LABELS_PANE = 'offline-map-labels';
/** Street and avenue names need room: from this zoom on, they are written. */
const ROAD_NAMES_ZOOM = 14;

/** A 1×1 transparent GIF: a tile that cannot load shows what is under it. */
const TRANSPARENT_TILE = 'data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export interface BaseLayerOptions {
  readonly tileUrl: string;
  readonly tileAttribution: string;
  readonly offlineMap: boolean;
}

const STYLES: Record<Exclude<BaseMapProperties['kind'], 'label'>, L.PathOptions> = {
  water: { stroke: false, fillColor: '#aacbdc', fillOpacity: 1 },
  land: { color: '#b9b2a6', weight: 1, fillColor: '#eeebe4', fillOpacity: 1 },
  park: { stroke: false, fillColor: '#c9e3b5', fillOpacity: 1 },
  avenue: { color: '#ffffff', weight: 3.5, lineCap: 'butt' },
  street: { color: '#ffffff', weight: 2.5, lineCap: 'butt' },
  bridge: { color: '#8d877d', weight: 2.5, dashArray: '6 4', lineCap: 'butt' },
};

/** Adds the tiles and, unless turned off, the offline map under them. */
export function addBaseLayers(map: L.Map, options: BaseLayerOptions): void {
  const tiles = L.tileLayer(options.tileUrl, {
    attribution: options.tileAttribution,
    maxZoom: 19,
    errorTileUrl: TRANSPARENT_TILE,
  }).addTo(map);
  if (options.offlineMap) addOfflineMap(map, tiles);
}

function addOfflineMap(map: L.Map, tiles: L.TileLayer) {
  map.createPane(SHAPES_PANE).style.zIndex = '150';
  map.createPane(LABELS_PANE).style.zIndex = '160';
  map.getContainer().classList.add('with-offline-map');
  // Paths in a pane of their own get a renderer (an SVG element) of their own there.
  L.geoJSON(offlineBaseMap(), {
    pane: SHAPES_PANE,
    interactive: false,
    style: (feature) => STYLES[feature!.properties.kind as keyof typeof STYLES],
    pointToLayer: (feature, at) => placeName(feature.properties as BaseMapProperties, at),
  }).addTo(map);

  const container = map.getContainer();
  const showRoadNames = () => container.classList.toggle('road-names', map.getZoom() >= ROAD_NAMES_ZOOM);
  map.on('zoomend', showRoadNames);
  showRoadNames();

  const notice = new (L.Control.extend({
    onAdd: () => {
      const div = L.DomUtil.create('div', 'offline-map-notice');
      div.textContent = 'Map tiles unavailable: simplified offline map, approximate';
      div.hidden = true;
      return div;
    },
  }))({ position: 'bottomleft' }).addTo(map);
  // The latest tile event decides: offline, every tile fails; online, they load. A failed tile
  // is then given the transparent image, whose loading is a 'tileload' too: not a real tile.
  tiles.on('tileerror', () => (notice.getContainer()!.hidden = false));
  tiles.on('tileload', (event: L.TileEvent) => {
    if (event.tile.getAttribute('src') !== TRANSPARENT_TILE) notice.getContainer()!.hidden = true;
  });
}

function placeName(properties: BaseMapProperties, at: L.LatLng): L.Marker {
  const text = document.createElement('span');
  text.textContent = properties.name ?? '';
  text.style.transform = `translate(-50%, -50%) rotate(${properties.angle ?? 0}deg)`;
  return L.marker(at, {
    pane: LABELS_PANE,
    interactive: false,
    keyboard: false,
    icon: L.divIcon({
      className: `offline-map-label offline-map-label-${properties.labels ?? 'place'}`,
      html: text,
      iconSize: [0, 0],
    }),
  });
}
