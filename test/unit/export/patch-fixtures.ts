/**
 * Reviewed change patches as the exporters receive them (PatchRecord): a polygon with a hole, a
 * two-part multipolygon, Chinese notes and reviewer names, every review state and change class,
 * in WGS 84 / UTM zone 50N.
 */
import { lookupEpsg } from '../../../electron/engine/crs/epsg.js';
import {
  patchSourceLayer,
  type PatchRecord,
} from '../../../electron/engine/export/patch-attributes.js';
import type { ExportLayer, LayerCrs } from '../../../electron/engine/export/types.js';
import { X0, Y0, square } from './fixtures.js';

export const UTM50: LayerCrs = {
  epsg: 32650,
  wkt: lookupEpsg(32650)!.wkt,
  proj4: lookupEpsg(32650)!.proj4,
};

const base = {
  runId: 'run-2024-05',
  modelId: 'lw-siamese-v1',
  threshold: 0.5,
  detectedAt: '2024-05-10T08:30:00.000Z',
  beforeDate: '2023-04-18',
  afterDate: '2024-05-02',
  legality: null,
  fieldResult: null,
  parcelNo: null,
  note: null,
};

/** Four patches; areas are the planar areas of their geometries. */
export function samplePatches(): PatchRecord[] {
  return [
    {
      ...base,
      id: '11',
      number: 1,
      state: 'confirmed',
      geometry: {
        type: 'Polygon',
        coordinates: [square(X0, Y0, 100), square(X0 + 40, Y0 + 40, 20)],
      },
      areaM2: 9600,
      areaMu: 9600 / (10000 / 15),
      perimeterM: 480,
      meanProb: 0.9312,
      maxProb: 0.99,
      changeClass: '01',
      changeKind: 'new_building',
      legality: '2',
      fieldResult: '1',
      parcelNo: '320115-004-0123',
      note: '新建厂房，未批先建',
      comment: '确认为新增建筑，需要现场核查',
      reviewer: '王建国',
      reviewedAt: '2024-05-12T09:15:00.000Z',
    },
    {
      ...base,
      id: '12',
      number: 2,
      state: 'field_check',
      geometry: {
        type: 'MultiPolygon',
        coordinates: [[square(X0 + 200, Y0, 50, true)], [square(X0 + 300, Y0, 30)]],
      },
      areaM2: 3400,
      areaMu: 3400 / (10000 / 15),
      perimeterM: 320,
      meanProb: 0.7,
      maxProb: 0.88,
      changeClass: '04',
      changeKind: 'earthwork',
      comment: 'road "widening"; 道路拓宽 & 堆土',
      reviewer: 'Li Na',
      reviewedAt: '2024-05-12T10:00:00.000Z',
    },
    {
      ...base,
      id: '13',
      number: 3,
      state: 'rejected',
      geometry: { type: 'Polygon', coordinates: [square(X0, Y0 + 200, 40)] },
      areaM2: 1600,
      areaMu: 1600 / (10000 / 15),
      perimeterM: 160,
      meanProb: 0.55,
      maxProb: 0.61,
      changeClass: '99',
      changeKind: 'other',
      comment: '季节性植被变化（伪变化）',
      reviewer: '王建国',
      reviewedAt: '2024-05-12T10:05:00.000Z',
    },
    {
      ...base,
      id: '14',
      number: 4,
      state: 'unreviewed',
      geometry: { type: 'Polygon', coordinates: [square(X0 + 400, Y0 + 200, 25)] },
      areaM2: 625,
      areaMu: 625 / (10000 / 15),
      perimeterM: 100,
      meanProb: 0.8,
      maxProb: 0.9,
      changeClass: null,
      changeKind: null,
      comment: null,
      reviewer: null,
      reviewedAt: null,
    },
  ];
}

/** The sample patches as a source layer (LandWatch attribute names). */
export function samplePatchLayer(records = samplePatches()): ExportLayer {
  return patchSourceLayer(records, UTM50);
}
