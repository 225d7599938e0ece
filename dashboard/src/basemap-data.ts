/**
 * A simplified offline map of Manhattan around midtown, where the workshop's unicorns fly
 * (`core/movement.ts`): the shores of the Hudson and East rivers, Manhattan, Roosevelt,
 * Randalls/Wards and Governors islands, Central Park and its reservoir, the avenues, a few
 * major streets and the four East River bridges, with their names. Drawn under the map tiles,
 * it shows wherever a tile does not load.
 *
 * Source and accuracy: written by hand for this page, not taken from any map data set.
 * Shorelines are traced from known geography, a point every few hundred metres, and checked
 * against landmarks whose published coordinates are well known (for example Columbus Circle
 * 40.7681 N 73.9819 W, Duke Ellington Circle 40.7969 N 73.9492 W, Frederick Douglass Circle
 * 40.8006 N 73.9582 W, Grand Army Plaza 40.7644 N 73.9733 W, Hoboken Terminal 40.7350 N
 * 74.0275 W, Socrates Sculpture Park 40.7683 N 73.9365 W); Manhattan's shores along the grid
 * are placed by how far they lie beyond 12th or 1st Avenue.
 * The avenues and streets follow a model of the 1811 Commissioners' grid: avenues run 29°
 * east of true north, streets are 81 m apart (Central Park's corners, 51 streets apart along
 * both Fifth Avenue and Central Park West, fix both numbers), and the avenues keep the plan's
 * block widths, scaled so that Fifth to Eighth Avenue spans the park's measured 855 m. Where the
 * grid gives out (below 14th Street, Broadway's diagonal) roads are traced through known
 * corners. Expect errors of 50 to 150 m, more away from midtown; small features (piers,
 * inlets, minor islands) are left out. The page says so wherever it shows this map.
 */

import type { Feature, FeatureCollection, LineString, Point, Polygon, Position } from 'geojson';
import { destination } from '#core/geo';

export type BaseMapKind = 'water' | 'land' | 'park' | 'avenue' | 'street' | 'bridge' | 'label';

export interface BaseMapProperties {
  readonly kind: BaseMapKind;
  readonly name?: string;
  /** Labels: what they name (styles differ), and their rotation in degrees, clockwise. */
  readonly labels?: 'road' | 'place' | 'water' | 'park';
  readonly angle?: number;
}

export type BaseMap = FeatureCollection<Polygon | LineString | Point, BaseMapProperties>;

/** Everything lies in this box; it reaches beyond where the unicorns fly on every side. */
export const BASE_MAP_EXTENT = { south: 40.68, west: -74.07, north: 40.83, east: -73.89 } as const;

/** Written as references quote them: latitude, then longitude (GeoJSON swaps them). */
type LatLon = readonly [lat: number, lon: number];

// The grid model.

/** Fifth Avenue at 59th Street, on the avenue's centre line by Grand Army Plaza. */
const GRID_ORIGIN = { lat: 40.7643, lon: -73.9731 };
const AVENUE_BEARING = 29;
const STREET_SPACING_M = 81;

/**
 * Avenue centre lines in metres east of Fifth Avenue, measured along the streets: the plan's
 * block widths plus the avenues' own widths, times 0.954 (855 m measured across the park over
 * the plan's 896 m).
 */
const AVENUE = {
  twelfth: -1903,
  eleventh: -1641,
  tenth: -1379,
  ninth: -1117,
  eighth: -855,
  seventh: -594,
  sixth: -297,
  fifth: 0,
  madison: 151,
  park: 304,
  lexington: 453,
  third: 600,
  second: 806,
  first: 1024,
  york: 1242,
} as const;

/** The point `offset` metres east of Fifth Avenue (along the streets) on street `street`. */
export function gridPoint(offset: number, street: number): LatLon {
  const onFifth = destination(GRID_ORIGIN, AVENUE_BEARING, (street - 59) * STREET_SPACING_M);
  const at = destination(onFifth, AVENUE_BEARING + 90, offset);
  return [at.lat, at.lon];
}

const g = gridPoint;

// Water and land, drawn in this order.

