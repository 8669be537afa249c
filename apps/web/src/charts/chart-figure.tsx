/**
 * A chart with its text title, a canvas a screen reader hears as one image with a summary of the
 * numbers (role="img", aria-label), and the same numbers as a table in a <details> that opens by
 * keyboard. Drawn by chart.js, without animation (it would only delay what the figures say).
 */

import { useEffect, useId, useMemo, useRef } from 'react';
import { chartJs } from './chart-setup';
import { styleOf, summarize, tableOf, type ChartModel } from './chart-model';
import './charts.css';

function draw(canvas: HTMLCanvasElement, model: ChartModel) {
  const Chart = chartJs();
  const line = model.kind === 'line';
  return new Chart(canvas, {
    type: model.kind,
    data: {
      labels: [...model.labels],
      datasets: model.series.map((s, i) => {
        const style = styleOf(i);
        return {
          label: s.label,
          data: [...s.values],
          backgroundColor: line ? style.color : `${style.color}cc`,
          borderColor: style.color,
          borderWidth: line ? 2 : 1,
          borderDash: line ? [...style.dash] : [],
          pointStyle: style.point,
          pointRadius: line ? 3 : 0,
          spanGaps: false,
        };
      }),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      // the canvas says its figures through aria-label and the table, not by tooltips alone
      plugins: { legend: { display: model.series.length > 1, position: 'bottom' }, tooltip: { enabled: true } },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 45 } },
        y: { beginAtZero: true, ...(model.max === undefined ? {} : { max: model.max }), ticks: { precision: line ? 0 : undefined } },
      },
    },
  });
}

export function ChartFigure({ model, level = 2, testId }: { model: ChartModel; level?: 2 | 3; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const id = useId();
  const summary = useMemo(() => summarize(model), [model]);
  const table = useMemo(() => tableOf(model), [model]);
  const empty = model.labels.length === 0 || model.series.length === 0;

  useEffect(() => {
    if (!canvas.current || empty) return;
    const chart = draw(canvas.current, model);
    return () => chart.destroy();
  }, [model, empty]);

  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className="chart card" aria-labelledby={`${id}-title`} data-testid={testId}>
      <Heading id={`${id}-title`}>{model.title}</Heading>
      {empty ? (
        <p className="muted">No figures for this window.</p>
      ) : (
        <>
          <div className="chart-canvas">
            <canvas ref={canvas} role="img" aria-label={summary}>
              {summary}
            </canvas>
          </div>
          <details className="chart-table">
            <summary>Numbers of “{model.title}” as a table</summary>
            <div className="table-wrap" role="region" aria-label={`${model.title}: table`} tabIndex={0}>
              <table>
                <caption className="chart-caption">{model.title}</caption>
                <thead>
                  <tr>
                    {table.head.map((h, i) => (
                      <th key={i} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {table.rows.map((row, r) => (
                    <tr key={r}>
                      <th scope="row">{row.label}</th>
                      {row.cells.map((cell, c) => (
                        <td key={c}>{cell}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
