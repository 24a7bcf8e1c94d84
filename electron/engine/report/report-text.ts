/**
 * What the evidence report says about a patch, as label/value pairs: areas in m² and mu, change
 * class and legality with their code-list labels, confidence, dates, position (also as
 * longitude/latitude so a field team can navigate there), and the reviewer's decision. Labels are
 * bilingual (Chinese first), as supervisors and field teams read them.
 */
import proj4 from 'proj4';
import type { CodeEntry, CodeLists, ReviewState } from '../../common/contract.js';
import { proj4Definition } from '../crs/epsg.js';
import { centroidOf, type PatchRecord } from '../export/patch-attributes.js';
import type { LayerCrs } from '../export/types.js';

/** A label and its value, both plain text (the template escapes them). */
export type Fact = [label: string, value: string];

/** Review states as the report names them. */
export const STATE_LABELS: Record<ReviewState, string> = {
  unreviewed: '未审核 Unreviewed',
  confirmed: '已确认 Confirmed',
  rejected: '已排除 Rejected',
  field_check: '待外业核查 Field check',
};

const EMPTY = '—';

/** `v` with thousands separators and exactly `decimals` decimals. */
export function formatNumber(v: number, decimals: number): string {
  return v.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** An ISO timestamp as "YYYY-MM-DD HH:MM UTC"; a plain date stays as it is. */
export function formatTime(iso: string | null): string {
  if (!iso) return EMPTY;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  if (!m) return iso;
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? `${m[1]} ${m[2]}`
    : `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

/** "code label" from a code list, the bare code when the list lacks it, or null. */
export function codeText(list: CodeEntry[] | undefined, code: string | null): string | null {
  if (code === null || code === '') return null;
  const entry = list?.find((e) => e.code === code);
  return entry ? `${code} ${entry.label} ${entry.labelEn}` : code;
}

/** A converter from the layer CRS to [lon, lat], or null when the CRS cannot be reprojected. */
export function lonLatConverter(crs: LayerCrs): ((x: number, y: number) => number[]) | null {
  if (crs.epsg === 4326) return (x, y) => [x, y];
  const definition = proj4Definition(crs);
  if (!definition) return null;
  try {
    const converter = proj4(definition.def, 'WGS84');
    return (x, y) => converter.forward([x, y]);
  } catch {
    return null;
  }
}

function lonLatText(lonLat: number[]): string {
  const [lon, lat] = lonLat;
  return `${Math.abs(lon).toFixed(6)}°${lon >= 0 ? 'E' : 'W'}, ${Math.abs(lat).toFixed(6)}°${lat >= 0 ? 'N' : 'S'}`;
}

/** Context shared by every patch of a report. */
export interface FactContext {
  codeLists?: CodeLists;
  toLonLat: ((x: number, y: number) => number[]) | null;
  /** Short CRS name for coordinates, e.g. "EPSG:32650". */
  crsLabel: string;
}

/** The measured facts of a patch: class, areas, confidence, dates, position. */
export function patchFacts(record: PatchRecord, context: FactContext): Fact[] {
  const lists = context.codeLists;
  const facts: Fact[] = [
    [
      '变化类型 Change class',
      codeText(lists?.changeClass, record.changeClass) ??
        (record.changeKind
          ? `未分类 unclassified (model: ${record.changeKind})`
          : '未分类 unclassified'),
    ],
    ['面积 Area', `${formatNumber(record.areaM2, 1)} m² · ${formatNumber(record.areaMu, 3)} 亩 mu`],
    ['周长 Perimeter', `${formatNumber(record.perimeterM, 1)} m`],
    [
      '置信度 Confidence',
      record.meanProb === null
        ? '— 手绘 drawn by hand (no model probability)'
        : `${(record.meanProb * 100).toFixed(1)} % mean · ${((record.maxProb ?? 0) * 100).toFixed(1)} % max`,
    ],
    ['前时相 Before', record.beforeDate ?? EMPTY],
    ['后时相 After', record.afterDate ?? EMPTY],
  ];
  const centroid = centroidOf(record.geometry);
  if (centroid) {
    const [x, y] = centroid;
    facts.push([
      `中心点 Centre (${context.crsLabel})`,
      `${formatNumber(x, 2)}, ${formatNumber(y, 2)}`,
    ]);
    const lonLat = context.toLonLat?.(x, y);
    if (lonLat && lonLat.every(Number.isFinite)) facts.push(['经纬度 Lon/Lat', lonLatText(lonLat)]);
  }
  if (record.parcelNo) facts.push(['宗地号 Parcel', record.parcelNo]);
  facts.push([
    '检测 Detection',
    [
      record.modelId,
      record.threshold !== null ? `threshold ${record.threshold}` : null,
      formatTime(record.detectedAt),
    ]
      .filter((v) => v && v !== EMPTY)
      .join(' · ') || EMPTY,
  ]);
  return facts;
}

/** The review decision of a patch: state, who and when, legality, field check, notes. */
export function decisionFacts(record: PatchRecord, context: FactContext): Fact[] {
  const lists = context.codeLists;
  return [
    ['审核状态 Decision', STATE_LABELS[record.state]],
    ['审核人 Reviewer', record.reviewer ?? EMPTY],
    ['审核时间 Reviewed', formatTime(record.reviewedAt)],
    ['合法性 Legality', codeText(lists?.legality, record.legality) ?? EMPTY],
    ['核查结果 Field check', codeText(lists?.fieldResult, record.fieldResult) ?? EMPTY],
    ['审核意见 Comment', record.comment ?? EMPTY],
    ['备注 Notes', record.note ?? EMPTY],
  ];
}
