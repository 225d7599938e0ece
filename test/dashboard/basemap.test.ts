import type { Position } from 'geojson';
import { destination, haversineMetres } from '#core/geo';
import { DEFAULT_FLIGHT } from '#core/movement';
import { BASE_MAP_EXTENT, gridPoint, offlineBaseMap } from '../../dashboard/src/basemap-data';

const map = offlineBaseMap();
const named = (name: string) => map.features.find((f) => f.properties.name === name);
const ring = (name: string) => {
  const feature = named(name);
  if (feature?.geometry.type !== 'Polygon') throw new Error(`no polygon ${name}`);
  return feature.geometry.coordinates[0];
};

/** Even-odd ray casting: enough for these simple rings. */
function inside([lat, lon]: readonly [number, number], points: Position[]): boolean {
  let result = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

describe('the offline base map', () => {
  it('is a valid GeoJSON FeatureCollection of polygons, lines and labelled points', () => {
    expect(map.type).toBe('FeatureCollection');
    const kinds = new Set(['water', 'land', 'park', 'avenue', 'street', 'bridge', 'label']);
    for (const feature of map.features) {
      expect(feature.type).toBe('Feature');
      expect(kinds.has(feature.properties.kind)).toBe(true);
      expect(feature.properties.name).toMatch(/\S/);
      const { geometry } = feature;
      const positions: Position[] =
        geometry.type === 'Polygon'
          ? geometry.coordinates.flat()
          : geometry.type === 'LineString'
            ? geometry.coordinates
            : [geometry.coordinates];
      for (const position of positions) {
        expect(position).toHaveLength(2);
        expect(position.every(Number.isFinite)).toBe(true);
      }
      if (geometry.type === 'Polygon') {
        for (const r of geometry.coordinates) {
          expect(r.length).toBeGreaterThanOrEqual(4);
          expect(r.at(-1)).toEqual(r[0]);
        }
      }
      if (geometry.type === 'LineString') expect(geometry.coordinates.length).toBeGreaterThanOrEqual(2);
      if (geometry.type === 'Point') expect(feature.properties.kind).toBe('label');
    }
  });

  it('lies within its extent, which covers everywhere the unicorns fly', () => {
    const { south, west, north, east } = BASE_MAP_EXTENT;
    for (const feature of map.features) {
      const g = feature.geometry;
      const positions =
        g.type === 'Polygon'
          ? g.coordinates.flat()
          : g.type === 'LineString'
            ? g.coordinates
            : [g.coordinates];
      for (const [lon, lat] of positions) {
        expect(lon).toBeGreaterThanOrEqual(west);
        expect(lon).toBeLessThanOrEqual(east);
        expect(lat).toBeGreaterThanOrEqual(south);
        expect(lat).toBeLessThanOrEqual(north);
      }
    }
    // Unicorns turn back beyond twice the flight radius; allow half a kilometre for the turn.
    const reach = 2 * DEFAULT_FLIGHT.radiusMetres + 500;
    for (const bearing of [0, 45, 90, 135, 180, 225, 270, 315]) {
      const { lat, lon } = destination(DEFAULT_FLIGHT.centre, bearing, reach);
      expect(lat).toBeGreaterThan(south);
      expect(lat).toBeLessThan(north);
      expect(lon).toBeGreaterThan(west);
      expect(lon).toBeLessThan(east);
    }
  });

  it('is small enough to ship in the page', () => {
    expect(JSON.stringify(map).length).toBeLessThan(40_000);
  });

  it('has what makes midtown recognisable', () => {
    for (const name of [
      'Manhattan',
      'Central Park',
      'Roosevelt Island',
      'Broadway',
      '5th Avenue',
      '42nd St',
    ]) {
      expect(named(name)).toBeDefined();
    }
    const labels = map.features.filter((f) => f.properties.kind === 'label').map((f) => f.properties.name);
    expect(labels).toEqual(expect.arrayContaining(['Hudson River', 'East River', 'Central Park', '5th Ave']));
  });

  it('puts land, water and park where they are', () => {
    const manhattan = ring('Manhattan');
    const water = ring('Hudson River, Upper Bay, East River and Harlem River');
    // Times Square, the Empire State Building, Union Square, Bryant Park: Manhattan.
    for (const place of [
      [40.758, -73.9855],
      [40.7484, -73.9857],
      [40.7359, -73.9906],
      [40.7536, -73.9832],
    ] as const) {
      expect(inside(place, manhattan)).toBe(true);
    }
    // Mid-Hudson off 42nd Street and mid-East River off the UN: water, not Manhattan.
    for (const place of [
      [40.765, -74.01],
      [40.7485, -73.9625],
    ] as const) {
      expect(inside(place, water)).toBe(true);
      expect(inside(place, manhattan)).toBe(false);
    }
    // Hoboken and Long Island City: mainland, outside the water.
    expect(inside([40.744, -74.032], water)).toBe(false);
    expect(inside([40.7447, -73.9485], water)).toBe(false);
    // The Great Lawn and Bethesda Terrace: Central Park.
    expect(inside([40.7813, -73.9665], ring('Central Park'))).toBe(true);
    expect(inside([40.774, -73.9708], ring('Central Park'))).toBe(true);
  });

  it("places the grid model's avenues and streets on known corners", () => {
    const near = ([lat, lon]: readonly [number, number], to: { lat: number; lon: number }) =>
      haversineMetres({ lat, lon }, to);
    expect(near(gridPoint(-855, 59), { lat: 40.76806, lon: -73.98194 })).toBeLessThan(60); // Columbus Circle
    expect(near(gridPoint(0, 110), { lat: 40.79687, lon: -73.94924 })).toBeLessThan(60); // Duke Ellington Circle
    expect(near(gridPoint(-855, 110), { lat: 40.80058, lon: -73.95817 })).toBeLessThan(60); // Frederick Douglass Circle
    expect(near(gridPoint(304, 42.5), { lat: 40.7527, lon: -73.9772 })).toBeLessThan(100); // Grand Central, Park Ave
  });
});
