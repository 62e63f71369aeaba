// src/data: dataset loaders into the native problem form (DESIGN §6.1).
export { DatasetError, describeLocation, type DatasetLocation } from './errors';
export {
  DATASET_FORMATS,
  detectFormat,
  detectRecordFormat,
  loadDataset,
  loadProblems,
  loadReferenceSolutions,
  readDataset,
  type DatasetEntry,
  type DatasetFormat,
  type LoadOptions,
  type ReferenceSolution,
} from './load';
export { problemSchema, type Checker, type Problem, type TestCase } from './problem';
