export { flightsPipeline, DEFAULT_FLIGHTS_SOURCE } from './flights.pipeline';
export { createFlightTransform, parseLocalDate, delayClass } from './flights.transform';
export { rawFlightShape, flightShape, airportShape, type RawFlight, type Flight, type Airport } from './flights.shapes';
export { loadAirports, createAirportReferences, type AirportIndex } from './airports.reference';
export { greatCircleMiles } from './geo';
