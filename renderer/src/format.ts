/** Number and time formatting for panels and the status bar. Pure. */

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1234.5` → `"1,235 m²"`. */
export function formatArea(m2: number): string {
  return `${intFormat.format(m2)} m²`;
}

/** Chinese land unit (1 mu = 666.67 m²): `1.8549` → `"1.85 mu"`. */
export function formatMu(mu: number): string {
  return `${mu.toFixed(mu < 10 ? 2 : 1)} mu`;
}

/** Probability 0–1 → `"87%"`. */
export function formatPercent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** Seconds remaining → `"45 s"`, `"3 min 05 s"`, `"1 h 02 min"`; null/invalid → `"—"`. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A projected coordinate with a precision that suits its units. */
export function formatXY(x: number, y: number, geographic: boolean): string {
  const digits = geographic ? 6 : 1;
  return `${x.toFixed(digits)}, ${y.toFixed(digits)}`;
}

/** `[lon, lat]` → `"30.123456° N, 114.654321° E"`. */
export function formatLonLat(lon: number, lat: number): string {
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${Math.abs(lat).toFixed(6)}° ${ns}, ${Math.abs(lon).toFixed(6)}° ${ew}`;
}

const STATE_LABELS = {
  unreviewed: 'Unreviewed',
  confirmed: 'Confirmed',
  rejected: 'Rejected',
  field_check: 'Field check',
} as const;

export function stateLabel(state: keyof typeof STATE_LABELS): string {
  return STATE_LABELS[state];
}

/** A change kind as the model reports it, for people: `new_building` → `"New building"`. */
export function kindLabel(kind: string): string {
  const words = kind.replace(/[_-]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : kind;
}

/** A run in the run filter: `"2024-05-10 08:30 · 42 patches · lw-siamese-v1"`. */
export function runLabel(run: { startedAt: string; patchCount: number; modelId: string }): string {
  const when = run.startedAt.slice(0, 16).replace('T', ' ');
  return `${when} · ${run.patchCount} patch${run.patchCount === 1 ? '' : 'es'} · ${run.modelId}`;
}

/**
 * The lines of a patch's hover tooltip: number and state, kind and class, area in m² and mu,
 * confidence. `classLabel` names a change class code (from the code list) where it is known.
 */
export function hoverLines(
  patch: {
    number: number;
    state: keyof typeof STATE_LABELS;
    areaM2: number;
    areaMu: number;
    meanProb: number | null;
    maxProb: number | null;
    origin?: string;
    attributes?: { changeKind: string | null; changeClass: string | null } | null;
  },
  classLabel: (code: string) => string | null = () => null,
): string[] {
  const kind = patch.attributes?.changeKind;
  const cls = patch.attributes?.changeClass;
  const what = [
    kind ? kindLabel(kind) : 'Kind not reported',
    cls ? `class ${cls}${classLabel(cls) ? ` ${classLabel(cls)}` : ''}` : 'unclassified',
  ];
  return [
    `#${patch.number} · ${stateLabel(patch.state)}`,
    what.join(' · '),
    `${formatArea(patch.areaM2)} · ${formatMu(patch.areaMu)}`,
    patch.meanProb === null
      ? 'Drawn by hand: no model confidence'
      : `Confidence ${formatPercent(patch.meanProb)} (max ${formatPercent(patch.maxProb ?? patch.meanProb)})`,
  ];
}

/**
 * What the detection dialog says about a drawn area of interest (rings in a metric scene CRS):
 * its size and area, e.g. `"420 × 310 m · 130,200 m² (195.3 mu)"`.
 */
export function describeAoi(rings: readonly (readonly number[])[][]): string {
  const outer = rings[0] ?? [];
  const xs = outer.map((p) => p[0]);
  const ys = outer.map((p) => p[1]);
  let twice = 0;
  for (let i = 0; i + 1 < outer.length; i++) {
    twice += outer[i][0] * outer[i + 1][1] - outer[i + 1][0] * outer[i][1];
  }
  const area = Math.abs(twice) / 2;
  const w = Math.max(...xs) - Math.min(...xs);
  const hgt = Math.max(...ys) - Math.min(...ys);
  return `${intFormat.format(w)} × ${intFormat.format(hgt)} m · ${formatArea(area)} (${formatMu(area / 666.67)})`;
}
