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
