import { EtlError } from '@brokered-etl/errors';
import { confineExistingFile, confinePath } from './sources/source-roots';

/**
 * One param a pipeline takes: what it means, and what a value must look like.
 * Checked by validateParams before a run is accepted (run control) and again
 * by the worker that plans it. Kept to what the pipelines need.
 */
export interface ParamSpec {
  description: string;
  default?: string;
  /** string (default): any text; integer: a whole number; path: a file inside the source roots. */
  type?: 'string' | 'integer' | 'path';
  /** The value's only allowed spellings (e.g. json | csv | parquet). */
  values?: readonly string[];
  /** A regular expression the whole value must match (a string, so the declaration stays plain data for GET /pipelines). */
  pattern?: string;
  /** Most characters; 1024 when unset. */
  maxLength?: number;
  /** integer: smallest and largest value allowed. */
  min?: number;
  max?: number;
  /** A run must name it (a param with a default never needs to). */
  required?: boolean;
}

export type ParamSpecs = Record<string, ParamSpec>;

export interface ParamCheckOptions {
  /** Folders every `path` param must resolve inside (after symlinks and `..`). */
  sourceRoots: readonly string[];
  /**
   * true (where a request arrives): a path must name an existing regular file.
   * false (the worker): confinement only; a file missing by then is the
   * source reader's SOURCE_NOT_FOUND, which a redrive can retry.
   */
  requireFiles: boolean;
}

const DEFAULT_MAX_LENGTH = 1024;

const bad = (field: string, message: string) => new EtlError('BAD_PARAMS', `param "${field}" ${message}`, { details: { field } });

/** Throws BAD_PARAMS with details.field = the first param at fault; unknown names are refused too. */
export function validateParams(specs: ParamSpecs, params: Record<string, string>, options: ParamCheckOptions): void {
  for (const name of Object.keys(params)) {
    if (!Object.prototype.hasOwnProperty.call(specs, name)) {
      throw new EtlError('BAD_PARAMS', `this pipeline has no param "${name}"; it takes: ${Object.keys(specs).join(', ') || 'none'}`, { details: { field: name } });
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = params[name];
    if (value === undefined || value === '') {
      if (spec.required && spec.default === undefined) throw bad(name, 'is required');
      continue;
    }
    checkValue(name, spec, value, options);
  }
}

function checkValue(name: string, spec: ParamSpec, value: string, options: ParamCheckOptions): void {
  const maxLength = spec.maxLength ?? DEFAULT_MAX_LENGTH;
  // the value is echoed only when short: a long one is somebody's mistake or probing, not worth a log line
  const shown = value.length <= 80 ? `"${value}"` : `(${value.length} characters)`;
  if (value.length > maxLength) throw bad(name, `is longer than ${maxLength} characters`);
  if (spec.values && !spec.values.includes(value)) throw bad(name, `must be one of ${spec.values.join(', ')}, not ${shown}`);
  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(value)) throw bad(name, `${shown} does not match ${spec.pattern}`);
  switch (spec.type ?? 'string') {
    case 'integer':
      return checkInteger(name, spec, value, shown);
    case 'path':
      if (options.requireFiles) confineExistingFile(name, value, options.sourceRoots);
      else confinePath(name, value, options.sourceRoots);
      return;
    case 'string':
      return;
  }
}

function checkInteger(name: string, spec: ParamSpec, value: string, shown: string): void {
  if (!/^-?[0-9]{1,15}$/.test(value)) throw bad(name, `must be a whole number, not ${shown}`);
  const n = Number(value);
  if (spec.min !== undefined && n < spec.min) throw bad(name, `must be at least ${spec.min}, not ${n}`);
  if (spec.max !== undefined && n > spec.max) throw bad(name, `must be at most ${spec.max}, not ${n}`);
}
