// The run report: the metrics file format (metrics.ts), the HTML page (render.ts) and its SVG parts.
export {
  formatHack,
  formatMetricsLine,
  iterationMetricsSchema,
  MetricsFileError,
  parseMetrics,
  withoutTiming,
  type AgentIterationMetrics,
  type EvalMetrics,
  type IterationMetrics,
  type TreeShape,
} from './metrics';
export { renderReport, type ReportData } from './render';
export { linePlot, niceTicks, formatTicks, type PlotOptions, type Series } from './svg';
export { layoutTree, treeGlyph } from './treeGlyph';
