/**
 * The evidence report from the reviewed demo project: chips, facts and decisions in the HTML,
 * PDF through headless Chromium where one is installed. With LANDWATCH_UPDATE_ARTIFACTS=1 the
 * PDF (and PNGs of its first pages, where pdftoppm exists) is copied to test/artifacts/report.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatchRecord } from '../../../electron/engine/export/patch-attributes.js';
import {
  buildEvidenceHtml,
  evidenceInputFromProject,
  writeEvidenceReport,
  type EvidenceInput,
} from '../../../electron/engine/report/evidence-report.js';
import { findChromium } from '../../../electron/engine/report/pdf.js';
import { formatNumber } from '../../../electron/engine/report/report-text.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { makeTempDir } from '../export/gdal-cli.js';
import { reviewedDemoProject } from './demo-fixture.js';

const { dir, cleanup } = makeTempDir('report');
afterAll(cleanup);

const chromium = findChromium();
const hasTool = (tool: string): boolean => spawnSync(tool, ['-v']).error === undefined;
if (!chromium) console.warn('No Chromium/Chrome found (set CHROMIUM_PATH): PDF tests are skipped.');

let input: EvidenceInput;
let html: string;

beforeAll(async () => {
  const project = await reviewedDemoProject(join(dir, 'demo'));
  const store = ProjectStore.open(project);
  try {
    input = evidenceInputFromProject(store, { states: ['confirmed', 'field_check', 'rejected'] });
  } finally {
    store.close();
  }
  html = await buildEvidenceHtml(input, { generatedAt: new Date('2024-05-13T08:00:00Z') });
}, 120_000);

/** The data-URI images of one patch page, decoded. */
function chipsOf(record: PatchRecord): PNG[] {
  const page = html.slice(html.indexOf(`id="patch-${record.number}"`));
  const uris = [...page.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].slice(0, 2);
  return uris.map((m) => PNG.sync.read(Buffer.from(m[1], 'base64')));
}

describe('evidence report (HTML)', () => {
  it('covers the reviewed patches of the demo, one page each', () => {
    expect(input.records.map((r) => r.state).sort()).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
      'field_check',
      'rejected',
    ]);
    expect(html.match(/<section class="patch"/g)).toHaveLength(5);
    // The cover marks every patch on the overview; each page marks its own.
    expect(html.match(/class="marker"/g)).toHaveLength(10);
  });

  it('is self-contained: inline CSS, images as data URIs, nothing to load', () => {
    expect(html).toContain(
      `content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`,
    );
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3)|file:|<script|<link/);
    expect(html.match(/src="data:image\/png;base64,/g)).toHaveLength(10);
    expect(html.match(/background-image: url\(data:image\/png;base64,/g)).toHaveLength(1);
  });

  it('shows same-scale before/after chips with the patch outline', () => {
    for (const record of input.records) {
      const [before, after] = chipsOf(record);
      expect([before.width, before.height]).toEqual([after.width, after.height]);
      expect(before.width).toBe(before.height);
    }
    // A confirmed new building looks different after than before.
    const building = input.records.find((r) => r.changeClass === '01')!;
    const [before, after] = chipsOf(building);
    let diff = 0;
    for (let i = 0; i < before.data.length; i++) diff += Math.abs(before.data[i] - after.data[i]);
    expect(diff / before.data.length).toBeGreaterThan(5);
    expect(html.match(/<path class="outline" d="M[\d. LMZ]+"/g)).toHaveLength(10);
  });

  it('gives dates, areas in m² and mu, class, confidence and the decision', () => {
    expect(html).toContain('前时相 Before · 2023-04-18');
    expect(html).toContain('后时相 After · 2024-05-02');
    for (const r of input.records) {
      const page = html.slice(html.indexOf(`id="patch-${r.number}"`)).split('</section>')[0];
      expect(page).toContain(
        `${formatNumber(r.areaM2, 1)} m² · ${formatNumber(r.areaMu, 3)} 亩 mu`,
      );
      expect(page).toContain(`${(r.meanProb! * 100).toFixed(1)} % mean`);
      expect(page).toContain(r.reviewer!);
      expect(page).toContain(r.comment!);
    }
    const building = html.slice(html.indexOf('01 新增建设用地'));
    expect(building).toContain('01 新增建设用地 new construction land');
    expect(html).toContain('2 违法 illegal');
    expect(html).toContain('确认为新增建筑，未见用地批文');
    expect(html).toContain('建议立案查处');
    expect(html).toContain('待外业核查 Field check');
    expect(html).toMatch(/经纬度 Lon\/Lat<\/th><td>118\.\d{6}°E, 32\.\d{6}°N/);
  });

  it('refuses an empty selection and unknown file types', async () => {
    await expect(buildEvidenceHtml({ ...input, records: [] })).rejects.toThrow(/No patches/);
    await expect(writeEvidenceReport(join(dir, 'r.docx'), input)).rejects.toThrow(
      /use \.html or \.pdf/,
    );
  });

  it('writes the HTML file and will not overwrite it unless asked', async () => {
    const path = join(dir, 'report.html');
    const written = await writeEvidenceReport(path, input);
    expect(written).toEqual({ path, patches: 5 });
    expect(readFileSync(path, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    await expect(writeEvidenceReport(path, input)).rejects.toThrow(/already exists/);
  });
});

describe.skipIf(!chromium)('evidence report (PDF)', () => {
  const path = join(dir, 'report.pdf');

  it('prints to PDF with headless Chromium', async () => {
    await writeEvidenceReport(path, input);
    const pdf = readFileSync(path);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeLessThan(1.5 * 1024 * 1024);
    if (hasTool('pdfinfo')) {
      const info = spawnSync('pdfinfo', [path], { encoding: 'utf8' }).stdout;
      expect(info).toMatch(/Pages:\s+6/); // cover + one page per patch
      expect(info).toMatch(/Page size:\s+59\d\.\d+ x 841\.\d+ pts \(A4\)/);
    }
  }, 120_000);

  it.skipIf(process.env.LANDWATCH_UPDATE_ARTIFACTS !== '1')('updates the sample artefact', () => {
    const out = join(process.cwd(), 'test', 'artifacts', 'report');
    mkdirSync(out, { recursive: true });
    copyFileSync(path, join(out, 'sample-evidence-report.pdf'));
    if (!hasTool('pdftoppm')) return console.warn('pdftoppm not found: no page PNGs written.');
    for (const page of [1, 2]) {
      const prefix = join(dir, `page${page}`);
      const args = ['-r', '60', '-png', '-singlefile', '-f', `${page}`, '-l', `${page}`];
      spawnSync('pdftoppm', [...args, path, prefix]);
      renameSync(`${prefix}.png`, join(out, `sample-evidence-report-page${page}.png`));
    }
  });
});
