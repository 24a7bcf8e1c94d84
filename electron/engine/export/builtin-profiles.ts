/**
 * The profiles that ship with LandWatch:
 *
 * - `land-survey` (alias `builtin`): short pinyin-initial codes in the style of the national land
 *   survey and satellite-enforcement (卫片执法) deliveries. Every name is plain ASCII within a
 *   shapefile's 10 bytes, so it is the same in UTF-8 and GBK; text widths are in bytes and hold
 *   the longest label in UTF-8 (3 bytes per Chinese character).
 *
 *   | code | from | type | meaning |
 *   | --- | --- | --- | --- |
 *   | TBBH | number | C(10) | 图斑编号 patch number |
 *   | TBLX | change_class | C(4) | 图斑类型 change class code from the project's code list (01 新增建设用地 … 99 其他) |
 *   | TBMJ | area_m2 | N(15,2) | 图斑面积 area, m² |
 *   | MU | area_mu | N(12,4) | 面积（亩）area, mu |
 *   | ZXDX / ZXDY | centroid_x / centroid_y | N(18,6) | 中心点 X / Y in layer CRS units |
 *   | QSX / HSX | before_date / after_date | D | 前时相 / 后时相 acquisition dates |
 *   | JCRQ | detected_at | D | 监测日期 date of the detection run |
 *   | ZXD | mean_prob | N(6,4) | 置信度 confidence (mean change probability) |
 *   | XZ | legality | C(16) | 合法性 legality: code → 合法 / 违法 / 部分合法 / 临时用地 / 待认定 |
 *   | HCJG | field_result | C(16) | 核查结果 field check: code → 属实 / 伪变化 / 在建 / 已整改 / 无法到达 |
 *   | ZDH | parcel_no | C(30) | 宗地号 cadastral parcel number |
 *   | SHZT | state | C(20) | 审核状态 review state: 未审核 / 已确认 / 已排除 / 待外业核查 |
 *   | SHR | reviewer | C(30) | 审核人 reviewer |
 *   | SHRQ | reviewed_at | D | 审核日期 date of the latest decision |
 *   | SHYJ | comment | C(254) | 审核意见 comment of the latest decision |
 *   | BZ | note | C(254) | 备注 the analyst's note |
 *
 *   Legality and field-check codes become the labels of LandWatch's default code lists; codes a
 *   project added itself are written as they are (`unmapped: "keep"`). Systems that want other
 *   codes or names: copy this profile (`landwatch export --print-profile builtin`) and edit it.
 *
 * - `landwatch` (alias `full`): every LandWatch attribute under its full name, for GeoPackage and
 *   GeoJSON users who want no abbreviations.
 */
import { LandWatchError } from '../errors.js';
import { PATCH_ATTRIBUTES } from './patch-attributes.js';
import { loadProfile, parseProfile, type ExportProfile } from './profiles.js';

/** The national-style short-code profile (see the module comment for the field table). */
export const LAND_SURVEY_PROFILE: ExportProfile = parseProfile(
  {
    kind: 'landwatch-export-profile',
    version: 1,
    id: 'land-survey',
    name: 'Land survey codes (图斑 short codes)',
    description:
      'Short field codes in the style of the national land-survey and satellite-enforcement ' +
      'deliveries; every name fits a shapefile in UTF-8 and in GBK.',
    layerName: 'JCTB',
    fields: [
      { code: 'TBBH', source: 'number', type: 'text', width: 10, label: '图斑编号' },
      { code: 'TBLX', source: 'change_class', type: 'text', width: 4, label: '图斑类型' },
      {
        code: 'TBMJ',
        source: 'area_m2',
        type: 'real',
        width: 15,
        decimals: 2,
        label: '图斑面积（平方米）',
      },
      { code: 'MU', source: 'area_mu', type: 'real', width: 12, decimals: 4, label: '面积（亩）' },
      {
        code: 'ZXDX',
        source: 'centroid_x',
        type: 'real',
        width: 18,
        decimals: 6,
        label: '中心点X',
      },
      {
        code: 'ZXDY',
        source: 'centroid_y',
        type: 'real',
        width: 18,
        decimals: 6,
        label: '中心点Y',
      },
      { code: 'QSX', source: 'before_date', type: 'date', label: '前时相' },
      { code: 'HSX', source: 'after_date', type: 'date', label: '后时相' },
      { code: 'JCRQ', source: 'detected_at', type: 'date', label: '监测日期' },
      { code: 'ZXD', source: 'mean_prob', type: 'real', width: 6, decimals: 4, label: '置信度' },
      {
        code: 'XZ',
        source: 'legality',
        type: 'text',
        width: 16,
        label: '合法性',
        values: { '1': '合法', '2': '违法', '3': '部分合法', '4': '临时用地', '9': '待认定' },
        unmapped: 'keep',
      },
      {
        code: 'HCJG',
        source: 'field_result',
        type: 'text',
        width: 16,
        label: '核查结果',
        values: { '1': '属实', '2': '伪变化', '3': '在建', '4': '已整改', '5': '无法到达' },
        unmapped: 'keep',
      },
      { code: 'ZDH', source: 'parcel_no', type: 'text', width: 30, label: '宗地号' },
      {
        code: 'SHZT',
        source: 'state',
        type: 'text',
        width: 20,
        label: '审核状态',
        values: {
          unreviewed: '未审核',
          confirmed: '已确认',
          rejected: '已排除',
          field_check: '待外业核查',
        },
      },
      { code: 'SHR', source: 'reviewer', type: 'text', width: 30, label: '审核人' },
      { code: 'SHRQ', source: 'reviewed_at', type: 'date', label: '审核日期' },
      { code: 'SHYJ', source: 'comment', type: 'text', width: 254, label: '审核意见' },
      { code: 'BZ', source: 'note', type: 'text', width: 254, label: '备注' },
    ],
  },
  'built-in profile land-survey',
);

/** Every LandWatch attribute under its full name (GeoPackage / GeoJSON default). */
export const LANDWATCH_PROFILE: ExportProfile = parseProfile(
  {
    kind: 'landwatch-export-profile',
    version: 1,
    id: 'landwatch',
    name: 'LandWatch full names',
    description: 'Every LandWatch patch attribute under its full name.',
    fields: PATCH_ATTRIBUTES.map((a) => ({
      code: a.name,
      source: a.name,
      type: a.type,
      ...(a.type === 'text' && a.width ? { width: a.width } : {}),
      label: a.description,
    })),
  },
  'built-in profile landwatch',
);

const BUILTIN: Record<string, ExportProfile> = {
  builtin: LAND_SURVEY_PROFILE,
  'land-survey': LAND_SURVEY_PROFILE,
  landwatch: LANDWATCH_PROFILE,
  full: LANDWATCH_PROFILE,
};

/** Names {@link resolveProfile} understands besides file paths. */
export const BUILTIN_PROFILE_NAMES: readonly string[] = Object.keys(BUILTIN);

/**
 * A profile by built-in name (`builtin` / `land-survey`, `landwatch` / `full`) or by the path of a
 * JSON profile file (anything ending in .json).
 */
export function resolveProfile(nameOrPath: string): ExportProfile {
  const builtin = BUILTIN[nameOrPath.toLowerCase()];
  if (builtin) return builtin;
  if (/\.json$/i.test(nameOrPath)) return loadProfile(nameOrPath);
  throw new LandWatchError(
    'E_BAD_REQUEST',
    `Unknown export profile "${nameOrPath}": use ${BUILTIN_PROFILE_NAMES.join(', ')} or a .json profile file.`,
  );
}