/** The rivers and the bay, out to the mainland shores; islands are drawn over it. */
const WATER: LatLon[] = [
  // New Jersey's shore, south to north.
  [40.68, -74.065],
  [40.69, -74.056],
  [40.698, -74.048],
  [40.703, -74.04],
  [40.7062, -74.03],
  [40.7085, -74.028],
  [40.711, -74.031],
  [40.7155, -74.0318],
  [40.72, -74.0325],
  [40.727, -74.03],
  [40.735, -74.0265],
  [40.738, -74.0262],
  [40.744, -74.0245],
  [40.7465, -74.023],
  [40.7535, -74.024],
  [40.758, -74.023],
  [40.762, -74.02],
  [40.766, -74.016],
  [40.776, -74.011],
  [40.783, -74.006],
  [40.79, -74.001],
  [40.8, -73.993],
  [40.81, -73.984],
  [40.82, -73.976],
  [40.83, -73.969],
  // Across the top to the Bronx bank of the Harlem River, then down it.
  g(-2030, 148),
  g(-230, 148),
  g(-160, 146),
  g(20, 143),
  g(320, 138),
  g(470, 134),
  g(790, 129),
  g(1170, 127.5),
  // The Bronx's south shore (Port Morris), east to the edge.
  [40.8045, -73.922],
  [40.8055, -73.91],
  [40.808, -73.89],
  // Queens: Astoria's north shore, Hell Gate, then Long Island City and Brooklyn, north to south.
  [40.783, -73.89],
  [40.786, -73.902],
  [40.7835, -73.913],
  [40.783, -73.9205],
  [40.777, -73.923],
  [40.7765, -73.93],
  [40.7785, -73.9345],
  [40.772, -73.9355],
  [40.7683, -73.9378],
  [40.765, -73.9405],
  [40.76, -73.9455],
  [40.756, -73.9495],
  [40.75, -73.956],
  [40.746, -73.9585],
  [40.742, -73.96],
  [40.7375, -73.9625],
  [40.735, -73.962],
  [40.73, -73.9615],
  [40.725, -73.96],
  [40.7225, -73.961],
  [40.719, -73.963],
  [40.715, -73.9665],
  [40.7115, -73.967],
  [40.7085, -73.969],
  [40.706, -73.974],
  [40.703, -73.98],
  [40.704, -73.987],
  [40.704, -73.9905],
  [40.7033, -73.9942],
  [40.701, -73.997],
  [40.696, -73.999],
  [40.6925, -74.002],
  [40.687, -74.007],
  [40.68, -74.018],
];

/** Manhattan up to about 148th Street, clockwise from its north-west corner. */
const MANHATTAN: LatLon[] = [
  // The Hudson shore's north end, then the Harlem River bank down to 125th Street.
  g(-2030, 148),
  g(-400, 148),
  g(-330, 146),
  g(-150, 143),
  g(150, 138),
  g(300, 134),
  g(620, 129),
  g(1000, 127),
  // The East River shore, north to south: 1st Avenue and the FDR Drive.
  [40.8009, -73.9286],
  [40.7973, -73.9304],
  [40.7948, -73.9322],
  [40.7885, -73.9371],
  [40.7823, -73.9421],
  [40.7775, -73.9425],
  [40.7748, -73.9443],
  [40.7706, -73.9482],
  [40.7662, -73.9514],
  [40.7623, -73.9542],
  [40.7581, -73.958],
  [40.7545, -73.9613],
  [40.7513, -73.9636],
  [40.7476, -73.9667],
  [40.7444, -73.9691],
  [40.7425, -73.9705],
  [40.7401, -73.9727],
  [40.7355, -73.9745],
  [40.732, -73.974],
  [40.7285, -73.9725],
  [40.7225, -73.9722],
  [40.7195, -73.974],
  [40.714, -73.9765],
  [40.7115, -73.979],
  [40.7105, -73.986],
  [40.7098, -73.9925],
  [40.708, -73.9985],
  [40.706, -74.002],
  [40.7035, -74.0065],
  [40.7015, -74.0105],
  // The Battery.
  [40.7005, -74.0135],
  [40.701, -74.0155],
  [40.7035, -74.0178],
  [40.706, -74.0185],
  // The Hudson shore, south to north: Battery Park City, West Street, then 12th Avenue.
  [40.71, -74.018],
  [40.715, -74.0172],
  [40.7185, -74.016],
  [40.7215, -74.014],
  [40.7245, -74.012],
  [40.729, -74.011],
  [40.735, -74.0105],
  [40.742, -74.01],
  [40.7495, -74.0095],
  g(-1950, 30),
  g(-1950, 42),
  g(-1950, 59),
  g(-2050, 66),
  g(-2090, 72),
  g(-2000, 77),
  g(-2030, 86),
  g(-2040, 96),
  g(-2030, 125),
];

