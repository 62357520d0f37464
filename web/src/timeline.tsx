/**
 * The person's history as a timeline (hand-made SVG): one row per item, one
 * bar per version over its validity period; versions later corrected or
 * annulled (registration ended) are drawn hollow. The table beside it holds
 * the same facts as text (WCAG 1.1.1).
 */
import { fmtDate } from './format.ts';
import { groupName, describeValue } from './describe.ts';
import { t } from './i18n.ts';

export interface Version {
  group: string;
  value: unknown;
  validFrom: string;
  validTo: string | null;
  registeredTo: string | null;
}

const day = (d: string) => Date.parse(`${d.slice(0, 10)}T00:00:00Z`);

export function Timeline({ versions, today }: { versions: Version[]; today: string }) {
  if (versions.length === 0) return null;
  const groups = [...new Set(versions.map((v) => v.group))];
  const start = Math.min(...versions.map((v) => day(v.validFrom)));
  const end = Math.max(day(today), ...versions.map((v) => (v.validTo ? day(v.validTo) : 0))) + 365 * 86_400_000 * 0.05;
  const W = 760;
  const left = 130;
  const rowH = 22;
  const top = 8;
  const H = top + groups.length * rowH + 28;
  const x = (t0: number) => left + ((t0 - start) / Math.max(1, end - start)) * (W - left - 10);
  const firstYear = new Date(start).getUTCFullYear();
  const lastYear = new Date(end).getUTCFullYear();
  const stepYears = Math.max(1, Math.ceil((lastYear - firstYear) / 8));
  const years: number[] = [];
  for (let y = Math.ceil(firstYear / stepYears) * stepYears; y <= lastYear; y += stepYears) years.push(y);
  return (
    <figure class="chart timeline">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('timeline.alt')}>
        {years.map((y) => {
          const xx = x(Date.UTC(y, 0, 1));
          return (
            <g key={y}>
              <line x1={xx} x2={xx} y1={top} y2={H - 22} stroke="#d0d0d0" />
              <text x={xx} y={H - 8} text-anchor="middle" font-size="11" fill="#333">
                {y}
              </text>
            </g>
          );
        })}
        <line x1={x(day(today))} x2={x(day(today))} y1={top - 4} y2={H - 22} stroke="#a31515" stroke-dasharray="3 2" />
        {groups.map((g, i) => (
          <g key={g}>
            <text x={left - 8} y={top + i * rowH + 15} text-anchor="end" font-size="12" fill="#1a1a1a">
              {groupName(g)}
            </text>
            {versions
              .filter((v) => v.group === g)
              .map((v, k) => {
                const x1 = x(day(v.validFrom));
                const x2 = x(v.validTo ? day(v.validTo) : end);
                const superseded = v.registeredTo !== null;
                return (
                  <rect
                    key={k}
                    x={x1}
                    y={top + i * rowH + (superseded ? 3 : 5)}
                    width={Math.max(2, x2 - x1 - 1)}
                    height={superseded ? 16 : 12}
                    fill={superseded ? 'none' : '#1f5fa8'}
                    stroke={superseded ? '#a31515' : '#ffffff'}
                    stroke-dasharray={superseded ? '3 2' : undefined}
                  >
                    <title>{`${groupName(g)}: ${describeValue(g, v.value)} · ${fmtDate(v.validFrom)} – ${fmtDate(v.validTo) || '…'}${superseded ? ` · ${t('timeline.superseded')}` : ''}`}</title>
                  </rect>
                );
              })}
          </g>
        ))}
      </svg>
      <figcaption>{t('timeline.caption')}</figcaption>
    </figure>
  );
}
