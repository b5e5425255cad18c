// Regenerates ../static/sea-map.json, the console's map of Southeast Asia, from Natural Earth
// (public domain) as packaged by world-atlas. Not part of the build: the output is committed.
//   cd "$(mktemp -d)" && npm install world-atlas@2.0.2 topojson-client@3.1.0 &&
//   NODE_PATH=$PWD/node_modules node /path/to/make-map.mjs > /path/to/static/sea-map.json
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH ?? process.cwd(), 'x.js'));
const { feature } = require('topojson-client');
const detailed = require('world-atlas/countries-50m.json');
const coarse = require('world-atlas/countries-110m.json');

// Equirectangular around 10°N: shapes stay recognisable at this scale without a projection library.
const WEST = 90;
const EAST = 143;
const NORTH = 31;
const SOUTH = -12;
const WIDTH = 800;
const COS = Math.cos((10 * Math.PI) / 180);
const K = WIDTH / ((EAST - WEST) * COS);
const HEIGHT = Math.round((NORTH - SOUTH) * K);
const project = ([lon, lat]) => [(lon - WEST) * K * COS, (NORTH - lat) * K];

const SEA = {
  360: ['IDN', 'Indonesia'],
  458: ['MYS', 'Malaysia'],
  702: ['SGP', 'Singapore'],
  764: ['THA', 'Thailand'],
  704: ['VNM', 'Vietnam'],
  608: ['PHL', 'Philippines'],
  104: ['MMR', 'Myanmar'],
  116: ['KHM', 'Cambodia'],
  418: ['LAO', 'Laos'],
  '096': ['BRN', 'Brunei'],
  626: ['TLS', 'Timor-Leste'],
};

// Where labels and Russia's links end: inside the main body of each country (a polygon's own
// centroid falls on Borneo for Malaysia, on the sea for archipelagos).
const LABEL_AT = {
  IDN: [114.0, -1.0],
  MYS: [102.2, 4.2],
  SGP: [103.8, 1.35],
  THA: [101.0, 15.5],
  VNM: [107.9, 14.2],
  PHL: [122.5, 12.0],
  MMR: [96.0, 21.0],
  KHM: [104.9, 12.6],
  LAO: [102.6, 19.3],
  BRN: [114.7, 4.6],
  TLS: [125.9, -8.8],
};

function ringsOf(geometry) {
  if (!geometry) return [];
  return geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
}

function inView(ring) {
  return ring.some(
    ([lon, lat]) => lon >= WEST - 5 && lon <= EAST + 5 && lat >= SOUTH - 5 && lat <= NORTH + 5,
  );
}

function pathOf(rings, minPoints) {
  const parts = [];
  let largest = { area: 0, points: [] };
  for (const ring of rings) {
    if (!inView(ring)) continue;
    const points = [];
    for (const point of ring.map(project)) {
      const rounded = point.map((v) => Math.round(v * 10) / 10);
      const last = points.at(-1);
      if (!last || last[0] !== rounded[0] || last[1] !== rounded[1]) points.push(rounded);
    }
    if (points.length < minPoints) continue;
    let area = 0;
    for (let i = 0; i < points.length; i++) {
      const [x1, y1] = points[i];
      const [x2, y2] = points[(i + 1) % points.length];
      area += x1 * y2 - x2 * y1;
    }
    if (Math.abs(area) > largest.area) largest = { area: Math.abs(area), points };
    parts.push(`M${points.map((p) => p.join(',')).join('L')}Z`);
  }
  const n = largest.points.length || 1;
  const centre = largest.points.reduce(([x, y], [px, py]) => [x + px / n, y + py / n], [0, 0]);
  return { d: parts.join(''), centre: centre.map((v) => Math.round(v)) };
}

const countries = [];
for (const f of feature(coarse, coarse.objects.countries).features) {
  if (SEA[f.id]) continue;
  const { d } = pathOf(ringsOf(f.geometry), 4);
  if (d) countries.push({ code: null, name: f.properties.name, d });
}
// Island states need the finer outlines (Singapore is absent from the coarse set).
for (const f of feature(detailed, detailed.objects.countries).features) {
  const sea = SEA[f.id];
  if (!sea) continue;
  const { d } = pathOf(ringsOf(f.geometry), 3);
  countries.push({ code: sea[0], name: sea[1], d, centre: project(LABEL_AT[sea[0]]).map(Math.round) });
}
process.stdout.write(
  `${JSON.stringify({
    source: 'Natural Earth (public domain) via world-atlas 2.0.2; made by tools/make-map.mjs',
    viewBox: [0, 0, WIDTH, HEIGHT],
    russia: project([128, NORTH - 0.6]).map(Math.round),
    countries,
  })}\n`,
);
