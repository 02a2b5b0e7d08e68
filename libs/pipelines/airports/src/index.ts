export { airportsPipeline } from './airports.pipeline';