const ROOSEVELT_ISLAND: LatLon[] = [
  [40.75, -73.9612],
  [40.7508, -73.9591],
  [40.7607, -73.9497],
  [40.7707, -73.9403],
  [40.7725, -73.94],
  [40.7717, -73.9421],
  [40.7617, -73.9515],
  [40.7518, -73.9609],
];

const RANDALLS_AND_WARDS_ISLANDS: LatLon[] = [
  [40.7815, -73.929],
  [40.788, -73.9345],
  [40.794, -73.9298],
  [40.8, -73.9265],
  [40.803, -73.92],
  [40.803, -73.913],
  [40.799, -73.911],
  [40.792, -73.914],
  [40.788, -73.918],
  [40.784, -73.923],
];

const GOVERNORS_ISLAND: LatLon[] = [
  [40.6942, -74.016],
  [40.6915, -74.0108],
  [40.687, -74.0135],
  [40.6838, -74.0225],
  [40.687, -74.025],
  [40.691, -74.0215],
];

const CENTRAL_PARK: LatLon[] = [
  [40.7681, -73.9819], // Columbus Circle
  [40.7643, -73.9731], // Grand Army Plaza
  [40.7969, -73.9492], // Duke Ellington Circle
  [40.8006, -73.9582], // Frederick Douglass Circle
];

/** The Jacqueline Kennedy Onassis Reservoir (86th to 96th Street), as an ellipse. */
function reservoir(): LatLon[] {
  return Array.from({ length: 16 }, (_, i) => {
    const a = (i / 16) * 2 * Math.PI;
    return g(-440 + 300 * Math.cos(a), 91 + (390 * Math.sin(a)) / STREET_SPACING_M);
  });
}

// Roads.

interface GridAvenue {
  readonly name: string;
  readonly offset: number;
  readonly from: number;
  readonly to: number;
  /** Where its names are written: at which street, and which name (it changes on the way). */
  readonly labels?: readonly (readonly [street: number, name: string])[];
}

const AVENUES: readonly GridAvenue[] = [
  {
    name: '11th Avenue, West End Avenue',
    offset: AVENUE.eleventh,
    from: 22,
    to: 107,
    labels: [
      [50, '11th Ave'],
      [84, 'West End Ave'],
    ],
  },
  {
    name: '10th Avenue, Amsterdam Avenue',
    offset: AVENUE.tenth,
    from: 13,
    to: 148,
    labels: [
      [50, '10th Ave'],
      [84, 'Amsterdam Ave'],
    ],
  },
  {
    name: '9th Avenue, Columbus Avenue',
    offset: AVENUE.ninth,
    from: 13,
    to: 110,
    labels: [
      [50, '9th Ave'],
      [84, 'Columbus Ave'],
    ],
  },
  {
    name: '8th Avenue, Central Park West, Frederick Douglass Boulevard',
    offset: AVENUE.eighth,
    from: 12,
    to: 148,
    labels: [
      [50, '8th Ave'],
      [84, 'Central Park West'],
    ],
  },
  { name: '7th Avenue', offset: AVENUE.seventh, from: 11, to: 59, labels: [[29, '7th Ave']] },
  { name: 'Adam Clayton Powell Jr. Boulevard', offset: AVENUE.seventh, from: 110, to: 148 },
  { name: '6th Avenue', offset: AVENUE.sixth, from: 8, to: 59, labels: [[50, '6th Ave']] },
  { name: 'Lenox Avenue', offset: AVENUE.sixth, from: 110, to: 147 },
  {
    name: '5th Avenue',
    offset: AVENUE.fifth,
    from: 8,
    to: 142,
    labels: [
      [50, '5th Ave'],
      [84, '5th Ave'],
    ],
  },
  { name: 'Madison Avenue', offset: AVENUE.madison, from: 23, to: 138, labels: [[66, 'Madison Ave']] },
  { name: 'Park Avenue', offset: AVENUE.park, from: 14, to: 133, labels: [[50, 'Park Ave']] },
  { name: 'Lexington Avenue', offset: AVENUE.lexington, from: 21, to: 131, labels: [[66, 'Lexington Ave']] },
  { name: '3rd Avenue', offset: AVENUE.third, from: 6, to: 129, labels: [[50, '3rd Ave']] },
  { name: '2nd Avenue', offset: AVENUE.second, from: 1, to: 128, labels: [[66, '2nd Ave']] },
  { name: '1st Avenue', offset: AVENUE.first, from: 1, to: 126, labels: [[50, '1st Ave']] },
  { name: 'York Avenue', offset: AVENUE.york, from: 59, to: 91, labels: [[75, 'York Ave']] },
];

