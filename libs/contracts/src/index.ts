export * from './topics';
export * from './headers';
export * from './avro.types';
export * from './control.schemas';
export * from './control.types';
export * from './run-id';
