/**
 * The evidence report as one self-contained HTML document: inline CSS, every image a `data:` URI,
 * a Content-Security-Policy that forbids loading anything, so the file can be mailed, archived,
 * opened offline or printed to PDF and always looks the same. A4 portrait: a cover page with the
 * scenes, the counts and an overview map of all selected patches, then one page per patch.
 *
 * The whole-scene overview is embedded once, as a CSS background, and every patch page marks its
 * patch on it with a positioned box, instead of repeating the image per page.
 */
import type { Fact } from './report-text.js';

/** A before/after pair of chips of one patch (same extent, same pixel size). */
export interface ChipPair {
  before: string;
  after: string;
  /** Pixels across (chips are square). */
  pixels: number;
  /** Ground width of a chip, in metres. */
  groundWidth: number;
  /** The patch outline as an SVG path in chip pixels. */
  outline: string;
}

/** A box in percent of the overview map (y down). */
export interface MarkerBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** One patch page. */
export interface PatchPage {
  number: number;
  state: string;
  facts: Fact[];
  decision: Fact[];
  chips: ChipPair;
  marker: MarkerBox;
}

/** Everything the template shows; all text is plain and escaped here. */
export interface ReportModel {
  title: string;
  projectName: string;
  generatedAt: string;
  scenes: Fact[];
  counts: Fact[];
  beforeLabel: string;
  afterLabel: string;
  overview: { uri: string; width: number; height: number } | null;
  patches: PatchPage[];
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const CSS = `
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #1d2327; font: 10pt/1.4 "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
  "Source Han Sans SC", "WenQuanYi Micro Hei", "DejaVu Sans", sans-serif; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 0 0 3mm; display: flex; justify-content: space-between; align-items: baseline; }
h2 .state { font-size: 10pt; font-weight: normal; padding: 0.5mm 2mm; border-radius: 1mm; background: #eef1f4; }
.sub { color: #5a656d; margin-bottom: 4mm; }
section.patch { break-before: page; }
table.facts { border-collapse: collapse; width: 100%; }
table.facts th, table.facts td { text-align: left; vertical-align: top; padding: 0.8mm 1.5mm; border-bottom: 0.2mm solid #d8dde1; }
table.facts th { width: 34%; font-weight: normal; color: #5a656d; white-space: nowrap; }
.chips { display: flex; gap: 4mm; margin-bottom: 4mm; }
figure { margin: 0; flex: 1; }
figcaption { font-size: 9pt; color: #5a656d; margin-top: 1mm; }
.chip { position: relative; width: 100%; aspect-ratio: 1; background: #ddd; }
.chip img, .chip svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.chip img { image-rendering: pixelated; }
/* Vector outlines with a dark halo; no CSS filters, which Chromium would print as bitmaps. */
.outline, .halo { fill: none; stroke-linejoin: round; fill-rule: evenodd; vector-effect: non-scaling-stroke; }
.outline { stroke: #ffe600; stroke-width: 2; }
.halo { stroke: #000; stroke-opacity: 0.65; stroke-width: 4; }
.scale rect { fill: #fff; stroke: #000; stroke-width: 0.6; vector-effect: non-scaling-stroke; }
.scale text { font-size: 9px; fill: #fff; stroke: #000; stroke-width: 0.25; paint-order: stroke; }
.lower { display: flex; gap: 4mm; }
.lower .left { flex: 1.35; }
.lower .right { flex: 1; }
.map { position: relative; width: 100%; background-size: 100% 100%; border: 0.2mm solid #9aa4ab; }
.marker { position: absolute; border: 0.6mm solid #e4002b; box-shadow: 0 0 0 0.3mm #fff; }
.marker span { position: absolute; left: 100%; top: -1mm; margin-left: 0.6mm; padding: 0 0.5mm;
  font-size: 7pt; font-weight: bold; line-height: 1.2; color: #e4002b; background: #fff; }
.cover .map { width: 125mm; margin: 3mm auto 4mm; }
.small { font-size: 8pt; color: #5a656d; }
`;

function factRows(facts: Fact[]): string {
  return facts
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
}

/** A round scale-bar length (1, 2 or 5 × 10^n m) of about a quarter of the chip. */
function scaleBar(chips: ChipPair): string {
  const target = chips.groundWidth / 4;
  const power = 10 ** Math.floor(Math.log10(target));
  const metres = [5, 2, 1].map((m) => m * power).find((m) => m <= target) ?? power;
  const length = (metres / chips.groundWidth) * chips.pixels;
  const y = chips.pixels * 0.94;
  const x = chips.pixels * 0.04;
  const h = chips.pixels * 0.018;
  const label = metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
  return (
    `<g class="scale"><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${length.toFixed(1)}" height="${h.toFixed(1)}"/>` +
    `<text x="${x.toFixed(1)}" y="${(y - h).toFixed(1)}" style="font-size:${(chips.pixels / 22).toFixed(1)}px">${label}</text></g>`
  );
}

function chip(uri: string, chips: ChipPair, caption: string, withScale: boolean): string {
  const box = `0 0 ${chips.pixels} ${chips.pixels}`;
  return (
    `<figure><div class="chip"><img src="${uri}" alt="${escapeHtml(caption)}"/>` +
    `<svg viewBox="${box}" preserveAspectRatio="none"><path class="halo" d="${chips.outline}"/>` +
    `<path class="outline" d="${chips.outline}"/>` +
    `${withScale ? scaleBar(chips) : ''}</svg></div>` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`
  );
}

function map(
  overview: NonNullable<ReportModel['overview']>,
  markers: { number: number; box: MarkerBox }[],
): string {
  const boxes = markers
    .map(({ number, box }) => {
      const style = `left:${box.left.toFixed(2)}%;top:${box.top.toFixed(2)}%;width:${box.width.toFixed(2)}%;height:${box.height.toFixed(2)}%`;
      return `<div class="marker" style="${style}"><span>${number}</span></div>`;
    })
    .join('');
  return `<div class="map overview" style="aspect-ratio:${overview.width}/${overview.height}">${boxes}</div>`;
}

function patchPage(page: PatchPage, model: ReportModel): string {
  const overview = model.overview
    ? `<h3 class="small">位置 Location in the scene</h3>${map(model.overview, [{ number: page.number, box: page.marker }])}`
    : '';
  return (
    `<section class="patch" id="patch-${page.number}">` +
    `<h2><span>图斑 Patch ${page.number}</span><span class="state">${escapeHtml(page.state)}</span></h2>` +
    `<div class="chips">${chip(page.chips.before, page.chips, model.beforeLabel, true)}` +
    `${chip(page.chips.after, page.chips, model.afterLabel, false)}</div>` +
    `<div class="lower"><div class="left"><table class="facts">${factRows(page.facts)}</table></div>` +
    `<div class="right"><table class="facts">${factRows(page.decision)}</table>${overview}</div></div>` +
    `</section>`
  );
}

/** Renders the report model as a complete HTML document. */
export function renderReportHtml(model: ReportModel): string {
  const overviewCss = model.overview
    ? `.overview { background-image: url(${model.overview.uri}); }`
    : '';
  const cover =
    `<section class="cover"><h1>${escapeHtml(model.title)}</h1>` +
    `<div class="sub">${escapeHtml(model.projectName)} · ${escapeHtml(model.generatedAt)}</div>` +
    `<table class="facts">${factRows([...model.scenes, ...model.counts])}</table>` +
    (model.overview
      ? map(
          model.overview,
          model.patches.map((p) => ({ number: p.number, box: p.marker })),
        )
      : '') +
    `<p class="small">每个图斑一页：前后时相同比例影像（黄线为图斑边界）、属性与审核结论、位置示意。` +
    ` One page per patch: before/after images at the same scale (patch outline in yellow), attributes, the reviewer's decision and its location.</p></section>`;
  return (
    `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">` +
    `<title>${escapeHtml(model.title)} – ${escapeHtml(model.projectName)}</title>` +
    `<style>${CSS}${overviewCss}</style></head><body>` +
    cover +
    model.patches.map((p) => patchPage(p, model)).join('') +
    `</body></html>\n`
  );
}