interface GridStreet {
  readonly name: string;
  readonly street: number;
  /** Where it starts and ends, in metres east of Fifth Avenue. */
  readonly from: number;
  readonly to: number;
  /** Where the name is written, in metres east of Fifth Avenue. */
  readonly labelAt: number;
}

const STREETS: readonly GridStreet[] = [
  { name: '14th St', street: 14, from: -1520, to: 1880, labelAt: -1250 },
  { name: '23rd St', street: 23, from: -1864, to: 1440, labelAt: -1250 },
  { name: '34th St', street: 34, from: AVENUE.twelfth, to: 1360, labelAt: -1250 },
  { name: '42nd St', street: 42, from: AVENUE.twelfth, to: AVENUE.first, labelAt: -1250 },
  { name: '57th St', street: 57, from: AVENUE.twelfth, to: AVENUE.york, labelAt: -1250 },
  { name: '72nd St', street: 72, from: -1800, to: 1420, labelAt: -1250 },
  { name: '79th St', street: 79, from: -1850, to: 1450, labelAt: -1250 },
  { name: '86th St', street: 86, from: -1850, to: 1500, labelAt: -1250 },
  { name: '96th St', street: 96, from: -1850, to: 1300, labelAt: -1250 },
  { name: '110th St', street: 110, from: -1900, to: 1250, labelAt: -1380 },
  { name: '125th St', street: 125, from: -2000, to: 1100, labelAt: -1250 },
];

interface TracedRoad {
  readonly name: string;
  readonly kind: 'avenue' | 'street' | 'bridge';
  readonly points: readonly LatLon[];
  readonly label?: { readonly at: LatLon; readonly angle: number };
}

const TRACED: readonly TracedRoad[] = [
  {
    name: 'Broadway',
    kind: 'avenue',
    points: [
      [40.705, -74.0135], // Bowling Green
      [40.7139, -74.0062], // City Hall
      [40.7193, -74.0019], // Canal Street
      [40.7253, -73.9968], // Houston Street
      g(280, 10),
      g(190, 14), // Union Square
      g(150, 17),
      g(0, 23), // Madison Square
      g(-297, 34), // Herald Square
      g(-594, 45), // Times Square
      g(-855, 59), // Columbus Circle
      g(-1117, 65.5), // Lincoln Square
      g(-1379, 72.5), // Sherman Square
      g(-1500, 79),
      g(-1535, 96),
      g(-1641, 107),
      g(-1670, 125),
    ],
    label: { at: g(-450, 39.5), angle: -79 },
  },
  {
    name: 'Houston St',
    kind: 'street',
    points: [
      [40.7288, -74.0105],
      [40.728, -74.0031],
      [40.7253, -73.9968],
      [40.7241, -73.9923],
      [40.7224, -73.9868],
      [40.72, -73.9776],
      [40.7193, -73.9745],
    ],
    label: { at: [40.7233, -73.9895], angle: 20 },
  },
  {
    name: 'Canal St',
    kind: 'street',
    points: [
      [40.7238, -74.0117],
      [40.7225, -74.0068],
      [40.7212, -74.0048],
      [40.7193, -74.0019],
      [40.7163, -73.996],
    ],
    label: { at: [40.7218, -74.0058], angle: 25 },
  },
  {
    name: 'Brooklyn Bridge',
    kind: 'bridge',
    points: [
      [40.7118, -74.003],
      [40.7005, -73.9905],
    ],
  },
  {
    name: 'Manhattan Bridge',
    kind: 'bridge',
    points: [
      [40.7155, -73.9955],
      [40.701, -73.986],
    ],
  },
  {
    name: 'Williamsburg Bridge',
    kind: 'bridge',
    points: [
      [40.7178, -73.985],
      [40.711, -73.961],
    ],
  },
  {
    name: 'Queensboro Bridge',
    kind: 'bridge',
    points: [g(AVENUE.second, 59.5), [40.7505, -73.94]],
  },
];

