/**
 * chart.js with only what the app's charts use registered (bar and line charts on category and
 * linear axes, the legend and tooltips), so the bundle carries nothing else of it.
 */

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

let registered = false;

export function chartJs(): typeof Chart {
  if (!registered) {
    Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);
    registered = true;
  }
  return Chart;
}
