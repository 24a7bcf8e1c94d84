/**
 * A reviewed demo project, as an analyst would leave it: the demo scene, one detection run, change
 * classes taken from the demo's known changes, and decisions (confirmed, rejected with a reason,
 * sent to field check) with Chinese notes by two reviewers. Used by the report and CLI tests and
 * to regenerate the committed sample report.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureDemoProject } from '../../../electron/engine/api/demo-project.js';
import { detectChanges } from '../../../electron/engine/inference/detect.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';

/** The demo's change kinds as change class codes of the default code list. */
const CLASS_OF_KIND: Record<string, string> = {
  new_building: '01',
  demolition: '02',
  earthwork: '04',
  new_road: '05',
};

interface TruthFeature {
  properties: { kind: string };
  geometry: { coordinates: number[][][] };
}

function overlaps(a: number[], b: number[]): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/** Creates the demo project under `dir`, detects, classifies and reviews; returns its path. */
export async function reviewedDemoProject(dir: string): Promise<string> {
  const path = await ensureDemoProject(dir, 'synthetic');
  const store = ProjectStore.open(path);
  try {
    if (store.patches().length > 0) return path;
    const result = await detectChanges({
      beforePath: store.scene('before').path,
      afterPath: store.scene('after').path,
      device: 'cpu',
    });
    const truth = (
      JSON.parse(readFileSync(join(dirname(path), 'demo-true-changes.geojson'), 'utf8')) as {
        features: TruthFeature[];
      }
    ).features.map((f) => {
      const xs = f.geometry.coordinates[0].map((p) => p[0]);
      const ys = f.geometry.coordinates[0].map((p) => p[1]);
      const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      return { kind: f.properties.kind, box };
    });
    store.addRun(
      {
        id: 'demo-run-1',
        modelId: result.model.id,
        modelVersion: result.model.version,
        threshold: result.threshold,
        minArea: result.minArea,
        params: {},
        executionProvider: result.executionProvider,
        startedAt: '2024-05-10T08:30:00.000Z',
        seconds: result.seconds.infer,
      },
      result.polygons.map((p) => ({
        ...p,
        changeKind: truth.find((t) => overlaps(t.box, p.bbox))?.kind ?? null,
      })),
    );
    const patches = store.patches();
    for (const p of patches) {
      const kind = p.attributes?.changeKind;
      const code = kind ? CLASS_OF_KIND[kind] : undefined;
      if (code) store.setAttributes([Number(p.id)], { changeClass: code }, '王建国');
    }
    // One decision per kind of change, as an analyst's day would leave them.
    const taken = new Set<string>();
    const pick = (kind: string | null): number => {
      const p =
        patches.find((q) => !taken.has(q.id) && (q.attributes?.changeKind ?? null) === kind) ??
        patches.find((q) => !taken.has(q.id))!;
      taken.add(p.id);
      return Number(p.id);
    };
    const building = pick('new_building');
    store.review(building, 'confirmed', '确认为新增建筑，未见用地批文', '王建国');
    store.setAttributes(
      [building],
      { legality: '2', parcelNo: '320115-004-0123', note: '建议立案查处' },
      '王建国',
    );
    const demolition = pick('demolition');
    store.review(demolition, 'field_check', '疑似拆除后平整，需外业核实', '李娜');
    store.setAttributes([demolition], { note: '外业组5月20日前反馈' }, '李娜');
    const road = pick('new_road');
    store.review(road, 'confirmed', '道路拓宽，已有批文', '王建国');
    store.setAttributes([road], { legality: '1', fieldResult: '1' }, '王建国');
    const earthwork = pick('earthwork');
    store.review(earthwork, 'confirmed', '推填土，疑似违法占地', '李娜');
    store.setAttributes([earthwork], { legality: '9' }, '李娜');
    // The least confident of the rest is a false alarm: rejected, and no longer classified.
    const rest = patches.filter((q) => !taken.has(q.id));
    const falseAlarm = Number(
      rest.reduce((a, b) => ((b.meanProb ?? 1) < (a.meanProb ?? 1) ? b : a)).id,
    );
    store.setAttributes([falseAlarm], { changeClass: null }, '李娜');
    store.review(falseAlarm, 'rejected', '阴影与季节差异造成的伪变化', '李娜');
    return path;
  } finally {
    store.close();
  }
}
