export type { StagingStore } from './staging.store';
export { sumLedger, isRunDone, isRunOpen, pruneSelection } from './staging.store';
export type * from './staging.types';
export { connectMongo, createMongoClient, type MongoConnection, type MongoConnectionOptions } from './mongo.connection';
export { createMongoStagingStore, type MongoStagingOptions } from './mongo-staging.store';
export { createMemoryStagingStore } from './memory-staging.store';
export { createMongoTargetWriter, createMemoryTargetWriter, contentDigest, type TargetWriter, type TargetDocument, type TargetWritePath, type TargetWriterOptions, type UpsertResult } from './target.writer';
export { parseAge, pruneOptionsOf } from './retention';
