/** Number formatting by unit, for axes, legends and tables. */

export type Unit = '' | 's' | 'bytes' | 'ratio' | 'ops' | 'percent';

function short(n: number): string {
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a >= 1e9) return `${+(n / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(n / 1e3).toPrecision(3)}k`;
  if (a >= 1) return `${+n.toPrecision(4)}`;
  return `${+n.toPrecision(3)}`;
}

export function formatValue(v: number | null | undefined, unit: Unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 's': {
      const a = Math.abs(v);
      if (a === 0) return '0';
      if (a < 1e-3) return `${+(v * 1e6).toPrecision(3)}µs`;
      if (a < 1) return `${+(v * 1e3).toPrecision(3)}ms`;
      return `${+v.toPrecision(3)}s`;
    }
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let x = v;
      let i = 0;
      while (Math.abs(x) >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return `${+x.toPrecision(3)} ${units[i]}`;
    }
    case 'ratio':
      return `${+(v * 100).toPrecision(3)}%`;
    case 'percent':
      return `${+v.toPrecision(3)}%`;
    case 'ops':
      return `${short(v)}/s`;
    default:
      return short(v);
  }
}

/** Eight colors that keep contrast on both the light and the dark background. */
export const PALETTE = [
  '#2f81f7',
  '#e5534b',
  '#3fb950',
  '#d29922',
  '#a371f7',
  '#39c5cf',
  '#f778ba',
  '#8b949e',
];
