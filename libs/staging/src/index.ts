export type { StagingStore } from './staging.store';
export { sumLedger, isRunDone, isRunOpen } from './staging.store';
export type * from './staging.types';
export { connectMongo, createMongoClient, type MongoConnection, type MongoConnectionOptions } from './mongo.connection';
export { createMongoStagingStore, type MongoStagingOptions } from './mongo-staging.store';
export { createMemoryStagingStore } from './memory-staging.store';
export { createMongoTargetWriter, createMemoryTargetWriter, type TargetWriter, type TargetDocument } from './target.writer';
