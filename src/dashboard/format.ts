// Days, durations, shares and names as the dashboard writes them.
import type { Method } from '../core/types';

const DAY_MS = 86_400_000;

/** An ISO day (UTC), as the collector's ranges and per-day counts use. */
export const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** The last 30 days, today included. */
export const defaultRange = (now = Date.now()) => ({ from: isoDay(now - 29 * DAY_MS), to: isoDay(now) });

/** Every day from `from` to `to`, both included; at most about three years, so a typo cannot hang the page. */
export const daysBetween = (from: string, to: string): string[] => {
  const days: string[] = [];
  const end = Date.parse(to);
  for (let t = Date.parse(from); t <= end && days.length < 1100; t += DAY_MS) days.push(isoDay(t));
  return days;
};

const number = new Intl.NumberFormat('en');
export const count = (n: number) => number.format(n);

/** `n` as a whole-number share of `total`, or a dash when there is nothing to share. */
export const share = (n: number, total: number) => (total ? `${Math.round((100 * n) / total)}\u00a0%` : '–');

/** The days a date field takes, as the collector's ranges do; Date.parse alone also takes 2026-02-31. */
export const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isoDay(Date.parse(s) || 0) === s;

/** A duration, at the precision a person reads it: 420 ms, 3.2 s, 2 min 5 s, 1 h 4 min, 2 d 3 h. */
export const duration = (ms: number | null): string => {
  if (ms === null) return '–';
  if (ms < 0) return `−${duration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
  const units: [string, number][] = [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  const i = units.findIndex(([, size]) => ms >= size);
  const [big, bigSize] = units[i];
  const [small, smallSize] = units[i + 1];
  const rest = Math.floor((ms % bigSize) / smallSize);
  return `${Math.floor(ms / bigSize)} ${big}${rest ? ` ${rest} ${small}` : ''}`;
};

export const dateTime = (iso: string) => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};

export const METHODS: Record<Method, string> = {
  banner: 'Banner',
  preferences: 'Preference center',
  placeholder: 'Embed placeholder',
  gpc: 'Global Privacy Control signal',
  api: 'JavaScript API',
};

const languages = new Intl.DisplayNames(['en'], { type: 'language' });
/** `fr (French)`; a code the browser does not know stays as it is. */
export const languageName = (code: string) => {
  try {
    const name = languages.of(code);
    return name && name !== code ? `${code} (${name})` : code;
  } catch {
    return code;
  }
};

/** Line colours that keep 3:1 against the light and the dark background. */
export const PALETTE = ['#1f6feb', '#c2410c', '#15803d', '#9333ea', '#be123c', '#0e7490', '#a16207', '#4b5563'];

// Dashes tell the lines apart without colour. Each lap of the palette shifts the dashes by one, so the
// first 32 series are each a colour and dash pattern of their own.
const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3]];
export const seriesStyle = (i: number) => ({
  stroke: PALETTE[i % PALETTE.length],
  dash: DASHES[(i + Math.floor(i / PALETTE.length)) % DASHES.length],
});
