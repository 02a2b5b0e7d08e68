export { flightsPipeline, DEFAULT_FLIGHTS_SOURCE } from './flights.pipeline';
export { createFlightTransform, parseLocalDate, delayClass, type RawFlight, type Flight } from './flights.transform';
export { loadAirports, createAirportReferences, type Airport, type AirportIndex } from './airports.reference';
export { greatCircleMiles } from './geo';
