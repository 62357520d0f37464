/**
 * A hand-made SVG bar chart (stacked bars per category), with a text
 * alternative: the same numbers are in the table beside it (WCAG 1.1.1).
 */
import { fmtNumber } from './format.ts';
import { t } from './i18n.ts';

// Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by the legend too.
const COLOURS = ['#1f5fa8', '#b3591b', '#2e7d32', '#7b3fa0', '#a0283c', '#00727a', '#6b5d00', '#555555'];

export function BarChart({ title, categories, series }: { title: string; categories: string[]; series: Array<{ name: string; values: number[] }> }) {
  if (categories.length === 0) return null;
  const totals = categories.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  // Four equal steps of a whole number, so every tick is a distinct count.
  const step0 = Math.max(1, Math.ceil(Math.max(1, ...totals) / 4));
  const max = step0 * 4;
  const W = 640;
  const H = 260;
  const left = 48;
  const bottom = 40;
  const top = 12;
  const plotH = H - bottom - top;
  const bw = Math.min(48, ((W - left - 8) / categories.length) * 0.7);
  const step = (W - left - 8) / categories.length;
  const ticks = [0, 1, 2, 3, 4].map((k) => k * step0);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. ${t('stats.chartAlt')}`}>
        {ticks.map((v) => {
          const y = top + plotH - (v / max) * plotH;
          return (
            <g key={v}>
              <line x1={left} x2={W - 4} y1={y} y2={y} stroke="#d0d0d0" />
              <text x={left - 6} y={y + 4} text-anchor="end" font-size="11" fill="#333">
                {fmtNumber(v)}
              </text>
            </g>
          );
        })}
        {categories.map((c, i) => {
          let y = top + plotH;
          const x = left + i * step + (step - bw) / 2;
          return (
            <g key={c}>
              {series.map((s, k) => {
                const v = s.values[i] ?? 0;
                const h = (v / max) * plotH;
                y -= h;
                return v > 0 ? (
                  <rect key={s.name} x={x} y={y} width={bw} height={h} fill={COLOURS[k % COLOURS.length]}>
                    <title>{`${c} · ${s.name}: ${fmtNumber(v)}`}</title>
                  </rect>
                ) : null;
              })}
              <text x={x + bw / 2} y={H - bottom + 16} text-anchor="middle" font-size="11" fill="#333">
                {c}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {title}
        <ul class="legend">
          {series.map((s, k) => (
            <li key={s.name}>
              <span class="swatch" style={`background:${COLOURS[k % COLOURS.length]}`} aria-hidden="true" />
              {s.name}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