/** Names of places and waters, with their rotation to follow a river or the grid. */
const PLACES: readonly { name: string; labels: 'place' | 'water' | 'park'; at: LatLon; angle: number }[] = [
  { name: 'Hudson River', labels: 'water', at: [40.7705, -74.0047], angle: -64 },
  { name: 'East River', labels: 'water', at: [40.7405, -73.9658], angle: -72 },
  { name: 'Harlem River', labels: 'water', at: [40.8185, -73.9318], angle: -75 },
  { name: 'Upper Bay', labels: 'water', at: [40.6905, -74.033], angle: 0 },
  { name: 'Central Park', labels: 'park', at: g(-427, 78), angle: -61 },
  { name: 'Roosevelt Island', labels: 'place', at: [40.7612, -73.9506], angle: -54 },
  { name: 'NEW JERSEY', labels: 'place', at: [40.752, -74.045], angle: 0 },
  { name: 'QUEENS', labels: 'place', at: [40.75, -73.925], angle: 0 },
  { name: 'BROOKLYN', labels: 'place', at: [40.6965, -73.96], angle: 0 },
  { name: 'THE BRONX', labels: 'place', at: [40.818, -73.905], angle: 0 },
];

// GeoJSON.

const position = ([lat, lon]: LatLon): Position => [Math.round(lon * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5];

function polygon(
  kind: BaseMapKind,
  name: string,
  ring: readonly LatLon[],
): Feature<Polygon, BaseMapProperties> {
  const coordinates = ring.map(position);
  coordinates.push(coordinates[0]);
  return {
    type: 'Feature',
    properties: { kind, name },
    geometry: { type: 'Polygon', coordinates: [coordinates] },
  };
}

function line(
  kind: BaseMapKind,
  name: string,
  points: readonly LatLon[],
): Feature<LineString, BaseMapProperties> {
  return {
    type: 'Feature',
    properties: { kind, name },
    geometry: { type: 'LineString', coordinates: points.map(position) },
  };
}

function label(
  name: string,
  labels: NonNullable<BaseMapProperties['labels']>,
  at: LatLon,
  angle: number,
): Feature<Point, BaseMapProperties> {
  return {
    type: 'Feature',
    properties: { kind: 'label', name, labels, angle },
    geometry: { type: 'Point', coordinates: position(at) },
  };
}

/** The base map, drawn in feature order: water, land, park, roads, then the names. */
export function offlineBaseMap(): BaseMap {
  const features: Feature<Polygon | LineString | Point, BaseMapProperties>[] = [
    polygon('water', 'Hudson River, Upper Bay, East River and Harlem River', WATER),
    polygon('land', 'Manhattan', MANHATTAN),
    polygon('land', 'Roosevelt Island', ROOSEVELT_ISLAND),
    polygon('land', 'Randalls and Wards Islands', RANDALLS_AND_WARDS_ISLANDS),
    polygon('land', 'Governors Island', GOVERNORS_ISLAND),
    polygon('park', 'Central Park', CENTRAL_PARK),
    polygon('water', 'Central Park Reservoir', reservoir()),
  ];
  const roadLabels: Feature<Point, BaseMapProperties>[] = [];
  for (const s of STREETS) {
    features.push(line('street', s.name, [g(s.from, s.street), g(s.to, s.street)]));
    roadLabels.push(label(s.name, 'road', g(s.labelAt, s.street), AVENUE_BEARING));
  }
  for (const a of AVENUES) {
    features.push(line('avenue', a.name, [g(a.offset, a.from), g(a.offset, a.to)]));
    for (const [street, name] of a.labels ?? []) {
      roadLabels.push(label(name, 'road', g(a.offset, street), AVENUE_BEARING - 90));
    }
  }
  for (const road of TRACED) {
    features.push(line(road.kind, road.name, road.points));
    if (road.label) roadLabels.push(label(road.name, 'road', road.label.at, road.label.angle));
  }
  features.push(...roadLabels);
  for (const place of PLACES) features.push(label(place.name, place.labels, place.at, place.angle));
  return { type: 'FeatureCollection', features };
}
