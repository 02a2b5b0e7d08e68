import { names } from '@nx/devkit';

export const SOURCE_FORMATS = ['json', 'csv', 'parquet'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** What `nx g @brokered-etl/workspace-plugin:pipeline` takes (schema.json). */
export interface PipelineGeneratorOptions {
  name: string;
  source?: SourceFormat;
}

/** Every name the generated files use, derived once from the pipeline's name. */
export interface PipelineNames {
  /** `weather-stations`: the pipeline, its folder, its topics, its target collection. */
  name: string;
  /** `weatherStations`: the exported definition is `weatherStationsPipeline`. */
  propertyName: string;
  /** `WeatherStations`: record type names. */
  className: string;
  /** `weather_stations`: the Avro namespace's last part (Avro names take no hyphens). */
  avroName: string;
  projectName: string;
  projectRoot: string;
  importPath: string;
  format: SourceFormat;
  /** `weather-stations.sample.csv`: the sample input, and the pipeline's default source. */
  sampleFile: string;
}

// it is in topic names, subjects, a folder and an import path: keep it to what all of them accept unchanged
const PIPELINE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 40;

/** Checks the options (a clear error for anything the CLI's schema let through) and derives the names. */
export function pipelineNamesOf(options: PipelineGeneratorOptions): PipelineNames {
  const name = options.name?.trim() ?? '';
  if (!PIPELINE_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new Error(
      `"${name}" is not a valid pipeline name: use lowercase kebab-case (a-z, 0-9, single hyphens between words, starting with a letter), ` +
        `at most ${MAX_NAME_LENGTH} characters, e.g. "weather-stations". It becomes topic names, an Avro namespace and a TypeScript identifier.`,
    );
  }
  const format = options.source ?? 'json';
  if (!SOURCE_FORMATS.includes(format)) throw new Error(`--source "${String(format)}" is not one of ${SOURCE_FORMATS.join(', ')}`);
  const { propertyName, className } = names(name);
  return {
    name,
    propertyName,
    className,
    avroName: name.replace(/-/g, '_'),
    projectName: `pipeline-${name}`,
    projectRoot: `libs/pipelines/${name}`,
    importPath: `@brokered-etl/pipelines/${name}`,
    format,
    sampleFile: `${name}.sample.${format}`,
  };
}
