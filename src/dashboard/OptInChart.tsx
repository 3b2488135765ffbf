// The opt-in rate chart, drawn by uPlot on a canvas. The canvas says nothing to a screen reader, so
// the same numbers are in a table next to it (Overview.tsx).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { seriesStyle } from './format';

export interface ChartSeries {
  label: string;
  /** Percent granted per day, or null on a day without decisions. */
  values: (number | null)[];
}

const HEIGHT = 280;

export const OptInChart = ({ days, series }: { days: string[]; series: ChartSeries[] }) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current as HTMLDivElement;
    const ink = getComputedStyle(el).color;
    const grid = getComputedStyle(el).getPropertyValue('--grid').trim() || '#d0d7de';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        // Days are UTC days, as the collector counts them.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, y: { range: [0, 100] } },
        axes: [axis, { ...axis, values: (_, ticks) => ticks.map((v) => `${v} %`), size: 56 }],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            ...seriesStyle(i),
            width: 2,
            // A day alone between empty days is still a visible dot.
            points: { show: true, size: 7, fill: seriesStyle(i).stroke },
          })),
        ],
      },
      [days.map((d) => Date.parse(d) / 1000), ...series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() => {
      if (el.clientWidth && el.clientWidth !== plot.width) plot.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days, series]);
  return (
    <div
      ref={box}
      class="chart"
      role="img"
      aria-label="Line chart of the opt-in rate per purpose and day; the same numbers are in the table below it."
    />
  );
};
